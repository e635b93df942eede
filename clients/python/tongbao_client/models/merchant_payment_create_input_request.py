from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="MerchantPaymentCreateInputRequest")


@_attrs_define
class MerchantPaymentCreateInputRequest:
    """
    Attributes:
        qr (str):
        pin (str):
        amount (str | Unset):
        currency (str | Unset):
    """

    qr: str
    pin: str
    amount: str | Unset = UNSET
    currency: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        qr = self.qr

        pin = self.pin

        amount = self.amount

        currency = self.currency

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "qr": qr,
                "pin": pin,
            }
        )
        if amount is not UNSET:
            field_dict["amount"] = amount
        if currency is not UNSET:
            field_dict["currency"] = currency

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        qr = d.pop("qr")

        pin = d.pop("pin")

        amount = d.pop("amount", UNSET)

        currency = d.pop("currency", UNSET)

        merchant_payment_create_input_request = cls(
            qr=qr,
            pin=pin,
            amount=amount,
            currency=currency,
        )

        merchant_payment_create_input_request.additional_properties = d
        return merchant_payment_create_input_request

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
