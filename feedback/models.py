"""Feedback, tickets and surveys (issue 14; messages and education live in ``models_messages``).

* ``Feedback``: what a customer sends (category, rating 1-5, text, optionally one of their own
  transfers and screenshots). Screenshots are ``FeedbackAttachment`` rows whose bytes live in a
  private directory (``settings.FEEDBACK_PRIVATE_DIR``), never under MEDIA or STATIC.
* ``Ticket``: a COMPLAINT opens one, queued to the customer's home branch, due by its priority's
  SLA; ``TicketMessage`` is the conversation (customer, staff, system notes).
* ``SurveyInvitation`` / ``SurveyResponse``: NPS (0-10) and CSAT (1-5) asked after events; the
  per-customer frequency cap is the conditional upsert on ``SurveyContact`` (one row per customer).
* ``SurveyKeywordList``: tags for verbatim comments, matched by substring (works for Chinese).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


class Feedback(models.Model):
    class Category(models.TextChoices):
        PROBLEM = "PROBLEM", _("Problem")
        SUGGESTION = "SUGGESTION", _("Suggestion")
        COMPLAINT = "COMPLAINT", _("Complaint")
        PRAISE = "PRAISE", _("Praise")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="feedback", verbose_name=_("customer")
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("text"))
    transfer = models.ForeignKey(
        "payments.Transfer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("transaction"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        indexes = [models.Index(fields=["customer", "-created_at", "-id"], name="feedback_customer_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_5"),
            models.CheckConstraint(condition=~Q(text=""), name="feedback_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {str(self.public_id)[:8]}"


class FeedbackAttachment(models.Model):
    """A screenshot: type sniffed from its bytes (PNG, JPEG, WebP), stored under a random name in the
    private directory; served only to its owner (API) and to staff in scope (admin)."""

    class ContentType(models.TextChoices):
        PNG = "image/png", "PNG"
        JPEG = "image/jpeg", "JPEG"
        WEBP = "image/webp", "WebP"

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    feedback = models.ForeignKey(
        Feedback, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("feedback")
    )
    content_type = models.CharField(_("content type"), max_length=20, choices=ContentType.choices)
    size_bytes = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    storage_name = models.CharField(_("storage name"), max_length=100, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback attachment")
        verbose_name_plural = _("feedback attachments")

    def __str__(self) -> str:
        return f"{self.get_content_type_display()} {str(self.public_id)[:8]}"


class Ticket(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "OPEN", _("Open")
        IN_PROGRESS = "IN_PROGRESS", _("In progress")
        WAITING_FOR_CUSTOMER = "WAITING_FOR_CUSTOMER", _("Waiting for customer")
        RESOLVED = "RESOLVED", _("Resolved")
        CLOSED = "CLOSED", _("Closed")

    class Priority(models.TextChoices):
        LOW = "LOW", _("Low")
        NORMAL = "NORMAL", _("Normal")
        HIGH = "HIGH", _("High")
        URGENT = "URGENT", _("Urgent")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="tickets", verbose_name=_("customer")
    )
    feedback = models.OneToOneField(
        Feedback, on_delete=models.PROTECT, related_name="ticket", verbose_name=_("feedback")
    )
    branch = models.ForeignKey(
        "accounts.Branch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("branch queue"),
    )
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.OPEN)
    due_at = models.DateTimeField(_("due at (SLA)"))
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("escalated to"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    handling_rating = models.PositiveSmallIntegerField(_("handling rating"), null=True, blank=True)
    handling_comment = models.TextField(_("handling comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["customer", "-created_at", "-id"], name="ticket_customer_recent"),
            models.Index(
                fields=["due_at"],
                condition=Q(escalated_at__isnull=True, status__in=["OPEN", "IN_PROGRESS"]),
                name="ticket_sla_watch",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(handling_rating__isnull=True) | Q(handling_rating__gte=1, handling_rating__lte=5),
                name="ticket_handling_rating_1_5",
            ),
        ]

    def __str__(self) -> str:
        return _("Ticket %(id)s") % {"id": str(self.public_id)[:8]}


class TicketMessage(models.Model):
    class Author(models.TextChoices):
        CUSTOMER = "CUSTOMER", _("Customer")
        STAFF = "STAFF", _("Bank staff")
        SYSTEM = "SYSTEM", _("System")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="messages", verbose_name=_("ticket"))
    author = models.CharField(_("author"), max_length=10, choices=Author.choices)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff member"),
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="ticket_message_text_not_empty")]

    def __str__(self) -> str:
        return f"{self.get_author_display()} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class SurveyKind(models.TextChoices):
    NPS = "NPS", _("Net Promoter Score (0-10)")
    CSAT = "CSAT", _("Customer satisfaction (1-5)")


class SurveyTrigger(models.TextChoices):
    FIRST_PAYMENT = "FIRST_PAYMENT", _("After the first payment")
    TICKET_RESOLVED = "TICKET_RESOLVED", _("After a ticket was resolved")
    SIGNUP_30_DAYS = "SIGNUP_30_DAYS", _("30 days after sign-up")
    CAMPAIGN_REWARD = "CAMPAIGN_REWARD", _("After a campaign reward")


class SurveyContact(models.Model):
    """The frequency cap: when this customer was last invited. Claimed by one conditional upsert
    (``feedback.services.surveys.survey_invite``), so concurrent or redelivered events invite once."""

    customer = models.OneToOneField(
        "accounts.Customer", on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    last_invited_at = models.DateTimeField(_("last invited at"))

    class Meta:
        verbose_name = _("survey contact")
        verbose_name_plural = _("survey contacts")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.last_invited_at:%Y-%m-%d}"


class SurveyInvitation(models.Model):
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="survey_invitations", verbose_name=_("customer")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices)
    trigger = models.CharField(_("trigger"), max_length=20, choices=SurveyTrigger.choices)
    trigger_ref = models.CharField(_("trigger reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        indexes = [
            models.Index(
                fields=["customer", "-created_at", "-id"],
                condition=Q(answered_at__isnull=True),
                name="survey_invitation_pending",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "trigger", "trigger_ref"], name="survey_invitation_once_per_trigger"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {str(self.public_id)[:8]}"


class SurveyResponse(models.Model):
    """One answer per invitation (``invitation`` is unique). Branch and segment are the customer's
    at the time of the answer, so the NPS trend does not move when a customer moves branch later."""

    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.PROTECT, related_name="response", verbose_name=_("invitation")
    )
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="survey_responses", verbose_name=_("customer")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices)
    trigger = models.CharField(_("trigger"), max_length=20, choices=SurveyTrigger.choices)
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    tags = models.JSONField(_("keyword tags"), default=list, blank=True)
    branch = models.ForeignKey(
        "accounts.Branch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("branch"),
    )
    customer_type = models.CharField(_("customer type"), max_length=20)
    kyc_level = models.PositiveSmallIntegerField(_("KYC level"))
    age_band = models.CharField(_("age band"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("answered at"), db_index=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        permissions = [("export_surveyresponse", "Can export survey responses as CSV (audited)")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="NPS", score__lte=10) | Q(kind="CSAT", score__gte=1, score__lte=5)),
                name="survey_response_score_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.score}"


class SurveyKeywordList(TimeStampedModel):
    """A tag and the words that put it on a comment: one keyword per line, matched as a substring,
    case-insensitive (Chinese has no spaces between words, so no tokenizer is needed to find 转账)."""

    tag = models.CharField(_("tag"), max_length=40, unique=True)
    keywords = models.TextField(_("keywords"), help_text=_("One keyword or phrase per line, e.g. 转账, 到账慢, slow."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["tag"]
        verbose_name = _("survey keyword list")
        verbose_name_plural = _("survey keyword lists")

    def __str__(self) -> str:
        return self.tag

    def keyword_list(self) -> list[str]:
        return [line.strip() for line in self.keywords.splitlines() if line.strip()]


from .models_messages import *  # noqa: E402, F403
