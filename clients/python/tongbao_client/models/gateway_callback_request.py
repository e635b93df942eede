from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.gateway_callback_status_enum import GatewayCallbackStatusEnum, check_gateway_callback_status_enum
from ..models.operation_enum import OperationEnum, check_operation_enum
from ..types import UNSET, Unset

T = TypeVar("T", bound="GatewayCallbackRequest")


@_attrs_define
class GatewayCallbackRequest:
    """
    Attributes:
        operation (OperationEnum): * `CHARGE` - CHARGE
            * `PAYOUT` - PAYOUT
        reference (str):
        gateway_ref (str):
        status (GatewayCallbackStatusEnum): * `SUCCEEDED` - SUCCEEDED
            * `DECLINED` - DECLINED
        amount (str):
        currency (str):
        decline_code (str | Unset):
    """

    operation: OperationEnum
    reference: str
    gateway_ref: str
    status: GatewayCallbackStatusEnum
    amount: str
    currency: str
    decline_code: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        operation: str = self.operation

        reference = self.reference

        gateway_ref = self.gateway_ref

        status: str = self.status

        amount = self.amount

        currency = self.currency

        decline_code = self.decline_code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "operation": operation,
                "reference": reference,
                "gateway_ref": gateway_ref,
                "status": status,
                "amount": amount,
                "currency": currency,
            }
        )
        if decline_code is not UNSET:
            field_dict["decline_code"] = decline_code

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        operation = check_operation_enum(d.pop("operation"))

        reference = d.pop("reference")

        gateway_ref = d.pop("gateway_ref")

        status = check_gateway_callback_status_enum(d.pop("status"))

        amount = d.pop("amount")

        currency = d.pop("currency")

        decline_code = d.pop("decline_code", UNSET)

        gateway_callback_request = cls(
            operation=operation,
            reference=reference,
            gateway_ref=gateway_ref,
            status=status,
            amount=amount,
            currency=currency,
            decline_code=decline_code,
        )

        gateway_callback_request.additional_properties = d
        return gateway_callback_request

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
