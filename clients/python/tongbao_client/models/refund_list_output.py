from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="RefundListOutput")


@_attrs_define
class RefundListOutput:
    """
    Attributes:
        id (UUID):
        original_transfer_id (UUID):
        transfer_id (UUID):
        payee (str):
        amount (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every app.
        reason (str):
        created_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
    """

    id: UUID
    original_transfer_id: UUID
    transfer_id: UUID
    payee: str
    amount: Money
    reason: str
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        original_transfer_id = str(self.original_transfer_id)

        transfer_id = str(self.transfer_id)

        payee = self.payee

        amount = self.amount.to_dict()

        reason = self.reason

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "original_transfer_id": original_transfer_id,
                "transfer_id": transfer_id,
                "payee": payee,
                "amount": amount,
                "reason": reason,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        original_transfer_id = UUID(d.pop("original_transfer_id"))

        transfer_id = UUID(d.pop("transfer_id"))

        payee = d.pop("payee")

        amount = Money.from_dict(d.pop("amount"))

        reason = d.pop("reason")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        refund_list_output = cls(
            id=id,
            original_transfer_id=original_transfer_id,
            transfer_id=transfer_id,
            payee=payee,
            amount=amount,
            reason=reason,
            created_at=created_at,
        )

        refund_list_output.additional_properties = d
        return refund_list_output

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
