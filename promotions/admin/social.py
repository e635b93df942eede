"""Referrals and lottery draws in the admin (bank-wide promotions roles; read-only records written by
services). Every referral attempt shows its status and reason; a draw can be re-run from its record
(an audited, read-only proof: ``promotions.lottery.verify``)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin_scope import ViewOnlyMixin
from promotions.models import LotteryDraw, LotteryEntry, Referral, ReferralAttempt
from promotions.services.lottery import lottery_draw_verify


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
