from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.type_enum import TypeEnum, check_type_enum

T = TypeVar("T", bound="PointsEntry")


@_attrs_define
class PointsEntry:
    """
    Attributes:
        at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        points (int): Signed: positive earned, negative clawed back, spent or expired.
        type_ (TypeEnum): * `EARNED` - EARNED
            * `CLAWED_BACK` - CLAWED_BACK
            * `EXPIRED` - EXPIRED
            * `REDEEMED` - REDEEMED
            * `SPENT` - SPENT
        transfer_id (UUID):
    """

    at: datetime.datetime
    points: int
    type_: TypeEnum
    transfer_id: UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        points = self.points

        type_: str = self.type_

        transfer_id = str(self.transfer_id)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "points": points,
                "type": type_,
                "transfer_id": transfer_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        points = d.pop("points")

        type_ = check_type_enum(d.pop("type"))

        transfer_id = UUID(d.pop("transfer_id"))

        points_entry = cls(
            at=at,
            points=points,
            type_=type_,
            transfer_id=transfer_id,
        )

        points_entry.additional_properties = d
        return points_entry

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
