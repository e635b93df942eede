"""The customer's promotions: offers available to me, my coupons, redeem a code, my points.

Thin views: one selector or service call each, nested output serializers, the one error format.
Paths have no trailing slash (``/api/v1/promotions/offers``). Own data only: every read is scoped to
the authenticated customer; nothing here takes another customer's id.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_schema import error_responses
from core.fields import StrictCharField
from core.money import Money
from core.throttling import FailOpenAnonRateThrottle, FailOpenUserRateThrottle, GuardedScopedRateThrottle
from promotions.models import CouponClaim
from promotions.selectors import coupon_claims_for_customer, offers_for_customer, points_for_customer
from promotions.services.coupons import coupon_redeem

__all__ = ["CouponListApi", "CouponRedeemApi", "OfferListApi", "PointsApi"]


def _claim_body(claim: CouponClaim, language: str) -> dict[str, Any]:
    campaign = claim.campaign
    rules = campaign.version.rules if campaign.version else {}
    names = rules.get("names", {})
    benefit = rules.get("benefit", {})
    return {
        "id": str(claim.public_id),
        "campaign_id": str(campaign.public_id),
        "name": names.get("en" if language.startswith("en") else "zh-hans", ""),
        "discount": Money.parse(benefit["discount"], "CNY").as_dict() if "discount" in benefit else None,
        "min_amount": Money.parse(benefit["min_amount"], "CNY").as_dict() if "min_amount" in benefit else None,
        "status": claim.status,
        "claimed_at": claim.claimed_at,
        "expires_at": claim.expires_at,
    }


class _MoneySerializer(serializers.Serializer):
    amount = serializers.CharField()
    currency = serializers.CharField()


@extend_schema_serializer(component_name="CouponClaim")
class CouponClaimSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    campaign_id = serializers.UUIDField()
    name = serializers.CharField()
    discount = _MoneySerializer(allow_null=True)
    min_amount = _MoneySerializer(allow_null=True)
    status = serializers.ChoiceField(choices=CouponClaim.Status.choices)
    claimed_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class OfferListApi(APIView):
    @extend_schema_serializer(component_name="Offer")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField()
        kind = serializers.CharField()
        name = serializers.CharField()
        description = serializers.CharField()
        benefit = serializers.JSONField(
            help_text="The benefit as approved (amounts are decimal strings in CNY; points for POINTS)."
        )
        conditions = serializers.JSONField()
        window = serializers.JSONField(help_text="Weekdays (1 = Monday) and hours, Asia/Shanghai; empty = always.")
        ends_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="promotions_offers",
        responses={200: OutputSerializer(many=True), **error_responses(401)},
        description=(
            "Offers I can benefit from now (in my segment, within my limits, budget not spent), ranked by "
            "what my spending of the last 90 days suggests I would use. Names in the request's language."
        ),
    )
    def get(self, request: Request) -> Response:
        language = getattr(request, "LANGUAGE_CODE", "") or ""
        offers = offers_for_customer(customer=request.user, language=language)  # type: ignore[arg-type]
        return Response(
            [
                {
                    "id": str(o.campaign.public_id),
                    "kind": o.campaign.kind,
                    "name": o.name,
                    "description": o.description,
                    "benefit": o.benefit,
                    "conditions": o.conditions,
                    "window": o.window,
                    "ends_at": o.campaign.ends_at,
                }
                for o in offers
            ]
        )


class CouponListApi(APIView):
    @extend_schema(
        operation_id="promotions_coupons",
        responses={200: CouponClaimSerializer(many=True), **error_responses(401)},
        description="My coupons, newest first (available, used and expired).",
    )
    def get(self, request: Request) -> Response:
        language = getattr(request, "LANGUAGE_CODE", "") or ""
        claims = coupon_claims_for_customer(customer=request.user)  # type: ignore[arg-type]
        return Response([_claim_body(c, language) for c in claims])


class CouponRedeemApi(APIView):
    """Redeem (claim) a coupon code. Rate-limited (scope ``coupon_redeem``) and limited in failures
    per hour; every failure is the same 400 ``coupon_unavailable``, so codes cannot be guessed."""

    throttle_classes = [FailOpenAnonRateThrottle, FailOpenUserRateThrottle, GuardedScopedRateThrottle]
    throttle_scope = "coupon_redeem"

    class InputSerializer(serializers.Serializer):
        code = StrictCharField(
            max_length=40, help_text="The code as printed, e.g. 7K3Q-M2XD-9PRT-4BWZ (case and hyphens ignored)."
        )

    @extend_schema(
        operation_id="promotions_coupon_redeem",
        request=InputSerializer,
        responses={201: CouponClaimSerializer, **error_responses(400, 401, 429)},
        description=(
            "Put the coupon of a code into my coupons. Any failure (unknown, used, expired, someone else's, "
            "over my limit) answers 400 `coupon_unavailable` with the same message; 429 when redeeming too fast; "
            "503 `rate_limit_unavailable` when attempts cannot be counted."
        ),
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = coupon_redeem(customer=request.user, code=serializer.validated_data["code"])  # type: ignore[arg-type]
        language = getattr(request, "LANGUAGE_CODE", "") or ""
        return Response(_claim_body(claim, language), status=status.HTTP_201_CREATED)


class PointsApi(APIView):
    @extend_schema_serializer(component_name="Points")
    class OutputSerializer(serializers.Serializer):
        class _Expiring(serializers.Serializer):
            points = serializers.IntegerField()
            expires_at = serializers.DateTimeField()

        class _Entry(serializers.Serializer):
            at = serializers.DateTimeField()
            points = serializers.IntegerField(
                help_text="Signed: positive earned, negative clawed back, spent or expired."
            )
            type = serializers.ChoiceField(choices=["EARNED", "CLAWED_BACK", "EXPIRED", "SPENT"])
            transfer_id = serializers.UUIDField()

        balance = _MoneySerializer()
        expiring = _Expiring(many=True)
        history = _Entry(many=True)

    @extend_schema(
        operation_id="promotions_points",
        responses={200: OutputSerializer, **error_responses(401)},
        description="My points: the balance (points live in the ledger, currency PTS), what expires when, the latest movements.",
    )
    def get(self, request: Request) -> Response:
        summary = points_for_customer(customer=request.user)  # type: ignore[arg-type]
        return Response(
            {
                "balance": summary.balance.as_dict(),
                "expiring": [{"points": p, "expires_at": at} for p, at in summary.expiring],
                "history": summary.history,
            }
        )
