from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.balance import Balance


T = TypeVar("T", bound="WalletOutput")


@_attrs_define
class WalletOutput:
    """
    Attributes:
        id (UUID):
        currency (str):
        kind (str):
        status (str):
        balance (Balance):
    """

    id: UUID
    currency: str
    kind: str
    status: str
    balance: Balance
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        currency = self.currency

        kind = self.kind

        status = self.status

        balance = self.balance.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "currency": currency,
                "kind": kind,
                "status": status,
                "balance": balance,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.balance import Balance

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        currency = d.pop("currency")

        kind = d.pop("kind")

        status = d.pop("status")

        balance = Balance.from_dict(d.pop("balance"))

        wallet_output = cls(
            id=id,
            currency=currency,
            kind=kind,
            status=status,
            balance=balance,
        )

        wallet_output.additional_properties = d
        return wallet_output

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
