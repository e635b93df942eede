"""What branch staff do to customers and to the organisation. Every change writes ``audit_record``
in the same transaction; personal data in an audit row is masked, never in clear."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _lazy

from accounts import errors
from accounts.integrations import kyc_verify
from accounts.models import (
    Branch,
    Customer,
    CustomerToken,
    KycTier,
    StaffChangeRequest,
    StaffProfile,
    StaffTOTPDevice,
)
from accounts.pii import mask_name, mask_national_id, mask_phone, national_id_index, phone_index
from accounts.selectors import customer_qs_visible_to_staff, staff_passkeys
from accounts.services.events import event_publish
from accounts.services.kyc import legal_name_validate, national_id_birth_date, national_id_validate
from accounts.services.otp import phone_normalize_or_error
from core.audit import audit_record
from core.models import AuditEvent

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


def _status_change_guards(*, customer: Customer, action: str, staff: Any, dual_control: dict[str, Any] | None) -> None:
    """Other apps' conditions on a status change (``ACCOUNTS_STATUS_CHANGE_GUARDS``, dotted paths of
    ``guard(*, customer, action, staff, dual_control)`` raising a ``DomainError`` to refuse):
    risk refuses a one-person unfreeze of a customer it froze. Called under the customer's lock."""
    from django.utils.module_loading import import_string

    for dotted in getattr(settings, "ACCOUNTS_STATUS_CHANGE_GUARDS", []):
        import_string(dotted)(customer=customer, action=action, staff=staff, dual_control=dual_control)


def _status_apply(
    *, locked: Customer, action: str, reason: str, actor: Any, request: HttpRequest | None, changes: dict[str, Any]
) -> Customer:
    """Move a locked customer to the action's status; audit ``accounts.customer.<action>`` and
    publish ``customer.status_changed`` in the caller's transaction."""
    allowed_from, target = _TRANSITIONS[action]
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
        actor=actor,
        obj=locked,
        reason=reason,
        request=request,
        changes={"status": [before, target], **changes},
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


def customer_status_change(
    *,
    staff: Any,
    customer: Customer,
    action: str,
    reason: str,
    request: HttpRequest | None = None,
    dual_control: dict[str, Any] | None = None,
) -> Customer:
    """Freeze, unfreeze or close with a reason the customer can read (``me.status_reason``).

    Closing revokes every token. Audit action ``accounts.customer.<action>``. ``dual_control``: the
    approved request this change applies (``{"app", "request", "maker", "checker"}``, recorded in
    the audit row); the status-change guards may require one (``ACCOUNTS_STATUS_CHANGE_GUARDS``).
    """
    if action not in _TRANSITIONS:
        raise errors.InvalidStatusChange()
    _require_perm(staff, "accounts.change_customer")
    _require_visible(staff, customer)
    reason = _reason_required(reason)
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        _status_change_guards(customer=locked, action=action, staff=staff, dual_control=dual_control)
        changes = {"dual_control": dual_control} if dual_control else {}
        return _status_apply(locked=locked, action=action, reason=reason, actor=staff, request=request, changes=changes)


def customer_freeze_automated(*, customer: Customer, reason: str, source: str) -> Customer | None:
    """Freeze at once on an automated decision (risk's BLOCK outcome): no staff member acts, so
    none is checked; the audit row names ``source`` as the actor. Call inside the decision's
    transaction. Returns None when the customer is not ACTIVE (already frozen or closed: nothing
    changes). Unfreezing is never automated: a person does it, through ``customer_status_change``."""
    reason = _reason_required(reason)
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if locked.status != Customer.Status.ACTIVE:
        return None
    return _status_apply(
        locked=locked, action="freeze", reason=reason, actor=source, request=None, changes={"automated": source}
    )


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
    """Change a tier's limits, and whether a passkey may replace the payment PIN at this tier
    (``passkey_replaces_pin``), by administrators. Audit action ``accounts.kyctier.change``."""
    _require_perm(staff, "accounts.change_kyctier")
    allowed = {
        "name",
        "per_transaction_limit_minor",
        "daily_limit_minor",
        "monthly_limit_minor",
        "balance_cap_minor",
        "passkey_replaces_pin",
    }
    with transaction.atomic():
        locked = KycTier.objects.select_for_update().get(pk=tier.pk)
        before = {name: getattr(locked, name) for name in allowed}
        for name, value in limits.items():
            if name not in allowed:
                raise errors.DomainError(code="invalid_field")
            if name == "passkey_replaces_pin":
                if not isinstance(value, bool):
                    raise errors.DomainError(code="invalid_field")
            elif name != "name" and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
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


# --- staff accounts: maker-checker and separation of duties --------------------------------------

AUDITOR_ROLE = "AUDITOR"
_ADJUSTMENT_MAKER_ROLES = ("TELLER", "CUSTOMER_SERVICE")  # add_adjustmentrequest only (payments 0004)
_ADJUSTMENT_APPROVER_ROLES = ("BRANCH_MANAGER", "RISK_OFFICER", "ADMINISTRATOR")  # approve_adjustment
# Roles one person may not hold together (the one place; ``settings.STAFF_INCOMPATIBLE_ROLES`` overrides).
# AUDITOR is also refused together with every role that has a write (non ``view_``) permission.
INCOMPATIBLE_ROLE_PAIRS: tuple[tuple[str, str], ...] = tuple(
    (maker, approver) for maker in _ADJUSTMENT_MAKER_ROLES for approver in _ADJUSTMENT_APPROVER_ROLES
)
# The staff changes that give whoever asked for or approved them control over the account (created,
# promoted, credentialed): approver independence counts them in both directions (the legacy
# direct-admin audit actions included).
_CONTROL_KINDS = ("CREATE_STAFF", "SET_ROLES", "SET_PASSWORD", "ADD_TOTP", "REMOVE_TOTP", "REMOVE_PASSKEY")
_CONTROL_AUDIT_ACTIONS = ("auth.user.add", "auth.user.roles", "auth.user.password")
# Who learns a factor of the target: the maker of a password (chosen by them), the approver of an
# authenticator (shown the key). Nobody may hold both for one target (``_ensure_factors_apart``).
_PASSWORD_KINDS = ("CREATE_STAFF", "SET_PASSWORD")


_OWN_ACCOUNT_REFUSED = ("SET_ROLES", "SET_PASSWORD", "SET_BRANCH", "SET_ACTIVE")
ADMINISTRATOR_ROLE = "ADMINISTRATOR"


class StaffChangeRefused(errors.DomainError):
    code = "staff_change_refused"
    status_code = 403
    default_message = _lazy("This staff change is not allowed.")


class ApproverNotIndependent(errors.DomainError):
    code = "approver_not_independent"
    status_code = 403
    default_message = _lazy("You cannot approve this request: a second, independent person must.")


def approver_independence_days() -> int:
    return int(getattr(settings, "APPROVER_INDEPENDENCE_DAYS", 30))


def staff_change_ttl() -> timedelta:
    """How long a pending ``StaffChangeRequest`` may be approved (``STAFF_CHANGE_REQUEST_TTL_HOURS``)."""
    return timedelta(hours=int(getattr(settings, "STAFF_CHANGE_REQUEST_TTL_HOURS", 72)))


def _ensure_not_last_administrator(target: Any) -> None:
    """Refuse deactivating the last active administrator (nobody could approve anything after)."""
    if not target.is_active or not target.groups.filter(name=ADMINISTRATOR_ROLE).exists():
        return
    others = User.objects.filter(is_active=True, groups__name=ADMINISTRATOR_ROLE).exclude(pk=target.pk)
    if not others.exists():
        raise StaffChangeRefused(
            gettext("This is the last active administrator; it cannot be deactivated."), code="last_administrator"
        )


def incompatible_role_pairs() -> tuple[tuple[str, str], ...]:
    return tuple(tuple(pair) for pair in getattr(settings, "STAFF_INCOMPATIBLE_ROLES", INCOMPATIBLE_ROLE_PAIRS))  # type: ignore[misc]


def roles_conflicts(role_names: Iterable[str]) -> list[list[str]]:
    """The pairs of ``role_names`` that one person may not hold together (empty when compatible)."""
    names = set(role_names)
    conflicts = [[a, b] for a, b in incompatible_role_pairs() if a in names and b in names]
    if AUDITOR_ROLE in names:
        writing = set(
            Permission.objects.filter(group__name__in=names - {AUDITOR_ROLE})
            .exclude(codename__startswith="view_")
            .values_list("group__name", flat=True)
        )
        conflicts += [[AUDITOR_ROLE, name] for name in sorted(writing)]
    return conflicts


def roles_ensure_compatible(role_names: Iterable[str]) -> None:
    conflicts = roles_conflicts(role_names)
    if conflicts:
        raise StaffChangeRefused(
            gettext("These roles may not be held by one person: %(pairs)s.")
            % {"pairs": "; ".join(" + ".join(pair) for pair in conflicts)},
            code="incompatible_roles",
            details={"pairs": conflicts},
        )


def _since() -> Any:
    return timezone.now() - timedelta(days=approver_independence_days())


def _controls(*, person: Any, account: Any) -> bool:
    """Whether ``person`` asked for or approved a change giving control over ``account`` in the window."""
    since = _since()
    return (
        StaffChangeRequest.objects.filter(
            target_id=account.pk,
            status=StaffChangeRequest.Status.APPLIED,
            kind__in=_CONTROL_KINDS,
            decided_at__gte=since,
        )
        .filter(Q(requested_by_id=person.pk) | Q(decided_by_id=person.pk))
        .exists()
        or AuditEvent.objects.filter(
            actor_id=person.pk,
            action__in=_CONTROL_AUDIT_ACTIONS,
            object_type=account._meta.label,
            object_id=str(account.pk),
            occurred_at__gte=since,
        ).exists()
    )


def _ensure_factors_apart(*, person: Any, target_id: int | None, receives: str) -> None:
    """Refuse ``person`` learning one factor of ``target_id`` when they learnt the other in the window.

    ``receives`` is ``"password"`` (the maker of a ``SET_PASSWORD``; the creator of a ``CREATE_STAFF``)
    or ``"key"`` (the approver of an ``ADD_TOTP``, shown the key). Reads only: call it at request and
    again at approval, inside the approval's transaction after locking the request and the target.
    """
    if target_id is None or person is None:
        return
    applied = StaffChangeRequest.objects.filter(
        target_id=target_id, status=StaffChangeRequest.Status.APPLIED, decided_at__gte=_since()
    )
    if receives == "password":
        holds_other = applied.filter(kind=StaffChangeRequest.Kind.ADD_TOTP, decided_by_id=person.pk).exists()
    else:
        holds_other = applied.filter(kind__in=_PASSWORD_KINDS, requested_by_id=person.pk).exists()
    if holds_other:
        raise StaffChangeRefused(
            gettext(
                "You chose this person's password or received their authenticator key recently; one person "
                "may not hold both. Another administrator must do this."
            ),
            code="both_factors",
        )


def approver_ensure_independent(*, maker: Any, checker: Any) -> None:
    """Refuse ``checker`` as the approver of ``maker``'s request unless they are independent.

    Raises ``ApproverNotIndependent`` when the checker is the maker (``approver_is_maker``), when either
    of them asked for or approved, in the last ``APPROVER_INDEPENDENCE_DAYS`` days, a change that gives
    control over the other's account (``_CONTROL_KINDS``: created, roles, password, authenticators;
    ``approver_promoted_by_maker``), or when the checker holds roles that must stay apart
    (``approver_incompatible_roles``).
    Reads only; call it inside the approval's transaction, after locking the request.
    """
    if checker is None or not getattr(checker, "is_authenticated", False):
        raise ApproverNotIndependent(code="approver_unknown")
    if maker is not None and maker.pk == checker.pk:
        raise ApproverNotIndependent(gettext("You cannot approve your own request."), code="approver_is_maker")
    if maker is not None and (_controls(person=maker, account=checker) or _controls(person=checker, account=maker)):
        raise ApproverNotIndependent(
            gettext(
                "One of you created, promoted or set credentials for the other's account recently; "
                "another person must approve."
            ),
            code="approver_promoted_by_maker",
        )
    conflicts = roles_conflicts(checker.groups.values_list("name", flat=True))
    if conflicts:
        raise ApproverNotIndependent(
            gettext("Your roles may not be held together; you cannot approve requests until this is fixed."),
            code="approver_incompatible_roles",
            details={"pairs": conflicts},
        )


def _ensure_may_touch(actor: Any, target: Any) -> None:
    if target is not None and target.is_superuser and not actor.is_superuser:
        raise StaffChangeRefused(gettext("Only a superuser may change a superuser."), code="superuser_protected")


def _required_perm(kind: str) -> str:
    return "auth.add_user" if kind == StaffChangeRequest.Kind.CREATE_STAFF else "auth.change_user"


def _roles_validate(roles: Iterable[str] | None) -> list[str]:
    names = sorted({str(name) for name in (roles or [])})
    known = set(Group.objects.filter(name__in=names).values_list("name", flat=True))
    unknown = [name for name in names if name not in known]
    if unknown:
        raise StaffChangeRefused(gettext("Unknown role."), code="unknown_role", details={"roles": unknown})
    roles_ensure_compatible(names)
    return names


def _change_summary(change: StaffChangeRequest) -> dict[str, Any]:
    """What the audit log keeps of a request: never the password (hash) or a TOTP key."""
    summary: dict[str, Any] = {"kind": change.kind, "maker": change.requested_by_id}
    if change.target_id is not None:
        summary["target"] = change.target_id
    if change.kind in (StaffChangeRequest.Kind.CREATE_STAFF, StaffChangeRequest.Kind.SET_ROLES):
        summary["roles"] = list(change.roles)
    if change.details:
        summary["details"] = dict(change.details)
    if change.kind in (StaffChangeRequest.Kind.CREATE_STAFF, StaffChangeRequest.Kind.SET_PASSWORD):
        summary["password"] = "set"  # noqa: S105 (a marker, not a secret)
    return summary


def staff_change_request_create(
    *,
    maker: Any,
    kind: str,
    reason: str,
    target: Any = None,
    roles: Iterable[str] | None = None,
    password: str | None = None,
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> StaffChangeRequest:
    """Ask for a change to a staff account that a second administrator must approve.

    Kinds: ``CREATE_STAFF`` (``details``: username, first_name, last_name, email, branch id, employee_no;
    ``roles``; ``password``), ``SET_ROLES`` (``roles``, the complete new set), ``SET_PASSWORD``
    (``password``), ``ADD_TOTP`` (``details.name``), ``REMOVE_TOTP`` (``details.device``), ``REMOVE_PASSKEY``
    (``details.passkey``: a django-otp-webauthn credential of the target, e.g. a lost phone), ``SET_BRANCH``
    (``details.branch`` id), ``SET_ACTIVE`` (``details.active`` bool). Refused: your own roles, password,
    branch or active status (change your own password with the current one), a superuser unless you
    are one, roles that must stay apart, deactivating the last active administrator, and a password
    chosen by someone who received the target's authenticator key in the last
    ``APPROVER_INDEPENDENCE_DAYS`` days (``both_factors``). Audit ``accounts.staffchange.request`` (no
    secrets).
    """
    Kind = StaffChangeRequest.Kind
    if kind not in Kind.values:
        raise StaffChangeRefused(code="invalid_kind")
    reason = _reason_required(reason)
    _require_perm(maker, _required_perm(kind))
    details = {key: value for key, value in (details or {}).items() if value not in (None, "")}
    if kind == Kind.CREATE_STAFF:
        target = None
    elif target is None:
        raise StaffChangeRefused(gettext("Choose the staff member."), code="target_required")
    else:
        _ensure_may_touch(maker, target)
        if target.pk == maker.pk and kind in _OWN_ACCOUNT_REFUSED:
            raise StaffChangeRefused(
                gettext(
                    "Nobody changes their own roles, branch or active status; change your own password with "
                    "your current one."
                ),
                code="own_account",
            )
        if kind == Kind.SET_PASSWORD:
            _ensure_factors_apart(person=maker, target_id=target.pk, receives="password")
    role_names = _roles_validate(roles) if kind in (Kind.CREATE_STAFF, Kind.SET_ROLES) else []
    password_hash = ""
    if kind in (Kind.CREATE_STAFF, Kind.SET_PASSWORD):
        if not password:
            raise StaffChangeRefused(gettext("Give the new password."), code="password_required")
        try:
            validate_password(password, user=target)
        except ValidationError as error:
            raise StaffChangeRefused(" ".join(error.messages), code="weak_password") from None
        password_hash = make_password(password)
    if kind == Kind.CREATE_STAFF:
        username = str(details.get("username", "")).strip()
        if not username:
            raise StaffChangeRefused(gettext("Give the username."), code="username_required")
        if User.objects.filter(username__iexact=username).exists():
            raise StaffChangeRefused(gettext("This username is taken."), code="username_taken")
        details["username"] = username
        keep = ("username", "first_name", "last_name", "email", "branch", "employee_no")
        details = {key: details[key] for key in keep if key in details}
    elif kind == Kind.ADD_TOTP:
        details = {"name": str(details.get("name") or "authenticator")[:64]}
    elif kind == Kind.REMOVE_TOTP:
        device_id = details.get("device")
        if not StaffTOTPDevice.objects.filter(pk=device_id, user=target).exists():
            raise StaffChangeRefused(gettext("This authenticator does not belong to that person."), code="no_device")
        details = {"device": int(str(device_id))}
    elif kind == Kind.REMOVE_PASSKEY:
        passkey_id = details.get("passkey")
        if not staff_passkeys(target).filter(pk=passkey_id).exists():
            raise StaffChangeRefused(gettext("This passkey does not belong to that person."), code="no_passkey")
        details = {"passkey": int(str(passkey_id))}
    elif kind == Kind.SET_BRANCH:
        branch_id = details.get("branch")
        if branch_id is None or not Branch.objects.filter(pk=branch_id).exists():
            raise StaffChangeRefused(gettext("Choose the branch."), code="branch_required")
        details = {"branch": int(str(branch_id))}
    elif kind == Kind.SET_ACTIVE:
        active = details.get("active")
        if not isinstance(active, bool):
            raise StaffChangeRefused(gettext("Choose whether the account is active."), code="active_required")
        details = {"active": active}
        if not active:
            _ensure_not_last_administrator(target)
    else:
        details = {}
    with transaction.atomic():
        change = StaffChangeRequest.objects.create(
            kind=kind,
            target=target,
            roles=role_names,
            details=details,
            password_hash=password_hash,
            reason=reason,
            requested_by=maker,
        )
        audit_record(
            action="accounts.staffchange.request",
            actor=maker,
            obj=change,
            reason=reason,
            request=request,
            changes=_change_summary(change),
        )
    return change


@dataclass(frozen=True)
class StaffChangeOutcome:
    change: StaffChangeRequest
    provisioning_uri: str = ""  # ADD_TOTP only: shown once to the approver, stored nowhere else


def staff_change_approve(
    *, checker: Any, change_request: StaffChangeRequest, request: HttpRequest | None = None
) -> StaffChangeOutcome:
    """Approve and apply a pending request in one transaction.

    Locks the request (``SELECT ... FOR UPDATE``) and re-checks its status and age
    (``STAFF_CHANGE_REQUEST_TTL_HOURS``), that the maker is still active and may still ask, the
    checker's independence (``approver_ensure_independent``), the superuser rule for maker and checker,
    that the checker is not the target, role compatibility, that nobody ends up with both factors of
    the target (``_ensure_factors_apart``: the ADD_TOTP approver is shown the key) and the last active
    administrator. Audits ``accounts.staffchange.approve`` and the applied change (``auth.user.add`` /
    ``auth.user.roles`` / ``auth.user.password`` / ``auth.user.active`` / ``accounts.staffprofile.branch``
    / ``accounts.stafftotpdevice.add|delete``), never a secret.
    """
    Kind = StaffChangeRequest.Kind
    with transaction.atomic():
        change = StaffChangeRequest.objects.select_for_update().get(pk=change_request.pk)
        if change.status != StaffChangeRequest.Status.PENDING:
            raise StaffChangeRefused(gettext("This request was already decided."), code="already_decided")
        if change.requested_at < timezone.now() - staff_change_ttl():
            raise StaffChangeRefused(
                gettext("This request has expired; reject it and ask again."), code="request_expired"
            )
        _require_perm(checker, _required_perm(change.kind))
        maker = User.objects.get(pk=change.requested_by_id)
        if not maker.is_active or not maker.has_perm(_required_perm(change.kind)):
            raise StaffChangeRefused(
                gettext("The person who asked may no longer ask for this change; reject it."),
                code="maker_not_allowed",
            )
        approver_ensure_independent(maker=maker, checker=checker)
        target = User.objects.select_for_update().get(pk=change.target_id) if change.target_id else None
        if target is not None:
            _ensure_may_touch(change.requested_by, target)
            _ensure_may_touch(checker, target)
            if target.pk == checker.pk:
                raise StaffChangeRefused(
                    gettext("Nobody approves a change to their own account."), code="approver_is_target"
                )
        if change.kind in (Kind.CREATE_STAFF, Kind.SET_ROLES):
            roles_ensure_compatible(change.roles)
        if change.kind == Kind.SET_PASSWORD:
            _ensure_factors_apart(person=maker, target_id=change.target_id, receives="password")
        elif change.kind == Kind.ADD_TOTP:
            _ensure_factors_apart(person=checker, target_id=change.target_id, receives="key")
        elif change.kind == Kind.SET_ACTIVE and change.details.get("active") is False:
            assert target is not None
            _ensure_not_last_administrator(target)
        provisioning_uri = ""
        applied_action: str
        applied: dict[str, Any]
        if change.kind == Kind.CREATE_STAFF:
            target = _staff_create(change)
            change.target = target
            applied_action, applied = "auth.user.add", {"username": target.username, "roles": change.roles}
        elif change.kind == Kind.SET_ROLES:
            assert target is not None
            before = sorted(target.groups.values_list("name", flat=True))
            target.groups.set(Group.objects.filter(name__in=change.roles))
            applied_action, applied = "auth.user.roles", {"groups": [before, sorted(change.roles)]}
        elif change.kind == Kind.SET_PASSWORD:
            assert target is not None
            target.password = change.password_hash
            target.save(update_fields=["password"])
            applied_action, applied = "auth.user.password", {"password": "changed"}
        elif change.kind == Kind.ADD_TOTP:
            assert target is not None
            device = StaffTOTPDevice.objects.create(user=target, name=change.details.get("name", "authenticator"))
            provisioning_uri = device.config_url
            applied_action, applied = (
                "accounts.stafftotpdevice.add",
                {"user": target.pk, "device": device.pk, "key": "generated"},
            )
        elif change.kind == Kind.SET_BRANCH:
            assert target is not None
            profile, _created = StaffProfile.objects.select_for_update().get_or_create(
                user=target, defaults={"employee_no": f"E{target.pk:06d}"}
            )
            before_branch = profile.branch_id
            profile.branch_id = int(change.details["branch"])
            profile.save(update_fields=["branch", "updated_at"])
            applied_action, applied = "accounts.staffprofile.branch", {"branch": [before_branch, profile.branch_id]}
        elif change.kind == Kind.SET_ACTIVE:
            assert target is not None
            before_active = target.is_active
            target.is_active = bool(change.details["active"])
            target.save(update_fields=["is_active"])
            applied_action, applied = "auth.user.active", {"is_active": [before_active, target.is_active]}
        elif change.kind == Kind.REMOVE_PASSKEY:
            assert target is not None
            deleted, _rows = staff_passkeys(target).filter(pk=change.details.get("passkey")).delete()
            if not deleted:
                raise StaffChangeRefused(gettext("This passkey no longer exists."), code="no_passkey")
            applied_action, applied = (
                "django_otp_webauthn.webauthncredential.delete",
                {"user": target.pk, "passkey": change.details.get("passkey")},
            )
        else:
            assert target is not None
            deleted, _rows = StaffTOTPDevice.objects.filter(pk=change.details.get("device"), user=target).delete()
            if not deleted:
                raise StaffChangeRefused(gettext("This authenticator no longer exists."), code="no_device")
            applied_action, applied = (
                "accounts.stafftotpdevice.delete",
                {"user": target.pk, "device": change.details.get("device")},
            )
        change.status = StaffChangeRequest.Status.APPLIED
        change.decided_by = checker
        change.decided_at = timezone.now()
        change.password_hash = ""
        change.save(update_fields=["status", "decided_by", "decided_at", "password_hash", "target"])
        audit_record(
            action="accounts.staffchange.approve",
            actor=checker,
            obj=change,
            reason=change.reason,
            request=request,
            changes=_change_summary(change),
        )
        audit_record(
            action=applied_action,
            actor=checker,
            obj=target,
            reason=change.reason,
            request=request,
            changes={**applied, "staff_change_request": change.pk, "maker": change.requested_by_id},
        )
    return StaffChangeOutcome(change=change, provisioning_uri=provisioning_uri)


def _staff_create(change: StaffChangeRequest) -> Any:
    details = change.details
    user = User.objects.create(
        username=details["username"],
        first_name=str(details.get("first_name", ""))[:150],
        last_name=str(details.get("last_name", ""))[:150],
        email=str(details.get("email", ""))[:254],
        is_staff=True,
        password=change.password_hash,
    )
    StaffProfile.objects.create(
        user=user,
        branch_id=details.get("branch"),
        employee_no=str(details.get("employee_no") or f"E{user.pk:06d}"),
    )
    user.groups.set(Group.objects.filter(name__in=change.roles))
    return user


def staff_change_reject(
    *, checker: Any, change_request: StaffChangeRequest, reason: str = "", request: HttpRequest | None = None
) -> StaffChangeRequest:
    """Reject (or, by its maker, withdraw) a pending request. Locks it; audit ``accounts.staffchange.reject``."""
    with transaction.atomic():
        change = StaffChangeRequest.objects.select_for_update().get(pk=change_request.pk)
        if change.status != StaffChangeRequest.Status.PENDING:
            raise StaffChangeRefused(gettext("This request was already decided."), code="already_decided")
        _require_perm(checker, _required_perm(change.kind))
        change.status = StaffChangeRequest.Status.REJECTED
        change.decided_by = checker
        change.decided_at = timezone.now()
        change.decision_reason = reason.strip()[:1000]
        change.password_hash = ""
        change.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "password_hash"])
        audit_record(
            action="accounts.staffchange.reject",
            actor=checker,
            obj=change,
            reason=change.decision_reason,
            request=request,
            changes=_change_summary(change),
        )
    return change
