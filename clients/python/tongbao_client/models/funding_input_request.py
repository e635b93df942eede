from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="FundingInputRequest")


@_attrs_define
class FundingInputRequest:
    """
    Attributes:
        card (UUID):
        amount (str):
        pin (str):
        currency (str | Unset):  Default: 'CNY'.
    """

    card: UUID
    amount: str
    pin: str
    currency: str | Unset = "CNY"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        card = str(self.card)

        amount = self.amount

        pin = self.pin

        currency = self.currency

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "card": card,
                "amount": amount,
                "pin": pin,
            }
        )
        if currency is not UNSET:
            field_dict["currency"] = currency

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        card = UUID(d.pop("card"))

        amount = d.pop("amount")

        pin = d.pop("pin")

        currency = d.pop("currency", UNSET)

        funding_input_request = cls(
            card=card,
            amount=amount,
            pin=pin,
            currency=currency,
        )

        funding_input_request.additional_properties = d
        return funding_input_request

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
