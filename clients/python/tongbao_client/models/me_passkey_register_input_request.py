from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.me_passkey_register_input_request_credential import MePasskeyRegisterInputRequestCredential


T = TypeVar("T", bound="MePasskeyRegisterInputRequest")


@_attrs_define
class MePasskeyRegisterInputRequest:
    """
    Attributes:
        challenge_id (UUID):
        otp_code (str): STEP_UP code from POST /me/otp
        credential (MePasskeyRegisterInputRequestCredential): The authenticator's answer: the PublicKeyCredential as
            JSON (WebAuthn Level 3 `toJSON()`: `id`, `rawId`, `type`, `response` with base64url fields).
        name (str | Unset):  Default: ''.
    """

    challenge_id: UUID
    otp_code: str
    credential: MePasskeyRegisterInputRequestCredential
    name: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        challenge_id = str(self.challenge_id)

        otp_code = self.otp_code

        credential = self.credential.to_dict()

        name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "challenge_id": challenge_id,
                "otp_code": otp_code,
                "credential": credential,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.me_passkey_register_input_request_credential import MePasskeyRegisterInputRequestCredential

        d = dict(src_dict)
        challenge_id = UUID(d.pop("challenge_id"))

        otp_code = d.pop("otp_code")

        credential = MePasskeyRegisterInputRequestCredential.from_dict(d.pop("credential"))

        name = d.pop("name", UNSET)

        me_passkey_register_input_request = cls(
            challenge_id=challenge_id,
            otp_code=otp_code,
            credential=credential,
            name=name,
        )

        me_passkey_register_input_request.additional_properties = d
        return me_passkey_register_input_request

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
