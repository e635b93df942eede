"""The ledger kernel: the only code that writes transfers, postings, holds and account balances.

Every function here must be called inside ``transaction.atomic()`` (the caller's money service
owns the durable transaction) and raises ``payments.errors`` (``DomainError`` subclasses) for
business failures. See docs/ledger.md for the contract and the hot-account design.

Locking contract (Saleor style): every account whose row must change is locked in primary-key
order with ``FOR NO KEY UPDATE`` (``payments.lock_objects``); balances are checked under that
lock and moved with ``F()`` expressions, never read-modify-written in Python. Hot accounts
(``is_hot``) take credits (and, when they may go negative, debits) as appended postings plus a
``HotAccountDelta`` row, without touching their row; a debit from a hot account that may not go
negative locks it, folds its deltas into ``posted_minor`` and checks the full balance.

Modules: ``accounts`` (opening, status, balances, hot-account fold), ``transfers``
(``transfer_post``), ``holds`` (two-phase holds), ``unwind`` (every refund, reversal and
clawback: ``transfer_unwind``). Import from this package, not from the modules.
"""

from payments.ledger.accounts import (
    HOT_KINDS,
    NEGATIVE_ALLOWED_KINDS,
    Balance,
    account_balance,
    account_open,
    customer_ensure_can_transact,
    customer_statuses_share,
    hot_account_fold,
    system_account,
    wallet_code,
    wallet_find,
    wallet_get_or_create,
    wallet_public_id,
    wallet_unopened,
    wallet_unresolved,
    wallets_complete,
    wallets_get_or_create,
)
from payments.ledger.holds import hold_authorize, hold_capture, hold_expire, hold_void, holds_authorize, holds_release
from payments.ledger.transfers import Leg, transfer_content_hash, transfer_post
from payments.ledger.unwind import UNWIND_KINDS, Unwound, transfer_reverse, transfer_unwind, transfer_unwound

__all__ = [
    "HOT_KINDS",
    "NEGATIVE_ALLOWED_KINDS",
    "UNWIND_KINDS",
    "Balance",
    "Leg",
    "Unwound",
    "account_balance",
    "account_open",
    "customer_ensure_can_transact",
    "customer_statuses_share",
    "hold_authorize",
    "hold_capture",
    "hold_expire",
    "hold_void",
    "holds_authorize",
    "holds_release",
    "hot_account_fold",
    "system_account",
    "transfer_content_hash",
    "transfer_post",
    "transfer_reverse",
    "transfer_unwind",
    "transfer_unwound",
    "wallet_code",
    "wallet_find",
    "wallet_get_or_create",
    "wallet_public_id",
    "wallet_unopened",
    "wallet_unresolved",
    "wallets_complete",
    "wallets_get_or_create",
]
