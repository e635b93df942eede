from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.lottery_draw_public_status_enum import LotteryDrawPublicStatusEnum, check_lottery_draw_public_status_enum

T = TypeVar("T", bound="LotteryDrawPublic")


@_attrs_define
class LotteryDrawPublic:
    """
    Attributes:
        status (LotteryDrawPublicStatusEnum): * `OPEN` - Entries open, seed committed
            * `DRAWN` - Drawn, prizes being paid
            * `PAID` - Drawn and every prize decided
        seed_commitment (str): SHA-256 of the secret seed, published before entries close.
        seed (None | str): The seed, revealed at the draw (null before).
        drawn_at (datetime.datetime | None): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        results_digest (None | str):
    """

    status: LotteryDrawPublicStatusEnum
    seed_commitment: str
    seed: None | str
    drawn_at: datetime.datetime | None
    results_digest: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status: str = self.status

        seed_commitment = self.seed_commitment

        seed: None | str
        seed = self.seed

        drawn_at: None | str
        if isinstance(self.drawn_at, datetime.datetime):
            drawn_at = self.drawn_at.isoformat()
        else:
            drawn_at = self.drawn_at

        results_digest: None | str
        results_digest = self.results_digest

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
                "seed_commitment": seed_commitment,
                "seed": seed,
                "drawn_at": drawn_at,
                "results_digest": results_digest,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        status = check_lottery_draw_public_status_enum(d.pop("status"))

        seed_commitment = d.pop("seed_commitment")

        def _parse_seed(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        seed = _parse_seed(d.pop("seed"))

        def _parse_drawn_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                drawn_at_type_0 = datetime.datetime.fromisoformat(data)

                return drawn_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        drawn_at = _parse_drawn_at(d.pop("drawn_at"))

        def _parse_results_digest(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        results_digest = _parse_results_digest(d.pop("results_digest"))

        lottery_draw_public = cls(
            status=status,
            seed_commitment=seed_commitment,
            seed=seed,
            drawn_at=drawn_at,
            results_digest=results_digest,
        )

        lottery_draw_public.additional_properties = d
        return lottery_draw_public

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
