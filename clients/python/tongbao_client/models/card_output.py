from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.card_output_status_enum import CardOutputStatusEnum, check_card_output_status_enum
from ..models.card_type_enum import CardTypeEnum, check_card_type_enum
from ..types import UNSET, Unset

T = TypeVar("T", bound="CardOutput")


@_attrs_define
class CardOutput:
    """
    Attributes:
        public_id (UUID):
        bank_name (str):
        last4 (str):
        created_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        card_type (CardTypeEnum | Unset): * `DEBIT` - Debit
            * `CREDIT` - Credit
        status (CardOutputStatusEnum | Unset): * `ACTIVE` - Active
            * `REMOVED` - Removed
    """

    public_id: UUID
    bank_name: str
    last4: str
    created_at: datetime.datetime
    card_type: CardTypeEnum | Unset = UNSET
    status: CardOutputStatusEnum | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        public_id = str(self.public_id)

        bank_name = self.bank_name

        last4 = self.last4

        created_at = self.created_at.isoformat()

        card_type: str | Unset = UNSET
        if not isinstance(self.card_type, Unset):
            card_type = self.card_type

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "public_id": public_id,
                "bank_name": bank_name,
                "last4": last4,
                "created_at": created_at,
            }
        )
        if card_type is not UNSET:
            field_dict["card_type"] = card_type
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        public_id = UUID(d.pop("public_id"))

        bank_name = d.pop("bank_name")

        last4 = d.pop("last4")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        _card_type = d.pop("card_type", UNSET)
        card_type: CardTypeEnum | Unset
        if isinstance(_card_type, Unset):
            card_type = UNSET
        else:
            card_type = check_card_type_enum(_card_type)

        _status = d.pop("status", UNSET)
        status: CardOutputStatusEnum | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = check_card_output_status_enum(_status)

        card_output = cls(
            public_id=public_id,
            bank_name=bank_name,
            last4=last4,
            created_at=created_at,
            card_type=card_type,
            status=status,
        )

        card_output.additional_properties = d
        return card_output

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
