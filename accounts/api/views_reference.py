"""Public reference data of the accounts app: the consent texts to agree to, and the KYC tiers with
their limits and how to reach each (issue 16, "everything discoverable"). No sign-in needed: an app
shows them before registration."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors
from accounts.api import examples as ex
from accounts.consent_texts import ConsentText, consent_text_list
from accounts.models import KYC_TIER_SEEDED_NAMES, KycTier
from core.api_docs import api_operation
from core.api_schema import MoneySerializer
from core.pagination import PAGE_PARAMETERS, page_body, page_params, page_serializer, queryset_page, sequence_page

__all__ = ["ConsentTextListApi", "KycTierListApi"]


@extend_schema_serializer(component_name="ConsentText")
class ConsentTextOutputSerializer(serializers.Serializer):
    purpose = serializers.CharField(help_text="TERMS, PRIVACY, MARKETING or DATA_ANALYSIS")
    version = serializers.CharField(help_text="Send this exact value back (`terms_version`, ... or `version`)")
    title = serializers.CharField()
    text = serializers.CharField(help_text="In the request's language (Accept-Language: zh-hans or en)")
    required = serializers.BooleanField(help_text="Must be agreed to at registration")  # type: ignore[assignment]


def _consent_text(text: ConsentText) -> dict[str, Any]:
    return {
        "purpose": text.purpose,
        "version": text.version,
        "title": str(text.title),
        "text": str(text.text),
        "required": text.required,
    }


class ConsentTextListApi(APIView):
    """The current consent texts and their versions."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @api_operation(
        "consent_texts_list",
        tag="Reference data",
        summary="Current consent texts and their versions",
        description=(
            "What the customer agrees to, in their language. Register with the `version` of each required "
            "text (`terms_version`, `privacy_version`) and optionally MARKETING's (`marketing_version`); grant "
            "the optional ones later with `POST /api/v1/me/consents`. Any other version is refused with 400 "
            "`consent_version_invalid` (its `details.current_version` says which one is current)."
        ),
        parameters=PAGE_PARAMETERS,
        response=page_serializer("ConsentTextPage", ConsentTextOutputSerializer(many=True)),
        response_example=ex.page(ex.CONSENT_TEXT),
        errors=["invalid_cursor", "invalid_page_size", "throttled"],
        public=True,
    )
    def get(self, request: Request) -> Response:
        token, size = page_params(request)
        texts = consent_text_list()
        page = sequence_page(texts, key=lambda t: (not t.required, t.purpose), token=token, size=size)
        return Response(page_body(request, [_consent_text(t) for t in page.items], page))


_HOW_TO_REACH = {
    0: (_("Every new wallet starts here. You can sign in and receive money, but not pay or top up yet."), ""),
    1: (
        _("Verify your legal name and mainland ID number in the app: checked at once by the bank."),
        "POST /api/v1/me/kyc",
    ),
    2: (
        _("Visit a Tongbao branch with your ID card: branch staff verify you in person."),
        "",
    ),
}


@extend_schema_serializer(component_name="KycTier")
class KycTierOutputSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    name = serializers.CharField(help_text="In the request's language")
    per_transaction_limit = MoneySerializer(help_text="The most one movement may be (CNY)")
    daily_limit = MoneySerializer(help_text="All outgoing movements of a calendar day (Asia/Shanghai)")
    monthly_limit = MoneySerializer(help_text="All outgoing movements of a calendar month")
    balance_cap = MoneySerializer(help_text="The most each wallet may hold (in CNY equivalent)")
    passkey_replaces_pin = serializers.BooleanField(
        help_text="A passkey confirms a payment without the payment PIN at this tier (else with it)"
    )
    how_to_reach = serializers.CharField(help_text="What the customer does to reach this tier, in their language")
    endpoint = serializers.CharField(help_text="The API call that reaches it, when there is one; else empty")


def _money(minor: int, currency: str) -> dict[str, str]:
    from core.money import Money

    return Money(minor, currency).as_dict()


def _tier(tier: KycTier) -> dict[str, Any]:
    how, endpoint = _HOW_TO_REACH.get(tier.level, (_("Ask at a Tongbao branch."), ""))
    return {
        "level": tier.level,
        "name": gettext(tier.name) if tier.name in KYC_TIER_SEEDED_NAMES else tier.name,
        "per_transaction_limit": _money(tier.per_transaction_limit_minor, tier.currency),
        "daily_limit": _money(tier.daily_limit_minor, tier.currency),
        "monthly_limit": _money(tier.monthly_limit_minor, tier.currency),
        "balance_cap": _money(tier.balance_cap_minor, tier.currency),
        "passkey_replaces_pin": tier.passkey_replaces_pin,
        "how_to_reach": str(how),
        "endpoint": endpoint,
    }


class KycTierListApi(APIView):
    """KYC tiers: the limits of each, and how to reach it."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @api_operation(
        "kyc_tiers_list",
        tag="Reference data",
        summary="KYC tiers: limits and how to reach each",
        description=(
            "Every money movement out of a wallet counts against the customer's tier: per transaction, per "
            "calendar day and per calendar month (Asia/Shanghai), in CNY (other currencies at their CNY "
            "equivalent); each wallet's balance is capped. Over a limit: 403 `limit_exceeded` (the limit in "
            "`details`); tier 0: 403 `kyc_required`. `GET /api/v1/me` shows the customer's own tier."
        ),
        parameters=PAGE_PARAMETERS,
        response=page_serializer("KycTierPage", KycTierOutputSerializer(many=True)),
        response_example=ex.page(ex.KYC_TIER),
        errors=["invalid_cursor", "invalid_page_size", "throttled"],
        public=True,
    )
    def get(self, request: Request) -> Response:
        token, size = page_params(request)
        page = queryset_page(selectors.kyc_tier_list(), ordering=("level",), token=token, size=size)
        return Response(page_body(request, [_tier(t) for t in page.items], page))
