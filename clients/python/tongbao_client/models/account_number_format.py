from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AccountNumberFormat")


@_attrs_define
class AccountNumberFormat:
    """
    Attributes:
        kind (str): electricity, water, gas, mobile, broadband or generic
        description (str): For the customer, in the request's language
        pattern (str): Regular expression of the digits (spaces and hyphens are ignored)
        example (str): A number that passes the check (an example, not a real account)
    """

    kind: str
    description: str
    pattern: str
    example: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        description = self.description

        pattern = self.pattern

        example = self.example

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "description": description,
                "pattern": pattern,
                "example": example,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        kind = d.pop("kind")

        description = d.pop("description")

        pattern = d.pop("pattern")

        example = d.pop("example")

        account_number_format = cls(
            kind=kind,
            description=description,
            pattern=pattern,
            example=example,
        )

        account_number_format.additional_properties = d
        return account_number_format

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
