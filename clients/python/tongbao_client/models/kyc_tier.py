from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="KycTier")


@_attrs_define
class KycTier:
    """
    Attributes:
        level (int):
        name (str): In the request's language
        per_transaction_limit (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared
            by every app.
        daily_limit (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every
            app.
        monthly_limit (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every
            app.
        balance_cap (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every
            app.
        passkey_replaces_pin (bool): A passkey confirms a payment without the payment PIN at this tier (else with it)
        how_to_reach (str): What the customer does to reach this tier, in their language
        endpoint (str): The API call that reaches it, when there is one; else empty
    """

    level: int
    name: str
    per_transaction_limit: Money
    daily_limit: Money
    monthly_limit: Money
    balance_cap: Money
    passkey_replaces_pin: bool
    how_to_reach: str
    endpoint: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        level = self.level

        name = self.name

        per_transaction_limit = self.per_transaction_limit.to_dict()

        daily_limit = self.daily_limit.to_dict()

        monthly_limit = self.monthly_limit.to_dict()

        balance_cap = self.balance_cap.to_dict()

        passkey_replaces_pin = self.passkey_replaces_pin

        how_to_reach = self.how_to_reach

        endpoint = self.endpoint

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "level": level,
                "name": name,
                "per_transaction_limit": per_transaction_limit,
                "daily_limit": daily_limit,
                "monthly_limit": monthly_limit,
                "balance_cap": balance_cap,
                "passkey_replaces_pin": passkey_replaces_pin,
                "how_to_reach": how_to_reach,
                "endpoint": endpoint,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        level = d.pop("level")

        name = d.pop("name")

        per_transaction_limit = Money.from_dict(d.pop("per_transaction_limit"))

        daily_limit = Money.from_dict(d.pop("daily_limit"))

        monthly_limit = Money.from_dict(d.pop("monthly_limit"))

        balance_cap = Money.from_dict(d.pop("balance_cap"))

        passkey_replaces_pin = d.pop("passkey_replaces_pin")

        how_to_reach = d.pop("how_to_reach")

        endpoint = d.pop("endpoint")

        kyc_tier = cls(
            level=level,
            name=name,
            per_transaction_limit=per_transaction_limit,
            daily_limit=daily_limit,
            monthly_limit=monthly_limit,
            balance_cap=balance_cap,
            passkey_replaces_pin=passkey_replaces_pin,
            how_to_reach=how_to_reach,
            endpoint=endpoint,
        )

        kyc_tier.additional_properties = d
        return kyc_tier

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
