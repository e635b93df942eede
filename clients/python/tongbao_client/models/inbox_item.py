from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.inbox_item_kind_enum import InboxItemKindEnum, check_inbox_item_kind_enum

T = TypeVar("T", bound="InboxItem")


@_attrs_define
class InboxItem:
    """
    Attributes:
        id (UUID):
        kind (InboxItemKindEnum): * `MARKETING` - Marketing
            * `SERVICE` - Service notice
            * `SECURITY` - Security notice
        title (str): In the request's language (`Accept-Language`: zh-hans or en).
        body (str):
        article_id (None | UUID): A linked article (`GET /api/v1/articles`).
        delivered_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        read_at (datetime.datetime | None): Null while unread.
    """

    id: UUID
    kind: InboxItemKindEnum
    title: str
    body: str
    article_id: None | UUID
    delivered_at: datetime.datetime
    read_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        kind: str = self.kind

        title = self.title

        body = self.body

        article_id: None | str
        if isinstance(self.article_id, UUID):
            article_id = str(self.article_id)
        else:
            article_id = self.article_id

        delivered_at = self.delivered_at.isoformat()

        read_at: None | str
        if isinstance(self.read_at, datetime.datetime):
            read_at = self.read_at.isoformat()
        else:
            read_at = self.read_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "title": title,
                "body": body,
                "article_id": article_id,
                "delivered_at": delivered_at,
                "read_at": read_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        kind = check_inbox_item_kind_enum(d.pop("kind"))

        title = d.pop("title")

        body = d.pop("body")

        def _parse_article_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                article_id_type_0 = UUID(data)

                return article_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        article_id = _parse_article_id(d.pop("article_id"))

        delivered_at = datetime.datetime.fromisoformat(d.pop("delivered_at"))

        def _parse_read_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                read_at_type_0 = datetime.datetime.fromisoformat(data)

                return read_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        read_at = _parse_read_at(d.pop("read_at"))

        inbox_item = cls(
            id=id,
            kind=kind,
            title=title,
            body=body,
            article_id=article_id,
            delivered_at=delivered_at,
            read_at=read_at,
        )

        inbox_item.additional_properties = d
        return inbox_item

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
