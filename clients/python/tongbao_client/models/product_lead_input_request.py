from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.product_lead_kind_enum import ProductLeadKindEnum, check_product_lead_kind_enum
from ..types import UNSET, Unset

T = TypeVar("T", bound="ProductLeadInputRequest")


@_attrs_define
class ProductLeadInputRequest:
    """
    Attributes:
        product_id (UUID): From `GET /api/v1/products`.
        kind (ProductLeadKindEnum): * `INTEREST` - Interest
            * `APPLICATION` - Application
        note (str | Unset):  Default: ''.
    """

    product_id: UUID
    kind: ProductLeadKindEnum
    note: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        product_id = str(self.product_id)

        kind: str = self.kind

        note = self.note

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "product_id": product_id,
                "kind": kind,
            }
        )
        if note is not UNSET:
            field_dict["note"] = note

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        product_id = UUID(d.pop("product_id"))

        kind = check_product_lead_kind_enum(d.pop("kind"))

        note = d.pop("note", UNSET)

        product_lead_input_request = cls(
            product_id=product_id,
            kind=kind,
            note=note,
        )

        product_lead_input_request.additional_properties = d
        return product_lead_input_request

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
