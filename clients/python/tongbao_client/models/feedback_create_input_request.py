from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from .. import types
from ..models.feedback_category_enum import FeedbackCategoryEnum, check_feedback_category_enum
from ..types import UNSET, File, FileTypes, Unset

T = TypeVar("T", bound="FeedbackCreateInputRequest")


@_attrs_define
class FeedbackCreateInputRequest:
    """
    Attributes:
        category (FeedbackCategoryEnum): * `PROBLEM` - Problem
            * `SUGGESTION` - Suggestion
            * `COMPLAINT` - Complaint
            * `PRAISE` - Praise
        rating (int): 1 (very bad) to 5 (very good).
        text (str):
        transaction_id (None | Unset | UUID): One of my transactions (`GET /api/v1/transactions`).
        attachments (list[File] | Unset): Screenshots (multipart only): PNG, JPEG or WebP, checked from their bytes.
    """

    category: FeedbackCategoryEnum
    rating: int
    text: str
    transaction_id: None | Unset | UUID = UNSET
    attachments: list[File] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        category: str = self.category

        rating = self.rating

        text = self.text

        transaction_id: None | str | Unset
        if isinstance(self.transaction_id, Unset):
            transaction_id = UNSET
        elif isinstance(self.transaction_id, UUID):
            transaction_id = str(self.transaction_id)
        else:
            transaction_id = self.transaction_id

        attachments: list[FileTypes] | Unset = UNSET
        if not isinstance(self.attachments, Unset):
            attachments = []
            for attachments_item_data in self.attachments:
                attachments_item = attachments_item_data.to_tuple()

                attachments.append(attachments_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "category": category,
                "rating": rating,
                "text": text,
            }
        )
        if transaction_id is not UNSET:
            field_dict["transaction_id"] = transaction_id
        if attachments is not UNSET:
            field_dict["attachments"] = attachments

        return field_dict

    def to_multipart(self) -> types.RequestFiles:
        files: types.RequestFiles = []

        files.append(("category", (None, str(self.category).encode(), "text/plain")))

        files.append(("rating", (None, str(self.rating).encode(), "text/plain")))

        files.append(("text", (None, str(self.text).encode(), "text/plain")))

        if not isinstance(self.transaction_id, Unset):
            if isinstance(self.transaction_id, UUID):
                files.append(("transaction_id", (None, str(self.transaction_id), "text/plain")))
            else:
                files.append(("transaction_id", (None, str(self.transaction_id).encode(), "text/plain")))

        if not isinstance(self.attachments, Unset):
            for attachments_item_element in self.attachments:
                files.append(("attachments", attachments_item_element.to_tuple()))

        for prop_name, prop in self.additional_properties.items():
            files.append((prop_name, (None, str(prop).encode(), "text/plain")))

        return files

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        category = check_feedback_category_enum(d.pop("category"))

        rating = d.pop("rating")

        text = d.pop("text")

        def _parse_transaction_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                transaction_id_type_0 = UUID(data)

                return transaction_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        transaction_id = _parse_transaction_id(d.pop("transaction_id", UNSET))

        _attachments = d.pop("attachments", UNSET)
        attachments: list[File] | Unset = UNSET
        if _attachments is not UNSET:
            attachments = []
            for attachments_item_data in _attachments:
                attachments_item = File(payload=BytesIO(attachments_item_data))

                attachments.append(attachments_item)

        feedback_create_input_request = cls(
            category=category,
            rating=rating,
            text=text,
            transaction_id=transaction_id,
            attachments=attachments,
        )

        feedback_create_input_request.additional_properties = d
        return feedback_create_input_request

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
