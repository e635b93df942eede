from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.account_number_format import AccountNumberFormat
    from ..models.money import Money


T = TypeVar("T", bound="BillerListOutput")


@_attrs_define
class BillerListOutput:
    """
    Attributes:
        code (str):
        name (str):
        category (str):
        currency (str):
        min_amount (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every
            app.
        max_amount (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every
            app.
        account_number_format (AccountNumberFormat):
    """

    code: str
    name: str
    category: str
    currency: str
    min_amount: Money
    max_amount: Money
    account_number_format: AccountNumberFormat
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        name = self.name

        category = self.category

        currency = self.currency

        min_amount = self.min_amount.to_dict()

        max_amount = self.max_amount.to_dict()

        account_number_format = self.account_number_format.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "name": name,
                "category": category,
                "currency": currency,
                "min_amount": min_amount,
                "max_amount": max_amount,
                "account_number_format": account_number_format,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.account_number_format import AccountNumberFormat
        from ..models.money import Money

        d = dict(src_dict)
        code = d.pop("code")

        name = d.pop("name")

        category = d.pop("category")

        currency = d.pop("currency")

        min_amount = Money.from_dict(d.pop("min_amount"))

        max_amount = Money.from_dict(d.pop("max_amount"))

        account_number_format = AccountNumberFormat.from_dict(d.pop("account_number_format"))

        biller_list_output = cls(
            code=code,
            name=name,
            category=category,
            currency=currency,
            min_amount=min_amount,
            max_amount=max_amount,
            account_number_format=account_number_format,
        )

        biller_list_output.additional_properties = d
        return biller_list_output

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
