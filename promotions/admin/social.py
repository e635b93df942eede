"""Referrals and lottery draws in the admin (bank-wide promotions roles; read-only records written by
services). Every referral attempt shows its status and reason; a draw can be re-run from its record
(an audited, read-only proof: ``promotions.lottery.verify``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from core.admin_scope import ViewOnlyMixin
from core.errors import DomainError
from promotions.admin.forms import ReasonForm
from promotions.models import LotteryDraw, LotteryEntry, Referral, ReferralAttempt
from promotions.services.lottery import lottery_draw_verify
from promotions.services.referrals import referral_refuse

_REFUSE_PERM = "promotions.change_referral"


@admin.register(Referral)
class ReferralAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "referrer", "referee", "status", "refusal_reason", "campaign", "cooling_off_until")
    list_filter = ("status", "refusal_reason")
    list_select_related = ("referrer", "referee", "campaign")
    show_full_result_count = False
    readonly_fields = (
        "referrer",
        "referee",
        "code",
        "status",
        "refusal_reason",
        "campaign",
        "qualifying_transfer_public_id",
        "qualified_at",
        "cooling_off_until",
        "created_at",
    )
    fields = readonly_fields
    actions = ["refuse_selected"]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not request.user.has_perm(_REFUSE_PERM):
            actions.pop("refuse_selected", None)
        return actions

    @admin.action(description=_("Refuse (reason required)"))
    def refuse_selected(self, request: HttpRequest, queryset: QuerySet[Referral]) -> HttpResponse | None:
        """Refuse PENDING referrals by hand (fraud found outside the automatic checks), through
        ``referral_refuse``: reason required, audited ``promotions.referral.refuse``."""
        if not request.user.has_perm(_REFUSE_PERM):
            raise PermissionDenied
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if not ("apply" in request.POST and form.is_valid()):
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Refuse (reason required)"),
                "action_label": _("Refuse (reason required)"),
                "form": form,
                "queryset": queryset,
                "action_name": "refuse_selected",
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            }
            return TemplateResponse(request, "admin/promotions/campaign/transition.html", context)
        for referral in queryset:
            try:
                referral_refuse(
                    referral_id=referral.pk, by=request.user, reason=form.cleaned_data["reason"], request=request
                )
            except DomainError as error:
                self.message_user(request, f"{referral}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, _("%(referral)s: refused") % {"referral": referral}, messages.SUCCESS)
        return None


@admin.register(ReferralAttempt)
class ReferralAttemptAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "referee", "referrer", "stage", "status", "reason", "detail")
    list_filter = ("stage", "status", "reason")
    list_select_related = ("referee", "referrer")
    show_full_result_count = False
    readonly_fields = (
        "referee",
        "referrer",
        "referral",
        "stage",
        "status",
        "reason",
        "code",
        "source",
        "detail",
        "created_at",
    )
    fields = readonly_fields


@admin.register(LotteryDraw)
class LotteryDrawAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("campaign", "status", "seed_commitment", "committed_at", "entries_count", "drawn_at", "paid_at")
    list_filter = ("status",)
    list_select_related = ("campaign",)
    actions = ["verify_from_record"]
    readonly_fields = (
        "campaign",
        "algorithm",
        "status",
        "seed_commitment",
        "committed_at",
        "seed_revealed",
        "prize_table",
        "entries_closed_at",
        "entries_count",
        "entries_digest",
        "results_digest",
        "drawn_at",
        "paid_at",
    )
    fields = readonly_fields  # never the secret seed before the draw

    @admin.action(description=_("Re-run the draw from the record"))
    def verify_from_record(self, request: HttpRequest, queryset: QuerySet[LotteryDraw]) -> None:
        for draw in queryset:
            result = lottery_draw_verify(campaign_id=draw.campaign_id, by=request.user, request=request)
            if result.ok:
                self.message_user(
                    request,
                    _("%(campaign)s: reproduced, %(entries)d entries, %(winners)d winners.")
                    % {"campaign": draw.campaign, "entries": result.entries, "winners": len(result.winners)},
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    _("%(campaign)s: NOT reproduced: %(problems)s")
                    % {"campaign": draw.campaign, "problems": "; ".join(result.problems)},
                    messages.ERROR,
                )


@admin.register(LotteryEntry)
class LotteryEntryAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "campaign", "customer", "outcome", "rank", "prize_minor", "grant")
    list_filter = ("outcome",)
    list_select_related = ("campaign", "customer", "grant")
    search_fields = ("=ticket",)
    show_full_result_count = False
    readonly_fields = (
        "campaign",
        "customer",
        "ticket",
        "source",
        "source_at",
        "outcome",
        "rank",
        "score",
        "prize_minor",
        "grant",
        "created_at",
    )
    fields = readonly_fields
