from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money import Money
    from ..models.recipient import Recipient


T = TypeVar("T", bound="TransferCreateOutput")


@_attrs_define
class TransferCreateOutput:
    """
    Attributes:
        id (UUID):
        status (str):
        kind (str):
        amount (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every app.
        to (Recipient):
        memo (str):
        created_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        balance_after (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every
            app.
    """

    id: UUID
    status: str
    kind: str
    amount: Money
    to: Recipient
    memo: str
    created_at: datetime.datetime
    balance_after: Money
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        status = self.status

        kind = self.kind

        amount = self.amount.to_dict()

        to = self.to.to_dict()

        memo = self.memo

        created_at = self.created_at.isoformat()

        balance_after = self.balance_after.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "kind": kind,
                "amount": amount,
                "to": to,
                "memo": memo,
                "created_at": created_at,
                "balance_after": balance_after,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money
        from ..models.recipient import Recipient

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        status = d.pop("status")

        kind = d.pop("kind")

        amount = Money.from_dict(d.pop("amount"))

        to = Recipient.from_dict(d.pop("to"))

        memo = d.pop("memo")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        balance_after = Money.from_dict(d.pop("balance_after"))

        transfer_create_output = cls(
            id=id,
            status=status,
            kind=kind,
            amount=amount,
            to=to,
            memo=memo,
            created_at=created_at,
            balance_after=balance_after,
        )

        transfer_create_output.additional_properties = d
        return transfer_create_output

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
