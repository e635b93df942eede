from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.risk_notice_kind_enum import RiskNoticeKindEnum, check_risk_notice_kind_enum

T = TypeVar("T", bound="RiskNotice")


@_attrs_define
class RiskNotice:
    """
    Attributes:
        id (UUID):
        kind (RiskNoticeKindEnum): * `ACCOUNT_FROZEN` - Account frozen
            * `ACCOUNT_UNFROZEN` - Account unfrozen
            * `PAYMENT_HELD` - Payment held for review
            * `PAYMENT_RELEASED` - Payment released
            * `PAYMENT_REVERSED` - Payment reversed
            * `STEP_UP` - Extra verification on the next payment
        message (str): The reason, in the request's language.
        created_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
    """

    id: UUID
    kind: RiskNoticeKindEnum
    message: str
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        kind: str = self.kind

        message = self.message

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "message": message,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        kind = check_risk_notice_kind_enum(d.pop("kind"))

        message = d.pop("message")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        risk_notice = cls(
            id=id,
            kind=kind,
            message=message,
            created_at=created_at,
        )

        risk_notice.additional_properties = d
        return risk_notice

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
