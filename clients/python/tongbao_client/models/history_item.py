from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.direction_enum import DirectionEnum, check_direction_enum

if TYPE_CHECKING:
    from ..models.counterparty import Counterparty
    from ..models.money import Money


T = TypeVar("T", bound="HistoryItem")


@_attrs_define
class HistoryItem:
    """
    Attributes:
        transaction_id (UUID):
        entry_id (int):
        kind (str):
        direction (DirectionEnum): * `in` - in
            * `out` - out
        amount (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every app.
        balance_after (Money | None):
        counterparty (Counterparty | None):
        memo (str):
        reason_code (str):
        created_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
    """

    transaction_id: UUID
    entry_id: int
    kind: str
    direction: DirectionEnum
    amount: Money
    balance_after: Money | None
    counterparty: Counterparty | None
    memo: str
    reason_code: str
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.counterparty import Counterparty
        from ..models.money import Money

        transaction_id = str(self.transaction_id)

        entry_id = self.entry_id

        kind = self.kind

        direction: str = self.direction

        amount = self.amount.to_dict()

        balance_after: dict[str, Any] | None
        if isinstance(self.balance_after, Money):
            balance_after = self.balance_after.to_dict()
        else:
            balance_after = self.balance_after

        counterparty: dict[str, Any] | None
        if isinstance(self.counterparty, Counterparty):
            counterparty = self.counterparty.to_dict()
        else:
            counterparty = self.counterparty

        memo = self.memo

        reason_code = self.reason_code

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "transaction_id": transaction_id,
                "entry_id": entry_id,
                "kind": kind,
                "direction": direction,
                "amount": amount,
                "balance_after": balance_after,
                "counterparty": counterparty,
                "memo": memo,
                "reason_code": reason_code,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.counterparty import Counterparty
        from ..models.money import Money

        d = dict(src_dict)
        transaction_id = UUID(d.pop("transaction_id"))

        entry_id = d.pop("entry_id")

        kind = d.pop("kind")

        direction = check_direction_enum(d.pop("direction"))

        amount = Money.from_dict(d.pop("amount"))

        def _parse_balance_after(data: object) -> Money | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                balance_after_type_1 = Money.from_dict(data)

                return balance_after_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Money | None, data)

        balance_after = _parse_balance_after(d.pop("balance_after"))

        def _parse_counterparty(data: object) -> Counterparty | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                counterparty_type_1 = Counterparty.from_dict(data)

                return counterparty_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Counterparty | None, data)

        counterparty = _parse_counterparty(d.pop("counterparty"))

        memo = d.pop("memo")

        reason_code = d.pop("reason_code")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        history_item = cls(
            transaction_id=transaction_id,
            entry_id=entry_id,
            kind=kind,
            direction=direction,
            amount=amount,
            balance_after=balance_after,
            counterparty=counterparty,
            memo=memo,
            reason_code=reason_code,
            created_at=created_at,
        )

        history_item.additional_properties = d
        return history_item

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
