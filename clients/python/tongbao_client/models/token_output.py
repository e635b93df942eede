from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TokenOutput")


@_attrs_define
class TokenOutput:
    """
    Attributes:
        token (str): Bearer token; shown once, store it in the platform keystore.
        expires_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        customer_id (UUID):
        device_id (UUID):
    """

    token: str
    expires_at: datetime.datetime
    customer_id: UUID
    device_id: UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        token = self.token

        expires_at = self.expires_at.isoformat()

        customer_id = str(self.customer_id)

        device_id = str(self.device_id)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "token": token,
                "expires_at": expires_at,
                "customer_id": customer_id,
                "device_id": device_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        token = d.pop("token")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        customer_id = UUID(d.pop("customer_id"))

        device_id = UUID(d.pop("device_id"))

        token_output = cls(
            token=token,
            expires_at=expires_at,
            customer_id=customer_id,
            device_id=device_id,
        )

        token_output.additional_properties = d
        return token_output

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
