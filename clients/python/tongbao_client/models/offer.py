from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Offer")


@_attrs_define
class Offer:
    """
    Attributes:
        id (UUID): The campaign's public id.
        kind (str): CASHBACK, POINTS, COUPON, TOPUP_REBATE, FIRST_ORDER...
        name (str):
        description (str):
        benefit (Any): The benefit as approved (amounts are decimal strings in CNY; points for POINTS).
        conditions (Any): What a payment must meet (minimum amount, categories...).
        window (Any): Weekdays (1 = Monday) and hours, Asia/Shanghai; empty = always.
        ends_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
    """

    id: UUID
    kind: str
    name: str
    description: str
    benefit: Any
    conditions: Any
    window: Any
    ends_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        kind = self.kind

        name = self.name

        description = self.description

        benefit = self.benefit

        conditions = self.conditions

        window = self.window

        ends_at = self.ends_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "name": name,
                "description": description,
                "benefit": benefit,
                "conditions": conditions,
                "window": window,
                "ends_at": ends_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        kind = d.pop("kind")

        name = d.pop("name")

        description = d.pop("description")

        benefit = d.pop("benefit")

        conditions = d.pop("conditions")

        window = d.pop("window")

        ends_at = datetime.datetime.fromisoformat(d.pop("ends_at"))

        offer = cls(
            id=id,
            kind=kind,
            name=name,
            description=description,
            benefit=benefit,
            conditions=conditions,
            window=window,
            ends_at=ends_at,
        )

        offer.additional_properties = d
        return offer

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
