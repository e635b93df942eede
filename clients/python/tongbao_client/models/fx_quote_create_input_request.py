from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="FxQuoteCreateInputRequest")


@_attrs_define
class FxQuoteCreateInputRequest:
    """
    Attributes:
        sell_currency (str):
        buy_currency (str):
        sell_amount (str | Unset):
        buy_amount (str | Unset):
    """

    sell_currency: str
    buy_currency: str
    sell_amount: str | Unset = UNSET
    buy_amount: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        sell_currency = self.sell_currency

        buy_currency = self.buy_currency

        sell_amount = self.sell_amount

        buy_amount = self.buy_amount

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "sell_currency": sell_currency,
                "buy_currency": buy_currency,
            }
        )
        if sell_amount is not UNSET:
            field_dict["sell_amount"] = sell_amount
        if buy_amount is not UNSET:
            field_dict["buy_amount"] = buy_amount

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        sell_currency = d.pop("sell_currency")

        buy_currency = d.pop("buy_currency")

        sell_amount = d.pop("sell_amount", UNSET)

        buy_amount = d.pop("buy_amount", UNSET)

        fx_quote_create_input_request = cls(
            sell_currency=sell_currency,
            buy_currency=buy_currency,
            sell_amount=sell_amount,
            buy_amount=buy_amount,
        )

        fx_quote_create_input_request.additional_properties = d
        return fx_quote_create_input_request

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
