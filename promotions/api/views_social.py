"""The customer's referral (my code, link and progress; the people I referred) and lottery entries
(outcomes, and the draw's commitment and revealed seed so anyone can check it). Thin views: one
selector each, own data only, cursor pages, documented with ``core.api_docs.api_operation``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_docs import api_operation
from core.api_schema import MoneySerializer
from core.fields import ApiDateTimeField
from core.money import Money
from core.pagination import PAGE_PARAMETERS, page_body, page_params, page_serializer
from promotions.api import examples as ex
from promotions.api.views import PAGE_ERRORS, TAG, _customer, _language
from promotions.models import LotteryDraw, LotteryEntry, Referral
from promotions.selectors_social import lottery_entries_page, referral_summary, referrals_page_for_referrer

__all__ = ["LotteryEntryListApi", "ReferralApi", "ReferralListApi"]


class ReferralApi(APIView):
    @extend_schema_serializer(component_name="Referral")
    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField(help_text="My referral code (8 characters): a friend enters it at sign-up.")
        link = serializers.URLField(help_text="My referral link (opens the app's sign-up with the code).")
        invited = serializers.IntegerField(help_text="People who signed up with my code.")
        pending = serializers.IntegerField(help_text="Not qualified yet (KYC, a first payment with their own money).")
        qualified = serializers.IntegerField(help_text="Qualified: rewards held until the cooling-off ends, or paid.")
        refused = serializers.IntegerField(help_text="Refused (e.g. the same phone, card or identity as me).")
        rewards_paid = MoneySerializer()
        rewards_held = MoneySerializer(help_text="Rewards decided, paid when the cooling-off ends.")

    @api_operation(
        "promotions_referral",
        tag=TAG,
        summary="My referral code, link and progress",
        description=(
            "My code and link to invite friends, and how it is going. A friend who signs up with my code "
            "(`referral_code` of `POST /api/v1/auth/register`) qualifies once they have passed identity "
            "verification (KYC) and paid a merchant with money they topped up from their own bank card; "
            "both of us are then rewarded after the campaign's cooling-off period. A friend sharing my "
            "phone, bank card or identity is refused."
        ),
        response=OutputSerializer,
        response_example=ex.REFERRAL,
        errors=["throttled"],
    )
    def get(self, request: Request) -> Response:
        summary = referral_summary(customer=_customer(request))
        body = {
            "code": summary.code,
            "link": summary.link,
            "invited": summary.invited,
            "pending": summary.pending,
            "qualified": summary.qualified,
            "refused": summary.refused,
            "rewards_paid": Money(summary.rewards_paid_minor, "CNY").as_dict(),
            "rewards_held": Money(summary.rewards_held_minor, "CNY").as_dict(),
        }
        return Response(self.OutputSerializer(body).data)


class ReferralListApi(APIView):
    @extend_schema_serializer(component_name="Referee")
    class OutputSerializer(serializers.Serializer):
        referee = serializers.CharField(help_text="The friend, masked (name and phone).")
        status = serializers.ChoiceField(choices=Referral.Status.choices)
        refusal_reason = serializers.CharField(help_text="Why refused (empty otherwise).")
        created_at = ApiDateTimeField()
        qualified_at = ApiDateTimeField(allow_null=True)
        cooling_off_until = ApiDateTimeField(allow_null=True, help_text="Rewards are paid after this.")

    @api_operation(
        "promotions_referrals",
        tag=TAG,
        summary="People I referred",
        description="The friends who signed up with my code, newest first, with where each stands.",
        parameters=PAGE_PARAMETERS,
        response=page_serializer("RefereePage", OutputSerializer(many=True)),
        response_example=ex.REFEREES_PAGE,
        errors=PAGE_ERRORS,
    )
    def get(self, request: Request) -> Response:
        token, size = page_params(request)
        page = referrals_page_for_referrer(customer=_customer(request), token=token, size=size)
        rows = [
            {
                "referee": r.referee.masked_label(),
                "status": r.status,
                "refusal_reason": r.refusal_reason,
                "created_at": r.created_at,
                "qualified_at": r.qualified_at,
                "cooling_off_until": r.cooling_off_until,
            }
            for r in page.items
        ]
        return Response(page_body(request, self.OutputSerializer(rows, many=True).data, page))


def _entry_body(entry: LotteryEntry, language: str) -> dict[str, Any]:
    campaign = entry.campaign
    rules = campaign.version.rules if campaign.version else {}
    draw: LotteryDraw | None = getattr(campaign, "lottery_draw", None)
    drawn = draw is not None and draw.status != LotteryDraw.Status.OPEN
    return {
        "campaign_id": campaign.public_id,
        "name": rules.get("names", {}).get("en" if language.startswith("en") else "zh-hans", ""),
        "ticket": entry.ticket,
        "entered_at": entry.source_at,
        "outcome": entry.outcome,
        "prize": Money(entry.prize_minor, campaign.currency).as_dict() if entry.prize_minor else None,
        "prize_status": entry.grant.status if entry.grant is not None else None,
        "draw": {
            "status": draw.status if draw else LotteryDraw.Status.OPEN,
            "seed_commitment": draw.seed_commitment if draw else "",
            "seed": draw.seed_revealed if drawn and draw else None,
            "drawn_at": draw.drawn_at if draw else None,
            "results_digest": draw.results_digest if drawn and draw else None,
        },
    }


class LotteryEntryListApi(APIView):
    @extend_schema_serializer(component_name="LotteryEntry")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="LotteryDrawPublic")
        class _Draw(serializers.Serializer):
            status = serializers.ChoiceField(choices=LotteryDraw.Status.choices)
            seed_commitment = serializers.CharField(
                help_text="SHA-256 of the secret seed, published before entries close."
            )
            seed = serializers.CharField(allow_null=True, help_text="The seed, revealed at the draw (null before).")
            drawn_at = ApiDateTimeField(allow_null=True)
            results_digest = serializers.CharField(allow_null=True)

        campaign_id = serializers.UUIDField()
        name = serializers.CharField()
        ticket = serializers.CharField(help_text="What the draw hashes: HMAC-SHA256(seed, ticket) ranks the entries.")
        entered_at = ApiDateTimeField()
        outcome = serializers.ChoiceField(choices=LotteryEntry.Outcome.choices)
        prize = MoneySerializer(allow_null=True)
        prize_status = serializers.CharField(allow_null=True, help_text="PAID, or SKIPPED (e.g. wallet frozen).")
        draw = _Draw()

    @api_operation(
        "promotions_lottery_entries",
        tag=TAG,
        summary="My lottery entries and results",
        description=(
            "Each qualifying payment during a lottery earns one entry. Before the draw: PENDING with the "
            "draw's `seed_commitment`. After: WON (with the prize, paid into my wallet) or NO_PRIZE, and the "
            "revealed `seed`: sha256(seed) equals the commitment, and HMAC-SHA256(seed, ticket) ranks every "
            "entry (docs: hmac-sha256-rank-v1), so anyone can check the draw."
        ),
        parameters=PAGE_PARAMETERS,
        response=page_serializer("LotteryEntryPage", OutputSerializer(many=True)),
        response_example=ex.LOTTERY_ENTRIES_PAGE,
        errors=PAGE_ERRORS,
    )
    def get(self, request: Request) -> Response:
        token, size = page_params(request)
        page = lottery_entries_page(customer=_customer(request), token=token, size=size)
        language = _language(request)
        rows = [_entry_body(e, language) for e in page.items]
        return Response(page_body(request, self.OutputSerializer(rows, many=True).data, page))
