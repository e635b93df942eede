from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.purpose_enum import PurposeEnum, check_purpose_enum

T = TypeVar("T", bound="MeConsentListInputRequest")


@_attrs_define
class MeConsentListInputRequest:
    """
    Attributes:
        purpose (PurposeEnum): * `TERMS` - Terms of service
            * `PRIVACY` - Privacy policy
            * `MARKETING` - Marketing
            * `DATA_ANALYSIS` - Data analysis
        version (str):
    """

    purpose: PurposeEnum
    version: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        purpose: str = self.purpose

        version = self.version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "purpose": purpose,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        purpose = check_purpose_enum(d.pop("purpose"))

        version = d.pop("version")

        me_consent_list_input_request = cls(
            purpose=purpose,
            version=version,
        )

        me_consent_list_input_request.additional_properties = d
        return me_consent_list_input_request

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
