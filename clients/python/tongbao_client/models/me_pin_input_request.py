from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="MePinInputRequest")


@_attrs_define
class MePinInputRequest:
    """
    Attributes:
        pin (str):
        old_pin (str | Unset):
        otp_code (str | Unset):
    """

    pin: str
    old_pin: str | Unset = UNSET
    otp_code: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        pin = self.pin

        old_pin = self.old_pin

        otp_code = self.otp_code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "pin": pin,
            }
        )
        if old_pin is not UNSET:
            field_dict["old_pin"] = old_pin
        if otp_code is not UNSET:
            field_dict["otp_code"] = otp_code

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        pin = d.pop("pin")

        old_pin = d.pop("old_pin", UNSET)

        otp_code = d.pop("otp_code", UNSET)

        me_pin_input_request = cls(
            pin=pin,
            old_pin=old_pin,
            otp_code=otp_code,
        )

        me_pin_input_request.additional_properties = d
        return me_pin_input_request

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
