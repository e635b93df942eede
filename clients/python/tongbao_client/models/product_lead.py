from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.product_lead_kind_enum import ProductLeadKindEnum, check_product_lead_kind_enum
from ..models.product_lead_status_enum import ProductLeadStatusEnum, check_product_lead_status_enum

T = TypeVar("T", bound="ProductLead")


@_attrs_define
class ProductLead:
    """
    Attributes:
        id (UUID):
        product_id (UUID):
        product_name (str):
        kind (ProductLeadKindEnum): * `INTEREST` - Interest
            * `APPLICATION` - Application
        status (ProductLeadStatusEnum): * `NEW` - New
            * `CONTACTED` - Contacted
            * `IN_PROGRESS` - In progress
            * `CONVERTED` - Converted (handed to the product's process)
            * `NOT_PROCEEDING` - Not proceeding
            * `WITHDRAWN` - Withdrawn by the customer
        note (str):
        contact_due_at (datetime.datetime): My home branch contacts me by then (the product's SLA).
        created_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        closed_at (datetime.datetime | None): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
    """

    id: UUID
    product_id: UUID
    product_name: str
    kind: ProductLeadKindEnum
    status: ProductLeadStatusEnum
    note: str
    contact_due_at: datetime.datetime
    created_at: datetime.datetime
    closed_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        product_id = str(self.product_id)

        product_name = self.product_name

        kind: str = self.kind

        status: str = self.status

        note = self.note

        contact_due_at = self.contact_due_at.isoformat()

        created_at = self.created_at.isoformat()

        closed_at: None | str
        if isinstance(self.closed_at, datetime.datetime):
            closed_at = self.closed_at.isoformat()
        else:
            closed_at = self.closed_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "product_id": product_id,
                "product_name": product_name,
                "kind": kind,
                "status": status,
                "note": note,
                "contact_due_at": contact_due_at,
                "created_at": created_at,
                "closed_at": closed_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        product_id = UUID(d.pop("product_id"))

        product_name = d.pop("product_name")

        kind = check_product_lead_kind_enum(d.pop("kind"))

        status = check_product_lead_status_enum(d.pop("status"))

        note = d.pop("note")

        contact_due_at = datetime.datetime.fromisoformat(d.pop("contact_due_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_closed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                closed_at_type_0 = datetime.datetime.fromisoformat(data)

                return closed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        closed_at = _parse_closed_at(d.pop("closed_at"))

        product_lead = cls(
            id=id,
            product_id=product_id,
            product_name=product_name,
            kind=kind,
            status=status,
            note=note,
            contact_due_at=contact_due_at,
            created_at=created_at,
            closed_at=closed_at,
        )

        product_lead.additional_properties = d
        return product_lead

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
