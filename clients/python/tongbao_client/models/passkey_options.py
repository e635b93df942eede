from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.passkey_options_public_key import PasskeyOptionsPublicKey


T = TypeVar("T", bound="PasskeyOptions")


@_attrs_define
class PasskeyOptions:
    """
    Attributes:
        challenge_id (UUID): Send it back with the answer; single use.
        expires_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        public_key (PasskeyOptionsPublicKey): PublicKeyCredentialCreationOptionsJSON or
            PublicKeyCredentialRequestOptionsJSON for the platform.
    """

    challenge_id: UUID
    expires_at: datetime.datetime
    public_key: PasskeyOptionsPublicKey
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        challenge_id = str(self.challenge_id)

        expires_at = self.expires_at.isoformat()

        public_key = self.public_key.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "challenge_id": challenge_id,
                "expires_at": expires_at,
                "public_key": public_key,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.passkey_options_public_key import PasskeyOptionsPublicKey

        d = dict(src_dict)
        challenge_id = UUID(d.pop("challenge_id"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        public_key = PasskeyOptionsPublicKey.from_dict(d.pop("public_key"))

        passkey_options = cls(
            challenge_id=challenge_id,
            expires_at=expires_at,
            public_key=public_key,
        )

        passkey_options.additional_properties = d
        return passkey_options

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
