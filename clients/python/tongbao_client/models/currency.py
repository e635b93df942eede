from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Currency")


@_attrs_define
class Currency:
    """
    Attributes:
        code (str): ISO 4217
        name (str): In the request's language
        decimals (int): Digits after the decimal point an amount may have (JPY: 0)
        example_amount (str): An amount written as the API takes it
        top_up_and_withdraw (bool): Top-ups and withdrawals with a bank card
        exchange (bool): Can be bought or sold with `POST /api/v1/fx/quotes`
        limits_currency (str): KYC limits count this currency at its CNY equivalent
    """

    code: str
    name: str
    decimals: int
    example_amount: str
    top_up_and_withdraw: bool
    exchange: bool
    limits_currency: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        name = self.name

        decimals = self.decimals

        example_amount = self.example_amount

        top_up_and_withdraw = self.top_up_and_withdraw

        exchange = self.exchange

        limits_currency = self.limits_currency

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "name": name,
                "decimals": decimals,
                "example_amount": example_amount,
                "top_up_and_withdraw": top_up_and_withdraw,
                "exchange": exchange,
                "limits_currency": limits_currency,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        code = d.pop("code")

        name = d.pop("name")

        decimals = d.pop("decimals")

        example_amount = d.pop("example_amount")

        top_up_and_withdraw = d.pop("top_up_and_withdraw")

        exchange = d.pop("exchange")

        limits_currency = d.pop("limits_currency")

        currency = cls(
            code=code,
            name=name,
            decimals=decimals,
            example_amount=example_amount,
            top_up_and_withdraw=top_up_and_withdraw,
            exchange=exchange,
            limits_currency=limits_currency,
        )

        currency.additional_properties = d
        return currency

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
