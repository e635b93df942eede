from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money import Money
    from ..models.points_entry import PointsEntry
    from ..models.points_expiring import PointsExpiring


T = TypeVar("T", bound="Points")


@_attrs_define
class Points:
    """
    Attributes:
        balance (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every app.
        expiring (list[PointsExpiring]): Points still to expire, soonest first (up to 20 lots).
        history (list[PointsEntry]): The latest 50 movements, newest first.
    """

    balance: Money
    expiring: list[PointsExpiring]
    history: list[PointsEntry]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        balance = self.balance.to_dict()

        expiring = []
        for expiring_item_data in self.expiring:
            expiring_item = expiring_item_data.to_dict()
            expiring.append(expiring_item)

        history = []
        for history_item_data in self.history:
            history_item = history_item_data.to_dict()
            history.append(history_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "balance": balance,
                "expiring": expiring,
                "history": history,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money
        from ..models.points_entry import PointsEntry
        from ..models.points_expiring import PointsExpiring

        d = dict(src_dict)
        balance = Money.from_dict(d.pop("balance"))

        expiring = []
        _expiring = d.pop("expiring")
        for expiring_item_data in _expiring:
            expiring_item = PointsExpiring.from_dict(expiring_item_data)

            expiring.append(expiring_item)

        history = []
        _history = d.pop("history")
        for history_item_data in _history:
            history_item = PointsEntry.from_dict(history_item_data)

            history.append(history_item)

        points = cls(
            balance=balance,
            expiring=expiring,
            history=history,
        )

        points.additional_properties = d
        return points

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
