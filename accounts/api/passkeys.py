"""Customer passkey API (fingerprint / face sign-in): register, list, revoke, sign in, confirm a payment.

Each ceremony: ``.../options`` returns a single-use challenge (``challenge_id``) and the WebAuthn
options for the phone's passkey API; the app sends the authenticator's answer (``credential``, the
``PublicKeyCredential`` as JSON, base64url fields) back with the ``challenge_id``. Views are thin:
validate, one service call, render.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import errors, selectors, services
from accounts.api.serializers import TokenOutputSerializer, error_responses
from accounts.api.views import _customer, _ip, _Scoped, _token
from accounts.models import CustomerPasskey
from core.fields import StrictCharField
from core.money import Money, MoneyError
from core.throttling import FailOpenUserRateThrottle
from core.validators import reject_card_numbers

_CREDENTIAL_HELP = (
    "The authenticator's answer: the PublicKeyCredential as JSON (WebAuthn Level 3 `toJSON()`: "
    "`id`, `rawId`, `type`, `response` with base64url fields)."
)


@extend_schema_serializer(component_name="PasskeyOptions")
class PasskeyOptionsOutputSerializer(serializers.Serializer):
    challenge_id = serializers.UUIDField(help_text="Send it back with the answer; single use.")
    expires_at = serializers.DateTimeField()
    public_key = serializers.DictField(
        help_text="PublicKeyCredentialCreationOptionsJSON or PublicKeyCredentialRequestOptionsJSON for the platform."
    )


@extend_schema_serializer(component_name="Passkey")
class PasskeyOutputSerializer(serializers.ModelSerializer):
    device_id = serializers.UUIDField(source="device.public_id", help_text="The device the passkey lives on.")

    class Meta:
        model = CustomerPasskey
        fields = ["public_id", "name", "device_id", "backup_eligible", "created_at", "last_used_at"]


@extend_schema_serializer(component_name="PasskeyAssertion")
class PasskeyAssertionSerializer(serializers.Serializer):
    """A passkey confirmation inside another request (e.g. a payment's ``passkey`` field): the
    ``challenge_id`` from ``me/passkeys/payment-options`` and the authenticator's answer."""

    challenge_id = serializers.UUIDField()
    credential = serializers.DictField(help_text=_CREDENTIAL_HELP)


def _options_body(options: services.PasskeyOptions) -> dict[str, Any]:
    return PasskeyOptionsOutputSerializer(options).data  # type: ignore[return-value]


# --- sign-in ------------------------------------------------------------------------------------


class AuthPasskeyOptionsApi(_Scoped):
    """Start signing in with a passkey on this app device (no phone number: nothing is disclosed)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_scope = "login"

    @extend_schema_serializer(component_name="AuthPasskeyOptionsInput")
    class InputSerializer(serializers.Serializer):
        device_id = StrictCharField(max_length=128)

    @extend_schema(
        request=InputSerializer,
        responses={200: PasskeyOptionsOutputSerializer, **error_responses(400, 429)},
        auth=[],
        operation_id="auth_passkey_options",
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(_options_body(services.passkey_login_begin(**data.validated_data)))


class AuthPasskeyLoginApi(_Scoped):
    """Sign in with a passkey instead of password + code; answers the same token as ``auth/login``."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_scope = "login"

    @extend_schema_serializer(component_name="AuthPasskeyLoginInput")
    class InputSerializer(serializers.Serializer):
        challenge_id = serializers.UUIDField()
        device_id = StrictCharField(max_length=128)
        device_name = StrictCharField(
            max_length=100, required=False, default="", allow_blank=True, validators=[reject_card_numbers]
        )
        credential = serializers.DictField(help_text=_CREDENTIAL_HELP)

    @extend_schema(
        request=InputSerializer,
        responses={200: TokenOutputSerializer, **error_responses(400, 401, 403, 429)},
        auth=[],
        operation_id="auth_passkey_login",
        description=(
            "401 `passkey_rejected` (`details.reason`: unknown_credential, device, origin, rp_id, "
            "user_verification, signature, malformed, ...) or `passkey_counter_invalid`; 400 "
            "`passkey_challenge_invalid` for an unknown, used or expired challenge."
        ),
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issued = services.passkey_login(**data.validated_data, ip=_ip(request))
        return Response(TokenOutputSerializer(issued).data)


# --- the customer's passkeys --------------------------------------------------------------------


class MePasskeyOptionsApi(_Scoped):
    """Start registering a passkey on this (trusted) device; then ``POST me/passkeys``."""

    throttle_scope = "sensitive"

    @extend_schema(
        request=None,
        responses={200: PasskeyOptionsOutputSerializer, **error_responses(401, 403, 429)},
        operation_id="me_passkeys_options",
    )
    def post(self, request: Request) -> Response:
        options = services.passkey_registration_begin(customer=_customer(request), token=_token(request))
        return Response(_options_body(options))


class MePasskeyListApi(_Scoped):
    """The customer's passkeys; POST registers one (a STEP_UP code from ``POST me/otp`` is required)."""

    throttle_scope = "sensitive"

    @extend_schema_serializer(component_name="MePasskeyRegisterInput")
    class InputSerializer(serializers.Serializer):
        challenge_id = serializers.UUIDField()
        otp_code = StrictCharField(max_length=6, help_text="STEP_UP code from POST /me/otp")
        name = StrictCharField(
            max_length=64, required=False, default="", allow_blank=True, validators=[reject_card_numbers]
        )
        credential = serializers.DictField(help_text=_CREDENTIAL_HELP)

    def get_throttles(self) -> list[Any]:
        # Listing is not sensitive; only registering is scoped.
        return super().get_throttles() if self.request.method == "POST" else [FailOpenUserRateThrottle()]

    @extend_schema(
        responses={200: PasskeyOutputSerializer(many=True), **error_responses(401)}, operation_id="me_passkeys_list"
    )
    def get(self, request: Request) -> Response:
        passkeys = selectors.passkey_list_for_customer(customer=_customer(request))
        return Response(PasskeyOutputSerializer(passkeys, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={201: PasskeyOutputSerializer, **error_responses(400, 401, 403, 409, 429)},
        operation_id="me_passkeys_register",
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        passkey = services.passkey_register(customer=_customer(request), token=_token(request), **data.validated_data)
        return Response(PasskeyOutputSerializer(passkey).data, status=status.HTTP_201_CREATED)


class MePasskeyDetailApi(APIView):
    """One live passkey of the signed-in customer; DELETE revokes it."""

    def _passkey(self, request: Request, public_id: str) -> CustomerPasskey:
        passkey = selectors.passkey_get_for_customer(customer=_customer(request), public_id=public_id)
        if passkey is None:
            raise Http404
        return passkey

    @extend_schema(
        responses={200: PasskeyOutputSerializer, **error_responses(401, 404)}, operation_id="me_passkeys_get"
    )
    def get(self, request: Request, public_id: str) -> Response:
        passkey = self._passkey(request, public_id)
        return Response(PasskeyOutputSerializer(passkey).data)

    @extend_schema(responses={204: None, **error_responses(401, 404)}, operation_id="me_passkeys_revoke")
    def delete(self, request: Request, public_id: str) -> Response:
        services.passkey_revoke(customer=_customer(request), passkey=self._passkey(request, public_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MePasskeyPaymentOptionsApi(_Scoped):
    """Start confirming one payment with a passkey: the challenge is bound to the amount, currency,
    payee and Idempotency-Key of the payment the app is about to send."""

    throttle_scope = "sensitive"

    @extend_schema_serializer(component_name="MePasskeyPaymentOptionsInput")
    class InputSerializer(serializers.Serializer):
        amount = StrictCharField(max_length=32, help_text="Decimal string, e.g. '12.34'")
        currency = StrictCharField(max_length=3)
        payee = StrictCharField(
            max_length=1100,
            trim_whitespace=False,
            help_text="The payment's payee, as docs/accounts.md 'Passkeys' spells it (e.g. 'qr:<qr text>').",
        )
        idempotency_key = StrictCharField(max_length=255, trim_whitespace=False)

    @extend_schema(
        request=InputSerializer,
        responses={200: PasskeyOptionsOutputSerializer, **error_responses(400, 401, 403, 409, 429)},
        operation_id="me_passkeys_payment_options",
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            money = Money.parse(data.validated_data["amount"], data.validated_data["currency"])
        except MoneyError as exc:
            raise errors.DomainError(str(exc), code=exc.code) from None
        options = services.passkey_payment_begin(
            customer=_customer(request),
            token=_token(request),
            amount_minor=money.minor,
            currency=money.currency,
            payee=data.validated_data["payee"],
            idempotency_key=data.validated_data["idempotency_key"],
        )
        return Response(_options_body(options))
