"""Messages, education articles and bank products (issue 14, docs/feedback-messages.md).

- ``Article``: a how-to or a security tip in Simplified Chinese and English; published only when a
  second staff member approves it (the database refuses an author approving their own article).
- ``Message``: a notice to a promotions segment or to named customers, sent at ``send_at`` by the
  beat dispatcher. ``MessageDelivery`` is one customer's inbox item: unique per (message, customer),
  written set-based (``INSERT ... SELECT ... ON CONFLICT DO NOTHING``), so a doubled beat or a re-run
  never delivers twice.
- ``Product``: the bank's catalogue with eligibility by segment; ``Lead``: a customer's interest or
  application, routed to their home branch with an SLA. No credit decision is made here.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

__all__ = ["Article", "Lead", "Message", "MessageDelivery", "Product"]


class Article(models.Model):
    class Kind(models.TextChoices):
        TUTORIAL = "TUTORIAL", _("How-to tutorial")
        SECURITY_TIP = "SECURITY_TIP", _("Security tip")

    class Status(models.TextChoices):
        DRAFT = "DRAFT", _("Draft")
        SUBMITTED = "SUBMITTED", _("Awaiting approval")
        PUBLISHED = "PUBLISHED", _("Published")
        ARCHIVED = "ARCHIVED", _("Archived")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title_zh = models.CharField(_("title (Simplified Chinese)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=120)
    body_zh = models.TextField(_("body (Simplified Chinese)"), max_length=20_000)
    body_en = models.TextField(_("body (English)"), max_length=20_000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
        help_text=_("Empty for the bank's seeded articles."),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    editor_ids = models.JSONField(
        _("editors"), default=list, blank=True, editable=False, help_text=_("Staff who wrote or edited it.")
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [("approve_article", _("Can approve another author's article"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | Q(author__isnull=True) | ~Q(approved_by=F("author")),
                name="article_no_self_approval",
            ),
            models.CheckConstraint(
                condition=~Q(status="PUBLISHED") | Q(published_at__isnull=False), name="article_published_at"
            ),
        ]
        indexes = [
            models.Index(
                fields=["-published_at", "-id"], condition=Q(status="PUBLISHED"), name="article_published_page"
            )
        ]

    def __str__(self) -> str:
        return self.title_zh

    def title_for(self, language: str) -> str:
        return self.title_en if language.startswith("en") else self.title_zh

    def body_for(self, language: str) -> str:
        return self.body_en if language.startswith("en") else self.body_zh


class Message(models.Model):
    """A notice sent once at ``send_at`` to a segment or to named customers. MARKETING reaches only
    customers with a live marketing consent; SERVICE and SECURITY reach every customer targeted who
    is not CLOSED."""

    class Kind(models.TextChoices):
        MARKETING = "MARKETING", _("Marketing")
        SERVICE = "SERVICE", _("Service notice")
        SECURITY = "SECURITY", _("Security notice")

    class Audience(models.TextChoices):
        SEGMENT = "SEGMENT", _("A segment")
        CUSTOMERS = "CUSTOMERS", _("Named customers")

    class Status(models.TextChoices):
        DRAFT = "DRAFT", _("Draft")
        SUBMITTED = "SUBMITTED", _("Awaiting approval")
        SCHEDULED = "SCHEDULED", _("Scheduled")
        SENT = "SENT", _("Sent")
        CANCELLED = "CANCELLED", _("Cancelled")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title_zh = models.CharField(_("title (Simplified Chinese)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=120)
    body_zh = models.TextField(_("body (Simplified Chinese)"), max_length=4000)
    body_en = models.TextField(_("body (English)"), max_length=4000)
    article = models.ForeignKey(
        Article,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
        verbose_name=_("linked article"),
    )
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    segment = models.JSONField(
        _("segment"), default=dict, blank=True, help_text=_("The promotions segment document (audience SEGMENT).")
    )
    customers = models.ManyToManyField(
        "accounts.Customer", blank=True, related_name="+", verbose_name=_("customers (audience CUSTOMERS)")
    )
    send_at = models.DateTimeField(_("send at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    editor_ids = models.JSONField(
        _("editors"), default=list, blank=True, editable=False, help_text=_("Staff who wrote or edited it.")
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipients_count = models.PositiveIntegerField(_("recipients"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        permissions = [("approve_message", _("Can approve another author's message"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("created_by")), name="message_no_self_approval"
            ),
        ]
        indexes = [models.Index(fields=["send_at"], condition=Q(status="SCHEDULED"), name="message_due")]

    def __str__(self) -> str:
        return self.title_zh


class MessageDelivery(models.Model):
    """One customer's copy of a message (their inbox item). Written only by the dispatcher's
    set-based insert; ``pushed_at`` is claimed before the push is handed to the channel (at most one
    push per row); ``read_at`` set by the customer."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("message"))
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    created_at = models.DateTimeField(_("delivered at"))
    pushed_at = models.DateTimeField(_("pushed at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message delivery")
        verbose_name_plural = _("message deliveries")
        constraints = [models.UniqueConstraint(fields=["message", "customer"], name="message_delivery_once")]
        indexes = [
            models.Index(fields=["customer", "-created_at", "-id"], name="inbox_page"),
            models.Index(fields=["customer"], condition=Q(read_at__isnull=True), name="inbox_unread"),
            models.Index(fields=["message"], condition=Q(pushed_at__isnull=True), name="delivery_push_due"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} -> {self.customer_id}"


class Product(models.Model):
    class Category(models.TextChoices):
        WEALTH = "WEALTH", _("Wealth management")
        DEPOSIT = "DEPOSIT", _("Deposit")
        CONSUMER_LOAN = "CONSUMER_LOAN", _("Consumer loan")
        SMALL_BUSINESS_LOAN = "SMALL_BUSINESS_LOAN", _("Small-business loan")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("code"), max_length=40, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    name_zh = models.CharField(_("name (Simplified Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    description_zh = models.TextField(_("description (Simplified Chinese)"), max_length=4000)
    description_en = models.TextField(_("description (English)"), max_length=4000)
    eligibility = models.JSONField(
        _("eligibility"),
        default=dict,
        blank=True,
        help_text=_("A promotions segment document; empty: every active customer."),
    )
    lead_sla_hours = models.PositiveIntegerField(_("lead SLA (hours)"), default=48)
    active = models.BooleanField(_("offered"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("bank product")
        verbose_name_plural = _("bank products")
        constraints = [
            models.CheckConstraint(
                condition=Q(lead_sla_hours__gte=1, lead_sla_hours__lte=720), name="product_lead_sla_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


LEAD_OPEN_STATUSES = ("NEW", "CONTACTED", "IN_PROGRESS")


class Lead(models.Model):
    """A customer's interest in or application for a product, worked by their home branch. The
    statuses record the conversation only: no credit decision is taken or stored here."""

    class Kind(models.TextChoices):
        INTEREST = "INTEREST", _("Interest")
        APPLICATION = "APPLICATION", _("Application")

    class Status(models.TextChoices):
        NEW = "NEW", _("New")
        CONTACTED = "CONTACTED", _("Contacted")
        IN_PROGRESS = "IN_PROGRESS", _("In progress")
        CONVERTED = "CONVERTED", _("Converted (handed to the product's process)")
        NOT_PROCEEDING = "NOT_PROCEEDING", _("Not proceeding")
        WITHDRAWN = "WITHDRAWN", _("Withdrawn by the customer")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="leads", verbose_name=_("product"))
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    branch = models.ForeignKey(
        "accounts.Branch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("branch"),
        help_text=_("The customer's home branch when the lead came in; empty: the bank-wide queue."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.NEW)
    note = models.CharField(_("customer's note"), max_length=500, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    sla_due_at = models.DateTimeField(_("first contact due by"))
    first_contacted_at = models.DateTimeField(_("first contacted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("product lead")
        verbose_name_plural = _("product leads")
        permissions = [("work_lead", _("Can work leads of their branch"))]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "customer"],
                condition=Q(status__in=LEAD_OPEN_STATUSES),
                name="lead_one_open_per_product",
            )
        ]
        indexes = [
            models.Index(fields=["customer", "-created_at", "-id"], name="lead_customer_page"),
            models.Index(fields=["branch", "status", "sla_due_at"], name="lead_branch_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.product.code} · {self.get_status_display()}"
