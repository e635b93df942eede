from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="RiskChallengeConfirmOutput")


@_attrs_define
class RiskChallengeConfirmOutput:
    """
    Attributes:
        challenge_id (UUID):
        confirmed (bool):
        amount (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every app.
        expires_at (datetime.datetime): Use it for the payment before then.
    """

    challenge_id: UUID
    confirmed: bool
    amount: Money
    expires_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        challenge_id = str(self.challenge_id)

        confirmed = self.confirmed

        amount = self.amount.to_dict()

        expires_at = self.expires_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "challenge_id": challenge_id,
                "confirmed": confirmed,
                "amount": amount,
                "expires_at": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        challenge_id = UUID(d.pop("challenge_id"))

        confirmed = d.pop("confirmed")

        amount = Money.from_dict(d.pop("amount"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        risk_challenge_confirm_output = cls(
            challenge_id=challenge_id,
            confirmed=confirmed,
            amount=amount,
            expires_at=expires_at,
        )

        risk_challenge_confirm_output.additional_properties = d
        return risk_challenge_confirm_output

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
