from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.for_enum import ForEnum, check_for_enum

T = TypeVar("T", bound="PointsRedeemInputRequest")


@_attrs_define
class PointsRedeemInputRequest:
    """
    Attributes:
        points (int): Points to redeem: a whole multiple of the step (100 by default), at least one step.
        for_ (ForEnum): * `CASH` - CASH
        pin (str): Payment PIN (6 digits)
    """

    points: int
    for_: ForEnum
    pin: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        points = self.points

        for_: str = self.for_

        pin = self.pin

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "points": points,
                "for": for_,
                "pin": pin,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        points = d.pop("points")

        for_ = check_for_enum(d.pop("for"))

        pin = d.pop("pin")

        points_redeem_input_request = cls(
            points=points,
            for_=for_,
            pin=pin,
        )

        points_redeem_input_request.additional_properties = d
        return points_redeem_input_request

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
