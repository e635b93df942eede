"""Reads of the payment path: who a P2P transfer goes to and both wallets, in one statement.

No ORM on the hot path (ARCHITECTURE "What the first outside review taught us"): one hand-written
query builds the same model instances (``Model.from_db``), with the recipient's KYC tier cached
and only the personal data the answer shows (phone, legal name) decrypted.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection

from accounts.pii import InvalidPhone, normalize_phone, phone_index
from accounts.rows import customer_columns, customer_from_row, customer_row_width
from core import prepared
from payments.ledger import wallet_code
from payments.models import LedgerAccount, Merchant

if TYPE_CHECKING:
    from accounts.models import Customer

__all__ = ["MerchantPaymentParties", "P2PParties", "merchant_payment_parties_get", "p2p_parties_get"]

_PII = ("phone", "legal_name")
# In the model's field order, as ``Model.from_db`` takes a subset of fields.
_WALLET_FIELDS = [
    f.attname
    for f in LedgerAccount._meta.concrete_fields
    if f.attname in {"id", "public_id", "code", "kind", "currency", "customer_id", "status", "is_hot", "allow_negative"}
]
_WALLET_COLUMNS = ", ".join(f"{{a}}.{name}" for name in _WALLET_FIELDS)


def _wallet_columns(alias: str) -> str:
    return _WALLET_COLUMNS.format(a=alias)


# Each read is planned once per connection (core.prepared): planning cost twice the look-up.
_BY_WALLET_SQL = prepared.PreparedQuery(
    "payments_p2p_parties_by_wallet",
    f"""
SELECT {customer_columns("c", "k", pii=_PII)}, {_wallet_columns("r")}, {_wallet_columns("s")}
  FROM payments_ledgeraccount r
  JOIN accounts_customer c ON c.id = r.customer_id
  JOIN accounts_kyctier k ON k.level = c.kyc_tier_id
  LEFT JOIN payments_ledgeraccount s ON s.code = %(sender_wallet)s
 WHERE r.public_id = %(wallet)s AND r.kind = 'CUSTOMER_WALLET'
""",  # noqa: S608 (column names come from model metadata; values are parameters)
)

_BY_PHONE_SQL = prepared.PreparedQuery(
    "payments_p2p_parties_by_phone",
    f"""
SELECT {customer_columns("c", "k", pii=_PII)}, {_wallet_columns("r")}, {_wallet_columns("s")}
  FROM accounts_customer c
  JOIN accounts_kyctier k ON k.level = c.kyc_tier_id
  LEFT JOIN payments_ledgeraccount r ON r.code = 'wallet:' || c.public_id::text || ':' || %(currency)s
  LEFT JOIN payments_ledgeraccount s ON s.code = %(sender_wallet)s
 WHERE c.phone_index = %(phone_index)s
""",  # noqa: S608 (column names come from model metadata; values are parameters)
)


@dataclass(frozen=True)
class P2PParties:
    """The recipient (None: not found), and the sender's and recipient's wallets in the currency
    (each None when not opened yet). ``currency_mismatch``: the wallet named holds another currency."""

    recipient: Customer | None
    wallets: tuple[LedgerAccount | None, LedgerAccount | None] = (None, None)
    currency_mismatch: bool = False


def _wallet(values: list[Any]) -> LedgerAccount | None:
    if values[0] is None:
        return None
    return LedgerAccount.from_db(connection.alias, _WALLET_FIELDS, values)


def p2p_parties_get(
    *, sender: Customer, currency: str, to_phone: str | None = None, to_wallet_id: uuid.UUID | None = None
) -> P2PParties:
    """The recipient by phone (any format ``normalize_phone`` accepts) or by wallet id, with both
    wallets, in one query. An invalid phone or an unknown wallet is "not found"."""
    params: dict[str, Any] = {"sender_wallet": wallet_code(sender, currency)}
    if to_wallet_id is not None:
        query = _BY_WALLET_SQL
        params["wallet"] = to_wallet_id
    else:
        try:
            params["phone_index"] = phone_index(normalize_phone(to_phone or ""))
        except InvalidPhone:
            return P2PParties(recipient=None)
        query = _BY_PHONE_SQL
        params["currency"] = currency
    with connection.cursor() as cursor:
        prepared.execute(cursor, query, params)
        row = cursor.fetchone()
    if row is None:
        return P2PParties(recipient=None)
    width = customer_row_width(pii=_PII)
    recipient = customer_from_row(row[:width], pii=_PII)
    n = len(_WALLET_FIELDS)
    to_wallet = _wallet(list(row[width : width + n]))
    from_wallet = _wallet(list(row[width + n : width + 2 * n]))
    if to_wallet is not None and to_wallet.currency != currency:
        return P2PParties(recipient=recipient, currency_mismatch=True)
    return P2PParties(recipient=recipient, wallets=(from_wallet, to_wallet))


_MERCHANT_FIELDS = [f.attname for f in Merchant._meta.concrete_fields]
_MERCHANT_SQL = prepared.PreparedQuery(
    "payments_merchant_parties",
    f"""
SELECT {", ".join(f"m.{name}" for name in _MERCHANT_FIELDS)}, {_wallet_columns("ma")}, {_wallet_columns("w")}
  FROM payments_merchant m
  LEFT JOIN payments_ledgeraccount ma ON ma.code = 'MERCHANT:' || m.public_id::text || ':' || %(currency)s
  LEFT JOIN payments_ledgeraccount w ON w.code = %(wallet)s
 WHERE m.public_id = %(merchant)s
""",  # noqa: S608 (column names come from model metadata; values are parameters)
)


@dataclass(frozen=True)
class MerchantPaymentParties:
    """The merchant (None: unknown), its ledger account in the currency and the payer's wallet
    (each None when not opened yet)."""

    merchant: Merchant | None
    merchant_account: LedgerAccount | None = None
    wallet: LedgerAccount | None = None


def merchant_payment_parties_get(
    *, customer: Customer, merchant_public_id: uuid.UUID, currency: str
) -> MerchantPaymentParties:
    """The merchant of a QR code, its account and the payer's wallet in ``currency``: one query."""
    params: dict[str, Any] = {
        "merchant": merchant_public_id,
        "currency": currency,
        "wallet": wallet_code(customer, currency),
    }
    with connection.cursor() as cursor:
        prepared.execute(cursor, _MERCHANT_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return MerchantPaymentParties(merchant=None)
    width, n = len(_MERCHANT_FIELDS), len(_WALLET_FIELDS)
    merchant = Merchant.from_db(connection.alias, _MERCHANT_FIELDS, _merchant_values(row[:width]))
    return MerchantPaymentParties(
        merchant=merchant,
        merchant_account=_wallet(list(row[width : width + n])),
        wallet=_wallet(list(row[width + n : width + 2 * n])),
    )


def _merchant_values(values: Any) -> list[Any]:
    """Column values as the model's fields hold them (JSON columns come back as text here)."""
    result = list(values)
    for i, f in enumerate(Merchant._meta.concrete_fields):
        if f.get_internal_type() == "JSONField" and isinstance(result[i], str):
            result[i] = json.loads(result[i])
    return result
