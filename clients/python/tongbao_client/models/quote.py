from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="Quote")


@_attrs_define
class Quote:
    """
    Attributes:
        id (UUID):
        sell (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every app.
        buy (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every app.
        rate (str): buy-currency units per 1 sell-currency unit, spread included
        expires_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        status (str):
        transfer_id (None | UUID):
    """

    id: UUID
    sell: Money
    buy: Money
    rate: str
    expires_at: datetime.datetime
    status: str
    transfer_id: None | UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        sell = self.sell.to_dict()

        buy = self.buy.to_dict()

        rate = self.rate

        expires_at = self.expires_at.isoformat()

        status = self.status

        transfer_id: None | str
        if isinstance(self.transfer_id, UUID):
            transfer_id = str(self.transfer_id)
        else:
            transfer_id = self.transfer_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "sell": sell,
                "buy": buy,
                "rate": rate,
                "expires_at": expires_at,
                "status": status,
                "transfer_id": transfer_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        sell = Money.from_dict(d.pop("sell"))

        buy = Money.from_dict(d.pop("buy"))

        rate = d.pop("rate")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        status = d.pop("status")

        def _parse_transfer_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                transfer_id_type_0 = UUID(data)

                return transfer_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        transfer_id = _parse_transfer_id(d.pop("transfer_id"))

        quote = cls(
            id=id,
            sell=sell,
            buy=buy,
            rate=rate,
            expires_at=expires_at,
            status=status,
            transfer_id=transfer_id,
        )

        quote.additional_properties = d
        return quote

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
