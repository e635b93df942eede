from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.coupon_claim import CouponClaim
    from ..models.money import Money


T = TypeVar("T", bound="PointsOfferRedemption")


@_attrs_define
class PointsOfferRedemption:
    """
    Attributes:
        id (UUID): The redemption's id.
        offer_id (UUID):
        points (int): Points spent.
        points_transfer_id (UUID): The ledger transfer that took the points.
        coupon (CouponClaim):
        points_balance (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by
            every app.
        created_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
    """

    id: UUID
    offer_id: UUID
    points: int
    points_transfer_id: UUID
    coupon: CouponClaim
    points_balance: Money
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        offer_id = str(self.offer_id)

        points = self.points

        points_transfer_id = str(self.points_transfer_id)

        coupon = self.coupon.to_dict()

        points_balance = self.points_balance.to_dict()

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "offer_id": offer_id,
                "points": points,
                "points_transfer_id": points_transfer_id,
                "coupon": coupon,
                "points_balance": points_balance,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.coupon_claim import CouponClaim
        from ..models.money import Money

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        offer_id = UUID(d.pop("offer_id"))

        points = d.pop("points")

        points_transfer_id = UUID(d.pop("points_transfer_id"))

        coupon = CouponClaim.from_dict(d.pop("coupon"))

        points_balance = Money.from_dict(d.pop("points_balance"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        points_offer_redemption = cls(
            id=id,
            offer_id=offer_id,
            points=points,
            points_transfer_id=points_transfer_id,
            coupon=coupon,
            points_balance=points_balance,
            created_at=created_at,
        )

        points_offer_redemption.additional_properties = d
        return points_offer_redemption

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
