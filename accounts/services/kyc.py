"""KYC: reach tier 1 with a name and a mainland ID number checked by ``settings.KYC_VERIFIER``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts import errors
from accounts.integrations import kyc_verify
from accounts.models import Customer, KycReview, KycTier
from accounts.pii import national_id_index, national_id_is_valid
from accounts.services.events import event_publish
from core.throttling import attempt_take

KYC_MAX_FAILURES_PER_DAY = getattr(settings, "ACCOUNTS_KYC_MAX_FAILURES_PER_DAY", 5)


def national_id_birth_date(national_id: str) -> date | None:
    try:
        return date(int(national_id[6:10]), int(national_id[10:12]), int(national_id[12:14]))
    except ValueError:
        return None


def national_id_validate(national_id: object) -> str:
    """Upper-cased 18-character ID with a valid check digit and birth date, or ``InvalidNationalId``."""
    if not isinstance(national_id, str):
        raise errors.InvalidNationalId()
    value = national_id.strip().upper()
    if not national_id_is_valid(value) or national_id_birth_date(value) is None:
        raise errors.InvalidNationalId()
    return value


def legal_name_validate(legal_name: object) -> str:
    if (
        not isinstance(legal_name, str)
        or not 1 <= len(legal_name.strip()) <= 60
        or any(c.isdigit() for c in legal_name)
    ):
        raise errors.DomainError(gettext("Enter your legal name as on your ID card."), code="invalid_legal_name")
    return legal_name.strip()


@dataclass(frozen=True)
class KycSubmitted:
    customer: Customer
    review_pending: bool  # verified, but the ID number needs a branch review before tier 1


def customer_kyc_submit(*, customer: Customer, legal_name: str, national_id: str) -> KycSubmitted:
    """Verify name + ID; on a match move the customer to tier 1 with the ID stored encrypted.

    Order: validate the input, take the attempt (an atomic Redis INCR, BEFORE the verifier is
    asked, so parallel submissions cannot pass ``KYC_MAX_FAILURES_PER_DAY``), verify, and only then
    look at who else holds the ID. A verified ID that another customer holds is not an error to
    the caller (that would tell any tier-0 account whose ID is a customer's): it opens a
    ``KycReview`` for branch staff, publishes ``kyc.review_requested`` and answers
    ``review_pending``; the attempt stays counted. Only a clean verification resets the counter.

    Refusals: ``invalid_national_id`` (400, checksum), ``kyc_mismatch`` (422),
    ``kyc_already_verified`` (409), ``kyc_too_many_attempts`` (429: the verifier must not become a
    name/ID oracle). Network I/O (the verifier) happens outside any transaction.
    """
    if (customer.kyc_tier_id or 0) >= 1 or customer.kyc_verified_at is not None:
        raise errors.KycAlreadyVerified()
    name = legal_name_validate(legal_name)
    value = national_id_validate(national_id)
    index = national_id_index(value)
    failures_key = f"acc:kyc-fail:{customer.pk}"
    if attempt_take(failures_key, 86400) > KYC_MAX_FAILURES_PER_DAY:
        raise errors.DomainError(
            gettext("Too many failed identity checks today. Try again tomorrow."),
            code="kyc_too_many_attempts",
            status_code=429,
        )

    result = kyc_verify(legal_name=name, national_id=value)
    if not result.matched:
        raise errors.KycMismatch()

    holder = Customer.objects.filter(national_id_index=index).exclude(pk=customer.pk).first()
    if holder is not None:
        return _kyc_review_open(customer=customer, holder=holder, name=name, value=value, reference=result.reference)
    try:
        with transaction.atomic(durable=True):
            locked = Customer.objects.select_for_update().get(pk=customer.pk)
            if (locked.kyc_tier_id or 0) >= 1:
                raise errors.KycAlreadyVerified()
            locked.legal_name = name
            locked.national_id = value
            locked.national_id_index = index
            locked.date_of_birth = national_id_birth_date(value)
            locked.kyc_tier = KycTier.objects.get(level=1)
            locked.kyc_verified_at = timezone.now()
            locked.save(
                update_fields=[
                    "legal_name",
                    "national_id",
                    "national_id_index",
                    "date_of_birth",
                    "kyc_tier",
                    "kyc_verified_at",
                    "updated_at",
                ]
            )
    except IntegrityError:
        # Another customer verified the same ID between our look-up and our write.
        holder = Customer.objects.filter(national_id_index=index).exclude(pk=customer.pk).first()
        if holder is None:
            raise
        return _kyc_review_open(customer=customer, holder=holder, name=name, value=value, reference=result.reference)
    cache.delete(failures_key)
    return KycSubmitted(customer=locked, review_pending=False)


def _kyc_review_open(*, customer: Customer, holder: Customer, name: str, value: str, reference: str) -> KycSubmitted:
    """Open (or keep) the customer's branch review of a duplicate identity; tell the caller only "pending"."""
    with transaction.atomic(durable=True):
        Customer.objects.select_for_update().filter(pk=customer.pk).first()  # one open review per customer
        review = KycReview.objects.filter(customer=customer, status=KycReview.Status.OPEN).first()
        if review is None:
            review = KycReview.objects.create(
                customer=customer,
                existing_customer=holder,
                branch_id=holder.home_branch_id or customer.home_branch_id,
                reason=KycReview.Reason.DUPLICATE_IDENTITY,
                legal_name=name,
                national_id=value,
                verifier_reference=reference[:100],
            )
            event_publish(
                topic="kyc.review_requested",
                key=str(customer.public_id),
                payload={"customer_id": str(customer.public_id), "review_id": review.pk, "reason": review.reason},
            )
    return KycSubmitted(customer=customer, review_pending=True)


def customer_kyc_review_pending(*, customer: Customer) -> bool:
    return KycReview.objects.filter(customer=customer, status=KycReview.Status.OPEN).exists()
