from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="MeKycOutput")


@_attrs_define
class MeKycOutput:
    """
    Attributes:
        tier (int):
        verified_at (datetime.datetime | None): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        national_id_masked (str):
        review_pending (bool): verified, and waiting for a branch review before tier 1
    """

    tier: int
    verified_at: datetime.datetime | None
    national_id_masked: str
    review_pending: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tier = self.tier

        verified_at: None | str
        if isinstance(self.verified_at, datetime.datetime):
            verified_at = self.verified_at.isoformat()
        else:
            verified_at = self.verified_at

        national_id_masked = self.national_id_masked

        review_pending = self.review_pending

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "tier": tier,
                "verified_at": verified_at,
                "national_id_masked": national_id_masked,
                "review_pending": review_pending,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        tier = d.pop("tier")

        def _parse_verified_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                verified_at_type_0 = datetime.datetime.fromisoformat(data)

                return verified_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        verified_at = _parse_verified_at(d.pop("verified_at"))

        national_id_masked = d.pop("national_id_masked")

        review_pending = d.pop("review_pending")

        me_kyc_output = cls(
            tier=tier,
            verified_at=verified_at,
            national_id_masked=national_id_masked,
            review_pending=review_pending,
        )

        me_kyc_output.additional_properties = d
        return me_kyc_output

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
