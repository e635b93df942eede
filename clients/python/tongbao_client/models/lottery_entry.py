from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.outcome_enum import OutcomeEnum, check_outcome_enum

if TYPE_CHECKING:
    from ..models.lottery_draw_public import LotteryDrawPublic
    from ..models.money import Money


T = TypeVar("T", bound="LotteryEntry")


@_attrs_define
class LotteryEntry:
    """
    Attributes:
        campaign_id (UUID):
        name (str):
        ticket (str): What the draw hashes: HMAC-SHA256(seed, ticket) ranks the entries.
        entered_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        outcome (OutcomeEnum): * `PENDING` - Waiting for the draw
            * `WON` - Won a prize
            * `NO_PRIZE` - No prize
            * `VOIDED` - Withdrawn: the payment was refunded
        prize (Money | None):
        prize_status (None | str): PAID, or SKIPPED (e.g. wallet frozen).
        draw (LotteryDrawPublic):
    """

    campaign_id: UUID
    name: str
    ticket: str
    entered_at: datetime.datetime
    outcome: OutcomeEnum
    prize: Money | None
    prize_status: None | str
    draw: LotteryDrawPublic
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.money import Money

        campaign_id = str(self.campaign_id)

        name = self.name

        ticket = self.ticket

        entered_at = self.entered_at.isoformat()

        outcome: str = self.outcome

        prize: dict[str, Any] | None
        if isinstance(self.prize, Money):
            prize = self.prize.to_dict()
        else:
            prize = self.prize

        prize_status: None | str
        prize_status = self.prize_status

        draw = self.draw.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "campaign_id": campaign_id,
                "name": name,
                "ticket": ticket,
                "entered_at": entered_at,
                "outcome": outcome,
                "prize": prize,
                "prize_status": prize_status,
                "draw": draw,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.lottery_draw_public import LotteryDrawPublic
        from ..models.money import Money

        d = dict(src_dict)
        campaign_id = UUID(d.pop("campaign_id"))

        name = d.pop("name")

        ticket = d.pop("ticket")

        entered_at = datetime.datetime.fromisoformat(d.pop("entered_at"))

        outcome = check_outcome_enum(d.pop("outcome"))

        def _parse_prize(data: object) -> Money | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                prize_type_1 = Money.from_dict(data)

                return prize_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Money | None, data)

        prize = _parse_prize(d.pop("prize"))

        def _parse_prize_status(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        prize_status = _parse_prize_status(d.pop("prize_status"))

        draw = LotteryDrawPublic.from_dict(d.pop("draw"))

        lottery_entry = cls(
            campaign_id=campaign_id,
            name=name,
            ticket=ticket,
            entered_at=entered_at,
            outcome=outcome,
            prize=prize,
            prize_status=prize_status,
            draw=draw,
        )

        lottery_entry.additional_properties = d
        return lottery_entry

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
