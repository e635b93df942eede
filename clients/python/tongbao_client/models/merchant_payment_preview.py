from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.merchant_summary import MerchantSummary
    from ..models.money import Money


T = TypeVar("T", bound="MerchantPaymentPreview")


@_attrs_define
class MerchantPaymentPreview:
    """
    Attributes:
        merchant (MerchantSummary):
        currency (str):
        amount (Money | None): Fixed by a dynamic QR (an order); null: the customer types it
        amount_required (bool): Send `amount` with `POST /api/v1/payments`
        order_id (None | UUID):
        description (str): The merchant's description of the order, if any
        expires_at (datetime.datetime | None): A dynamic QR is refused after this moment
    """

    merchant: MerchantSummary
    currency: str
    amount: Money | None
    amount_required: bool
    order_id: None | UUID
    description: str
    expires_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.money import Money

        merchant = self.merchant.to_dict()

        currency = self.currency

        amount: dict[str, Any] | None
        if isinstance(self.amount, Money):
            amount = self.amount.to_dict()
        else:
            amount = self.amount

        amount_required = self.amount_required

        order_id: None | str
        if isinstance(self.order_id, UUID):
            order_id = str(self.order_id)
        else:
            order_id = self.order_id

        description = self.description

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "merchant": merchant,
                "currency": currency,
                "amount": amount,
                "amount_required": amount_required,
                "order_id": order_id,
                "description": description,
                "expires_at": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.merchant_summary import MerchantSummary
        from ..models.money import Money

        d = dict(src_dict)
        merchant = MerchantSummary.from_dict(d.pop("merchant"))

        currency = d.pop("currency")

        def _parse_amount(data: object) -> Money | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                amount_type_1 = Money.from_dict(data)

                return amount_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Money | None, data)

        amount = _parse_amount(d.pop("amount"))

        amount_required = d.pop("amount_required")

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

        description = d.pop("description")

        def _parse_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        expires_at = _parse_expires_at(d.pop("expires_at"))

        merchant_payment_preview = cls(
            merchant=merchant,
            currency=currency,
            amount=amount,
            amount_required=amount_required,
            order_id=order_id,
            description=description,
            expires_at=expires_at,
        )

        merchant_payment_preview.additional_properties = d
        return merchant_payment_preview

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
