from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.survey_kind_enum import SurveyKindEnum, check_survey_kind_enum

T = TypeVar("T", bound="SurveyAnswer")


@_attrs_define
class SurveyAnswer:
    """
    Attributes:
        invitation_id (UUID):
        kind (SurveyKindEnum): * `NPS` - Net Promoter Score (0-10)
            * `CSAT` - Customer satisfaction (1-5)
        score (int):
        answered_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
    """

    invitation_id: UUID
    kind: SurveyKindEnum
    score: int
    answered_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        invitation_id = str(self.invitation_id)

        kind: str = self.kind

        score = self.score

        answered_at = self.answered_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "invitation_id": invitation_id,
                "kind": kind,
                "score": score,
                "answered_at": answered_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        invitation_id = UUID(d.pop("invitation_id"))

        kind = check_survey_kind_enum(d.pop("kind"))

        score = d.pop("score")

        answered_at = datetime.datetime.fromisoformat(d.pop("answered_at"))

        survey_answer = cls(
            invitation_id=invitation_id,
            kind=kind,
            score=score,
            answered_at=answered_at,
        )

        survey_answer.additional_properties = d
        return survey_answer

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
