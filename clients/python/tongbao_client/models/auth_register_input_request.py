from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AuthRegisterInputRequest")


@_attrs_define
class AuthRegisterInputRequest:
    """
    Attributes:
        phone (str):
        password (str):
        otp_code (str):
        device_id (str):
        terms_version (str):
        privacy_version (str):
        device_name (str | Unset):  Default: ''.
        marketing_version (str | Unset):  Default: ''.
        referrer_id (None | Unset | UUID): public id of the customer who referred this one
        referral_code (str | Unset): a friend's referral code (8 characters, from their link); optional Default: ''.
    """

    phone: str
    password: str
    otp_code: str
    device_id: str
    terms_version: str
    privacy_version: str
    device_name: str | Unset = ""
    marketing_version: str | Unset = ""
    referrer_id: None | Unset | UUID = UNSET
    referral_code: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        phone = self.phone

        password = self.password

        otp_code = self.otp_code

        device_id = self.device_id

        terms_version = self.terms_version

        privacy_version = self.privacy_version

        device_name = self.device_name

        marketing_version = self.marketing_version

        referrer_id: None | str | Unset
        if isinstance(self.referrer_id, Unset):
            referrer_id = UNSET
        elif isinstance(self.referrer_id, UUID):
            referrer_id = str(self.referrer_id)
        else:
            referrer_id = self.referrer_id

        referral_code = self.referral_code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "phone": phone,
                "password": password,
                "otp_code": otp_code,
                "device_id": device_id,
                "terms_version": terms_version,
                "privacy_version": privacy_version,
            }
        )
        if device_name is not UNSET:
            field_dict["device_name"] = device_name
        if marketing_version is not UNSET:
            field_dict["marketing_version"] = marketing_version
        if referrer_id is not UNSET:
            field_dict["referrer_id"] = referrer_id
        if referral_code is not UNSET:
            field_dict["referral_code"] = referral_code

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        phone = d.pop("phone")

        password = d.pop("password")

        otp_code = d.pop("otp_code")

        device_id = d.pop("device_id")

        terms_version = d.pop("terms_version")

        privacy_version = d.pop("privacy_version")

        device_name = d.pop("device_name", UNSET)

        marketing_version = d.pop("marketing_version", UNSET)

        def _parse_referrer_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                referrer_id_type_0 = UUID(data)

                return referrer_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        referrer_id = _parse_referrer_id(d.pop("referrer_id", UNSET))

        referral_code = d.pop("referral_code", UNSET)

        auth_register_input_request = cls(
            phone=phone,
            password=password,
            otp_code=otp_code,
            device_id=device_id,
            terms_version=terms_version,
            privacy_version=privacy_version,
            device_name=device_name,
            marketing_version=marketing_version,
            referrer_id=referrer_id,
            referral_code=referral_code,
        )

        auth_register_input_request.additional_properties = d
        return auth_register_input_request

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
