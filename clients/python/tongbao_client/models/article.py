from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.article_kind_enum import ArticleKindEnum, check_article_kind_enum

T = TypeVar("T", bound="Article")


@_attrs_define
class Article:
    """
    Attributes:
        id (UUID):
        slug (str):
        kind (ArticleKindEnum): * `TUTORIAL` - How-to tutorial
            * `SECURITY_TIP` - Security tip
        title (str): In the request's language (zh-hans or en).
        body (str): Plain text with line breaks.
        published_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
    """

    id: UUID
    slug: str
    kind: ArticleKindEnum
    title: str
    body: str
    published_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        slug = self.slug

        kind: str = self.kind

        title = self.title

        body = self.body

        published_at = self.published_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "slug": slug,
                "kind": kind,
                "title": title,
                "body": body,
                "published_at": published_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        slug = d.pop("slug")

        kind = check_article_kind_enum(d.pop("kind"))

        title = d.pop("title")

        body = d.pop("body")

        published_at = datetime.datetime.fromisoformat(d.pop("published_at"))

        article = cls(
            id=id,
            slug=slug,
            kind=kind,
            title=title,
            body=body,
            published_at=published_at,
        )

        article.additional_properties = d
        return article

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
