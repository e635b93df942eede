"""Coupon batches (generate codes with progress, export them, audited) and the reward grants
(read-only: what each campaign gave, held, skipped and why). Bank-wide roles only."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Max, Min, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin_scope import ViewOnlyMixin
from core.audit import audit_record
from core.errors import DomainError
from payments.display import money_display
from promotions.models import Campaign, Coupon, CouponBatch, InstantBenefit, RewardGrant
from promotions.selectors_settlement import merchant_settlement, merchant_settlement_csv
from promotions.services.coupons import code_display, coupon_batch_create


class CouponBatchForm(forms.ModelForm):
    class Meta:
        model = CouponBatch
        fields = ("campaign", "quantity", "max_claims_per_code")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _codes_csv(batch: CouponBatch) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(["code", "customers_per_code"])
    for coupon in Coupon.objects.filter(batch=batch).order_by("pk").iterator(chunk_size=5000):
        yield writer.writerow([code_display(coupon.code), coupon.max_claims])


@admin.register(CouponBatch)
class CouponBatchAdmin(admin.ModelAdmin):
    form = CouponBatchForm
    list_display = (
        "public_id",
        "campaign",
        "quantity",
        "progress",
        "status",
        "requested_by",
        "created_at",
        "finished_at",
    )
    list_filter = ("status",)
    list_select_related = ("campaign", "requested_by")
    actions = ["export_codes"]
    readonly_fields = ("progress", "status", "requested_by", "created_at", "finished_at")

    @admin.display(description=_("progress"))
    def progress(self, obj: CouponBatch) -> str:
        return f"{obj.generated_count:,} / {obj.quantity:,} ({obj.progress_percent} %)"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "campaign":
            kwargs["queryset"] = Campaign.objects.filter(
                kind="COUPON",
                status__in=(
                    Campaign.Status.APPROVED,
                    Campaign.Status.SCHEDULED,
                    Campaign.Status.ACTIVE,
                    Campaign.Status.PAUSED,
                ),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        """Queue the batch through the service (its own transaction), then show its progress."""
        if request.method == "POST" and self.has_add_permission(request):
            form = CouponBatchForm(request.POST)
            if form.is_valid():
                try:
                    coupon_batch_create(
                        campaign_id=form.cleaned_data["campaign"].pk,
                        by=request.user,  # type: ignore[arg-type]
                        quantity=form.cleaned_data["quantity"],
                        max_claims_per_code=form.cleaned_data["max_claims_per_code"],
                        request=request,
                    )
                except DomainError as error:
                    self.message_user(request, error.message, messages.ERROR)
                    return HttpResponseRedirect(request.path)
                self.message_user(
                    request, _("The codes are being generated; the progress is shown in the list."), messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:promotions_couponbatch_changelist"))
        return super().add_view(request, form_url, extra_context)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("promotions.operate_campaign"))

    @admin.action(description=_("Export the codes of a finished batch as CSV (audited)"), permissions=["export"])
    def export_codes(self, request: HttpRequest, queryset: QuerySet[CouponBatch]) -> StreamingHttpResponse | None:
        batches = list(queryset[:2])
        if len(batches) != 1 or batches[0].status != CouponBatch.Status.DONE:
            self.message_user(request, _("Select exactly one finished batch."), messages.ERROR)
            return None
        batch = batches[0]
        audit_record(
            action="promotions.couponbatch.export",
            actor=request.user,
            obj=batch,
            request=request,
            changes={"codes": batch.generated_count, "campaign": str(batch.campaign.public_id)},
        )
        response = StreamingHttpResponse(_codes_csv(batch), content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="coupons-{batch.public_id}-{stamp}.csv"'
        response["Cache-Control"] = "no-store"
        return response


@admin.register(RewardGrant)
class RewardGrantAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "campaign",
        "customer",
        "kind",
        "status",
        "skip_reason",
        "amount",
        "clawed_back",
        "release_at",
    )
    list_filter = ("status", "kind", "skip_reason")
    list_select_related = ("campaign", "customer")
    search_fields = ("=campaign__public_id", "=source_transfer_public_id")
    show_full_result_count = False
    fields = (
        "campaign",
        "version",
        "customer",
        "kind",
        "source",
        "source_transfer_public_id",
        "status",
        "skip_reason",
        "amount",
        "clawed_back",
        "clawback_shortfall",
        "release_at",
        "released_at",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description=_("amount"))
    def amount(self, obj: RewardGrant) -> str:
        return money_display(obj.amount_minor, obj.currency)

    @admin.display(description=_("clawed back"))
    def clawed_back(self, obj: RewardGrant) -> str:
        return money_display(obj.clawed_back_minor, obj.currency)

    @admin.display(description=_("clawback not recovered"))
    def clawback_shortfall(self, obj: RewardGrant) -> str:
        return money_display(obj.clawback_shortfall_minor, obj.currency)


@admin.register(InstantBenefit)
class InstantBenefitAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """What each payment took from instant campaigns (written by the payment itself), and the
    co-funded settlement per merchant for the selected rows' period (CSV, audited)."""

    list_display = ("created_at", "campaign", "kind", "merchant", "customer", "amount", "bank", "merchant_share")
    list_filter = ("kind",)
    list_select_related = ("campaign", "merchant", "customer")
    search_fields = ("=campaign__public_id", "=transfer_public_id")
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["export_settlement"]
    fields = (
        "campaign",
        "version",
        "kind",
        "transfer_public_id",
        "customer",
        "merchant",
        "amount",
        "bank",
        "merchant_share",
        "coupon_claim",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description=_("discount"))
    def amount(self, obj: InstantBenefit) -> str:
        return money_display(obj.amount_minor, obj.currency)

    @admin.display(description=_("paid by the budget"))
    def bank(self, obj: InstantBenefit) -> str:
        return money_display(obj.bank_minor, obj.currency)

    @admin.display(description=_("paid by the merchant"))
    def merchant_share(self, obj: InstantBenefit) -> str:
        return money_display(obj.merchant_minor, obj.currency)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("promotions.view_instantbenefit"))

    @admin.action(
        description=_("Co-funded settlement per merchant for the period of the selected rows (CSV, audited)"),
        permissions=["export"],
    )
    def export_settlement(self, request: HttpRequest, queryset: QuerySet[InstantBenefit]) -> HttpResponse | None:
        period = queryset.aggregate(since=Min("created_at"), until=Max("created_at"))
        if period["since"] is None:
            self.message_user(request, _("Select at least one row."), messages.ERROR)
            return None
        since, until = period["since"], period["until"] + timedelta(microseconds=1)
        rows = merchant_settlement(since=since, until=until)
        audit_record(
            action="promotions.settlement.export",
            actor=request.user,
            request=request,
            changes={"since": since.isoformat(), "until": until.isoformat(), "merchants": len(rows)},
        )
        response = HttpResponse("\ufeff" + merchant_settlement_csv(rows), content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="co-funded-settlement-{stamp}.csv"'
        response["Cache-Control"] = "no-store"
        return response
