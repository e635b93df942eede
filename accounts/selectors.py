"""Reads of the accounts app. ``select_related`` lives here, not in views."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import (
    BANK_WIDE_ROLES,
    Branch,
    Consent,
    Customer,
    CustomerPasskey,
    CustomerToken,
    Device,
    KycTier,
    LinkedCard,
    StaffRole,
)
from accounts.pii import InvalidPhone, national_id_index, normalize_phone, phone_index
from accounts.rows import customer_columns, customer_from_row
from core import prepared


def customer_get_by_phone(phone: str) -> Customer | None:
    """The customer with this phone (any format ``normalize_phone`` accepts), or None (also for invalid input)."""
    if not isinstance(phone, str) or not phone.strip() or len(phone) > 32:
        return None
    try:
        e164 = normalize_phone(phone)
    except InvalidPhone:
        return None
    return Customer.objects.select_related("kyc_tier", "home_branch").filter(phone_index=phone_index(e164)).first()


_CUSTOMERS_LEAN_SQL = prepared.PreparedQuery(  # planned once per connection (core.prepared)
    "accounts_customers_for_payment",
    f"SELECT {customer_columns('c', 'k')} FROM accounts_customer c "  # noqa: S608 (model metadata)
    "JOIN accounts_kyctier k ON k.level = c.kyc_tier_id WHERE c.id = ANY(%(ids)s)",
)


def customers_for_payment(ids: Iterable[int]) -> dict[int, Customer]:
    """Customers by id with their KYC tier, as the API's token authentication loads the payer:
    one raw statement, personal data left encrypted and deferred (``accounts.rows``)."""
    with connection.cursor() as cursor:
        prepared.execute(cursor, _CUSTOMERS_LEAN_SQL, {"ids": list(ids)})
        customers = [customer_from_row(row) for row in cursor.fetchall()]
    return {customer.pk: customer for customer in customers}


def customer_get_by_national_id(national_id: str) -> Customer | None:
    if not isinstance(national_id, str) or not national_id.strip() or len(national_id) > 32:
        return None
    return (
        Customer.objects.select_related("kyc_tier", "home_branch")
        .filter(national_id_index=national_id_index(national_id.strip()))
        .first()
    )


def customer_get_by_public_id(public_id: Any) -> Customer | None:
    """The customer with this public UUID (a ``UUID`` or its string), or None (also for a malformed id)."""
    if not isinstance(public_id, uuid.UUID):
        try:
            public_id = uuid.UUID(str(public_id))
        except (ValueError, TypeError, AttributeError):
            return None
    return Customer.objects.select_related("kyc_tier", "home_branch").filter(public_id=public_id).first()


def _live_consent(purpose: str) -> Exists:
    return Exists(Consent.objects.filter(customer=OuterRef("pk"), purpose=purpose, withdrawn_at__isnull=True))


def customer_marketing_reachable_qs() -> QuerySet[Customer]:
    """Active customers with a live (not withdrawn) MARKETING consent: the only ones marketing may reach."""
    return Customer.objects.filter(_live_consent(Consent.Purpose.MARKETING), status=Customer.Status.ACTIVE)


def customer_has_live_consent(*, customer: Customer, purpose: str) -> bool:
    return Consent.objects.filter(customer=customer, purpose=purpose, withdrawn_at__isnull=True).exists()


def consent_list_for_customer(*, customer: Customer) -> QuerySet[Consent]:
    return Consent.objects.filter(customer=customer).order_by("-granted_at", "-id")


def device_list_for_customer(*, customer: Customer) -> QuerySet[Device]:
    return Device.objects.filter(customer=customer).order_by("-last_seen_at", "-id")


def token_live_for_device(*, device: Device) -> CustomerToken | None:
    return CustomerToken.objects.filter(device=device, revoked_at__isnull=True).first()


def kyc_tier_list() -> QuerySet[KycTier]:
    """Every KYC tier with its limits, lowest first (public reference data)."""
    return KycTier.objects.order_by("level")


def card_list_for_customer(*, customer: Customer) -> QuerySet[LinkedCard]:
    return LinkedCard.objects.filter(customer=customer, status=LinkedCard.Status.ACTIVE).order_by("-created_at", "-id")


def card_get_for_customer(*, customer: Customer, public_id: Any) -> LinkedCard | None:
    """A linked card of this customer only: another customer's card is None (the view answers 404)."""
    try:
        public_id = uuid.UUID(str(public_id))
    except (ValueError, TypeError):
        return None
    return LinkedCard.objects.filter(customer=customer, public_id=public_id, status=LinkedCard.Status.ACTIVE).first()


def branch_descendant_ids(branch: Branch | None) -> set[int]:
    """The branch and all its sub-branches (any depth)."""
    if branch is None:
        return set()
    ids = {branch.pk}
    frontier = {branch.pk}
    while frontier:
        frontier = set(Branch.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - ids
        ids |= frontier
    return ids


def customer_qs_visible_to_staff(user: Any) -> QuerySet[Customer]:
    """Customers a staff user may open (and whose payments they may see).

    * superusers, bank-wide roles and customer service (the contact the frozen-account message
      names): every customer;
    * other branch staff: their branch tree, plus customers not yet attributed to any branch
      (registered in the app), so a teller can serve an app customer who walks in. The customer
      list shows those only on an exact search (``customer_qs_in_branch_tree`` for browsing).
    """
    qs = Customer.objects.select_related("kyc_tier", "home_branch")
    if staff_searches_bank_wide(user):
        return qs
    branch_ids = staff_branch_ids(user)
    if not branch_ids:
        return qs.none()
    return qs.filter(Q(home_branch_id__in=branch_ids) | Q(home_branch__isnull=True))


def customer_qs_in_branch_tree(user: Any) -> QuerySet[Customer]:
    """What a staff member browses without a search: all for bank-wide roles, else the customers
    attributed to their branch tree (customer service included: they search bank-wide, they do not
    browse it)."""
    qs = Customer.objects.select_related("kyc_tier", "home_branch")
    if staff_is_bank_wide(user):
        return qs
    branch_ids = staff_branch_ids(user)
    return qs.filter(home_branch_id__in=branch_ids) if branch_ids else qs.none()


SEARCH_GRANT_SESSION_KEY = "desk_found_customers"  # {customer pk: unix time the exact search found them}
SEARCH_GRANT_SECONDS = 15 * 60


def customer_ids_found_by_search(request: Any) -> set[int]:
    """Customers this session's staff member found by an exact search in the last
    ``SEARCH_GRANT_SECONDS`` (``accounts.services.desk.customer_exact_search`` records them; the
    session belongs to one signed-in staff member and is flushed at login and logout)."""
    session = getattr(request, "session", None)
    if session is None:
        return set()
    found = session.get(SEARCH_GRANT_SESSION_KEY) or {}
    oldest = time.time() - SEARCH_GRANT_SECONDS
    return {int(pk) for pk, at in found.items() if isinstance(at, (int, float)) and at >= oldest}


def customer_qs_browsable(request: Any) -> QuerySet[Customer]:
    """What a staff member may open and browse (the customer pages, every payments list and panel):
    their branch tree (``customer_qs_in_branch_tree``; all for bank-wide roles) plus the customers
    their own exact searches found in the last 15 minutes, while those stay in the search scope
    (``customer_qs_visible_to_staff``). Counting up ids in URLs opens nothing else."""
    user = request.user
    if staff_is_bank_wide(user):
        return customer_qs_in_branch_tree(user)
    found = customer_ids_found_by_search(request)
    tree = Q(home_branch_id__in=staff_branch_ids(user))
    if not found:
        return customer_qs_in_branch_tree(user)
    searched = customer_qs_visible_to_staff(user).filter(pk__in=found).values("pk")
    return Customer.objects.select_related("kyc_tier", "home_branch").filter(tree | Q(pk__in=searched))


def customer_exact_term_kind(term: str) -> tuple[str, str]:
    """``(kind, key)`` of an exact search term: ``("public_id", uuid)``, ``("national_id", blind
    index)``, ``("phone", blind index)`` or ``("invalid", "")``. Personal data is never searched in
    clear; ``key`` is safe to log."""
    term = term.strip().replace(" ", "")
    if not term:
        return "invalid", ""
    try:
        return "public_id", str(uuid.UUID(term))
    except ValueError:
        pass
    if len(term) == 18 and term[:17].isdigit():
        return "national_id", national_id_index(term.upper())
    try:
        return "phone", phone_index(normalize_phone(term))
    except InvalidPhone:
        return "invalid", ""


def customer_filter_exact(qs: QuerySet[Customer], kind: str, key: str) -> QuerySet[Customer]:
    """``qs`` narrowed to the customer an exact term (``customer_exact_term_kind``) names."""
    if kind == "public_id":
        return qs.filter(public_id=key)
    if kind == "national_id":
        return qs.filter(national_id_index=key)
    if kind == "phone":
        return qs.filter(phone_index=key)
    return qs.none()


def staff_branch_ids(user: Any) -> set[int]:
    """The staff member's branch and its sub-branches (empty without a branch)."""
    profile = getattr(user, "staff_profile", None)
    return branch_descendant_ids(profile.branch if profile is not None else None)


def staff_has_role(user: Any, role: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_staff", False):
        return False
    return bool(user.groups.filter(name=str(role)).exists())


def staff_is_bank_wide(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_staff", False):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=[str(role) for role in BANK_WIDE_ROLES]).exists()


def staff_searches_bank_wide(user: Any) -> bool:
    """Bank-wide roles and customer service find (and open) any customer by an exact identifier."""
    return staff_is_bank_wide(user) or staff_has_role(user, StaffRole.CUSTOMER_SERVICE)


def staff_may_read_dev_sms(user: Any) -> bool:
    """The development SMS codes page (one-time codes of every customer): superusers and
    administrators only."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_staff", False):
        return False
    return bool(user.is_superuser) or staff_has_role(user, StaffRole.ADMINISTRATOR)


def branch_list_assignable_by_staff(user: Any) -> QuerySet[Branch]:
    """Branches a staff member may attribute a customer to: all for bank-wide roles, else their tree."""
    if staff_is_bank_wide(user):
        return Branch.objects.order_by("code")
    return Branch.objects.filter(pk__in=staff_branch_ids(user)).order_by("code")


def device_get_for_customer(*, customer: Customer, public_id: Any) -> Device | None:
    """A device of this customer only: another customer's device is None (the view answers 404)."""
    try:
        public_id = uuid.UUID(str(public_id))
    except (ValueError, TypeError):
        return None
    return Device.objects.filter(customer=customer, public_id=public_id).first()


def customer_age_band(date_of_birth: Any) -> str:
    """Marketing's generation label from the birth year: post-00, post-95, post-90, post-80, post-70, earlier."""
    if date_of_birth is None:
        return ""
    year = date_of_birth.year
    for start, label in ((2000, "post-00"), (1995, "post-95"), (1990, "post-90"), (1980, "post-80"), (1970, "post-70")):
        if year >= start:
            return label
    return "pre-70"


def customers_visible_to_staff(user: Any, customer_ids: Iterable[int]) -> bool:
    """True if the staff member may see every one of these customers (branch scope, as
    ``customer_qs_visible_to_staff``). An empty set (bank-side accounts only) is visible to
    bank-wide staff only. For services that take ids a staff member named."""
    ids = {pk for pk in customer_ids if pk is not None}
    if staff_is_bank_wide(user):
        return True
    if not ids:
        return False
    return customer_qs_visible_to_staff(user).filter(pk__in=ids).count() == len(ids)


def passkey_list_for_customer(*, customer: Customer) -> QuerySet[CustomerPasskey]:
    """The customer's live passkeys, newest first, with their device (one query)."""
    return (
        CustomerPasskey.objects.filter(customer=customer, revoked_at__isnull=True)
        .select_related("device")
        .order_by("-created_at", "-id")
    )


def passkey_get_for_customer(*, customer: Customer, public_id: Any) -> CustomerPasskey | None:
    """A live passkey of this customer only: another customer's is None (the view answers 404)."""
    try:
        public_id = uuid.UUID(str(public_id))
    except (ValueError, TypeError):
        return None
    return CustomerPasskey.objects.filter(customer=customer, public_id=public_id, revoked_at__isnull=True).first()


def staff_passkey_required(user: Any) -> bool:
    """Whether this staff member's roles require a passkey to sign in (``STAFF_PASSKEY_REQUIRED_ROLES``;
    a superuser counts as ADMINISTRATOR)."""
    from django.conf import settings

    roles = {str(r) for r in getattr(settings, "STAFF_PASSKEY_REQUIRED_ROLES", [])}
    if not roles or not getattr(user, "is_authenticated", False) or not getattr(user, "is_staff", False):
        return False
    if user.is_superuser and StaffRole.ADMINISTRATOR in roles:
        return True
    return bool(user.groups.filter(name__in=sorted(roles)).exists())


def staff_passkeys(user: Any) -> QuerySet[Any]:
    """The staff member's confirmed passkeys (django-otp-webauthn credentials), most recently used first."""
    from django.db.models import F
    from django_otp_webauthn.models import WebAuthnCredential

    return WebAuthnCredential.objects.filter(user_id=user.pk, confirmed=True).order_by(
        F("last_used_at").desc(nulls_last=True), "-id"
    )
