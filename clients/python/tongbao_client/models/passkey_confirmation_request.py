from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.passkey_confirmation_request_credential import PasskeyConfirmationRequestCredential


T = TypeVar("T", bound="PasskeyConfirmationRequest")


@_attrs_define
class PasskeyConfirmationRequest:
    """A passkey's confirmation of this payment: the ``challenge_id`` from
    ``POST /api/v1/me/passkeys/payment-options`` (asked for this amount, currency, payee and
    Idempotency-Key) and the authenticator's answer (``navigator.credentials.get``).

        Attributes:
            challenge_id (UUID):
            credential (PasskeyConfirmationRequestCredential): The PublicKeyCredential as JSON (WebAuthn Level 3 toJSON)
    """

    challenge_id: UUID
    credential: PasskeyConfirmationRequestCredential
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        challenge_id = str(self.challenge_id)

        credential = self.credential.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "challenge_id": challenge_id,
                "credential": credential,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.passkey_confirmation_request_credential import PasskeyConfirmationRequestCredential

        d = dict(src_dict)
        challenge_id = UUID(d.pop("challenge_id"))

        credential = PasskeyConfirmationRequestCredential.from_dict(d.pop("credential"))

        passkey_confirmation_request = cls(
            challenge_id=challenge_id,
            credential=credential,
        )

        passkey_confirmation_request.additional_properties = d
        return passkey_confirmation_request

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
