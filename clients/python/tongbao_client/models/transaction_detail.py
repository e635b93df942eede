from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money import Money
    from ..models.payment_benefit import PaymentBenefit
    from ..models.transaction_posting import TransactionPosting


T = TypeVar("T", bound="TransactionDetail")


@_attrs_define
class TransactionDetail:
    """
    Attributes:
        id (UUID):
        kind (str):
        memo (str):
        reference (str):
        reason_code (str):
        reverses (None | UUID):
        created_at (datetime.datetime): UTC, ISO 8601 with offset Z, microseconds: `2026-11-30T08:15:30.123456Z`
        postings (list[TransactionPosting]):
        saved (Money | None): What instant benefits saved on this payment (null: none)
        benefits (list[PaymentBenefit]): Campaigns applied, and those skipped and why
    """

    id: UUID
    kind: str
    memo: str
    reference: str
    reason_code: str
    reverses: None | UUID
    created_at: datetime.datetime
    postings: list[TransactionPosting]
    saved: Money | None
    benefits: list[PaymentBenefit]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.money import Money

        id = str(self.id)

        kind = self.kind

        memo = self.memo

        reference = self.reference

        reason_code = self.reason_code

        reverses: None | str
        if isinstance(self.reverses, UUID):
            reverses = str(self.reverses)
        else:
            reverses = self.reverses

        created_at = self.created_at.isoformat()

        postings = []
        for postings_item_data in self.postings:
            postings_item = postings_item_data.to_dict()
            postings.append(postings_item)

        saved: dict[str, Any] | None
        if isinstance(self.saved, Money):
            saved = self.saved.to_dict()
        else:
            saved = self.saved

        benefits = []
        for benefits_item_data in self.benefits:
            benefits_item = benefits_item_data.to_dict()
            benefits.append(benefits_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "memo": memo,
                "reference": reference,
                "reason_code": reason_code,
                "reverses": reverses,
                "created_at": created_at,
                "postings": postings,
                "saved": saved,
                "benefits": benefits,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money
        from ..models.payment_benefit import PaymentBenefit
        from ..models.transaction_posting import TransactionPosting

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        kind = d.pop("kind")

        memo = d.pop("memo")

        reference = d.pop("reference")

        reason_code = d.pop("reason_code")

        def _parse_reverses(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                reverses_type_0 = UUID(data)

                return reverses_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        reverses = _parse_reverses(d.pop("reverses"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        postings = []
        _postings = d.pop("postings")
        for postings_item_data in _postings:
            postings_item = TransactionPosting.from_dict(postings_item_data)

            postings.append(postings_item)

        def _parse_saved(data: object) -> Money | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                saved_type_1 = Money.from_dict(data)

                return saved_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Money | None, data)

        saved = _parse_saved(d.pop("saved"))

        benefits = []
        _benefits = d.pop("benefits")
        for benefits_item_data in _benefits:
            benefits_item = PaymentBenefit.from_dict(benefits_item_data)

            benefits.append(benefits_item)

        transaction_detail = cls(
            id=id,
            kind=kind,
            memo=memo,
            reference=reference,
            reason_code=reason_code,
            reverses=reverses,
            created_at=created_at,
            postings=postings,
            saved=saved,
            benefits=benefits,
        )

        transaction_detail.additional_properties = d
        return transaction_detail

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
