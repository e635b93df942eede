from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AuthOtpRequestOutput")


@_attrs_define
class AuthOtpRequestOutput:
    """
    Attributes:
        expires_in_seconds (int):
        resend_after_seconds (int):
    """

    expires_in_seconds: int
    resend_after_seconds: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        expires_in_seconds = self.expires_in_seconds

        resend_after_seconds = self.resend_after_seconds

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "expires_in_seconds": expires_in_seconds,
                "resend_after_seconds": resend_after_seconds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        expires_in_seconds = d.pop("expires_in_seconds")

        resend_after_seconds = d.pop("resend_after_seconds")

        auth_otp_request_output = cls(
            expires_in_seconds=expires_in_seconds,
            resend_after_seconds=resend_after_seconds,
        )

        auth_otp_request_output.additional_properties = d
        return auth_otp_request_output

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
