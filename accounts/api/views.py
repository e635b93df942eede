"""Customer API of the accounts app. Views are thin: validate, one service call, render."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import errors, selectors, services
from accounts.api.serializers import (
    CardOutputSerializer,
    DeviceOutputSerializer,
    MeOutputSerializer,
    TokenOutputSerializer,
    error_responses,
)
from accounts.models import Consent, Customer, CustomerToken, LinkedCard, OtpChallenge
from core.audit import client_ip
from core.fields import ApiDateTimeField, StrictCharField
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

    @extend_schema(
        request=InputSerializer,
        responses={202: OutputSerializer, **error_responses(400, 409, 429)},
        auth=[],
        operation_id="auth_otp_request",
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

    @extend_schema(
        request=InputSerializer, responses={201: TokenOutputSerializer, **error_responses(400, 409, 429)}, auth=[]
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

    @extend_schema(
        request=InputSerializer,
        responses={200: TokenOutputSerializer, **error_responses(400, 401, 403, 423, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issued = services.customer_login(**data.validated_data, ip=_ip(request))
        return Response(TokenOutputSerializer(issued).data)


class AuthLogoutApi(APIView):
    """Revoke the token this request was made with."""

    @extend_schema(request=None, responses={204: None, **error_responses(401)})
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

    @extend_schema(request=InputSerializer, responses={204: None, **error_responses(400, 401, 403, 429)})
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

    @extend_schema(request=InputSerializer, responses={204: None, **error_responses(400, 429)}, auth=[])
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

    @extend_schema(responses={200: MeOutputSerializer, **error_responses(401)})
    def get(self, request: Request) -> Response:
        return Response(MeOutputSerializer(self._me(request)).data)

    @extend_schema(request=InputSerializer, responses={200: MeOutputSerializer, **error_responses(400, 401)})
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

    @extend_schema(request=None, responses={202: OutputSerializer, **error_responses(401, 429)})
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

    @extend_schema(request=InputSerializer, responses={204: None, **error_responses(400, 401, 403, 423, 429)})
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

    @extend_schema(responses={200: OutputSerializer, **error_responses(401)})
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(_customer(request)).data)

    @extend_schema(
        request=InputSerializer,
        responses={200: OutputSerializer, **error_responses(400, 401, 409, 422, 429)},
        description="A verified ID number that needs a branch review answers 200 with ``review_pending``.",
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

    @extend_schema(responses={200: ConsentOutputSerializer(many=True), **error_responses(401)})
    def get(self, request: Request) -> Response:
        consents = selectors.consent_list_for_customer(customer=_customer(request))
        return Response(ConsentOutputSerializer(consents, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: ConsentOutputSerializer, **error_responses(400, 401)})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consent = services.consent_grant(customer=_customer(request), **data.validated_data)
        return Response(ConsentOutputSerializer(consent).data, status=status.HTTP_201_CREATED)


class MeConsentWithdrawApi(APIView):
    """Withdraw the live consent to one purpose (``MARKETING``: no more campaigns)."""

    @extend_schema(responses={204: None, **error_responses(400, 401, 404)})
    def delete(self, request: Request, purpose: str) -> Response:
        if purpose not in Consent.Purpose.values:
            raise Http404
        if services.consent_withdraw(customer=_customer(request), purpose=purpose) == 0:
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeDeviceListApi(APIView):
    """Devices this customer signed in from, and whether each is signed in now."""

    @extend_schema(responses={200: DeviceOutputSerializer(many=True), **error_responses(401)})
    def get(self, request: Request) -> Response:
        devices = list(selectors.device_list_for_customer(customer=_customer(request)))
        signed_in = set(
            CustomerToken.objects.filter(device__in=devices, revoked_at__isnull=True).values_list(
                "device_id", flat=True
            )
        )
        context = {"current_token": _token(request), "signed_in_device_ids": signed_in}
        return Response(DeviceOutputSerializer(devices, many=True, context=context).data)


class MeDeviceDetailApi(APIView):
    """DELETE signs the device out (revokes its token) and untrusts it."""

    @extend_schema(responses={204: None, **error_responses(401, 404)})
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

    @extend_schema(responses={200: CardOutputSerializer(many=True), **error_responses(401)})
    def get(self, request: Request) -> Response:
        return Response(
            CardOutputSerializer(selectors.card_list_for_customer(customer=_customer(request)), many=True).data
        )

    @extend_schema(
        request=InputSerializer, responses={201: CardOutputSerializer, **error_responses(400, 401, 403, 409, 423)}
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

    @extend_schema(responses={200: CardOutputSerializer, **error_responses(401, 404)})
    def get(self, request: Request, public_id: str) -> Response:
        card = selectors.card_get_for_customer(customer=_customer(request), public_id=public_id)
        if card is None:
            raise Http404
        return Response(CardOutputSerializer(card).data)

    @extend_schema(responses={204: None, **error_responses(401, 404)})
    def delete(self, request: Request, public_id: str) -> Response:
        card = selectors.card_get_for_customer(customer=_customer(request), public_id=public_id)
        if card is None:
            raise Http404
        services.card_remove(customer=_customer(request), card=card)
        return Response(status=status.HTTP_204_NO_CONTENT)
