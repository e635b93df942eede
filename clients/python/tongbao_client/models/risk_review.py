from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.risk_review_status_enum import RiskReviewStatusEnum, check_risk_review_status_enum

T = TypeVar("T", bound="RiskReview")


@_attrs_define
class RiskReview:
    """
    Attributes:
        id (UUID):
        notice_id (None | UUID): The notice reviewed; null: my account in general.
        message (str):
        status (RiskReviewStatusEnum): * `OPEN` - Open
            * `ANSWERED` - Answered
        answer (str): The officer's written answer; empty while OPEN.
        created_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        answered_at (datetime.datetime | None): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
    """

    id: UUID
    notice_id: None | UUID
    message: str
    status: RiskReviewStatusEnum
    answer: str
    created_at: datetime.datetime
    answered_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        notice_id: None | str
        if isinstance(self.notice_id, UUID):
            notice_id = str(self.notice_id)
        else:
            notice_id = self.notice_id

        message = self.message

        status: str = self.status

        answer = self.answer

        created_at = self.created_at.isoformat()

        answered_at: None | str
        if isinstance(self.answered_at, datetime.datetime):
            answered_at = self.answered_at.isoformat()
        else:
            answered_at = self.answered_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "notice_id": notice_id,
                "message": message,
                "status": status,
                "answer": answer,
                "created_at": created_at,
                "answered_at": answered_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        def _parse_notice_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                notice_id_type_0 = UUID(data)

                return notice_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        notice_id = _parse_notice_id(d.pop("notice_id"))

        message = d.pop("message")

        status = check_risk_review_status_enum(d.pop("status"))

        answer = d.pop("answer")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_answered_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                answered_at_type_0 = datetime.datetime.fromisoformat(data)

                return answered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        answered_at = _parse_answered_at(d.pop("answered_at"))

        risk_review = cls(
            id=id,
            notice_id=notice_id,
            message=message,
            status=status,
            answer=answer,
            created_at=created_at,
            answered_at=answered_at,
        )

        risk_review.additional_properties = d
        return risk_review

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
