"""Customers, tokens and owned objects for the authorization matrix and the schema fuzz tests.

``OBJECT_ROUTES`` maps a route (regex on the URL-conf route) to a function that creates an object
owned by the given customer and returns the URL kwargs that address it. A route with URL kwargs
and no entry here fails the matrix: whoever adds an object endpoint adds one line here, so the
"another customer gets 404" check cannot silently skip it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.authentication import token_hash
from accounts.models import Branch, Consent, Customer, CustomerPasskey, CustomerToken, Device
from tests.factories import CustomerFactory, LinkedCardFactory


@dataclass
class Actor:
    customer: Customer
    token: str
    device: Device
    # Strings that identify this customer's objects; another customer must never see them.
    secrets: set[str] = field(default_factory=set)

    @property
    def auth(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}


def make_actor(branch: Branch | None = None) -> Actor:
    customer = CustomerFactory(**({"home_branch": branch} if branch else {}))
    device = Device.objects.create(customer=customer, device_id=f"authz-{secrets.token_hex(6)}", trusted=True)
    raw = secrets.token_urlsafe(32)
    CustomerToken.objects.create(
        customer=customer, device=device, key_hash=token_hash(raw), expires_at=timezone.now() + timedelta(days=1)
    )
    actor = Actor(customer=customer, token=raw, device=device)
    actor.secrets.update({str(customer.public_id), customer.phone, customer.phone[3:]})
    if getattr(device, "public_id", None):
        actor.secrets.add(str(device.public_id))
    return actor


def fund(actor: Actor, amount: str = "500.00") -> Any:
    """Give the actor a funded CNY wallet through the ledger (the load-test funding path)."""
    from payments.management.commands.loadtest_customers import fund_customers
    from payments.models import LedgerAccount

    wallet_public_id = fund_customers([actor.customer], amount)[actor.customer.pk]
    actor.secrets.add(str(wallet_public_id))
    return LedgerAccount.objects.get(public_id=wallet_public_id)


# --- owned objects per object route --------------------------------------------------------------
def _device(owner: Actor) -> dict[str, Any]:
    device = Device.objects.create(customer=owner.customer, device_id=f"own-{secrets.token_hex(6)}")
    owner.secrets.add(str(device.public_id))
    return {"public_id": device.public_id, "device_id": device.public_id, "pk": device.pk}


def _card(owner: Actor) -> dict[str, Any]:
    card = LinkedCardFactory(customer=owner.customer)
    owner.secrets.add(str(card.public_id))
    return {"public_id": card.public_id, "card_id": card.public_id, "pk": card.pk}


def _passkey(owner: Actor) -> dict[str, Any]:
    passkey = CustomerPasskey.objects.create(
        customer=owner.customer,
        device=owner.device,
        credential_id=secrets.token_bytes(32),
        credential_id_hash=secrets.token_hex(32),
        public_key=b"cose",
        user_handle=secrets.token_bytes(32),
    )
    owner.secrets.add(str(passkey.public_id))
    return {"public_id": passkey.public_id}


def _consent(owner: Actor) -> dict[str, Any]:
    # /me/consents/<purpose>: addressed by purpose inside the caller's own namespace; another
    # customer's call must not touch the owner's consent (the matrix then checks 404/403 for them).
    Consent.objects.create(customer=owner.customer, purpose=Consent.Purpose.MARKETING, version="2026-01")
    return {"purpose": Consent.Purpose.MARKETING}


def _wallet(owner: Actor) -> dict[str, Any]:
    wallet = fund(owner, "10.00")
    return {"ident": wallet.public_id, "public_id": wallet.public_id}


def _transaction(owner: Actor) -> dict[str, Any]:
    from payments.models import Posting

    wallet = fund(owner, "10.00")
    transfer = Posting.objects.filter(account=wallet).select_related("transfer").latest("id").transfer
    owner.secrets.add(str(transfer.public_id))
    return {"public_id": transfer.public_id}


OBJECT_ROUTES: dict[str, Callable[[Actor], dict[str, Any]]] = {
    r"^api/v1/wallets/<": _wallet,
    r"^api/v1/transactions/<": _transaction,
    r"devices/<": _device,
    r"cards/<": _card,
    r"passkeys/<": _passkey,
    r"consents/<": _consent,
}


def owned_kwargs(route: str, owner: Actor) -> dict[str, Any] | None:
    for pattern, make in OBJECT_ROUTES.items():
        if re.search(pattern, route):
            return make(owner)
    return None


# Money movements register their owner-object factories (tests/payments/factories_movements.py).
from tests.payments.factories_movements import MOVEMENT_OBJECT_ROUTES  # noqa: E402

OBJECT_ROUTES.update(MOVEMENT_OBJECT_ROUTES)

# Risk registers its owner-object factories (tests/risk/factories.py).
from tests.risk.factories import RISK_OBJECT_ROUTES  # noqa: E402

OBJECT_ROUTES.update(RISK_OBJECT_ROUTES)

# Feedback tickets and surveys register their owner-object factories (tests/feedback/factories_tickets.py).
from tests.feedback.factories_tickets import FEEDBACK_TICKET_OBJECT_ROUTES  # noqa: E402

OBJECT_ROUTES.update(FEEDBACK_TICKET_OBJECT_ROUTES)
# Messages and bank products register theirs (tests/feedback/factories_messages.py).
from tests.feedback.factories_messages import MESSAGES_OBJECT_ROUTES  # noqa: E402

OBJECT_ROUTES.update(MESSAGES_OBJECT_ROUTES)
# Promotions registers its owner-object factories (tests/promotions/factories.py).
from tests.promotions.factories import PROMOTIONS_OBJECT_ROUTES  # noqa: E402

OBJECT_ROUTES.update(PROMOTIONS_OBJECT_ROUTES)
