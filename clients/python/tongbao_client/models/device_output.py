from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DeviceOutput")


@_attrs_define
class DeviceOutput:
    """
    Attributes:
        public_id (UUID):
        first_seen_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        last_seen_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        current (bool):
        signed_in (bool):
        name (str | Unset):
        trusted (bool | Unset):
    """

    public_id: UUID
    first_seen_at: datetime.datetime
    last_seen_at: datetime.datetime
    current: bool
    signed_in: bool
    name: str | Unset = UNSET
    trusted: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        public_id = str(self.public_id)

        first_seen_at = self.first_seen_at.isoformat()

        last_seen_at = self.last_seen_at.isoformat()

        current = self.current

        signed_in = self.signed_in

        name = self.name

        trusted = self.trusted

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "public_id": public_id,
                "first_seen_at": first_seen_at,
                "last_seen_at": last_seen_at,
                "current": current,
                "signed_in": signed_in,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if trusted is not UNSET:
            field_dict["trusted"] = trusted

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        public_id = UUID(d.pop("public_id"))

        first_seen_at = datetime.datetime.fromisoformat(d.pop("first_seen_at"))

        last_seen_at = datetime.datetime.fromisoformat(d.pop("last_seen_at"))

        current = d.pop("current")

        signed_in = d.pop("signed_in")

        name = d.pop("name", UNSET)

        trusted = d.pop("trusted", UNSET)

        device_output = cls(
            public_id=public_id,
            first_seen_at=first_seen_at,
            last_seen_at=last_seen_at,
            current=current,
            signed_in=signed_in,
            name=name,
            trusted=trusted,
        )

        device_output.additional_properties = d
        return device_output

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
