from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.merchant_ref import MerchantRef
    from ..models.money import Money
    from ..models.payment_benefit import PaymentBenefit


T = TypeVar("T", bound="MerchantPaymentCreateOutput")


@_attrs_define
class MerchantPaymentCreateOutput:
    """
    Attributes:
        id (UUID):
        transfer_id (UUID):
        status (str):
        merchant (MerchantRef):
        order_id (None | UUID):
        amount (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every app.
        discount (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every app.
        paid (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every app.
        benefits (list[PaymentBenefit]): Campaigns applied, and those skipped and why
        created_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
    """

    id: UUID
    transfer_id: UUID
    status: str
    merchant: MerchantRef
    order_id: None | UUID
    amount: Money
    discount: Money
    paid: Money
    benefits: list[PaymentBenefit]
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        transfer_id = str(self.transfer_id)

        status = self.status

        merchant = self.merchant.to_dict()

        order_id: None | str
        if isinstance(self.order_id, UUID):
            order_id = str(self.order_id)
        else:
            order_id = self.order_id

        amount = self.amount.to_dict()

        discount = self.discount.to_dict()

        paid = self.paid.to_dict()

        benefits = []
        for benefits_item_data in self.benefits:
            benefits_item = benefits_item_data.to_dict()
            benefits.append(benefits_item)

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "transfer_id": transfer_id,
                "status": status,
                "merchant": merchant,
                "order_id": order_id,
                "amount": amount,
                "discount": discount,
                "paid": paid,
                "benefits": benefits,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.merchant_ref import MerchantRef
        from ..models.money import Money
        from ..models.payment_benefit import PaymentBenefit

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        transfer_id = UUID(d.pop("transfer_id"))

        status = d.pop("status")

        merchant = MerchantRef.from_dict(d.pop("merchant"))

        def _parse_order_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                order_id_type_0 = UUID(data)

                return order_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        order_id = _parse_order_id(d.pop("order_id"))

        amount = Money.from_dict(d.pop("amount"))

        discount = Money.from_dict(d.pop("discount"))

        paid = Money.from_dict(d.pop("paid"))

        benefits = []
        _benefits = d.pop("benefits")
        for benefits_item_data in _benefits:
            benefits_item = PaymentBenefit.from_dict(benefits_item_data)

            benefits.append(benefits_item)

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        merchant_payment_create_output = cls(
            id=id,
            transfer_id=transfer_id,
            status=status,
            merchant=merchant,
            order_id=order_id,
            amount=amount,
            discount=discount,
            paid=paid,
            benefits=benefits,
            created_at=created_at,
        )

        merchant_payment_create_output.additional_properties = d
        return merchant_payment_create_output

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
