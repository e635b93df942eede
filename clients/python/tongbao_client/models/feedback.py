from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.feedback_category_enum import FeedbackCategoryEnum, check_feedback_category_enum

if TYPE_CHECKING:
    from ..models.feedback_attachment import FeedbackAttachment


T = TypeVar("T", bound="Feedback")


@_attrs_define
class Feedback:
    """
    Attributes:
        id (UUID):
        category (FeedbackCategoryEnum): * `PROBLEM` - Problem
            * `SUGGESTION` - Suggestion
            * `COMPLAINT` - Complaint
            * `PRAISE` - Praise
        rating (int):
        text (str):
        transaction_id (UUID):
        attachments (list[FeedbackAttachment]):
        ticket_id (UUID): The ticket a COMPLAINT opened; null otherwise.
        created_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
    """

    id: UUID
    category: FeedbackCategoryEnum
    rating: int
    text: str
    transaction_id: UUID
    attachments: list[FeedbackAttachment]
    ticket_id: UUID
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        category: str = self.category

        rating = self.rating

        text = self.text

        transaction_id = str(self.transaction_id)

        attachments = []
        for attachments_item_data in self.attachments:
            attachments_item = attachments_item_data.to_dict()
            attachments.append(attachments_item)

        ticket_id = str(self.ticket_id)

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "category": category,
                "rating": rating,
                "text": text,
                "transaction_id": transaction_id,
                "attachments": attachments,
                "ticket_id": ticket_id,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.feedback_attachment import FeedbackAttachment

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        category = check_feedback_category_enum(d.pop("category"))

        rating = d.pop("rating")

        text = d.pop("text")

        transaction_id = UUID(d.pop("transaction_id"))

        attachments = []
        _attachments = d.pop("attachments")
        for attachments_item_data in _attachments:
            attachments_item = FeedbackAttachment.from_dict(attachments_item_data)

            attachments.append(attachments_item)

        ticket_id = UUID(d.pop("ticket_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        feedback = cls(
            id=id,
            category=category,
            rating=rating,
            text=text,
            transaction_id=transaction_id,
            attachments=attachments,
            ticket_id=ticket_id,
            created_at=created_at,
        )

        feedback.additional_properties = d
        return feedback

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
