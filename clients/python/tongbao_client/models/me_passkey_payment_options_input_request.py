from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="MePasskeyPaymentOptionsInputRequest")


@_attrs_define
class MePasskeyPaymentOptionsInputRequest:
    """
    Attributes:
        amount (str): Decimal string, e.g. '12.34'
        currency (str):
        payee (str): The payment's payee, as docs/accounts.md 'Passkeys' spells it (e.g. 'qr:<qr text>').
        idempotency_key (str):
    """

    amount: str
    currency: str
    payee: str
    idempotency_key: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        currency = self.currency

        payee = self.payee

        idempotency_key = self.idempotency_key

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "currency": currency,
                "payee": payee,
                "idempotency_key": idempotency_key,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        amount = d.pop("amount")

        currency = d.pop("currency")

        payee = d.pop("payee")

        idempotency_key = d.pop("idempotency_key")

        me_passkey_payment_options_input_request = cls(
            amount=amount,
            currency=currency,
            payee=payee,
            idempotency_key=idempotency_key,
        )

        me_passkey_payment_options_input_request.additional_properties = d
        return me_passkey_payment_options_input_request

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
