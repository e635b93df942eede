"""Customer passkey API (fingerprint / face sign-in): register, list, revoke, sign in, confirm a payment.

Each ceremony: ``.../options`` returns a single-use challenge (``challenge_id``) and the WebAuthn
options for the phone's passkey API; the app sends the authenticator's answer (``credential``, the
``PublicKeyCredential`` as JSON, base64url fields) back with the ``challenge_id``. Views are thin:
validate, one service call, render.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import errors, selectors, services
from accounts.api import error_codes as _error_codes  # noqa: F401 - registers the codes documented below
from accounts.api import examples as ex
from accounts.api.serializers import TokenOutputSerializer
from accounts.api.views import _customer, _ip, _Scoped, _token
from accounts.models import CustomerPasskey
from core.api_docs import api_operation
from core.fields import ApiDateTimeField, StrictCharField
from core.money import Money, MoneyError
from core.money_messages import money_error_message
from core.pagination import PAGE_PARAMETERS, page_body, page_params, page_serializer, queryset_page
from core.throttling import FailOpenUserRateThrottle
from core.validators import reject_card_numbers

_CREDENTIAL_HELP = (
    "The authenticator's answer: the PublicKeyCredential as JSON (WebAuthn Level 3 `toJSON()`: "
    "`id`, `rawId`, `type`, `response` with base64url fields)."
)


@extend_schema_serializer(component_name="PasskeyOptions")
class PasskeyOptionsOutputSerializer(serializers.Serializer):
    challenge_id = serializers.UUIDField(help_text="Send it back with the answer; single use.")
    expires_at = ApiDateTimeField()
    public_key = serializers.DictField(
        help_text="PublicKeyCredentialCreationOptionsJSON or PublicKeyCredentialRequestOptionsJSON for the platform."
    )


@extend_schema_serializer(component_name="Passkey")
class PasskeyOutputSerializer(serializers.ModelSerializer):
    device_id = serializers.UUIDField(source="device.public_id", help_text="The device the passkey lives on.")
    created_at = ApiDateTimeField(read_only=True)
    last_used_at = ApiDateTimeField(read_only=True, allow_null=True)

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

    @api_operation(
        "auth_passkey_options",
        tag="Sign-in",
        summary="Start signing in with a passkey",
        description=(
            "Step 1 of a passkey sign-in on a device where the customer registered one (`POST /api/v1/me/passkeys`). "
            "Send the app install's `device_id`; the answer names nobody: `public_key` is the "
            "PublicKeyCredentialRequestOptionsJSON with an empty `allowCredentials` (the phone offers its own "
            "passkeys for our RP id) and `userVerification: required`. Hand `public_key` to the platform's passkey "
            "API (`navigator.credentials.get()`, Android Credential Manager, iOS `ASAuthorization`), then send its "
            "answer to `POST /api/v1/auth/passkey/login` with `challenge_id` within `expires_at` (3 minutes); "
            "a challenge is single use."
        ),
        request=InputSerializer,
        request_example=ex.PASSKEY_LOGIN_START,
        response=PasskeyOptionsOutputSerializer,
        response_example=ex.PASSKEY_LOGIN_OPTIONS,
        errors=["invalid_request", "invalid_device_id", "throttled"],
        public=True,
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

    @api_operation(
        "auth_passkey_login",
        tag="Sign-in",
        summary="Sign in with a passkey",
        description=(
            "Instead of password + code: the `challenge_id` from `POST /api/v1/auth/passkey/options`, the same "
            "`device_id`, and the authenticator's answer as `credential`. Answers exactly what "
            "`POST /api/v1/auth/login` answers (one live token per device: the old one is revoked). The passkey "
            "must be live and registered on this very device, still trusted. A frozen customer may sign in (to "
            "read why); a closed account is 403 `account_not_active`.\n\n"
            "Refusals: 400 `passkey_challenge_invalid` (unknown, used or expired challenge, or issued for another "
            "device: start again), 401 `passkey_rejected` with `details.reason` (`unknown_credential`: unknown, "
            "revoked or registered elsewhere; `device`, `user_handle`, `origin`, `rp_id`, `user_verification`, "
            "`user_presence`, `challenge`, `signature`, `malformed`), 401 `passkey_counter_invalid` (the "
            "authenticator's counter went back: a copied passkey). Every refusal burns the challenge."
        ),
        request=InputSerializer,
        request_example=ex.PASSKEY_LOGIN,
        response=TokenOutputSerializer,
        response_example=ex.TOKEN,
        errors=[
            "invalid_request",
            "invalid_device_id",
            "passkey_challenge_invalid",
            "card_number_in_text",
            "passkey_rejected",
            "passkey_counter_invalid",
            "account_not_active",
            "throttled",
        ],
        public=True,
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

    @api_operation(
        "me_passkeys_options",
        tag="Profile",
        summary="Start registering a passkey on this device",
        description=(
            "No body. The device of this token must be trusted (signed in with a LOGIN code or at registration), "
            "else 403 `device_not_trusted`. `public_key` is the PublicKeyCredentialCreationOptionsJSON for the "
            "platform (`navigator.credentials.create()`): resident key and user verification required, attestation "
            "`none`, the customer's live passkeys in `excludeCredentials`, the masked phone as the user name. "
            "Then `POST /api/v1/me/passkeys` with the answer within `expires_at` (3 minutes)."
        ),
        response=PasskeyOptionsOutputSerializer,
        response_example=ex.PASSKEY_REGISTRATION_OPTIONS,
        errors=["account_not_active", "device_not_trusted", "throttled"],
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

    @api_operation(
        "me_passkeys_list",
        tag="Profile",
        summary="The customer's passkeys",
        description="Live passkeys, newest first, each with the device it lives on; revoked ones are not listed.",
        parameters=PAGE_PARAMETERS,
        response=page_serializer("PasskeyPage", PasskeyOutputSerializer(many=True)),
        response_example=ex.page(ex.PASSKEY),
        errors=["invalid_cursor", "invalid_page_size", "throttled"],
    )
    def get(self, request: Request) -> Response:
        token, size = page_params(request)
        passkeys = selectors.passkey_list_for_customer(customer=_customer(request))
        page = queryset_page(passkeys, ordering=("-created_at", "-id"), token=token, size=size)
        return Response(page_body(request, PasskeyOutputSerializer(page.items, many=True).data, page))

    @api_operation(
        "me_passkeys_register",
        tag="Profile",
        summary="Register a passkey on this device",
        description=(
            "Step-up like linking a card: a STEP_UP `otp_code` from `POST /api/v1/me/otp`, the `challenge_id` "
            "from `POST /api/v1/me/passkeys/options`, and the authenticator's answer as `credential`. The code is "
            "checked first (wrong tries count), the challenge is consumed, the attestation verified, then the code "
            "is consumed and the passkey stored; a refused registration leaves the code unused. `name` defaults "
            'to "Passkey on <device name>".\n\n'
            "Refusals: 400 `passkey_challenge_invalid` (unknown, used, expired, or issued to another device), "
            "400 `passkey_rejected` with `details.reason` (`origin`, `rp_id`, `user_verification`, "
            "`user_presence`, `challenge`, `malformed`), 409 `passkey_already_registered`."
        ),
        request=InputSerializer,
        request_example=ex.PASSKEY_REGISTER,
        response=PasskeyOutputSerializer,
        response_example=ex.PASSKEY,
        status=201,
        errors=[
            "invalid_request",
            "card_number_in_text",
            "otp_invalid",
            "otp_expired",
            "otp_used",
            "passkey_challenge_invalid",
            ("passkey_rejected", 400),
            "account_not_active",
            "device_not_trusted",
            "passkey_already_registered",
            "otp_too_many_attempts",
            "throttled",
        ],
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

    @api_operation(
        "me_passkeys_get",
        tag="Profile",
        summary="One passkey",
        description="A live passkey of the signed-in customer; revoked, unknown or another customer's: 404.",
        response=PasskeyOutputSerializer,
        response_example=ex.PASSKEY,
        errors=["not_found", "throttled"],
    )
    def get(self, request: Request, public_id: str) -> Response:
        passkey = self._passkey(request, public_id)
        return Response(PasskeyOutputSerializer(passkey).data)

    @api_operation(
        "me_passkeys_revoke",
        tag="Profile",
        summary="Revoke a passkey",
        description=(
            "It can no longer sign in or confirm a payment, from the next use on (one in flight is refused too). "
            "Remove it from the phone's password manager as well. Signing a device out "
            "(`DELETE /api/v1/me/devices/{public_id}`) revokes its passkeys."
        ),
        status=204,
        errors=["not_found", "throttled"],
    )
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

    @api_operation(
        "me_passkeys_payment_options",
        tag="Profile",
        summary="Start confirming a payment with a passkey",
        description=(
            "Before sending a payment, with exactly what the payment will carry: `amount` and `currency`, the "
            "`payee` spelled as docs/accounts.md 'Passkeys' says (`phone:<to_phone>`, `wallet:<to_wallet_id>`, "
            "`qr:<qr text>`, `bill:<biller>:<account_number>`, `topup:<card>`, `withdrawal:<card>`; the value is trimmed and ids compare in lower case), and the payment's "
            "`Idempotency-Key` as `idempotency_key`. The challenge ends with the payment's fingerprint, so the "
            "signed answer names this payment and no other; `allowCredentials` lists this device's passkeys. "
            "Hand `public_key` to `navigator.credentials.get()`; the answer goes with the payment as "
            "`passkey: {challenge_id, credential}` within `expires_at` (3 minutes), on the payment operations that "
            "take it (the payments wiring of docs/accounts.md 'Passkeys'; until then the payment PIN confirms). "
            "No passkey on this device: 409 `passkey_not_registered`."
        ),
        request=InputSerializer,
        request_example=ex.PASSKEY_PAYMENT_START,
        response=PasskeyOptionsOutputSerializer,
        response_example=ex.PASSKEY_PAYMENT_OPTIONS,
        errors=[
            "invalid_request",
            "invalid_amount",
            "too_many_decimals",
            "amount_too_large",
            "unknown_currency",
            "idempotency_key_invalid",
            "device_not_trusted",
            "passkey_not_registered",
            "throttled",
        ],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            money = Money.parse(data.validated_data["amount"], data.validated_data["currency"])
        except MoneyError as exc:
            raise errors.DomainError(money_error_message(exc), code=exc.code) from None
        options = services.passkey_payment_begin(
            customer=_customer(request),
            token=_token(request),
            amount_minor=money.minor,
            currency=money.currency,
            payee=data.validated_data["payee"],
            idempotency_key=data.validated_data["idempotency_key"],
        )
        return Response(_options_body(options))
