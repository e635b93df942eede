from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.purpose_enum import PurposeEnum, check_purpose_enum

T = TypeVar("T", bound="ConsentOutput")


@_attrs_define
class ConsentOutput:
    """
    Attributes:
        purpose (PurposeEnum): * `TERMS` - Terms of service
            * `PRIVACY` - Privacy policy
            * `MARKETING` - Marketing
            * `DATA_ANALYSIS` - Data analysis
        version (str):
        granted_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        withdrawn_at (datetime.datetime | None): UTC, ISO 8601 with offset Z, microseconds:
            `2026-11-30T08:15:30.123456Z`
        live (bool):
    """

    purpose: PurposeEnum
    version: str
    granted_at: datetime.datetime
    withdrawn_at: datetime.datetime | None
    live: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        purpose: str = self.purpose

        version = self.version

        granted_at = self.granted_at.isoformat()

        withdrawn_at: None | str
        if isinstance(self.withdrawn_at, datetime.datetime):
            withdrawn_at = self.withdrawn_at.isoformat()
        else:
            withdrawn_at = self.withdrawn_at

        live = self.live

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "purpose": purpose,
                "version": version,
                "granted_at": granted_at,
                "withdrawn_at": withdrawn_at,
                "live": live,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        purpose = check_purpose_enum(d.pop("purpose"))

        version = d.pop("version")

        granted_at = datetime.datetime.fromisoformat(d.pop("granted_at"))

        def _parse_withdrawn_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                withdrawn_at_type_0 = datetime.datetime.fromisoformat(data)

                return withdrawn_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        withdrawn_at = _parse_withdrawn_at(d.pop("withdrawn_at"))

        live = d.pop("live")

        consent_output = cls(
            purpose=purpose,
            version=version,
            granted_at=granted_at,
            withdrawn_at=withdrawn_at,
            live=live,
        )

        consent_output.additional_properties = d
        return consent_output

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
