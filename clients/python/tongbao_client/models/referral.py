from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="Referral")


@_attrs_define
class Referral:
    """
    Attributes:
        code (str): My referral code (8 characters): a friend enters it at sign-up.
        link (str): My referral link (opens the app's sign-up with the code).
        invited (int): People who signed up with my code.
        pending (int): Not qualified yet (KYC, a first payment with their own money).
        qualified (int): Qualified: rewards held until the cooling-off ends, or paid.
        refused (int): Refused (e.g. the same phone, card or identity as me).
        rewards_paid (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every
            app.
        rewards_held (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every
            app.
    """

    code: str
    link: str
    invited: int
    pending: int
    qualified: int
    refused: int
    rewards_paid: Money
    rewards_held: Money
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        link = self.link

        invited = self.invited

        pending = self.pending

        qualified = self.qualified

        refused = self.refused

        rewards_paid = self.rewards_paid.to_dict()

        rewards_held = self.rewards_held.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "link": link,
                "invited": invited,
                "pending": pending,
                "qualified": qualified,
                "refused": refused,
                "rewards_paid": rewards_paid,
                "rewards_held": rewards_held,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        code = d.pop("code")

        link = d.pop("link")

        invited = d.pop("invited")

        pending = d.pop("pending")

        qualified = d.pop("qualified")

        refused = d.pop("refused")

        rewards_paid = Money.from_dict(d.pop("rewards_paid"))

        rewards_held = Money.from_dict(d.pop("rewards_held"))

        referral = cls(
            code=code,
            link=link,
            invited=invited,
            pending=pending,
            qualified=qualified,
            refused=refused,
            rewards_paid=rewards_paid,
            rewards_held=rewards_held,
        )

        referral.additional_properties = d
        return referral

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
