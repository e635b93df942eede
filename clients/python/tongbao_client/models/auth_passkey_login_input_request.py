from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.auth_passkey_login_input_request_credential import AuthPasskeyLoginInputRequestCredential


T = TypeVar("T", bound="AuthPasskeyLoginInputRequest")


@_attrs_define
class AuthPasskeyLoginInputRequest:
    """
    Attributes:
        challenge_id (UUID):
        device_id (str):
        credential (AuthPasskeyLoginInputRequestCredential): The authenticator's answer: the PublicKeyCredential as JSON
            (WebAuthn Level 3 `toJSON()`: `id`, `rawId`, `type`, `response` with base64url fields).
        device_name (str | Unset):  Default: ''.
    """

    challenge_id: UUID
    device_id: str
    credential: AuthPasskeyLoginInputRequestCredential
    device_name: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        challenge_id = str(self.challenge_id)

        device_id = self.device_id

        credential = self.credential.to_dict()

        device_name = self.device_name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "challenge_id": challenge_id,
                "device_id": device_id,
                "credential": credential,
            }
        )
        if device_name is not UNSET:
            field_dict["device_name"] = device_name

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.auth_passkey_login_input_request_credential import AuthPasskeyLoginInputRequestCredential

        d = dict(src_dict)
        challenge_id = UUID(d.pop("challenge_id"))

        device_id = d.pop("device_id")

        credential = AuthPasskeyLoginInputRequestCredential.from_dict(d.pop("credential"))

        device_name = d.pop("device_name", UNSET)

        auth_passkey_login_input_request = cls(
            challenge_id=challenge_id,
            device_id=device_id,
            credential=credential,
            device_name=device_name,
        )

        auth_passkey_login_input_request.additional_properties = d
        return auth_passkey_login_input_request

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
