from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="PointsOffer")


@_attrs_define
class PointsOffer:
    """
    Attributes:
        id (UUID): The offer's id (its coupon campaign's public id).
        name (str):
        description (str):
        points (int): The price of one coupon, in points.
        discount (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every app.
        min_amount (Money | None): The payment must be at least this (null: any).
        stock_left (int): Coupons left for points (0: sold out).
        my_left (int | None): How many more I may redeem (null: no limit).
        affordable (bool): I can redeem it now: enough points, stock and limit left.
        closes_at (datetime.datetime): The offer can be redeemed until then.
        coupon_expires_at (datetime.datetime): A coupon redeemed now is usable until then.
    """

    id: UUID
    name: str
    description: str
    points: int
    discount: Money
    min_amount: Money | None
    stock_left: int
    my_left: int | None
    affordable: bool
    closes_at: datetime.datetime
    coupon_expires_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.money import Money

        id = str(self.id)

        name = self.name

        description = self.description

        points = self.points

        discount = self.discount.to_dict()

        min_amount: dict[str, Any] | None
        if isinstance(self.min_amount, Money):
            min_amount = self.min_amount.to_dict()
        else:
            min_amount = self.min_amount

        stock_left = self.stock_left

        my_left: int | None
        my_left = self.my_left

        affordable = self.affordable

        closes_at = self.closes_at.isoformat()

        coupon_expires_at = self.coupon_expires_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "description": description,
                "points": points,
                "discount": discount,
                "min_amount": min_amount,
                "stock_left": stock_left,
                "my_left": my_left,
                "affordable": affordable,
                "closes_at": closes_at,
                "coupon_expires_at": coupon_expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        name = d.pop("name")

        description = d.pop("description")

        points = d.pop("points")

        discount = Money.from_dict(d.pop("discount"))

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

        stock_left = d.pop("stock_left")

        def _parse_my_left(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        my_left = _parse_my_left(d.pop("my_left"))

        affordable = d.pop("affordable")

        closes_at = datetime.datetime.fromisoformat(d.pop("closes_at"))

        coupon_expires_at = datetime.datetime.fromisoformat(d.pop("coupon_expires_at"))

        points_offer = cls(
            id=id,
            name=name,
            description=description,
            points=points,
            discount=discount,
            min_amount=min_amount,
            stock_left=stock_left,
            my_left=my_left,
            affordable=affordable,
            closes_at=closes_at,
            coupon_expires_at=coupon_expires_at,
        )

        points_offer.additional_properties = d
        return points_offer

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
