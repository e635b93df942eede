from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.funding_output_status_enum import FundingOutputStatusEnum, check_funding_output_status_enum

if TYPE_CHECKING:
    from ..models.funding_card import FundingCard
    from ..models.money import Money


T = TypeVar("T", bound="FundingOutput")


@_attrs_define
class FundingOutput:
    """
    Attributes:
        id (UUID):
        reference (str):
        status (FundingOutputStatusEnum): * `PENDING` - Pending
            * `COMPLETED` - Completed
            * `FAILED` - Failed
            * `EXPIRED` - No answer from the bank
            * `SUSPENSE` - Received, held in suspense for review
        amount (Money): ``{"amount": "12.34", "currency": "CNY"}`` (output): component ``Money``, shared by every app.
        card (FundingCard):
        failure_code (str):
        created_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        completed_at (datetime.datetime | None): UTC, ISO 8601 with offset Z, microseconds:
            `2026-11-30T08:15:30.123456Z`
    """

    id: UUID
    reference: str
    status: FundingOutputStatusEnum
    amount: Money
    card: FundingCard
    failure_code: str
    created_at: datetime.datetime
    completed_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        reference = self.reference

        status: str = self.status

        amount = self.amount.to_dict()

        card = self.card.to_dict()

        failure_code = self.failure_code

        created_at = self.created_at.isoformat()

        completed_at: None | str
        if isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "reference": reference,
                "status": status,
                "amount": amount,
                "card": card,
                "failure_code": failure_code,
                "created_at": created_at,
                "completed_at": completed_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.funding_card import FundingCard
        from ..models.money import Money

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        reference = d.pop("reference")

        status = check_funding_output_status_enum(d.pop("status"))

        amount = Money.from_dict(d.pop("amount"))

        card = FundingCard.from_dict(d.pop("card"))

        failure_code = d.pop("failure_code")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_completed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                completed_at_type_0 = datetime.datetime.fromisoformat(data)

                return completed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        completed_at = _parse_completed_at(d.pop("completed_at"))

        funding_output = cls(
            id=id,
            reference=reference,
            status=status,
            amount=amount,
            card=card,
            failure_code=failure_code,
            created_at=created_at,
            completed_at=completed_at,
        )

        funding_output.additional_properties = d
        return funding_output

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
