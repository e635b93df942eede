from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.bank_product_category_enum import BankProductCategoryEnum, check_bank_product_category_enum

T = TypeVar("T", bound="BankProduct")


@_attrs_define
class BankProduct:
    """
    Attributes:
        id (UUID):
        code (str):
        category (BankProductCategoryEnum): * `WEALTH` - Wealth management
            * `DEPOSIT` - Deposit
            * `CONSUMER_LOAN` - Consumer loan
            * `SMALL_BUSINESS_LOAN` - Small-business loan
        name (str): In the request's language (zh-hans or en).
        description (str):
    """

    id: UUID
    code: str
    category: BankProductCategoryEnum
    name: str
    description: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        code = self.code

        category: str = self.category

        name = self.name

        description = self.description

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "code": code,
                "category": category,
                "name": name,
                "description": description,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        code = d.pop("code")

        category = check_bank_product_category_enum(d.pop("category"))

        name = d.pop("name")

        description = d.pop("description")

        bank_product = cls(
            id=id,
            code=code,
            category=category,
            name=name,
            description=description,
        )

        bank_product.additional_properties = d
        return bank_product

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
