from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.branch_output import BranchOutput
    from ..models.kyc_tier_output import KycTierOutput


T = TypeVar("T", bound="MeOutput")


@_attrs_define
class MeOutput:
    """The customer's own profile: the only response with their personal data (ID number masked).

    Attributes:
        public_id (UUID):
        phone (str):
        phone_masked (str):
        legal_name (str):
        national_id_masked (str):
        date_of_birth (datetime.date | None):
        customer_type (str):
        business_name (str):
        display_name (str):
        kyc_tier (KycTierOutput):
        kyc_verified_at (datetime.datetime | None): UTC, ISO 8601 with offset Z, microseconds:
            `2026-11-30T08:15:30.123456Z`
        phone_verified_at (datetime.datetime | None): UTC, ISO 8601 with offset Z, microseconds:
            `2026-11-30T08:15:30.123456Z`
        status (str):
        status_reason (str): Why the account is frozen or closed, readable by the customer.
        status_changed_at (datetime.datetime | None): UTC, ISO 8601 with offset Z, microseconds:
            `2026-11-30T08:15:30.123456Z`
        home_branch (BranchOutput | None):
        onboarding_channel (str):
        has_payment_pin (bool):
        payment_pin_locked_until (datetime.datetime | None): UTC, ISO 8601 with offset Z, microseconds:
            `2026-11-30T08:15:30.123456Z`
        created_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
    """

    public_id: UUID
    phone: str
    phone_masked: str
    legal_name: str
    national_id_masked: str
    date_of_birth: datetime.date | None
    customer_type: str
    business_name: str
    display_name: str
    kyc_tier: KycTierOutput
    kyc_verified_at: datetime.datetime | None
    phone_verified_at: datetime.datetime | None
    status: str
    status_reason: str
    status_changed_at: datetime.datetime | None
    home_branch: BranchOutput | None
    onboarding_channel: str
    has_payment_pin: bool
    payment_pin_locked_until: datetime.datetime | None
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.branch_output import BranchOutput

        public_id = str(self.public_id)

        phone = self.phone

        phone_masked = self.phone_masked

        legal_name = self.legal_name

        national_id_masked = self.national_id_masked

        date_of_birth: None | str
        if isinstance(self.date_of_birth, datetime.date):
            date_of_birth = self.date_of_birth.isoformat()
        else:
            date_of_birth = self.date_of_birth

        customer_type = self.customer_type

        business_name = self.business_name

        display_name = self.display_name

        kyc_tier = self.kyc_tier.to_dict()

        kyc_verified_at: None | str
        if isinstance(self.kyc_verified_at, datetime.datetime):
            kyc_verified_at = self.kyc_verified_at.isoformat()
        else:
            kyc_verified_at = self.kyc_verified_at

        phone_verified_at: None | str
        if isinstance(self.phone_verified_at, datetime.datetime):
            phone_verified_at = self.phone_verified_at.isoformat()
        else:
            phone_verified_at = self.phone_verified_at

        status = self.status

        status_reason = self.status_reason

        status_changed_at: None | str
        if isinstance(self.status_changed_at, datetime.datetime):
            status_changed_at = self.status_changed_at.isoformat()
        else:
            status_changed_at = self.status_changed_at

        home_branch: dict[str, Any] | None
        if isinstance(self.home_branch, BranchOutput):
            home_branch = self.home_branch.to_dict()
        else:
            home_branch = self.home_branch

        onboarding_channel = self.onboarding_channel

        has_payment_pin = self.has_payment_pin

        payment_pin_locked_until: None | str
        if isinstance(self.payment_pin_locked_until, datetime.datetime):
            payment_pin_locked_until = self.payment_pin_locked_until.isoformat()
        else:
            payment_pin_locked_until = self.payment_pin_locked_until

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "public_id": public_id,
                "phone": phone,
                "phone_masked": phone_masked,
                "legal_name": legal_name,
                "national_id_masked": national_id_masked,
                "date_of_birth": date_of_birth,
                "customer_type": customer_type,
                "business_name": business_name,
                "display_name": display_name,
                "kyc_tier": kyc_tier,
                "kyc_verified_at": kyc_verified_at,
                "phone_verified_at": phone_verified_at,
                "status": status,
                "status_reason": status_reason,
                "status_changed_at": status_changed_at,
                "home_branch": home_branch,
                "onboarding_channel": onboarding_channel,
                "has_payment_pin": has_payment_pin,
                "payment_pin_locked_until": payment_pin_locked_until,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.branch_output import BranchOutput
        from ..models.kyc_tier_output import KycTierOutput

        d = dict(src_dict)
        public_id = UUID(d.pop("public_id"))

        phone = d.pop("phone")

        phone_masked = d.pop("phone_masked")

        legal_name = d.pop("legal_name")

        national_id_masked = d.pop("national_id_masked")

        def _parse_date_of_birth(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                date_of_birth_type_0 = datetime.date.fromisoformat(data)

                return date_of_birth_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        date_of_birth = _parse_date_of_birth(d.pop("date_of_birth"))

        customer_type = d.pop("customer_type")

        business_name = d.pop("business_name")

        display_name = d.pop("display_name")

        kyc_tier = KycTierOutput.from_dict(d.pop("kyc_tier"))

        def _parse_kyc_verified_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                kyc_verified_at_type_0 = datetime.datetime.fromisoformat(data)

                return kyc_verified_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        kyc_verified_at = _parse_kyc_verified_at(d.pop("kyc_verified_at"))

        def _parse_phone_verified_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                phone_verified_at_type_0 = datetime.datetime.fromisoformat(data)

                return phone_verified_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        phone_verified_at = _parse_phone_verified_at(d.pop("phone_verified_at"))

        status = d.pop("status")

        status_reason = d.pop("status_reason")

        def _parse_status_changed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_changed_at_type_0 = datetime.datetime.fromisoformat(data)

                return status_changed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        status_changed_at = _parse_status_changed_at(d.pop("status_changed_at"))

        def _parse_home_branch(data: object) -> BranchOutput | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                home_branch_type_1 = BranchOutput.from_dict(data)

                return home_branch_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BranchOutput | None, data)

        home_branch = _parse_home_branch(d.pop("home_branch"))

        onboarding_channel = d.pop("onboarding_channel")

        has_payment_pin = d.pop("has_payment_pin")

        def _parse_payment_pin_locked_until(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                payment_pin_locked_until_type_0 = datetime.datetime.fromisoformat(data)

                return payment_pin_locked_until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        payment_pin_locked_until = _parse_payment_pin_locked_until(d.pop("payment_pin_locked_until"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        me_output = cls(
            public_id=public_id,
            phone=phone,
            phone_masked=phone_masked,
            legal_name=legal_name,
            national_id_masked=national_id_masked,
            date_of_birth=date_of_birth,
            customer_type=customer_type,
            business_name=business_name,
            display_name=display_name,
            kyc_tier=kyc_tier,
            kyc_verified_at=kyc_verified_at,
            phone_verified_at=phone_verified_at,
            status=status,
            status_reason=status_reason,
            status_changed_at=status_changed_at,
            home_branch=home_branch,
            onboarding_channel=onboarding_channel,
            has_payment_pin=has_payment_pin,
            payment_pin_locked_until=payment_pin_locked_until,
            created_at=created_at,
        )

        me_output.additional_properties = d
        return me_output

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
