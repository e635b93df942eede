from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.passkey_confirmation_request import PasskeyConfirmationRequest


T = TypeVar("T", bound="BillPaymentCreateInputRequest")


@_attrs_define
class BillPaymentCreateInputRequest:
    """The confirmation fields of every money-moving request: ``pin`` (the payment PIN) and/or
    ``passkey``; at least one; and ``step_up_challenge`` when the payment asked for a step-up.
    Subclasses that define ``validate`` call ``super().validate``.

        Attributes:
            biller (str):
            account_number (str):
            amount (str):
            pin (str | Unset): Payment PIN (6 digits)
            passkey (PasskeyConfirmationRequest | Unset): A passkey's confirmation of this payment: the ``challenge_id``
                from
                ``POST /api/v1/me/passkeys/payment-options`` (asked for this amount, currency, payee and
                Idempotency-Key) and the authenticator's answer (``navigator.credentials.get``).
            step_up_challenge (UUID | Unset): After 403 `step_up_required`: its `details.challenge_id`, once confirmed with
                the SMS code (`POST /api/v1/risk/challenges/{id}/confirm`); send it with the same Idempotency-Key and body. Used
                once, for this payment and amount only. Not part of the body's fingerprint. Top-ups never ask for a step-up.
            currency (str | Unset):  Default: 'CNY'.
    """

    biller: str
    account_number: str
    amount: str
    pin: str | Unset = UNSET
    passkey: PasskeyConfirmationRequest | Unset = UNSET
    step_up_challenge: UUID | Unset = UNSET
    currency: str | Unset = "CNY"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        biller = self.biller

        account_number = self.account_number

        amount = self.amount

        pin = self.pin

        passkey: dict[str, Any] | Unset = UNSET
        if not isinstance(self.passkey, Unset):
            passkey = self.passkey.to_dict()

        step_up_challenge: str | Unset = UNSET
        if not isinstance(self.step_up_challenge, Unset):
            step_up_challenge = str(self.step_up_challenge)

        currency = self.currency

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "biller": biller,
                "account_number": account_number,
                "amount": amount,
            }
        )
        if pin is not UNSET:
            field_dict["pin"] = pin
        if passkey is not UNSET:
            field_dict["passkey"] = passkey
        if step_up_challenge is not UNSET:
            field_dict["step_up_challenge"] = step_up_challenge
        if currency is not UNSET:
            field_dict["currency"] = currency

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.passkey_confirmation_request import PasskeyConfirmationRequest

        d = dict(src_dict)
        biller = d.pop("biller")

        account_number = d.pop("account_number")

        amount = d.pop("amount")

        pin = d.pop("pin", UNSET)

        _passkey = d.pop("passkey", UNSET)
        passkey: PasskeyConfirmationRequest | Unset
        if isinstance(_passkey, Unset):
            passkey = UNSET
        else:
            passkey = PasskeyConfirmationRequest.from_dict(_passkey)

        _step_up_challenge = d.pop("step_up_challenge", UNSET)
        step_up_challenge: UUID | Unset
        if isinstance(_step_up_challenge, Unset):
            step_up_challenge = UNSET
        else:
            step_up_challenge = UUID(_step_up_challenge)

        currency = d.pop("currency", UNSET)

        bill_payment_create_input_request = cls(
            biller=biller,
            account_number=account_number,
            amount=amount,
            pin=pin,
            passkey=passkey,
            step_up_challenge=step_up_challenge,
            currency=currency,
        )

        bill_payment_create_input_request.additional_properties = d
        return bill_payment_create_input_request

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
