from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.payment_benefit_status_enum import PaymentBenefitStatusEnum, check_payment_benefit_status_enum

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="PaymentBenefit")


@_attrs_define
class PaymentBenefit:
    """
    Attributes:
        campaign (UUID):
        kind (str): FIRST_ORDER, SPEND_THRESHOLD, COUPON, LIMITED_TIME, CO_FUNDED
        name (str): The campaign's name in the request's language
        status (PaymentBenefitStatusEnum): * `APPLIED` - APPLIED
            * `SKIPPED` - SKIPPED
        reason (str): Why it was skipped (empty when applied): stacking_group, stacking_exclusive, first_order_used,
            per_person_limit, global_limit, budget_exhausted, exceeds_amount, holdout
        amount (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every app.
    """

    campaign: UUID
    kind: str
    name: str
    status: PaymentBenefitStatusEnum
    reason: str
    amount: Money
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        campaign = str(self.campaign)

        kind = self.kind

        name = self.name

        status: str = self.status

        reason = self.reason

        amount = self.amount.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "campaign": campaign,
                "kind": kind,
                "name": name,
                "status": status,
                "reason": reason,
                "amount": amount,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        campaign = UUID(d.pop("campaign"))

        kind = d.pop("kind")

        name = d.pop("name")

        status = check_payment_benefit_status_enum(d.pop("status"))

        reason = d.pop("reason")

        amount = Money.from_dict(d.pop("amount"))

        payment_benefit = cls(
            campaign=campaign,
            kind=kind,
            name=name,
            status=status,
            reason=reason,
            amount=amount,
        )

        payment_benefit.additional_properties = d
        return payment_benefit

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
