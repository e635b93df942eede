from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RiskReviewInputRequest")


@_attrs_define
class RiskReviewInputRequest:
    """
    Attributes:
        message (str):
        notice_id (None | Unset | UUID): A notice of mine (`GET /api/v1/risk/notices`); omit for my account.
    """

    message: str
    notice_id: None | Unset | UUID = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message = self.message

        notice_id: None | str | Unset
        if isinstance(self.notice_id, Unset):
            notice_id = UNSET
        elif isinstance(self.notice_id, UUID):
            notice_id = str(self.notice_id)
        else:
            notice_id = self.notice_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "message": message,
            }
        )
        if notice_id is not UNSET:
            field_dict["notice_id"] = notice_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        message = d.pop("message")

        def _parse_notice_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                notice_id_type_0 = UUID(data)

                return notice_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        notice_id = _parse_notice_id(d.pop("notice_id", UNSET))

        risk_review_input_request = cls(
            message=message,
            notice_id=notice_id,
        )

        risk_review_input_request.additional_properties = d
        return risk_review_input_request

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
