from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.survey_kind_enum import SurveyKindEnum, check_survey_kind_enum
from ..models.trigger_enum import TriggerEnum, check_trigger_enum

T = TypeVar("T", bound="SurveyInvitation")


@_attrs_define
class SurveyInvitation:
    """
    Attributes:
        id (UUID):
        kind (SurveyKindEnum): * `NPS` - Net Promoter Score (0-10)
            * `CSAT` - Customer satisfaction (1-5)
        trigger (TriggerEnum): * `FIRST_PAYMENT` - After the first payment
            * `TICKET_RESOLVED` - After a ticket was resolved
            * `SIGNUP_30_DAYS` - 30 days after sign-up
            * `CAMPAIGN_REWARD` - After a campaign reward
        min_score (int):
        max_score (int):
        created_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        expires_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
    """

    id: UUID
    kind: SurveyKindEnum
    trigger: TriggerEnum
    min_score: int
    max_score: int
    created_at: datetime.datetime
    expires_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        kind: str = self.kind

        trigger: str = self.trigger

        min_score = self.min_score

        max_score = self.max_score

        created_at = self.created_at.isoformat()

        expires_at = self.expires_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "trigger": trigger,
                "min_score": min_score,
                "max_score": max_score,
                "created_at": created_at,
                "expires_at": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        kind = check_survey_kind_enum(d.pop("kind"))

        trigger = check_trigger_enum(d.pop("trigger"))

        min_score = d.pop("min_score")

        max_score = d.pop("max_score")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        survey_invitation = cls(
            id=id,
            kind=kind,
            trigger=trigger,
            min_score=min_score,
            max_score=max_score,
            created_at=created_at,
            expires_at=expires_at,
        )

        survey_invitation.additional_properties = d
        return survey_invitation

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
