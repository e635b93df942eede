from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ConsentText")


@_attrs_define
class ConsentText:
    """
    Attributes:
        purpose (str): TERMS, PRIVACY, MARKETING or DATA_ANALYSIS
        version (str): Send this exact value back (`terms_version`, ... or `version`)
        title (str):
        text (str): In the request's language (Accept-Language: zh-hans or en)
        required (bool): Must be agreed to at registration
    """

    purpose: str
    version: str
    title: str
    text: str
    required: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        purpose = self.purpose

        version = self.version

        title = self.title

        text = self.text

        required = self.required

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "purpose": purpose,
                "version": version,
                "title": title,
                "text": text,
                "required": required,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        purpose = d.pop("purpose")

        version = d.pop("version")

        title = d.pop("title")

        text = d.pop("text")

        required = d.pop("required")

        consent_text = cls(
            purpose=purpose,
            version=version,
            title=title,
            text=text,
            required=required,
        )

        consent_text.additional_properties = d
        return consent_text

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
