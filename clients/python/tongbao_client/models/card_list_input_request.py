from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.card_type_enum import CardTypeEnum, check_card_type_enum
from ..types import UNSET, Unset

T = TypeVar("T", bound="CardListInputRequest")


@_attrs_define
class CardListInputRequest:
    """
    Attributes:
        gateway_token (str):
        bank_name (str):
        last4 (str):
        card_type (CardTypeEnum | Unset): * `DEBIT` - Debit
            * `CREDIT` - Credit Default: 'DEBIT'.
        pin (str | Unset): Payment PIN (step-up)
        otp_code (str | Unset): Or a STEP_UP code from POST /me/otp
    """

    gateway_token: str
    bank_name: str
    last4: str
    card_type: CardTypeEnum | Unset = "DEBIT"
    pin: str | Unset = UNSET
    otp_code: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        gateway_token = self.gateway_token

        bank_name = self.bank_name

        last4 = self.last4

        card_type: str | Unset = UNSET
        if not isinstance(self.card_type, Unset):
            card_type = self.card_type

        pin = self.pin

        otp_code = self.otp_code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "gateway_token": gateway_token,
                "bank_name": bank_name,
                "last4": last4,
            }
        )
        if card_type is not UNSET:
            field_dict["card_type"] = card_type
        if pin is not UNSET:
            field_dict["pin"] = pin
        if otp_code is not UNSET:
            field_dict["otp_code"] = otp_code

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        gateway_token = d.pop("gateway_token")

        bank_name = d.pop("bank_name")

        last4 = d.pop("last4")

        _card_type = d.pop("card_type", UNSET)
        card_type: CardTypeEnum | Unset
        if isinstance(_card_type, Unset):
            card_type = UNSET
        else:
            card_type = check_card_type_enum(_card_type)

        pin = d.pop("pin", UNSET)

        otp_code = d.pop("otp_code", UNSET)

        card_list_input_request = cls(
            gateway_token=gateway_token,
            bank_name=bank_name,
            last4=last4,
            card_type=card_type,
            pin=pin,
            otp_code=otp_code,
        )

        card_list_input_request.additional_properties = d
        return card_list_input_request

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
