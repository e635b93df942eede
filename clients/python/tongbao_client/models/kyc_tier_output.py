from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="KycTierOutput")


@_attrs_define
class KycTierOutput:
    """
    Attributes:
        level (int):
        name (str):
        currency (str):
        per_transaction_limit (str):
        daily_limit (str):
        monthly_limit (str):
        balance_cap (str):
    """

    level: int
    name: str
    currency: str
    per_transaction_limit: str
    daily_limit: str
    monthly_limit: str
    balance_cap: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        level = self.level

        name = self.name

        currency = self.currency

        per_transaction_limit = self.per_transaction_limit

        daily_limit = self.daily_limit

        monthly_limit = self.monthly_limit

        balance_cap = self.balance_cap

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "level": level,
                "name": name,
                "currency": currency,
                "per_transaction_limit": per_transaction_limit,
                "daily_limit": daily_limit,
                "monthly_limit": monthly_limit,
                "balance_cap": balance_cap,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        level = d.pop("level")

        name = d.pop("name")

        currency = d.pop("currency")

        per_transaction_limit = d.pop("per_transaction_limit")

        daily_limit = d.pop("daily_limit")

        monthly_limit = d.pop("monthly_limit")

        balance_cap = d.pop("balance_cap")

        kyc_tier_output = cls(
            level=level,
            name=name,
            currency=currency,
            per_transaction_limit=per_transaction_limit,
            daily_limit=daily_limit,
            monthly_limit=monthly_limit,
            balance_cap=balance_cap,
        )

        kyc_tier_output.additional_properties = d
        return kyc_tier_output

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
