"""OpenAPI pieces shared by every app: the one error format, documented once."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

_DESCRIPTIONS = {
    400: "Invalid input (`invalid_request`, `invalid_amount`, `too_many_decimals`, `unknown_currency`, "
    "`idempotency_key_missing`...)",
    401: "Not authenticated (`not_authenticated`, `authentication_failed`)",
    403: "Refused (`permission_denied`, `account_frozen`, `limit_exceeded`, `risk_refused`, `payment_pin_invalid`...)",
    404: "Not found (`not_found`, or another customer's object)",
    409: "Conflict (`idempotency_in_flight`, `hold_not_active`, duplicates...)",
    413: "Request body too large (`request_too_large`)",
    422: "Unprocessable (`insufficient_funds`, `idempotency_key_reused`)",
    423: "Locked (`payment_pin_locked`)",
    429: "Too many requests (`throttled`; `details.retry_after_seconds`)",
}


class ErrorSerializer(serializers.Serializer):
    """The one error format of the API (core.errors): component ``Error`` in the schema."""

    code = serializers.CharField(help_text="Stable machine-readable reason, e.g. `insufficient_funds`.")
    message = serializers.CharField(help_text="Human-readable message in the request's language.")
    details = serializers.JSONField(help_text="Field errors or facts about the refusal.")
    request_id = serializers.CharField(help_text="Quote this to support; also in the X-Request-ID header.")


class MoneySerializer(serializers.Serializer):
    """``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every app."""

    amount = serializers.CharField(help_text="Decimal string with at most the currency's decimals")
    currency = serializers.CharField(help_text="ISO 4217 code")


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """``extend_schema(responses={201: Out, **error_responses(400, 401, 403)})``."""
    return {s: OpenApiResponse(response=ErrorSerializer, description=_DESCRIPTIONS.get(s, "Error")) for s in statuses}
