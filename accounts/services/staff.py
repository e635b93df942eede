"""What branch staff do to customers and to the organisation. Every change writes ``audit_record``
in the same transaction; personal data in an audit row is masked, never in clear."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from accounts import errors
from accounts.integrations import kyc_verify
from accounts.models import Customer, CustomerToken, KycTier
from accounts.pii import mask_name, mask_national_id, mask_phone, national_id_index, phone_index
from accounts.selectors import customer_qs_visible_to_staff
from accounts.services.events import event_publish
from accounts.services.kyc import legal_name_validate, national_id_birth_date, national_id_validate
from accounts.services.otp import phone_normalize_or_error
from core.audit import audit_record

REVEALABLE_FIELDS = ("phone", "legal_name", "national_id", "business_registration_no")
_MASKS = {
    "phone": mask_phone,
    "legal_name": mask_name,
    "national_id": mask_national_id,
    "business_registration_no": mask_national_id,
}


def _reason_required(reason: object) -> str:
    if not isinstance(reason, str) or len(reason.strip()) < 2:
        raise errors.ReasonRequired(gettext("Give a reason."))
    return reason.strip()[:1000]


def _require_perm(staff: Any, perm: str) -> None:
    if not staff.has_perm(perm):
        raise errors.DomainError(
            gettext("You do not have permission to do this."), code="permission_denied", status_code=403
        )


def _require_visible(staff: Any, customer: Customer) -> None:
    if not customer_qs_visible_to_staff(staff).filter(pk=customer.pk).exists():
        raise errors.DomainError(code="not_found", status_code=404)


def customer_register_at_counter(
    *,
    staff: Any,
    phone: str,
    legal_name: str,
    national_id: str,
    date_of_birth: date,
    customer_type: str = Customer.Type.INDIVIDUAL,
    business_name: str = "",
    business_registration_no: str = "",
    request: HttpRequest | None = None,
) -> Customer:
    """A teller registers a customer whose ID card they have seen: tier 1, channel BRANCH, the staff
    member and their branch recorded (marketing attribution). The customer sets a password later
    with the password-reset flow (the stored password is unusable until then)."""
    _require_perm(staff, "accounts.add_customer")
    profile = getattr(staff, "staff_profile", None)
    if profile is None or profile.branch is None:
        raise errors.DomainError(
            gettext("Only staff attached to a branch can register customers."),
            code="staff_without_branch",
            status_code=403,
        )
    e164 = phone_normalize_or_error(phone)
    name = legal_name_validate(legal_name)
    id_value = national_id_validate(national_id)
    if national_id_birth_date(id_value) != date_of_birth:
        raise errors.InvalidNationalId(
            gettext("The date of birth does not match the ID number."), code="date_of_birth_mismatch"
        )
    if customer_type == Customer.Type.SMALL_BUSINESS and not (business_name.strip() and business_registration_no):
        raise errors.DomainError(
            gettext("A small business needs its name and registration number."), code="business_details_required"
        )
    if Customer.objects.filter(phone_index=phone_index(e164)).exists():
        raise errors.PhoneAlreadyRegistered()
    if Customer.objects.filter(national_id_index=national_id_index(id_value)).exists():
        raise errors.NationalIdAlreadyUsed()
    if not kyc_verify(legal_name=name, national_id=id_value).matched:
        raise errors.KycMismatch()

    try:
        with transaction.atomic():
            now = timezone.now()
            customer = Customer.objects.create(
                phone=e164,
                phone_index=phone_index(e164),
                legal_name=name,
                national_id=id_value,
                national_id_index=national_id_index(id_value),
                date_of_birth=date_of_birth,
                customer_type=customer_type,
                business_name=business_name.strip()[:200],
                business_registration_no=business_registration_no.strip(),
                kyc_tier=KycTier.objects.get(level=1),
                kyc_verified_at=now,
                home_branch=profile.branch,
                onboarding_channel=Customer.Channel.BRANCH,
                registered_by=staff,
                password=make_password(None),
            )
            audit_record(
                action="accounts.customer.register_at_counter",
                actor=staff,
                obj=customer,
                request=request,
                changes={
                    "phone": mask_phone(e164),
                    "legal_name": mask_name(name),
                    "national_id": mask_national_id(id_value),
                    "branch": profile.branch.code,
                    "customer_type": customer_type,
                },
            )
            event_publish(
                topic="customer.registered",
                key=str(customer.public_id),
                payload={
                    "customer_id": str(customer.public_id),
                    "channel": customer.onboarding_channel,
                    "home_branch": profile.branch.code,
                    "registered_by": staff.pk,
                    "referred_by": None,
                    "marketing_consent": False,
                    "registered_at": now.isoformat(),
                },
            )
    except IntegrityError:
        raise errors.PhoneAlreadyRegistered(gettext("This phone or ID number is already registered.")) from None
    return customer


_TRANSITIONS = {
    "freeze": ({Customer.Status.ACTIVE}, Customer.Status.FROZEN),
    "unfreeze": ({Customer.Status.FROZEN}, Customer.Status.ACTIVE),
    "close": ({Customer.Status.ACTIVE, Customer.Status.FROZEN}, Customer.Status.CLOSED),
}


def customer_status_change(
    *, staff: Any, customer: Customer, action: str, reason: str, request: HttpRequest | None = None
) -> Customer:
    """Freeze, unfreeze or close with a reason the customer can read (``me.status_reason``).

    Closing revokes every token. Audit action ``accounts.customer.<action>``.
    """
    if action not in _TRANSITIONS:
        raise errors.InvalidStatusChange()
    _require_perm(staff, "accounts.change_customer")
    _require_visible(staff, customer)
    reason = _reason_required(reason)
    allowed_from, target = _TRANSITIONS[action]
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        if locked.status not in allowed_from:
            raise errors.InvalidStatusChange()
        before = locked.status
        locked.status = target
        locked.status_reason = reason if target != Customer.Status.ACTIVE else ""
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
        if target == Customer.Status.CLOSED:
            CustomerToken.objects.filter(customer=locked, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit_record(
            action=f"accounts.customer.{action}",
            actor=staff,
            obj=locked,
            reason=reason,
            request=request,
            changes={"status": [before, target]},
        )
        event_publish(
            topic="customer.status_changed",
            key=str(locked.public_id),
            payload={
                "customer_id": str(locked.public_id),
                "status": target,
                "previous_status": before,
            },
        )
    return locked


def customer_pii_reveal(
    *, staff: Any, customer: Customer, field: str, reason: str, request: HttpRequest | None = None
) -> str:
    """Return one personal-data field in clear, after writing ``accounts.customer.reveal`` with the reason.

    Needs ``accounts.reveal_customer_pii`` and a customer in the staff member's scope.
    """
    _require_perm(staff, "accounts.reveal_customer_pii")
    _require_visible(staff, customer)
    if field not in REVEALABLE_FIELDS:
        raise errors.DomainError(gettext("This field cannot be revealed."), code="invalid_field")
    reason = _reason_required(reason)
    with transaction.atomic():
        audit_record(
            action="accounts.customer.reveal",
            actor=staff,
            obj=customer,
            reason=reason,
            request=request,
            changes={"field": field},
        )
    return str(getattr(customer, field) or "")


def customer_mask(customer: Customer, field: str) -> str:
    value = getattr(customer, field) or ""
    return _MASKS[field](value) if value else ""


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def model_changes(obj: models.Model, fields: list[str], initial: dict[str, Any]) -> dict[str, Any]:
    """``{field: [before, after]}`` for the fields that changed (values made JSON-safe)."""
    changes = {}
    for name in fields:
        after = getattr(obj, name, None)
        before = initial.get(name)
        if _jsonable(before) != _jsonable(after):
            changes[name] = [_jsonable(before), _jsonable(after)]
    return changes


def kyc_tier_update(
    *, staff: Any, tier: KycTier, limits: dict[str, int], reason: str = "", request: HttpRequest | None = None
) -> KycTier:
    """Change a tier's limits (administrators). Audit action ``accounts.kyctier.change``."""
    _require_perm(staff, "accounts.change_kyctier")
    allowed = {"name", "per_transaction_limit_minor", "daily_limit_minor", "monthly_limit_minor", "balance_cap_minor"}
    with transaction.atomic():
        locked = KycTier.objects.select_for_update().get(pk=tier.pk)
        before = {name: getattr(locked, name) for name in allowed}
        for name, value in limits.items():
            if name not in allowed:
                raise errors.DomainError(code="invalid_field")
            if name != "name" and (not isinstance(value, int) or value < 0):
                raise errors.DomainError(gettext("Limits are non-negative amounts."), code="invalid_limit")
            setattr(locked, name, value)
        locked.save()
        audit_record(
            action="accounts.kyctier.change",
            actor=staff,
            obj=locked,
            reason=reason,
            request=request,
            changes=model_changes(locked, sorted(allowed), before),
        )
    return locked


def staff_change_record(
    *,
    staff: Any,
    obj: models.Model,
    action: str,
    changes: dict[str, Any],
    request: HttpRequest | None = None,
    reason: str = "",
) -> None:
    """Audit a change made through a plain admin form (branches, staff users, groups, profiles).

    Call inside the transaction that saved ``obj`` (the admin's changeform view is atomic).
    """
    audit_record(action=action, actor=staff, obj=obj, reason=reason, request=request, changes=changes)
