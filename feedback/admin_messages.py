"""Admin of articles, messages, products and leads, and the feature-usage page.

Nothing is saved by hand: forms save through the services, which check the permission, the status
under the row lock and the separation of duties (nobody approves what they wrote or edited), and
write the audit log. Articles, messages and the catalogue are bank-wide (marketing, risk officers);
leads are branch-scoped (``lead_qs_for_staff``). Registered by ``FeedbackConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import StaffRole
from accounts.selectors import staff_branch_ids, staff_has_role, staff_is_bank_wide
from core.admin_scope import ScopedForeignKeysMixin, ViewOnlyMixin
from core.errors import DomainError
from feedback.models_messages import LEAD_OPEN_STATUSES, Article, Lead, Message, Product
from feedback.selectors_messages import lead_qs_for_staff, message_stats
from feedback.selectors_usage import FEATURES, feature_usage, usage_pivot
from feedback.services import articles as article_services
from feedback.services import messages as message_services
from feedback.services import products as product_services
from promotions.rules import RulesInvalid, segment_parse
from risk.admin.base import ReasonForm, each, form_action


class _Refused(Exception):
    """A service refused what a valid form asked (shown as a message, nothing saved)."""


class ServiceSavedAdmin(admin.ModelAdmin):
    """Saves through ``self.save_through(request, obj, form, change)``; the services audit."""

    def save_through(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> Any:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            saved = self.save_through(request, obj, form, change)
        except DomainError as error:
            raise _Refused(f"{error.message} {error.details or ''}".strip()) from error
        for field in type(obj)._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Many-to-many fields are saved by the service."""

    def changeform_view(
        self, request: HttpRequest, object_id: Any = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        """Not wrapped in the admin's transaction: the services own durable ones."""
        try:
            return self._changeform_view(request, object_id, form_url, extra_context)  # type: ignore[attr-defined,no-any-return]
        except _Refused as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def construct_change_message(self, *args: Any, **kwargs: Any) -> Any:
        return []

    def log_addition(self, *args: Any, **kwargs: Any) -> Any:  # the services write the audit log
        return None

    def log_change(self, *args: Any, **kwargs: Any) -> Any:
        return None


def _reason_action(
    service: Callable[..., Any], description: Any, id_name: str
) -> Callable[[Any, HttpRequest, QuerySet[Any]], HttpResponse | None]:
    def action(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
        return form_action(
            modeladmin,
            request,
            queryset,
            title=description,
            form_class=ReasonForm,
            apply=lambda obj, data: service(**{id_name: obj.pk}, by=request.user, reason=data["text"], request=request),
        )

    action.short_description = description  # type: ignore[attr-defined]
    return action


def _plain_action(
    service: Callable[..., Any], description: Any, id_name: str
) -> Callable[[Any, HttpRequest, QuerySet[Any]], None]:
    def action(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        each(modeladmin, request, queryset, lambda obj: service(**{id_name: obj.pk}, by=request.user, request=request))

    action.short_description = description  # type: ignore[attr-defined]
    return action


# --- articles -------------------------------------------------------------------------------------
class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = article_services.ARTICLE_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _("Empty: made from the English title.")

    def validate_unique(self) -> None:
        """The service checks the slug (made from the title when empty) under its transaction."""


@admin.register(Article)
class ArticleAdmin(ServiceSavedAdmin):
    form = ArticleForm
    list_display = ("title_zh", "title_en", "kind", "status", "author", "approved_by", "published_at")
    list_filter = ("status", "kind")
    search_fields = ("title_zh", "title_en", "slug")
    list_select_related = ("author", "approved_by")
    fields = article_services.ARTICLE_FIELDS
    actions = ["submit_selected", "approve_selected", "reject_selected", "archive_selected"]

    submit_selected = _plain_action(article_services.article_submit, _("Submit for approval"), "article_id")
    approve_selected = _plain_action(
        article_services.article_approve, _("Approve and publish (not your own)"), "article_id"
    )
    reject_selected = _reason_action(article_services.article_reject, _("Send back (reason required)"), "article_id")
    archive_selected = _reason_action(article_services.article_archive, _("Archive (reason required)"), "article_id")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields if obj is not None and obj.status != Article.Status.DRAFT else ()

    def save_through(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> Article:
        data = {f: form.cleaned_data.get(f) for f in self.fields}
        if change:
            return article_services.article_update(article_id=obj.pk, by=request.user, data=data, request=request)  # type: ignore[arg-type]
        return article_services.article_create(by=request.user, data=data, request=request)  # type: ignore[arg-type]


# --- messages -------------------------------------------------------------------------------------
class MessageForm(forms.ModelForm):
    class Meta:
        model = Message
        fields = (*message_services.MESSAGE_FIELDS, "customers")

    def clean_segment(self) -> Any:
        segment = self.cleaned_data.get("segment") or {}
        if self.cleaned_data.get("audience") == Message.Audience.SEGMENT or self.data.get("audience") == "SEGMENT":
            try:
                segment_parse(segment)
            except RulesInvalid as error:
                raise forms.ValidationError([f"{e['field']}: {e['error']}" for e in error.details["errors"]]) from None
        return segment


@admin.register(Message)
class MessageAdmin(ScopedForeignKeysMixin, ServiceSavedAdmin):
    form = MessageForm
    list_display = ("title_zh", "kind", "audience", "status", "send_at", "recipients_count", "created_by")
    list_filter = ("status", "kind", "audience")
    search_fields = ("title_zh", "title_en", "=public_id")
    list_select_related = ("created_by",)
    raw_id_fields = ("customers",)
    actions = ["submit_selected", "approve_selected", "cancel_selected"]
    stats_fields = ("status", "created_by", "approved_by", "approved_at", "sent_at", "delivery_stats")

    submit_selected = _plain_action(message_services.message_submit, _("Submit for approval"), "message_id")
    approve_selected = _plain_action(
        message_services.message_approve, _("Approve and schedule (not your own)"), "message_id"
    )
    cancel_selected = _reason_action(message_services.message_cancel, _("Cancel (reason required)"), "message_id")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "article":
            kwargs["queryset"] = Article.objects.filter(status=Article.Status.PUBLISHED)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        sets: list[Any] = [
            (None, {"fields": ["kind", "title_zh", "title_en", "body_zh", "body_en", "article", "send_at"]}),
            (
                _("Audience"),
                {
                    "fields": ["audience", "segment", "customers"],
                    "description": _(
                        "MARKETING reaches only customers with a live marketing consent; SERVICE and SECURITY "
                        "reach every targeted customer. Segment: the promotions segment document (JSON)."
                    ),
                },
            ),
        ]
        if obj is not None:
            sets.append((_("Delivery"), {"fields": list(self.stats_fields)}))
        return sets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        if obj.status != Message.Status.DRAFT:
            return (*message_services.MESSAGE_FIELDS, "customers", *self.stats_fields)
        return self.stats_fields

    @admin.display(description=_("delivery and reading"))
    def delivery_stats(self, obj: Message) -> str:
        if obj.status != Message.Status.SENT:
            return str(_("not sent yet"))
        stats = message_stats(obj)
        return format_html(
            "{} {} · {} {} · {} {} ({}%)",
            _("delivered"),
            stats.delivered,
            _("pushed"),
            stats.pushed,
            _("read"),
            stats.read,
            stats.read_rate_percent,
        )

    def save_through(self, request: HttpRequest, obj: Message, form: Any, change: bool) -> Message:
        data = {f: form.cleaned_data.get(f) for f in message_services.MESSAGE_FIELDS}
        customer_ids = [c.pk for c in form.cleaned_data.get("customers") or []]
        if change:
            return message_services.message_update(
                message_id=obj.pk,
                by=request.user,  # type: ignore[arg-type]
                data=data,
                customer_ids=customer_ids,
                request=request,
            )
        return message_services.message_create(by=request.user, data=data, customer_ids=customer_ids, request=request)  # type: ignore[arg-type]

    # --- the feature-usage page (hangs off this admin; its own permission check) ---------------------
    def get_urls(self) -> list[Any]:
        return [
            path(
                "feature-usage/",
                self.admin_site.admin_view(self.feature_usage_view),
                name="feedback_feature_usage",
            ),
            *super().get_urls(),
        ]

    def feature_usage_view(self, request: HttpRequest) -> HttpResponse:
        """Feature usage by segment or branch: bank-wide roles see the bank, branch managers their tree."""
        bank_wide = staff_is_bank_wide(request.user)
        if not (bank_wide or staff_has_role(request.user, StaffRole.BRANCH_MANAGER)):
            raise PermissionDenied
        form = UsageForm(request.GET or None)
        rows: list[Any] = []
        if form.is_valid():
            data = form.cleaned_data
            rows = usage_pivot(
                feature_usage(
                    since=data["since"],
                    until=data["until"],
                    group_by=data["group_by"],
                    branch_ids=None if bank_wide else staff_branch_ids(request.user),
                )
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Feature usage"),
            "form": form,
            "features": FEATURES,
            "rows": rows,
        }
        return TemplateResponse(request, "admin/feedback/feature_usage.html", context)


class UsageForm(forms.Form):
    since = forms.DateTimeField(label=_("From"))
    until = forms.DateTimeField(label=_("Until (excluded)"))
    group_by = forms.ChoiceField(
        label=_("Group by"),
        choices=[("segment", _("Customer type")), ("branch", _("Home branch")), ("kyc_tier", _("KYC tier"))],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and (until <= since or until - since > timedelta(days=366)):
            raise forms.ValidationError(_("The period must end after it starts and last at most a year."))
        return data


# --- products and leads ----------------------------------------------------------------------------------
class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = (
            "code",
            "category",
            "name_zh",
            "name_en",
            "description_zh",
            "description_en",
            "eligibility",
            "lead_sla_hours",
            "active",
            "sort_order",
        )

    def clean_eligibility(self) -> Any:
        document = self.cleaned_data.get("eligibility") or {}
        try:
            segment_parse(document)
        except RulesInvalid as error:
            raise forms.ValidationError([f"{e['field']}: {e['error']}" for e in error.details["errors"]]) from None
        return document


@admin.register(Product)
class ProductAdmin(ServiceSavedAdmin):
    form = ProductForm
    list_display = ("code", "name_zh", "name_en", "category", "active", "lead_sla_hours", "sort_order")
    list_filter = ("category", "active")
    search_fields = ("code", "name_zh", "name_en")

    def save_through(self, request: HttpRequest, obj: Product, form: Any, change: bool) -> Product:
        return product_services.product_save(
            by=request.user,  # type: ignore[arg-type]
            product_id=obj.pk if change else None,
            data={f: form.cleaned_data.get(f) for f in ProductForm.Meta.fields},
            request=request,
        )


def _transition_action(to: str, description: Any, *, reason: bool = False) -> Callable[..., Any]:
    if reason:

        def with_reason(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Lead]) -> HttpResponse | None:
            return form_action(
                modeladmin,
                request,
                queryset,
                title=description,
                form_class=ReasonForm,
                apply=lambda lead, data: product_services.lead_transition(
                    lead_id=lead.pk,
                    by=request.user,  # type: ignore[arg-type]
                    to=to,
                    reason=data["text"],
                    request=request,  # type: ignore[arg-type]
                ),
            )

        with_reason.short_description = description  # type: ignore[attr-defined]
        return with_reason

    def plain(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Lead]) -> None:
        each(
            modeladmin,
            request,
            queryset,
            lambda lead: product_services.lead_transition(lead_id=lead.pk, by=request.user, to=to, request=request),  # type: ignore[arg-type]
        )

    plain.short_description = description  # type: ignore[attr-defined]
    return plain


class LeadOverdueFilter(admin.SimpleListFilter):
    title = _("first contact")
    parameter_name = "contact"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return [("overdue", _("Overdue (no contact yet, SLA passed)")), ("due", _("Waiting, within the SLA"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Lead]) -> QuerySet[Lead]:
        now = timezone.now()
        waiting = queryset.filter(first_contacted_at__isnull=True, status__in=LEAD_OPEN_STATUSES)
        if self.value() == "overdue":
            return waiting.filter(sla_due_at__lt=now)
        if self.value() == "due":
            return waiting.filter(sla_due_at__gte=now)
        return queryset


@admin.register(Lead)
class LeadAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Branch staff work their branch's leads through the actions (each audited, each checked against
    the staff member's branch again in the service). No credit decision is taken here."""

    list_display = ("product", "customer_label", "kind", "status", "branch", "assigned_to", "sla_due_at", "overdue")
    list_filter = ("status", "kind", LeadOverdueFilter, "product__category")
    list_select_related = ("product", "branch", "assigned_to", "customer")
    search_fields = ("=public_id", "product__code")
    ordering = ("sla_due_at", "id")
    fields = (
        "public_id",
        "product",
        "customer_label",
        "kind",
        "status",
        "note",
        "branch",
        "assigned_to",
        "sla_due_at",
        "first_contacted_at",
        "closed_at",
        "created_at",
    )
    readonly_fields = fields
    actions = ["take_selected", "contacted_selected", "in_progress_selected", "converted_selected", "not_selected"]

    contacted_selected = _transition_action(Lead.Status.CONTACTED, _("Mark contacted"))
    in_progress_selected = _transition_action(Lead.Status.IN_PROGRESS, _("Mark in progress"))
    converted_selected = _transition_action(Lead.Status.CONVERTED, _("Converted (handed to the product's process)"))
    not_selected = _transition_action(Lead.Status.NOT_PROCEEDING, _("Not proceeding (reason required)"), reason=True)

    @admin.action(description=_("Assign to me"))
    def take_selected(self, request: HttpRequest, queryset: QuerySet[Lead]) -> None:
        each(
            self,
            request,
            queryset,
            lambda lead: product_services.lead_take(lead_id=lead.pk, by=request.user, request=request),  # type: ignore[arg-type]
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Lead]:
        return lead_qs_for_staff(request.user)

    @admin.display(description=_("customer"))
    def customer_label(self, obj: Lead) -> str:
        return obj.customer.masked_label()

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj: Lead) -> bool:
        return obj.first_contacted_at is None and obj.status in LEAD_OPEN_STATUSES and obj.sla_due_at < timezone.now()
