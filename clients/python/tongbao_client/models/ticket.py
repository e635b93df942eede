from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.priority_enum import PriorityEnum, check_priority_enum
from ..models.ticket_status_enum import TicketStatusEnum, check_ticket_status_enum

if TYPE_CHECKING:
    from ..models.ticket_message import TicketMessage


T = TypeVar("T", bound="Ticket")


@_attrs_define
class Ticket:
    """
    Attributes:
        id (UUID):
        feedback_id (UUID):
        status (TicketStatusEnum): * `OPEN` - Open
            * `IN_PROGRESS` - In progress
            * `WAITING_FOR_CUSTOMER` - Waiting for customer
            * `RESOLVED` - Resolved
            * `CLOSED` - Closed
        priority (PriorityEnum): * `LOW` - Low
            * `NORMAL` - Normal
            * `HIGH` - High
            * `URGENT` - Urgent
        due_at (datetime.datetime): When the bank promised an answer (SLA by priority).
        resolved_at (datetime.datetime | None): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        closed_at (datetime.datetime | None): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        handling_rating (int | None): My rating of the handling (1-5), once.
        created_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        messages (list[TicketMessage]): The conversation, oldest first (mine and the bank's).
    """

    id: UUID
    feedback_id: UUID
    status: TicketStatusEnum
    priority: PriorityEnum
    due_at: datetime.datetime
    resolved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    handling_rating: int | None
    created_at: datetime.datetime
    messages: list[TicketMessage]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        feedback_id = str(self.feedback_id)

        status: str = self.status

        priority: str = self.priority

        due_at = self.due_at.isoformat()

        resolved_at: None | str
        if isinstance(self.resolved_at, datetime.datetime):
            resolved_at = self.resolved_at.isoformat()
        else:
            resolved_at = self.resolved_at

        closed_at: None | str
        if isinstance(self.closed_at, datetime.datetime):
            closed_at = self.closed_at.isoformat()
        else:
            closed_at = self.closed_at

        handling_rating: int | None
        handling_rating = self.handling_rating

        created_at = self.created_at.isoformat()

        messages = []
        for messages_item_data in self.messages:
            messages_item = messages_item_data.to_dict()
            messages.append(messages_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "feedback_id": feedback_id,
                "status": status,
                "priority": priority,
                "due_at": due_at,
                "resolved_at": resolved_at,
                "closed_at": closed_at,
                "handling_rating": handling_rating,
                "created_at": created_at,
                "messages": messages,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.ticket_message import TicketMessage

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        feedback_id = UUID(d.pop("feedback_id"))

        status = check_ticket_status_enum(d.pop("status"))

        priority = check_priority_enum(d.pop("priority"))

        due_at = datetime.datetime.fromisoformat(d.pop("due_at"))

        def _parse_resolved_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                resolved_at_type_0 = datetime.datetime.fromisoformat(data)

                return resolved_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        resolved_at = _parse_resolved_at(d.pop("resolved_at"))

        def _parse_closed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                closed_at_type_0 = datetime.datetime.fromisoformat(data)

                return closed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        closed_at = _parse_closed_at(d.pop("closed_at"))

        def _parse_handling_rating(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        handling_rating = _parse_handling_rating(d.pop("handling_rating"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        messages = []
        _messages = d.pop("messages")
        for messages_item_data in _messages:
            messages_item = TicketMessage.from_dict(messages_item_data)

            messages.append(messages_item)

        ticket = cls(
            id=id,
            feedback_id=feedback_id,
            status=status,
            priority=priority,
            due_at=due_at,
            resolved_at=resolved_at,
            closed_at=closed_at,
            handling_rating=handling_rating,
            created_at=created_at,
            messages=messages,
        )

        ticket.additional_properties = d
        return ticket

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
