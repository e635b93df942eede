from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.referee_status_enum import RefereeStatusEnum, check_referee_status_enum

T = TypeVar("T", bound="Referee")


@_attrs_define
class Referee:
    """
    Attributes:
        referee (str): The friend, masked (name and phone).
        status (RefereeStatusEnum): * `PENDING` - Waiting for the referee to qualify
            * `QUALIFIED` - Qualified: rewards decided (held during the cooling-off)
            * `REFUSED` - Refused
        refusal_reason (str): Why refused (empty otherwise).
        created_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        qualified_at (datetime.datetime | None): UTC, ISO 8601 with offset Z, microseconds:
            `2026-11-30T08:15:30.123456Z`
        cooling_off_until (datetime.datetime | None): Rewards are paid after this.
    """

    referee: str
    status: RefereeStatusEnum
    refusal_reason: str
    created_at: datetime.datetime
    qualified_at: datetime.datetime | None
    cooling_off_until: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        referee = self.referee

        status: str = self.status

        refusal_reason = self.refusal_reason

        created_at = self.created_at.isoformat()

        qualified_at: None | str
        if isinstance(self.qualified_at, datetime.datetime):
            qualified_at = self.qualified_at.isoformat()
        else:
            qualified_at = self.qualified_at

        cooling_off_until: None | str
        if isinstance(self.cooling_off_until, datetime.datetime):
            cooling_off_until = self.cooling_off_until.isoformat()
        else:
            cooling_off_until = self.cooling_off_until

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "referee": referee,
                "status": status,
                "refusal_reason": refusal_reason,
                "created_at": created_at,
                "qualified_at": qualified_at,
                "cooling_off_until": cooling_off_until,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        referee = d.pop("referee")

        status = check_referee_status_enum(d.pop("status"))

        refusal_reason = d.pop("refusal_reason")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_qualified_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                qualified_at_type_0 = datetime.datetime.fromisoformat(data)

                return qualified_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        qualified_at = _parse_qualified_at(d.pop("qualified_at"))

        def _parse_cooling_off_until(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                cooling_off_until_type_0 = datetime.datetime.fromisoformat(data)

                return cooling_off_until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        cooling_off_until = _parse_cooling_off_until(d.pop("cooling_off_until"))

        referee = cls(
            referee=referee,
            status=status,
            refusal_reason=refusal_reason,
            created_at=created_at,
            qualified_at=qualified_at,
            cooling_off_until=cooling_off_until,
        )

        referee.additional_properties = d
        return referee

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
