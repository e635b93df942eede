from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.biller_ref import BillerRef
    from ..models.money import Money


T = TypeVar("T", bound="Receipt")


@_attrs_define
class Receipt:
    """
    Attributes:
        id (UUID):
        receipt_no (str):
        transfer_id (UUID):
        status (str):
        biller (BillerRef):
        account_number (str):
        amount (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every app.
        refunded (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every app.
        paid_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
    """

    id: UUID
    receipt_no: str
    transfer_id: UUID
    status: str
    biller: BillerRef
    account_number: str
    amount: Money
    refunded: Money
    paid_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        receipt_no = self.receipt_no

        transfer_id = str(self.transfer_id)

        status = self.status

        biller = self.biller.to_dict()

        account_number = self.account_number

        amount = self.amount.to_dict()

        refunded = self.refunded.to_dict()

        paid_at = self.paid_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "receipt_no": receipt_no,
                "transfer_id": transfer_id,
                "status": status,
                "biller": biller,
                "account_number": account_number,
                "amount": amount,
                "refunded": refunded,
                "paid_at": paid_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.biller_ref import BillerRef
        from ..models.money import Money

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        receipt_no = d.pop("receipt_no")

        transfer_id = UUID(d.pop("transfer_id"))

        status = d.pop("status")

        biller = BillerRef.from_dict(d.pop("biller"))

        account_number = d.pop("account_number")

        amount = Money.from_dict(d.pop("amount"))

        refunded = Money.from_dict(d.pop("refunded"))

        paid_at = datetime.datetime.fromisoformat(d.pop("paid_at"))

        receipt = cls(
            id=id,
            receipt_no=receipt_no,
            transfer_id=transfer_id,
            status=status,
            biller=biller,
            account_number=account_number,
            amount=amount,
            refunded=refunded,
            paid_at=paid_at,
        )

        receipt.additional_properties = d
        return receipt

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
