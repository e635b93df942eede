"""Customer API authentication: ``Authorization: Bearer <token>``; only the token's hash is stored."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts.models import Customer, CustomerToken, Device
from accounts.rows import customer_columns, customer_from_row
from core import deferred_writes, prepared

_TOKEN_FIELDS = [f.attname for f in CustomerToken._meta.concrete_fields]
# One statement, no ORM: the token, its customer (personal data left encrypted and deferred: a
# view that needs it loads it), the customer's KYC tier and the device's app id (``token.device``,
# other fields deferred: the payment's risk pre-check reads it). Revoked and expired tokens never match.
_TOKEN_SQL = prepared.PreparedQuery(
    "accounts_token_auth",
    f"""
SELECT {", ".join(f"t.{name}" for name in _TOKEN_FIELDS)}, {customer_columns("c", "k")}, d.device_id
  FROM accounts_customertoken t
  JOIN accounts_customer c ON c.id = t.customer_id
  JOIN accounts_kyctier k ON k.level = c.kyc_tier_id
  JOIN accounts_device d ON d.id = t.device_id
 WHERE t.key_hash = %(key_hash)s AND t.revoked_at IS NULL AND t.expires_at > %(now)s
""",  # noqa: S608 (column names come from model metadata; values are parameters)
)  # planned once per connection (core.prepared): planning cost four times the look-up


_TOUCH_SQL = "UPDATE accounts_customertoken SET last_used_at = %s WHERE id = %s"


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class CustomerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Customer, CustomerToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0] != self.keyword or len(parts[1]) > 200:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        now = timezone.now()
        with connection.cursor() as cursor:
            prepared.execute(cursor, _TOKEN_SQL, {"key_hash": token_hash(parts[1]), "now": now})
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        token = CustomerToken.from_db(connection.alias, _TOKEN_FIELDS, list(row[: len(_TOKEN_FIELDS)]))
        customer = customer_from_row(row[len(_TOKEN_FIELDS) : -1])
        token._state.fields_cache["customer"] = customer
        token._state.fields_cache["device"] = Device.from_db(
            connection.alias, ["id", "customer_id", "device_id"], [token.device_id, customer.pk, row[-1]]
        )
        if customer.status == Customer.Status.CLOSED:
            raise exceptions.AuthenticationFailed(_("This account is closed."))
        # Touch at most once a minute, and not as a statement of its own: a payment carries it in
        # its own round trip and commit; otherwise it is written after the view answers.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            deferred_writes.defer(_TOUCH_SQL, [now, token.pk])
        return customer, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword
