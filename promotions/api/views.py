"""The customer's promotions: offers available to me, my coupons, redeem a code, my points.

Thin views: one selector or service call each, nested output serializers, the one error format,
documented with ``core.api_docs.api_operation`` (tag "Promotions"); the two lists page with
``core.pagination`` (keyset cursors). Paths have no trailing slash (``/api/v1/promotions/offers``).
Own data only: every read is scoped to the authenticated customer; nothing here takes another
customer's id.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Customer
from accounts.services import customer_payment_pin_verify
from core.api_docs import api_operation
from core.api_schema import MoneySerializer
from core.fields import ApiDateTimeField, StrictCharField
from core.money import Money
from core.pagination import PAGE_PARAMETERS, page_body, page_params, page_serializer
from core.throttling import FailOpenAnonRateThrottle, FailOpenUserRateThrottle, GuardedScopedRateThrottle
from payments.api.common import IDEMPOTENCY_KEY_PARAMETER, IdempotentMoneyApi
from payments.selectors import customer_wallet_balance
from promotions.api import examples as ex
from promotions.models import CouponClaim, PointsRedemption
from promotions.selectors import Offer, coupon_claims_page, offers_page_for_customer, points_for_customer
from promotions.services.coupons import coupon_redeem
from promotions.services.points import points_redeem

__all__ = ["CouponListApi", "CouponRedeemApi", "OfferListApi", "PointsApi", "PointsRedeemApi"]

TAG = "Promotions"
PAGE_ERRORS = ["invalid_cursor", "invalid_page_size", "throttled"]


def _customer(request: Request) -> Customer:
    """The signed-in customer (``CustomerTokenAuthentication`` puts a Customer in ``request.user``)."""
    user = request.user
    assert isinstance(user, Customer)
    return user


def _language(request: Request) -> str:
    return getattr(request, "LANGUAGE_CODE", "") or ""


def _claim_body(claim: CouponClaim, language: str) -> dict[str, Any]:
    campaign = claim.campaign
    rules = campaign.version.rules if campaign.version else {}
    names = rules.get("names", {})
    benefit = rules.get("benefit", {})
    return {
        "id": claim.public_id,
        "campaign_id": campaign.public_id,
        "name": names.get("en" if language.startswith("en") else "zh-hans", ""),
        "discount": Money.parse(benefit["discount"], "CNY").as_dict() if "discount" in benefit else None,
        "min_amount": Money.parse(benefit["min_amount"], "CNY").as_dict() if "min_amount" in benefit else None,
        "status": claim.status,
        "claimed_at": claim.claimed_at,
        "expires_at": claim.expires_at,
    }


def _offer_body(offer: Offer) -> dict[str, Any]:
    return {
        "id": offer.campaign.public_id,
        "kind": offer.campaign.kind,
        "name": offer.name,
        "description": offer.description,
        "benefit": offer.benefit,
        "conditions": offer.conditions,
        "window": offer.window,
        "ends_at": offer.campaign.ends_at,
    }


@extend_schema_serializer(component_name="CouponClaim")
class CouponClaimSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    campaign_id = serializers.UUIDField()
    name = serializers.CharField(help_text="The campaign's name in the request's language.")
    discount = MoneySerializer(allow_null=True)
    min_amount = MoneySerializer(allow_null=True, help_text="The payment must be at least this (null: any amount).")
    status = serializers.ChoiceField(choices=CouponClaim.Status.choices)
    claimed_at = ApiDateTimeField()
    expires_at = ApiDateTimeField(help_text="Usable until then (the campaign's end).")


class OfferListApi(APIView):
    @extend_schema_serializer(component_name="Offer")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField(help_text="The campaign's public id.")
        kind = serializers.CharField(help_text="CASHBACK, POINTS, COUPON, TOPUP_REBATE, FIRST_ORDER...")
        name = serializers.CharField()
        description = serializers.CharField()
        benefit = serializers.JSONField(
            help_text="The benefit as approved (amounts are decimal strings in CNY; points for POINTS)."
        )
        conditions = serializers.JSONField(help_text="What a payment must meet (minimum amount, categories...).")
        window = serializers.JSONField(help_text="Weekdays (1 = Monday) and hours, Asia/Shanghai; empty = always.")
        ends_at = ApiDateTimeField()

    @api_operation(
        "promotions_offers",
        tag=TAG,
        summary="Offers I can benefit from now",
        description=(
            "Running offers I can get: in my segment, not over my own limit, budget not spent (a customer who "
            "withdrew the MARKETING consent gets none). Ranked by what my merchant spending of the 90 days "
            "before the first page suggests I would use (spend in the offer's categories; an offer for every "
            "category counts half of all spend), then the campaign's priority, then the soonest end. Names "
            "and descriptions in the request's language (`Accept-Language`).\n\n"
            "Pages by `cursor` in that one ranking: the spend that ranks the offers is the one of the first "
            "page (the cursor carries its moment), so a payment made while paging moves nothing across a page "
            "boundary; an offer that ends or is used up meanwhile just leaves the later pages."
        ),
        parameters=PAGE_PARAMETERS,
        response=page_serializer("OfferPage", OutputSerializer(many=True)),
        response_example=ex.OFFERS_PAGE,
        errors=PAGE_ERRORS,
    )
    def get(self, request: Request) -> Response:
        token, size = page_params(request)
        page = offers_page_for_customer(
            customer=_customer(request), token=token, size=size, language=_language(request)
        )
        results = self.OutputSerializer([_offer_body(o) for o in page.items], many=True).data
        return Response(page_body(request, results, page))


class CouponListApi(APIView):
    @api_operation(
        "promotions_coupons",
        tag=TAG,
        summary="My coupons",
        description=(
            "The coupons I redeemed, newest first: AVAILABLE (usable until `expires_at`), USED (a payment "
            "applied it) and EXPIRED. Names in the request's language."
        ),
        parameters=PAGE_PARAMETERS,
        response=page_serializer("CouponClaimPage", CouponClaimSerializer(many=True)),
        response_example=ex.COUPONS_PAGE,
        errors=PAGE_ERRORS,
    )
    def get(self, request: Request) -> Response:
        token, size = page_params(request)
        page = coupon_claims_page(customer=_customer(request), token=token, size=size)
        language = _language(request)
        results = CouponClaimSerializer([_claim_body(c, language) for c in page.items], many=True).data
        return Response(page_body(request, results, page))


class CouponRedeemApi(APIView):
    """Redeem (claim) a coupon code. Rate-limited (scope ``coupon_redeem``) and limited in failures
    per hour; every failure is the same 400 ``coupon_unavailable``, so codes cannot be guessed."""

    throttle_classes = [FailOpenAnonRateThrottle, FailOpenUserRateThrottle, GuardedScopedRateThrottle]
    throttle_scope = "coupon_redeem"

    @extend_schema_serializer(component_name="CouponRedeemInput")
    class InputSerializer(serializers.Serializer):
        code = StrictCharField(
            max_length=40, help_text="The code as printed, e.g. 7K3Q-M2XD-9PRT-4BWZ (case and hyphens ignored)."
        )

    @api_operation(
        "promotions_coupon_redeem",
        tag=TAG,
        summary="Redeem a coupon code",
        description=(
            "Puts the coupon of a printed or sent code into my coupons (`GET /api/v1/promotions/coupons`); a "
            "payment that meets its minimum then gets the discount. Case, spaces and hyphens are ignored, and "
            "O/I/L are read as 0/1/1. Any failure (unknown code, used up, expired, campaign not running, "
            "someone else's, already mine, not in the campaign's segment, over my limit, or more than 10 "
            "failed codes in the last hour) answers the same 400 `coupon_unavailable`, so a guess learns "
            "nothing. Redeeming is also limited to 10 requests a minute (429 `throttled`); when the attempts "
            "cannot be counted, 503 `rate_limit_unavailable` (try again later)."
        ),
        request=InputSerializer,
        request_example=ex.REDEEM,
        response=CouponClaimSerializer,
        response_example=ex.COUPON_CLAIM,
        status=201,
        errors=["invalid_request", "malformed_request", "coupon_unavailable", "throttled", "rate_limit_unavailable"],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = coupon_redeem(customer=_customer(request), code=serializer.validated_data["code"])
        body = CouponClaimSerializer(_claim_body(claim, _language(request))).data
        return Response(body, status=status.HTTP_201_CREATED)


class PointsApi(APIView):
    @extend_schema_serializer(component_name="Points")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="PointsExpiring")
        class _Expiring(serializers.Serializer):
            points = serializers.IntegerField()
            expires_at = ApiDateTimeField()

        @extend_schema_serializer(component_name="PointsEntry")
        class _Entry(serializers.Serializer):
            at = ApiDateTimeField()
            points = serializers.IntegerField(
                help_text="Signed: positive earned, negative clawed back, spent or expired."
            )
            type = serializers.ChoiceField(choices=["EARNED", "CLAWED_BACK", "EXPIRED", "REDEEMED", "SPENT"])
            transfer_id = serializers.UUIDField()

        balance = MoneySerializer(help_text="Available points (currency PTS, whole points).")
        expiring = _Expiring(many=True, help_text="Points still to expire, soonest first (up to 20 lots).")
        history = _Entry(many=True, help_text="The latest 50 movements, newest first.")

    @api_operation(
        "promotions_points",
        tag=TAG,
        summary="My points",
        description=(
            "My points balance (points are an asset of the ledger, currency PTS, scale 0), what expires when "
            "(soonest first), and the latest 50 movements: EARNED from a campaign, CLAWED_BACK after a refund "
            "of the payment that earned them, EXPIRED, REDEEMED (`POST /api/v1/promotions/points/redeem`)."
        ),
        response=OutputSerializer,
        response_example=ex.POINTS,
        errors=["throttled"],
    )
    def get(self, request: Request) -> Response:
        summary = points_for_customer(customer=_customer(request))
        body = {
            "balance": summary.balance.as_dict(),
            "expiring": [{"points": p, "expires_at": at} for p, at in summary.expiring],
            "history": summary.history,
        }
        return Response(self.OutputSerializer(body).data)


class PointsRedeemApi(IdempotentMoneyApi):
    """Redeem points for cash. Money-moving: ``Idempotency-Key`` required, one durable transaction
    with the stored answer (``payments.api.common.IdempotentMoneyApi``); a retry never moves value
    twice. The payment PIN is required like every other movement (checked before the money
    transaction, as for currency exchange)."""

    @extend_schema_serializer(component_name="PointsRedeemInput")
    class InputSerializer(serializers.Serializer):
        points = serializers.IntegerField(
            min_value=1, help_text="Points to redeem: a whole multiple of the step (100 by default), at least one step."
        )
        # "for" is a Python keyword: declared through the class namespace
        locals()["for"] = serializers.ChoiceField(
            choices=[PointsRedemption.For.CASH],
            help_text="What for: CASH (coupons are bought through POST /api/v1/promotions/points/offers/{id}/redeem).",
        )
        pin = StrictCharField(max_length=12, trim_whitespace=False, help_text="Payment PIN (6 digits)")

    @extend_schema_serializer(component_name="PointsRedemption")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField()
        locals()["for"] = serializers.CharField(help_text="CASH.")
        points = serializers.IntegerField()
        cash = MoneySerializer(help_text="Credited to my CNY wallet.")
        points_transfer_id = serializers.UUIDField()
        cash_transfer_id = serializers.UUIDField()
        points_balance = MoneySerializer(help_text="My points left (PTS).")
        created_at = ApiDateTimeField()

    @api_operation(
        "promotions_points_redeem",
        tag=TAG,
        summary="Redeem points for cash",
        description=(
            "Spends my points for cash in my CNY wallet at the bank's fixed rate (by default 100 points = "
            "1.00 CNY; whole multiples only, one step at least). The points leave my points wallet back to "
            "points issuance and the cash comes from the bank's marketing funds, in one transaction. Points "
            "are taken from the lots that expire soonest. 400 `points_amount_invalid` for an amount that is "
            "not whole steps, 422 `points_insufficient` when my unexpired points do not cover it (nothing "
            "moves). Coupons are bought with points through their offers (`GET /api/v1/promotions/points/offers`)."
            "\n\n**Required:** the `Idempotency-Key` header (a retry with the same key and body answers the first "
            "result again with `Idempotent-Replayed: true`) and the payment PIN in `pin` (5 wrong: 423 "
            "`payment_pin_locked` for 30 minutes)."
            "\n\n**Limits.** The cash may not lift my CNY wallet above my KYC tier's balance cap (403 "
            "`balance_cap_exceeded`); points only as many as I have unexpired."
        ),
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=InputSerializer,
        request_example=ex.POINTS_REDEEM,
        response=OutputSerializer,
        response_example=ex.POINTS_REDEMPTION,
        status=201,
        errors=[
            "invalid_request",
            "malformed_request",
            "idempotency_key_missing",
            "idempotency_key_invalid",
            "idempotency_key_reused",
            "idempotency_in_flight",
            "points_amount_invalid",
            "points_insufficient",
            "payment_pin_not_set",
            "payment_pin_invalid",
            "payment_pin_locked",
            "account_frozen",
            "account_closed",
            "balance_cap_exceeded",
            "throttled",
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)

    def before_execute(self, request: Request, data: Any) -> None:
        customer_payment_pin_verify(customer=_customer(request), pin=data["pin"])

    def perform(self, request: Request, data: Any) -> tuple[int, dict[str, Any]]:
        customer = _customer(request)
        redemption = points_redeem(customer=customer, points=data["points"], redeemed_for=data["for"])
        body = {
            "id": redemption.public_id,
            "for": redemption.redeemed_for,
            "points": redemption.points,
            "cash": Money(redemption.cash_minor, redemption.currency).as_dict(),
            "points_transfer_id": redemption.points_transfer.public_id,
            "cash_transfer_id": redemption.cash_transfer.public_id if redemption.cash_transfer else None,
            "points_balance": customer_wallet_balance(customer=customer, currency="PTS").available.as_dict(),
            "created_at": redemption.created_at,
        }
        return status.HTTP_201_CREATED, dict(self.OutputSerializer(body).data)
