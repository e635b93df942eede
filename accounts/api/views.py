"""Customer API of the accounts app. Views are thin: validate, one service call, render."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import errors, selectors, services
from accounts.api import error_codes as _error_codes  # noqa: F401 - registers the codes documented below
from accounts.api import examples as ex
from accounts.api.serializers import (
    CardOutputSerializer,
    DeviceOutputSerializer,
    MeOutputSerializer,
    TokenOutputSerializer,
)
from accounts.models import Consent, Customer, CustomerToken, LinkedCard, OtpChallenge
from core.api_docs import api_operation
from core.audit import client_ip
from core.fields import ApiDateTimeField, StrictCharField
from core.pagination import PAGE_PARAMETERS, page_body, page_params, page_serializer, queryset_page
from core.throttling import FailOpenAnonRateThrottle, FailOpenUserRateThrottle, GuardedScopedRateThrottle
from core.validators import reject_card_numbers

_THROTTLES = [FailOpenAnonRateThrottle, FailOpenUserRateThrottle, GuardedScopedRateThrottle]


class _Scoped(APIView):
    throttle_classes = _THROTTLES


_OTP_PURPOSES = [OtpChallenge.Purpose.REGISTER, OtpChallenge.Purpose.LOGIN, OtpChallenge.Purpose.RESET_PASSWORD]


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^(" + "|".join(str(p) for p in _OTP_PURPOSES) + ")$",
        "description": "REGISTER, LOGIN (new device) or RESET_PASSWORD",
    }
)
class OtpPurposeField(serializers.CharField):
    """Described by a pattern, not an enum: spectacular would otherwise clash it with the consent ``purpose``."""

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value not in _OTP_PURPOSES:
            raise serializers.ValidationError(_("Choose REGISTER, LOGIN or RESET_PASSWORD."))
        return value


def _customer(request: Request) -> Customer:
    """The signed-in customer (``CustomerTokenAuthentication`` puts a Customer in ``request.user``)."""
    user = request.user
    assert isinstance(user, Customer)
    return user


def _token(request: Request) -> CustomerToken:
    token = request.auth
    assert isinstance(token, CustomerToken)
    return token


def _ip(request: Request) -> str | None:
    return client_ip(request._request)


# --- Authentication -------------------------------------------------------------------------


class AuthOtpRequestApi(_Scoped):
    """Send a one-time code by SMS (register, new-device login, password reset)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_scope = "otp"

    @extend_schema_serializer(component_name="AuthOtpRequestInput")
    class InputSerializer(serializers.Serializer):
        phone = StrictCharField(max_length=32)
        purpose = OtpPurposeField(max_length=20)

    @extend_schema_serializer(component_name="AuthOtpRequestOutput")
    class OutputSerializer(serializers.Serializer):
        expires_in_seconds = serializers.IntegerField()
        resend_after_seconds = serializers.IntegerField()

    @api_operation(
        "auth_otp_request",
        tag="Sign-in",
        summary="Send a one-time code by SMS",
        description=(
            "Step 1 of registration, of sign-in on a new device, and of a password reset. Always 202 with the same "
            "body, whether or not the phone has an account (no enumeration). In development no SMS leaves the "
            "machine: the code is printed in the `make run` output (`DEV SMS to +86...`) and listed in the admin "
            "under **SMS codes (development only)**. A code lasts 5 minutes; one resend a minute."
        ),
        request=InputSerializer,
        request_example=ex.OTP_REQUEST,
        response=OutputSerializer,
        response_example=ex.OTP_SENT,
        status=202,
        errors=["invalid_request", "invalid_phone", "otp_purpose_invalid", "otp_rate_limited", "throttled"],
        public=True,
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sent = services.otp_request(**data.validated_data, ip=_ip(request))
        return Response(self.OutputSerializer(sent).data, status=status.HTTP_202_ACCEPTED)


class AuthRegisterApi(_Scoped):
    """Register with phone + password and the REGISTER code; signs in on this device."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_scope = "login"

    @extend_schema_serializer(component_name="AuthRegisterInput")
    class InputSerializer(serializers.Serializer):
        phone = StrictCharField(max_length=32)
        password = StrictCharField(max_length=128, trim_whitespace=False)
        otp_code = StrictCharField(max_length=6)
        device_id = StrictCharField(max_length=128)
        device_name = StrictCharField(
            max_length=100, required=False, default="", allow_blank=True, validators=[reject_card_numbers]
        )
        terms_version = StrictCharField(max_length=20)
        privacy_version = StrictCharField(max_length=20)
        marketing_version = StrictCharField(max_length=20, required=False, default="", allow_blank=True)
        referrer_id = serializers.UUIDField(
            required=False, allow_null=True, default=None, help_text="public id of the customer who referred this one"
        )
        referral_code = StrictCharField(
            max_length=16,
            required=False,
            default="",
            allow_blank=True,
            help_text="a friend's referral code (8 characters, from their link); optional",
        )

    @api_operation(
        "auth_register",
        tag="Sign-in",
        summary="Register and sign in on this device",
        description=(
            "With the REGISTER code from `POST /api/v1/auth/otp` and the current consent versions from "
            "`GET /api/v1/consent-texts` (any other version: 400 `consent_version_invalid`, the code is kept). "
            "Answers the bearer token, shown once: send it as `Authorization: Bearer <token>`. The new wallet "
            "starts at KYC tier 0 (`GET /api/v1/kyc/tiers`)."
        ),
        request=InputSerializer,
        request_example=ex.REGISTER,
        response=TokenOutputSerializer,
        response_example=ex.TOKEN,
        status=201,
        errors=[
            "invalid_request",
            "invalid_phone",
            "weak_password",
            "invalid_device_id",
            "consent_required",
            "consent_version_invalid",
            "invalid_referrer",
            "invalid_referral_code",
            "otp_invalid",
            "otp_expired",
            "otp_used",
            "otp_too_many_attempts",
            "card_number_in_text",
            "phone_already_registered",
            "throttled",
        ],
        public=True,
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issued = services.customer_register(**data.validated_data, ip=_ip(request))
        return Response(TokenOutputSerializer(issued).data, status=status.HTTP_201_CREATED)


class AuthLoginApi(_Scoped):
    """Phone + password; a device not yet trusted also needs a LOGIN code (``otp_required`` without)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_scope = "login"

    @extend_schema_serializer(component_name="AuthLoginInput")
    class InputSerializer(serializers.Serializer):
        phone = StrictCharField(max_length=32)
        password = StrictCharField(max_length=128, trim_whitespace=False)
        device_id = StrictCharField(max_length=128)
        device_name = StrictCharField(
            max_length=100, required=False, default="", allow_blank=True, validators=[reject_card_numbers]
        )
        otp_code = StrictCharField(max_length=6, required=False, allow_blank=True, default=None, allow_null=True)

    @api_operation(
        "auth_login",
        tag="Sign-in",
        summary="Sign in with phone and password",
        description=(
            "A trusted device signs in with phone + password. A new device first gets 401 `otp_required`: request "
            "a LOGIN code (`POST /api/v1/auth/otp`) and send it as `otp_code`; the device is then trusted."
        ),
        request=InputSerializer,
        request_example=ex.LOGIN,
        response=TokenOutputSerializer,
        response_example=ex.TOKEN,
        errors=[
            "invalid_request",
            "invalid_phone",
            "invalid_device_id",
            "invalid_credentials",
            "otp_required",
            "otp_invalid",
            "otp_expired",
            "otp_used",
            "otp_too_many_attempts",
            "account_not_active",
            "login_locked",
            "card_number_in_text",
            "throttled",
        ],
        public=True,
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issued = services.customer_login(**data.validated_data, ip=_ip(request))
        return Response(TokenOutputSerializer(issued).data)


class AuthLogoutApi(APIView):
    """Revoke the token this request was made with."""

    @api_operation(
        "auth_logout",
        tag="Sign-in",
        summary="Sign out (revoke this token)",
        description="The token of this request stops working at once; other devices stay signed in.",
        status=204,
        errors=[],
    )
    def post(self, request: Request) -> Response:
        services.customer_logout(token=_token(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AuthPasswordChangeApi(_Scoped):
    """Change the password (the current one is required); other devices are signed out."""

    throttle_scope = "sensitive"

    @extend_schema_serializer(component_name="AuthPasswordChangeInput")
    class InputSerializer(serializers.Serializer):
        old_password = StrictCharField(max_length=128, trim_whitespace=False)
        new_password = StrictCharField(max_length=128, trim_whitespace=False)

    @api_operation(
        "auth_password_change",
        tag="Sign-in",
        summary="Change the password",
        description="Needs the current password; every other device is signed out.",
        request=InputSerializer,
        request_example=ex.PASSWORD_CHANGE,
        status=204,
        errors=["invalid_request", "password_incorrect", "weak_password", "throttled"],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.customer_password_change(
            customer=_customer(request), current_token=_token(request), **data.validated_data
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class AuthPasswordResetApi(_Scoped):
    """Reset a forgotten password with a RESET_PASSWORD code; every device is signed out."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_scope = "login"

    @extend_schema_serializer(component_name="AuthPasswordResetInput")
    class InputSerializer(serializers.Serializer):
        phone = StrictCharField(max_length=32)
        otp_code = StrictCharField(max_length=6)
        new_password = StrictCharField(max_length=128, trim_whitespace=False)

    @api_operation(
        "auth_password_reset",
        tag="Sign-in",
        summary="Reset a forgotten password",
        description="With a RESET_PASSWORD code from `POST /api/v1/auth/otp`; every device is signed out.",
        request=InputSerializer,
        request_example=ex.PASSWORD_RESET,
        status=204,
        errors=[
            "invalid_request",
            "invalid_phone",
            "weak_password",
            "otp_invalid",
            "otp_expired",
            "otp_used",
            "otp_too_many_attempts",
            "throttled",
        ],
        public=True,
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.customer_password_reset(**data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Me ---------------------------------------------------------------------------------------


class MeApi(APIView):
    """The signed-in customer's profile; PATCH changes only non-identifying fields."""

    @extend_schema_serializer(component_name="MeInput")
    class InputSerializer(serializers.Serializer):
        display_name = StrictCharField(
            max_length=40, required=False, allow_blank=True, validators=[reject_card_numbers]
        )

    def _me(self, request: Request) -> Customer:
        customer = selectors.customer_get_by_public_id(_customer(request).public_id)
        assert customer is not None
        return customer

    @api_operation(
        "me_retrieve",
        tag="Profile",
        summary="The signed-in customer's profile",
        description="Identity (masked), KYC tier with its limits, status, and whether a payment PIN is set.",
        response=MeOutputSerializer,
        response_example=ex.ME,
        errors=["throttled"],
    )
    def get(self, request: Request) -> Response:
        return Response(MeOutputSerializer(self._me(request)).data)

    @api_operation(
        "me_update",
        tag="Profile",
        summary="Change the display name",
        description="Only `display_name` can change here; identity changes happen at a branch.",
        request=InputSerializer,
        request_example=ex.ME_PATCH,
        response=MeOutputSerializer,
        response_example=ex.ME,
        errors=["invalid_request", "field_not_editable", "card_number_in_text", "throttled"],
    )
    def patch(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unknown = set(request.data) - set(self.InputSerializer().fields) if isinstance(request.data, dict) else set()
        if unknown:
            raise errors.DomainError(
                _("These fields cannot be changed here."),
                code="field_not_editable",
                details={"fields": sorted(unknown)},
            )
        customer = services.customer_profile_update(customer=self._me(request), **data.validated_data)
        return Response(MeOutputSerializer(customer).data)


class MeOtpApi(_Scoped):
    """Send a STEP_UP code to the customer's own phone (PIN change without the old PIN, step-up)."""

    throttle_scope = "otp"

    @extend_schema_serializer(component_name="MeOtpOutput")
    class OutputSerializer(serializers.Serializer):
        expires_in_seconds = serializers.IntegerField()
        resend_after_seconds = serializers.IntegerField()

    @api_operation(
        "me_otp_request",
        tag="Profile",
        summary="Send a STEP_UP code to the customer's own phone",
        description=(
            "Step-up: a second proof for sensitive actions. Send the code as `otp_code` to link a card without "
            "the PIN or to change a forgotten PIN. In development the code is in the `make run` output."
        ),
        response=OutputSerializer,
        response_example=ex.OTP_SENT,
        status=202,
        errors=["otp_rate_limited", "throttled"],
    )
    def post(self, request: Request) -> Response:
        sent = services.otp_request_step_up(customer=_customer(request), ip=_ip(request))
        return Response(self.OutputSerializer(sent).data, status=status.HTTP_202_ACCEPTED)


class MePinApi(_Scoped):
    """Set the payment PIN (6 digits); changing it needs the old PIN or a STEP_UP code."""

    throttle_scope = "sensitive"

    @extend_schema_serializer(component_name="MePinInput")
    class InputSerializer(serializers.Serializer):
        pin = StrictCharField(max_length=6, min_length=6, trim_whitespace=False)
        old_pin = StrictCharField(max_length=6, required=False, allow_blank=True, trim_whitespace=False)
        otp_code = StrictCharField(max_length=6, required=False, allow_blank=True)

    @api_operation(
        "me_pin_set",
        tag="Profile",
        summary="Set or change the payment PIN",
        description=(
            "Six digits, asked for by every money movement (`pin`). The first PIN needs nothing else; changing "
            "it needs `old_pin` or a STEP_UP `otp_code`. Five wrong PINs lock payments for 30 minutes (423)."
        ),
        request=InputSerializer,
        request_example=ex.PIN_SET,
        status=204,
        errors=[
            "invalid_request",
            "payment_pin_malformed",
            "payment_pin_too_simple",
            "payment_pin_verification_required",
            "payment_pin_invalid",
            "otp_invalid",
            "otp_expired",
            "payment_pin_locked",
            "throttled",
        ],
    )
    def put(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.customer_payment_pin_change(
            customer=_customer(request),
            new_pin=data.validated_data["pin"],
            old_pin=data.validated_data.get("old_pin") or None,
            otp_code=data.validated_data.get("otp_code") or None,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeKycApi(_Scoped):
    """KYC status; POST name + ID number to reach tier 1."""

    throttle_scope = "sensitive"

    @extend_schema_serializer(component_name="MeKycInput")
    class InputSerializer(serializers.Serializer):
        legal_name = StrictCharField(max_length=60)
        national_id = StrictCharField(max_length=18, min_length=18)

    @extend_schema_serializer(component_name="MeKycOutput")
    class OutputSerializer(serializers.Serializer):
        tier = serializers.IntegerField(source="kyc_tier_id")
        verified_at = ApiDateTimeField(source="kyc_verified_at", allow_null=True)
        national_id_masked = serializers.SerializerMethodField()
        review_pending = serializers.SerializerMethodField(
            help_text="verified, and waiting for a branch review before tier 1"
        )

        def get_national_id_masked(self, obj: Customer) -> str:
            from accounts.pii import mask_national_id

            return mask_national_id(obj.national_id) if obj.national_id else ""

        def get_review_pending(self, obj: Customer) -> bool:
            pending = self.context.get("review_pending")
            return services.customer_kyc_review_pending(customer=obj) if pending is None else bool(pending)

    @api_operation(
        "me_kyc_retrieve",
        tag="Profile",
        summary="KYC status",
        description="The customer's tier; `GET /api/v1/kyc/tiers` lists every tier, its limits and how to reach it.",
        response=OutputSerializer,
        response_example=ex.KYC,
        errors=["throttled"],
    )
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(_customer(request)).data)

    @api_operation(
        "me_kyc_submit",
        tag="Profile",
        summary="Verify identity to reach KYC tier 1",
        description=(
            "Legal name + mainland ID number, checked at once. A verified ID number that another customer holds "
            "answers 200 with `review_pending: true` (a branch reviews it before tier 1). Tier 2: at a branch."
        ),
        request=InputSerializer,
        request_example=ex.KYC_SUBMIT,
        response=OutputSerializer,
        response_example=ex.KYC,
        errors=[
            "invalid_request",
            "invalid_legal_name",
            "invalid_national_id",
            "kyc_mismatch",
            "kyc_already_verified",
            "national_id_already_registered",
            "kyc_too_many_attempts",
            "throttled",
        ],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        submitted = services.customer_kyc_submit(customer=_customer(request), **data.validated_data)
        context = {"review_pending": submitted.review_pending}
        return Response(self.OutputSerializer(submitted.customer, context=context).data)


class ConsentOutputSerializer(serializers.ModelSerializer):
    granted_at = ApiDateTimeField(read_only=True)
    withdrawn_at = ApiDateTimeField(read_only=True, allow_null=True)
    live = serializers.SerializerMethodField()

    class Meta:
        model = Consent
        fields = ["purpose", "version", "granted_at", "withdrawn_at", "live"]

    def get_live(self, obj: Consent) -> bool:
        return obj.withdrawn_at is None


class MeConsentListApi(APIView):
    """Consents (history included); POST grants one purpose at a text version."""

    @extend_schema_serializer(component_name="MeConsentListInput")
    class InputSerializer(serializers.Serializer):
        purpose = serializers.ChoiceField(choices=Consent.Purpose.choices)
        version = StrictCharField(max_length=20)

    @api_operation(
        "me_consents_list",
        tag="Profile",
        summary="The customer's consents, history included",
        description="Newest first; `live` is false once withdrawn or superseded by a newer version.",
        parameters=PAGE_PARAMETERS,
        response=page_serializer("ConsentPage", ConsentOutputSerializer(many=True)),
        response_example=ex.page(ex.CONSENT),
        errors=["invalid_cursor", "invalid_page_size", "throttled"],
    )
    def get(self, request: Request) -> Response:
        token, size = page_params(request)
        consents = selectors.consent_list_for_customer(customer=_customer(request))
        page = queryset_page(consents, ordering=("-granted_at", "-id"), token=token, size=size)
        return Response(page_body(request, ConsentOutputSerializer(page.items, many=True).data, page))

    @api_operation(
        "me_consents_grant",
        tag="Profile",
        summary="Agree to a consent text",
        description=(
            "At the current `version` of the purpose's text (`GET /api/v1/consent-texts`); another version is "
            "400 `consent_version_invalid`. Agreeing again to the same version changes nothing."
        ),
        request=InputSerializer,
        request_example=ex.CONSENT_GRANT,
        response=ConsentOutputSerializer,
        response_example=ex.CONSENT,
        status=201,
        errors=["invalid_request", "invalid_consent_purpose", "invalid_consent_version", "consent_version_invalid"],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consent = services.consent_grant(customer=_customer(request), **data.validated_data)
        return Response(ConsentOutputSerializer(consent).data, status=status.HTTP_201_CREATED)


class MeConsentWithdrawApi(APIView):
    """Withdraw the live consent to one purpose (``MARKETING``: no more campaigns)."""

    @api_operation(
        "me_consents_withdraw",
        tag="Profile",
        summary="Withdraw a consent",
        description=(
            "`MARKETING`: no more campaigns. 404 when there is no live consent to that purpose. TERMS and "
            "PRIVACY are required while the wallet is open: 409 `consent_required` (close the wallet instead)."
        ),
        status=204,
        errors=["not_found", "consent_required", "throttled"],
    )
    def delete(self, request: Request, purpose: str) -> Response:
        if purpose not in Consent.Purpose.values:
            raise Http404
        if services.consent_withdraw(customer=_customer(request), purpose=purpose) == 0:
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeDeviceListApi(APIView):
    """Devices this customer signed in from, and whether each is signed in now."""

    @api_operation(
        "me_devices_list",
        tag="Profile",
        summary="Devices the customer signed in from",
        description="Most recently seen first; `current` marks this request's device.",
        parameters=PAGE_PARAMETERS,
        response=page_serializer("DevicePage", DeviceOutputSerializer(many=True)),
        response_example=ex.page(ex.DEVICE),
        errors=["invalid_cursor", "invalid_page_size", "throttled"],
    )
    def get(self, request: Request) -> Response:
        token, size = page_params(request)
        devices_qs = selectors.device_list_for_customer(customer=_customer(request))
        page = queryset_page(devices_qs, ordering=("-last_seen_at", "-id"), token=token, size=size)
        devices = page.items
        signed_in = set(
            CustomerToken.objects.filter(device__in=devices, revoked_at__isnull=True).values_list(
                "device_id", flat=True
            )
        )
        context = {"current_token": _token(request), "signed_in_device_ids": signed_in}
        return Response(page_body(request, DeviceOutputSerializer(devices, many=True, context=context).data, page))


class MeDeviceDetailApi(APIView):
    """DELETE signs the device out (revokes its token) and untrusts it."""

    @api_operation(
        "me_devices_revoke",
        tag="Profile",
        summary="Sign a device out and untrust it",
        description="Its token stops working; signing in there again needs a LOGIN code.",
        status=204,
        errors=["not_found", "throttled"],
    )
    def delete(self, request: Request, public_id: str) -> Response:
        device = selectors.device_get_for_customer(customer=_customer(request), public_id=public_id)
        if device is None:
            raise Http404
        services.device_revoke(customer=_customer(request), device=device)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Cards ------------------------------------------------------------------------------------


class CardListApi(_Scoped):
    """Linked bank cards; POST links one from the bank gateway SDK's token (never a card number)."""

    throttle_scope = "sensitive"

    @extend_schema_serializer(component_name="CardListInput")
    class InputSerializer(serializers.Serializer):
        gateway_token = StrictCharField(max_length=128)
        bank_name = StrictCharField(max_length=100, validators=[reject_card_numbers])
        last4 = StrictCharField(max_length=4, min_length=4)
        card_type = serializers.ChoiceField(choices=LinkedCard.CardType.choices, default=LinkedCard.CardType.DEBIT)
        pin = StrictCharField(
            max_length=12, required=False, allow_blank=True, trim_whitespace=False, help_text="Payment PIN (step-up)"
        )
        otp_code = StrictCharField(
            max_length=6, required=False, allow_blank=True, help_text="Or a STEP_UP code from POST /me/otp"
        )

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            # Any field, known or not: a 12+ digit run may be a card number, and is refused unstored.
            if services.contains_card_number(self.initial_data):
                raise errors.CardNumberRefused()
            return attrs

    def get_throttles(self) -> list[Any]:
        # Listing is not sensitive; only linking is scoped.
        return super().get_throttles() if self.request.method == "POST" else [FailOpenUserRateThrottle()]

    @api_operation(
        "cards_list",
        tag="Cards",
        summary="Linked bank cards",
        description="Active cards, newest first. Card numbers are never stored: bank, last 4 and the gateway's token.",
        parameters=PAGE_PARAMETERS,
        response=page_serializer("CardPage", CardOutputSerializer(many=True)),
        response_example=ex.page(ex.CARD),
        errors=["invalid_cursor", "invalid_page_size", "throttled"],
    )
    def get(self, request: Request) -> Response:
        token, size = page_params(request)
        cards = selectors.card_list_for_customer(customer=_customer(request))
        page = queryset_page(cards, ordering=("-created_at", "-id"), token=token, size=size)
        return Response(page_body(request, CardOutputSerializer(page.items, many=True).data, page))

    @api_operation(
        "cards_link",
        tag="Cards",
        summary="Link a bank card from the gateway SDK's token",
        description=(
            "The app's bank gateway SDK takes the card number and returns a token; send the token, the bank "
            "name and the last 4 digits, never the number (a 12+ digit run anywhere: 400 `card_number_refused`). "
            "In development the simulated gateway accepts `gw_tok_` + 8 or more letters/digits (e.g. "
            "`gw_tok_8f3k2m9q`) and any last 4; `gw_tok_revoked...` is refused. Step-up: `pin` (the payment "
            "PIN) or a STEP_UP `otp_code`."
        ),
        request=InputSerializer,
        request_example=ex.CARD_LINK,
        response=CardOutputSerializer,
        response_example=ex.CARD,
        status=201,
        errors=[
            "invalid_request",
            "card_number_refused",
            "card_number_in_text",
            "invalid_gateway_token",
            "invalid_last4",
            "invalid_card_type",
            "invalid_bank_name",
            "card_token_invalid",
            "card_token_mismatch",
            "step_up_required",
            "payment_pin_invalid",
            "otp_invalid",
            "account_not_active",
            "card_already_linked",
            "payment_pin_locked",
            "throttled",
        ],
    )
    def post(self, request: Request) -> Response:
        if services.contains_card_number(request.data):
            raise errors.CardNumberRefused()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        card = services.card_link(customer=_customer(request), **data.validated_data)
        return Response(CardOutputSerializer(card).data, status=status.HTTP_201_CREATED)


class CardDetailApi(APIView):
    """One linked card of the signed-in customer; DELETE unlinks it."""

    @api_operation(
        "cards_retrieve",
        tag="Cards",
        summary="One linked card",
        response=CardOutputSerializer,
        response_example=ex.CARD,
        errors=["not_found", "throttled"],
    )
    def get(self, request: Request, public_id: str) -> Response:
        card = selectors.card_get_for_customer(customer=_customer(request), public_id=public_id)
        if card is None:
            raise Http404
        return Response(CardOutputSerializer(card).data)

    @api_operation(
        "cards_remove",
        tag="Cards",
        summary="Unlink a card",
        description="Top-ups and withdrawals already made keep showing it.",
        status=204,
        errors=["not_found", "throttled"],
    )
    def delete(self, request: Request, public_id: str) -> Response:
        card = selectors.card_get_for_customer(customer=_customer(request), public_id=public_id)
        if card is None:
            raise Http404
        services.card_remove(customer=_customer(request), card=card)
        return Response(status=status.HTTP_204_NO_CONTENT)
