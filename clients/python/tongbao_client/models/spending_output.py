from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money import Money
    from ..models.spending_category import SpendingCategory


T = TypeVar("T", bound="SpendingOutput")


@_attrs_define
class SpendingOutput:
    """
    Attributes:
        month (str):
        categories (list[SpendingCategory]):
        totals (list[Money]):
    """

    month: str
    categories: list[SpendingCategory]
    totals: list[Money]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        month = self.month

        categories = []
        for categories_item_data in self.categories:
            categories_item = categories_item_data.to_dict()
            categories.append(categories_item)

        totals = []
        for totals_item_data in self.totals:
            totals_item = totals_item_data.to_dict()
            totals.append(totals_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "month": month,
                "categories": categories,
                "totals": totals,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money
        from ..models.spending_category import SpendingCategory

        d = dict(src_dict)
        month = d.pop("month")

        categories = []
        _categories = d.pop("categories")
        for categories_item_data in _categories:
            categories_item = SpendingCategory.from_dict(categories_item_data)

            categories.append(categories_item)

        totals = []
        _totals = d.pop("totals")
        for totals_item_data in _totals:
            totals_item = Money.from_dict(totals_item_data)

            totals.append(totals_item)

        spending_output = cls(
            month=month,
            categories=categories,
            totals=totals,
        )

        spending_output.additional_properties = d
        return spending_output

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
