from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="SpendingCategory")


@_attrs_define
class SpendingCategory:
    """
    Attributes:
        category (str): Stable code: DINING, GROCERIES, ..., BILLS_<biller category>, P2P
        label (str): The category's name in the request's language (Accept-Language)
        amount (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every app.
        count (int):
    """

    category: str
    label: str
    amount: Money
    count: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        category = self.category

        label = self.label

        amount = self.amount.to_dict()

        count = self.count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "category": category,
                "label": label,
                "amount": amount,
                "count": count,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        category = d.pop("category")

        label = d.pop("label")

        amount = Money.from_dict(d.pop("amount"))

        count = d.pop("count")

        spending_category = cls(
            category=category,
            label=label,
            amount=amount,
            count=count,
        )

        spending_category.additional_properties = d
        return spending_category

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
