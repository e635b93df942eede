"""The only place the accounts app talks to the outside: SMS delivery and identity (KYC) checks.

Both are pluggable by dotted path in settings (``SMS_BACKEND``, ``KYC_VERIFIER``) so production
plugs in the bank's SMS gateway and the public-security ID check service without code changes.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.pii import mask_phone, national_id_is_valid

logger = logging.getLogger(__name__)


# --- SMS ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmsMessage:
    phone: str  # E.164
    body: str


class SmsBackend(Protocol):
    def send(self, message: SmsMessage) -> None: ...


class ConsoleSmsBackend:
    """Development only: writes the message, code included, to the log. Refused in production."""

    def __init__(self) -> None:
        if getattr(settings, "IS_PRODUCTION", True):
            raise ImproperlyConfigured(
                "ConsoleSmsBackend prints verification codes and is refused when DJANGO_ENV=production; "
                "set SMS_BACKEND to the bank's SMS gateway backend"
            )

    def send(self, message: SmsMessage) -> None:
        # Printing the code is this backend's purpose (development). No other backend logs a body.
        logger.warning("\n%s\n  DEV SMS to %s: %s\n%s", "=" * 72, message.phone, message.body, "=" * 72)


class FileSmsBackend:
    """Development and tests: appends one JSON line per message to ``SMS_FILE_PATH``. Refused in production."""

    _lock = threading.Lock()

    def __init__(self) -> None:
        if getattr(settings, "IS_PRODUCTION", True):
            raise ImproperlyConfigured("FileSmsBackend is refused when DJANGO_ENV=production")
        self.path = Path(getattr(settings, "SMS_FILE_PATH", "") or settings.BASE_DIR / ".data" / "sms.jsonl")

    def send(self, message: SmsMessage) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"at": timezone.now().isoformat(), "phone": message.phone, "body": message.body}, ensure_ascii=False
        )
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")


# Like django.core.mail.outbox: tests read the codes that were "sent".
outbox: list[SmsMessage] = []


class LocmemSmsBackend:
    """Tests: keeps messages in ``accounts.integrations.outbox``."""

    def send(self, message: SmsMessage) -> None:
        outbox.append(message)


def sms_send(*, phone: str, body: str) -> None:
    """Send through ``settings.SMS_BACKEND``. Logs only the masked phone, never the body."""
    backend: SmsBackend = import_string(str(settings.SMS_BACKEND))()
    backend.send(SmsMessage(phone=phone, body=body))
    logger.info("SMS sent to %s", mask_phone(phone))
    dev_sms_remember(SmsMessage(phone=phone, body=body))


DEV_SMS_CACHE_KEY = "accounts:dev-sms:recent"


def dev_sms_remember(message: SmsMessage) -> None:
    """Development only: keep the last ``DEV_SMS_RECENT`` messages in the cache for the admin's
    development SMS page (``admin:accounts_customer_dev_sms``). Never in production."""
    keep = int(getattr(settings, "DEV_SMS_RECENT", 0) or 0)
    if getattr(settings, "IS_PRODUCTION", True) or keep <= 0:
        return
    try:
        recent = list(cache.get(DEV_SMS_CACHE_KEY) or [])
        recent.insert(0, {"at": timezone.now().isoformat(), "phone": message.phone, "body": message.body})
        cache.set(DEV_SMS_CACHE_KEY, recent[:keep], timeout=3600)
    except Exception:  # a development convenience must never break sending
        logger.debug("dev SMS list not updated", exc_info=True)


def dev_sms_recent() -> list[dict[str, str]]:
    """The last development SMS messages, newest first (empty in production)."""
    if getattr(settings, "IS_PRODUCTION", True):
        return []
    return list(cache.get(DEV_SMS_CACHE_KEY) or [])


# --- KYC ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KycResult:
    matched: bool
    reference: str = ""


class KycVerifier(Protocol):
    def verify(self, *, legal_name: str, national_id: str) -> KycResult: ...


class SimulatedKycVerifier:
    """Development and tests: any well-formed name with a valid-checksum ID matches, except IDs
    starting with ``settings.KYC_SIMULATED_MISMATCH_PREFIX`` (default ``000000``), which never match,
    so the failure path can be tried by hand and in tests."""

    def verify(self, *, legal_name: str, national_id: str) -> KycResult:
        prefix = getattr(settings, "KYC_SIMULATED_MISMATCH_PREFIX", "000000")
        if not legal_name.strip() or not national_id_is_valid(national_id):
            return KycResult(matched=False)
        if prefix and national_id.startswith(prefix):
            return KycResult(matched=False)
        return KycResult(matched=True, reference=f"SIM-{timezone.now():%Y%m%d%H%M%S}")


def kyc_verify(*, legal_name: str, national_id: str) -> KycResult:
    verifier: KycVerifier = import_string(str(settings.KYC_VERIFIER))()
    return verifier.verify(legal_name=legal_name, national_id=national_id)


# --- Card tokens ------------------------------------------------------------------------------
# Linking a payout card stores the bank gateway SDK's token. The token is checked with the gateway
# (never taken on the client's word) through this narrow interface; accounts does not import
# payments, so the adapter is named by ``settings.CARD_TOKEN_VERIFIER`` (default: payments'
# ``BankGatewayCardTokenVerifier``, which asks the configured ``BANK_GATEWAY``).


@dataclass(frozen=True)
class CardTokenCheck:
    """The gateway's answer about a token: valid or not, and what it knows about the card."""

    valid: bool
    last4: str = ""  # "" when the gateway does not say
    card_type: str = ""  # "DEBIT" / "CREDIT", "" when the gateway does not say


class CardTokenVerifier(Protocol):
    def verify_card_token(self, *, gateway_token: str) -> CardTokenCheck: ...


class SimulatedCardTokenVerifier:
    """Development and tests: a token issued by the simulated SDK is ``gw_tok_`` or ``tok_`` plus
    8+ letters/digits. Tokens starting with ``settings.CARD_TOKEN_SIMULATED_REJECT_PREFIX``
    (default ``gw_tok_revoked``) are unknown to the gateway, so the refusal can be tried by hand.
    A token ending ``_l`` + 4 digits reports those as the card's last 4 (to try a mismatch)."""

    def verify_card_token(self, *, gateway_token: str) -> CardTokenCheck:
        reject = getattr(settings, "CARD_TOKEN_SIMULATED_REJECT_PREFIX", "gw_tok_revoked")
        if not re.fullmatch(r"(gw_tok|tok)_[A-Za-z0-9_]{8,120}", gateway_token):
            return CardTokenCheck(valid=False)
        if reject and gateway_token.startswith(reject):
            return CardTokenCheck(valid=False)
        last4 = re.search(r"_l(\d{4})$", gateway_token)
        return CardTokenCheck(valid=True, last4=last4.group(1) if last4 else "")


def card_token_verify(*, gateway_token: str) -> CardTokenCheck:
    """Ask the configured ``CARD_TOKEN_VERIFIER`` about ``gateway_token``. Network I/O: call outside
    any transaction."""
    verifier: CardTokenVerifier = import_string(str(settings.CARD_TOKEN_VERIFIER))()
    return verifier.verify_card_token(gateway_token=gateway_token)
