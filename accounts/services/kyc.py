"""KYC: reach tier 1 with a name and a mainland ID number checked by ``settings.KYC_VERIFIER``."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts import errors
from accounts.integrations import kyc_verify
from accounts.models import Customer, KycTier
from accounts.pii import national_id_index, national_id_is_valid
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


def customer_kyc_submit(*, customer: Customer, legal_name: str, national_id: str) -> Customer:
    """Verify name + ID; on a match move the customer to tier 1 with the ID stored encrypted.

    Refusals: ``invalid_national_id`` (400, checksum), ``national_id_already_registered`` (409),
    ``kyc_mismatch`` (422), ``kyc_already_verified`` (409), ``kyc_too_many_attempts`` (429 after
    ``KYC_MAX_FAILURES_PER_DAY`` mismatches: the verifier must not become a name/ID oracle).
    """
    if (customer.kyc_tier_id or 0) >= 1 or customer.kyc_verified_at is not None:
        raise errors.KycAlreadyVerified()
    name = legal_name_validate(legal_name)
    value = national_id_validate(national_id)
    index = national_id_index(value)
    if Customer.objects.filter(national_id_index=index).exclude(pk=customer.pk).exists():
        raise errors.NationalIdAlreadyUsed()
    failures_key = f"acc:kyc-fail:{customer.pk}"
    if attempt_take(failures_key, 86400) > KYC_MAX_FAILURES_PER_DAY:
        raise errors.DomainError(
            gettext("Too many failed identity checks today. Try again tomorrow."),
            code="kyc_too_many_attempts",
            status_code=429,
        )

    result = kyc_verify(legal_name=name, national_id=value)  # network I/O: outside any transaction
    if not result.matched:
        raise errors.KycMismatch()

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
        raise errors.NationalIdAlreadyUsed() from None
    return locked
