from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AuthLoginInputRequest")


@_attrs_define
class AuthLoginInputRequest:
    """
    Attributes:
        phone (str):
        password (str):
        device_id (str):
        device_name (str | Unset):  Default: ''.
        otp_code (None | str | Unset):
    """

    phone: str
    password: str
    device_id: str
    device_name: str | Unset = ""
    otp_code: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        phone = self.phone

        password = self.password

        device_id = self.device_id

        device_name = self.device_name

        otp_code: None | str | Unset
        if isinstance(self.otp_code, Unset):
            otp_code = UNSET
        else:
            otp_code = self.otp_code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "phone": phone,
                "password": password,
                "device_id": device_id,
            }
        )
        if device_name is not UNSET:
            field_dict["device_name"] = device_name
        if otp_code is not UNSET:
            field_dict["otp_code"] = otp_code

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        phone = d.pop("phone")

        password = d.pop("password")

        device_id = d.pop("device_id")

        device_name = d.pop("device_name", UNSET)

        def _parse_otp_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        otp_code = _parse_otp_code(d.pop("otp_code", UNSET))

        auth_login_input_request = cls(
            phone=phone,
            password=password,
            device_id=device_id,
            device_name=device_name,
            otp_code=otp_code,
        )

        auth_login_input_request.additional_properties = d
        return auth_login_input_request

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
