"""Coupons for points, the customer's side: the points offers I can see, and buying a coupon with
points (docs/promotions.md "Coupons for points").

Thin views over ``promotions.selectors_points`` and ``promotions.services.points_exchange``. The
purchase is money-moving (points are an asset of the ledger): ``Idempotency-Key`` and the payment PIN,
one durable transaction with the stored answer (``payments.api.common.IdempotentMoneyApi``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.services import customer_payment_pin_verify
from core.api_docs import api_operation
from core.api_schema import MoneySerializer
from core.fields import ApiDateTimeField, StrictCharField
from core.pagination import PAGE_PARAMETERS, page_body, page_params, page_serializer
from payments.api.common import IDEMPOTENCY_KEY_PARAMETER, IdempotentMoneyApi
from payments.idempotency import idempotency_replay_lookup
from payments.selectors import customer_wallet_balance
from promotions.api import examples as ex
from promotions.api.views import TAG, CouponClaimSerializer, _claim_body, _customer, _language
from promotions.models import Campaign
from promotions.rules import FixedDiscountBenefit, PointsExchange
from promotions.selectors_points import PointsOffer, points_offer_get, points_offers_page
from promotions.services.points_exchange import points_offer_buy, points_offer_redeem

__all__ = ["PointsOfferListApi", "PointsOfferRedeemApi"]

AFFORDABLE_PARAMETER = OpenApiParameter(
    "affordable",
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    required=False,
    description="`true`: only the offers I can redeem now (enough points, stock left, under my limit).",
)


def _offer_body(offer: PointsOffer) -> dict[str, Any]:
    return {
        "id": offer.campaign.public_id,
        "name": offer.name,
        "description": offer.description,
        "points": offer.exchange.points,
        "discount": offer.discount.as_dict(),
        "min_amount": offer.min_amount.as_dict() if offer.min_amount is not None else None,
        "stock_left": offer.stock_left,
        "my_left": offer.my_left,
        "affordable": offer.affordable,
        "closes_at": offer.closes_at,
        "coupon_expires_at": offer.coupon_expires_at,
    }


def _affordable_only(request: Request) -> bool:
    value = request.query_params.get("affordable", "")
    if value not in ("", "true", "false"):
        raise ValidationError({"affordable": [_("Use true or false.")]})
    return value == "true"


class PointsOfferListApi(APIView):
    @extend_schema_serializer(component_name="PointsOffer")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField(help_text="The offer's id (its coupon campaign's public id).")
        name = serializers.CharField()
        description = serializers.CharField()
        points = serializers.IntegerField(help_text="The price of one coupon, in points.")
        discount = MoneySerializer(help_text="What the coupon takes off a payment.")
        min_amount = MoneySerializer(allow_null=True, help_text="The payment must be at least this (null: any).")
        stock_left = serializers.IntegerField(help_text="Coupons left for points (0: sold out).")
        my_left = serializers.IntegerField(allow_null=True, help_text="How many more I may redeem (null: no limit).")
        affordable = serializers.BooleanField(help_text="I can redeem it now: enough points, stock and limit left.")
        closes_at = ApiDateTimeField(help_text="The offer can be redeemed until then.")
        coupon_expires_at = ApiDateTimeField(help_text="A coupon redeemed now is usable until then.")

    @api_operation(
        "promotions_points_offers",
        tag=TAG,
        summary="Coupons I can buy with points",
        description=(
            "The coupons offered for points that are open now and offered to me (in the campaign's segment; a "
            "customer who withdrew the MARKETING consent sees none), cheapest first, then the soonest close. "
            "Each says its price, what is left of the stock and of my own limit, and whether my unexpired "
            "points cover it (`affordable`); `?affordable=true` lists only those. Names in the request's "
            "language. Redeem with `POST /api/v1/promotions/points/offers/{id}/redeem`."
        ),
        parameters=[*PAGE_PARAMETERS, AFFORDABLE_PARAMETER],
        response=page_serializer("PointsOfferPage", OutputSerializer(many=True)),
        response_example=ex.POINTS_OFFERS_PAGE,
        errors=["invalid_cursor", "invalid_page_size", "invalid_request", "throttled"],
    )
    def get(self, request: Request) -> Response:
        token, size = page_params(request)
        page = points_offers_page(
            customer=_customer(request),
            token=token,
            size=size,
            language=_language(request),
            affordable_only=_affordable_only(request),
        )
        results = self.OutputSerializer([_offer_body(o) for o in page.items], many=True).data
        return Response(page_body(request, results, page))


class PointsOfferRedeemApi(IdempotentMoneyApi):
    """Buy one coupon of a points offer with points. The offer is looked up for this customer before
    anything else (404 for an offer that is not theirs to see), except that a retry of a request that
    already ran is answered from the stored result whatever changed since."""

    offer: tuple[Campaign, FixedDiscountBenefit, PointsExchange] | None = None  # looked up by ``post``

    @extend_schema_serializer(component_name="PointsOfferRedeemInput")
    class InputSerializer(serializers.Serializer):
        pin = StrictCharField(max_length=12, trim_whitespace=False, help_text="Payment PIN (6 digits)")

    @extend_schema_serializer(component_name="PointsOfferRedemption")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField(help_text="The redemption's id.")
        offer_id = serializers.UUIDField()
        points = serializers.IntegerField(help_text="Points spent.")
        points_transfer_id = serializers.UUIDField(help_text="The ledger transfer that took the points.")
        coupon = CouponClaimSerializer(help_text="The coupon, now in my coupons.")
        points_balance = MoneySerializer(help_text="My points left (PTS).")
        created_at = ApiDateTimeField()

    @api_operation(
        "promotions_points_offer_redeem",
        tag=TAG,
        summary="Buy a coupon with points",
        description=(
            "Spends the offer's price in points (taken from my lots that expire soonest, out of my points "
            "wallet in the ledger) for one coupon, which is then in my coupons (`GET "
            "/api/v1/promotions/coupons`) and is used at payment like any coupon. 404 `points_offer_not_found` "
            "for an offer that does not exist or is not offered to me; 409 `points_offer_closed` when it is "
            "paused, not open yet or over; 409 `points_offer_sold_out`; 409 `points_offer_limit_reached` "
            "when I have redeemed it as often as it allows; 422 `points_insufficient` when my unexpired "
            "points do not cover the price. Nothing moves on any refusal.\n\n"
            "**Points are not given back** when the coupon expires unused, or when the campaign is paused or "
            "ended early: the coupon is usable until its `expires_at`, as the offer said (`coupon_expires_at`)."
            "\n\n**Required:** the `Idempotency-Key` header (a retry with the same key answers the first "
            "result again with `Idempotent-Replayed: true`, and never spends points twice) and the payment "
            "PIN in `pin` (5 wrong: 423 `payment_pin_locked` for 30 minutes)."
            "\n\n**Limits.** The offer's stock and my per-person limit (each held under any concurrency); "
            "points only as many as I have unexpired."
        ),
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=InputSerializer,
        request_example=ex.POINTS_OFFER_REDEEM,
        response=OutputSerializer,
        response_example=ex.POINTS_OFFER_REDEMPTION,
        status=201,
        errors=[
            "invalid_request",
            "malformed_request",
            "idempotency_key_missing",
            "idempotency_key_invalid",
            "idempotency_key_reused",
            "idempotency_in_flight",
            "points_offer_not_found",
            "points_offer_closed",
            "points_offer_sold_out",
            "points_offer_limit_reached",
            "points_insufficient",
            "payment_pin_not_set",
            "payment_pin_invalid",
            "payment_pin_locked",
            "account_frozen",
            "account_closed",
            "throttled",
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = self.idempotency_key(request)
        replay = idempotency_replay_lookup(customer=_customer(request), key=key, fingerprint=self.fingerprint(request))
        if replay is None:  # not a retry: the offer must be one this customer may see (else 404)
            self.offer = points_offer_get(customer=_customer(request), public_id=kwargs["public_id"])
        return super().post(request, *args, **kwargs)

    def before_execute(self, request: Request, data: Any) -> None:
        customer_payment_pin_verify(customer=_customer(request), pin=data["pin"])

    def perform(self, request: Request, data: Any) -> tuple[int, dict[str, Any]]:
        customer = _customer(request)
        if self.offer is None:  # answered by ``post`` from a stored result; never reached then
            redemption = points_offer_redeem(customer=customer, offer_id=self.kwargs["public_id"])
        else:
            campaign, _benefit, exchange = self.offer
            redemption = points_offer_buy(customer=customer, campaign=campaign, exchange=exchange)
        claim = redemption.coupon_claim
        assert claim is not None
        body = {
            "id": redemption.public_id,
            "offer_id": claim.campaign.public_id,
            "points": redemption.points,
            "points_transfer_id": redemption.points_transfer.public_id,
            "coupon": _claim_body(claim, _language(request)),
            "points_balance": customer_wallet_balance(customer=customer, currency="PTS").available.as_dict(),
            "created_at": redemption.created_at,
        }
        return status.HTTP_201_CREATED, dict(self.OutputSerializer(body).data)
