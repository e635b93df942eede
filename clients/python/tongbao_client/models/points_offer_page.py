from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.points_offer import PointsOffer


T = TypeVar("T", bound="PointsOfferPage")


@_attrs_define
class PointsOfferPage:
    """
    Attributes:
        results (list[PointsOffer]):
        next_cursor (None | str): Pass as `cursor` for the next page; null on the last page.
        previous_cursor (None | str): Pass as `cursor` for the page before; null on the first page.
        next_ (None | str): The next page as a link (same cursor).
        previous (None | str): The page before as a link.
    """

    results: list[PointsOffer]
    next_cursor: None | str
    previous_cursor: None | str
    next_: None | str
    previous: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        next_cursor: None | str
        next_cursor = self.next_cursor

        previous_cursor: None | str
        previous_cursor = self.previous_cursor

        next_: None | str
        next_ = self.next_

        previous: None | str
        previous = self.previous

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "results": results,
                "next_cursor": next_cursor,
                "previous_cursor": previous_cursor,
                "next": next_,
                "previous": previous,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.points_offer import PointsOffer

        d = dict(src_dict)
        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = PointsOffer.from_dict(results_item_data)

            results.append(results_item)

        def _parse_next_cursor(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_cursor = _parse_next_cursor(d.pop("next_cursor"))

        def _parse_previous_cursor(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        previous_cursor = _parse_previous_cursor(d.pop("previous_cursor"))

        def _parse_next_(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_ = _parse_next_(d.pop("next"))

        def _parse_previous(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        previous = _parse_previous(d.pop("previous"))

        points_offer_page = cls(
            results=results,
            next_cursor=next_cursor,
            previous_cursor=previous_cursor,
            next_=next_,
            previous=previous,
        )

        points_offer_page.additional_properties = d
        return points_offer_page

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
