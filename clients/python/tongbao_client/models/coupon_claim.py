from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.coupon_claim_status_enum import CouponClaimStatusEnum, check_coupon_claim_status_enum

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="CouponClaim")


@_attrs_define
class CouponClaim:
    """
    Attributes:
        id (UUID):
        campaign_id (UUID):
        name (str): The campaign's name in the request's language.
        discount (Money | None):
        min_amount (Money | None): The payment must be at least this (null: any amount).
        status (CouponClaimStatusEnum): * `AVAILABLE` - Available
            * `USED` - Used
            * `EXPIRED` - Expired
        claimed_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        expires_at (datetime.datetime): Usable until then (the campaign's end).
    """

    id: UUID
    campaign_id: UUID
    name: str
    discount: Money | None
    min_amount: Money | None
    status: CouponClaimStatusEnum
    claimed_at: datetime.datetime
    expires_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.money import Money

        id = str(self.id)

        campaign_id = str(self.campaign_id)

        name = self.name

        discount: dict[str, Any] | None
        if isinstance(self.discount, Money):
            discount = self.discount.to_dict()
        else:
            discount = self.discount

        min_amount: dict[str, Any] | None
        if isinstance(self.min_amount, Money):
            min_amount = self.min_amount.to_dict()
        else:
            min_amount = self.min_amount

        status: str = self.status

        claimed_at = self.claimed_at.isoformat()

        expires_at = self.expires_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "campaign_id": campaign_id,
                "name": name,
                "discount": discount,
                "min_amount": min_amount,
                "status": status,
                "claimed_at": claimed_at,
                "expires_at": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        campaign_id = UUID(d.pop("campaign_id"))

        name = d.pop("name")

        def _parse_discount(data: object) -> Money | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                discount_type_1 = Money.from_dict(data)

                return discount_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Money | None, data)

        discount = _parse_discount(d.pop("discount"))

        def _parse_min_amount(data: object) -> Money | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                min_amount_type_1 = Money.from_dict(data)

                return min_amount_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Money | None, data)

        min_amount = _parse_min_amount(d.pop("min_amount"))

        status = check_coupon_claim_status_enum(d.pop("status"))

        claimed_at = datetime.datetime.fromisoformat(d.pop("claimed_at"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        coupon_claim = cls(
            id=id,
            campaign_id=campaign_id,
            name=name,
            discount=discount,
            min_amount=min_amount,
            status=status,
            claimed_at=claimed_at,
            expires_at=expires_at,
        )

        coupon_claim.additional_properties = d
        return coupon_claim

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
