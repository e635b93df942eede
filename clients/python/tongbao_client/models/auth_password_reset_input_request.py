from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AuthPasswordResetInputRequest")


@_attrs_define
class AuthPasswordResetInputRequest:
    """
    Attributes:
        phone (str):
        otp_code (str):
        new_password (str):
    """

    phone: str
    otp_code: str
    new_password: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        phone = self.phone

        otp_code = self.otp_code

        new_password = self.new_password

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "phone": phone,
                "otp_code": otp_code,
                "new_password": new_password,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        phone = d.pop("phone")

        otp_code = d.pop("otp_code")

        new_password = d.pop("new_password")

        auth_password_reset_input_request = cls(
            phone=phone,
            otp_code=otp_code,
            new_password=new_password,
        )

        auth_password_reset_input_request.additional_properties = d
        return auth_password_reset_input_request

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
