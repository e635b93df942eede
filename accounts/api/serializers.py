"""Serializers shared by the accounts views (the rest are nested in each view)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import Customer, Device, LinkedCard
from accounts.pii import mask_national_id, mask_phone
from core.api_schema import ErrorSerializer, error_responses  # noqa: F401 - re-exported for the views
from core.fields import ApiDateTimeField


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Bearer token; shown once, store it in the platform keystore.")
    expires_at = ApiDateTimeField()
    customer_id = serializers.UUIDField(source="customer.public_id")
    device_id = serializers.UUIDField(source="device.public_id")


class KycTierOutputSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    name = serializers.CharField()
    currency = serializers.CharField()
    per_transaction_limit = serializers.SerializerMethodField()
    daily_limit = serializers.SerializerMethodField()
    monthly_limit = serializers.SerializerMethodField()
    balance_cap = serializers.SerializerMethodField()

    @staticmethod
    def _amount(minor: int) -> str:
        return f"{minor // 100}.{minor % 100:02d}"

    def get_per_transaction_limit(self, obj: Any) -> str:
        return self._amount(obj.per_transaction_limit_minor)

    def get_daily_limit(self, obj: Any) -> str:
        return self._amount(obj.daily_limit_minor)

    def get_monthly_limit(self, obj: Any) -> str:
        return self._amount(obj.monthly_limit_minor)

    def get_balance_cap(self, obj: Any) -> str:
        return self._amount(obj.balance_cap_minor)


class BranchOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class MeOutputSerializer(serializers.Serializer):
    """The customer's own profile: the only response with their personal data (ID number masked)."""

    public_id = serializers.UUIDField()
    phone = serializers.CharField()
    phone_masked = serializers.SerializerMethodField()
    legal_name = serializers.CharField()
    national_id_masked = serializers.SerializerMethodField()
    date_of_birth = serializers.DateField(allow_null=True)
    customer_type = serializers.CharField()
    business_name = serializers.CharField()
    display_name = serializers.CharField()
    kyc_tier = KycTierOutputSerializer()
    kyc_verified_at = ApiDateTimeField(allow_null=True)
    phone_verified_at = ApiDateTimeField(allow_null=True)
    status = serializers.CharField()
    status_reason = serializers.CharField(help_text="Why the account is frozen or closed, readable by the customer.")
    status_changed_at = ApiDateTimeField(allow_null=True)
    home_branch = BranchOutputSerializer(allow_null=True)
    onboarding_channel = serializers.CharField()
    has_payment_pin = serializers.SerializerMethodField()
    payment_pin_locked_until = ApiDateTimeField(source="pin_locked_until", allow_null=True)
    created_at = ApiDateTimeField()

    def get_phone_masked(self, obj: Customer) -> str:
        return mask_phone(obj.phone)

    def get_national_id_masked(self, obj: Customer) -> str:
        return mask_national_id(obj.national_id) if obj.national_id else ""

    def get_has_payment_pin(self, obj: Customer) -> bool:
        return bool(obj.payment_pin)


class DeviceOutputSerializer(serializers.ModelSerializer):
    first_seen_at = ApiDateTimeField(read_only=True)
    last_seen_at = ApiDateTimeField(read_only=True)
    current = serializers.SerializerMethodField()
    signed_in = serializers.SerializerMethodField()

    class Meta:
        model = Device
        fields = ["public_id", "name", "trusted", "first_seen_at", "last_seen_at", "current", "signed_in"]

    def get_current(self, obj: Device) -> bool:
        token = self.context.get("current_token")
        return token is not None and token.device_id == obj.pk

    def get_signed_in(self, obj: Device) -> bool:
        return obj.pk in self.context.get("signed_in_device_ids", set())


class CardOutputSerializer(serializers.ModelSerializer):
    created_at = ApiDateTimeField(read_only=True)

    class Meta:
        model = LinkedCard
        fields = ["public_id", "bank_name", "last4", "card_type", "status", "created_at"]
