"""The only place the accounts app talks to the outside: SMS delivery and identity (KYC) checks.

Both are pluggable by dotted path in settings (``SMS_BACKEND``, ``KYC_VERIFIER``) so production
plugs in the bank's SMS gateway and the public-security ID check service without code changes.
"""

from __future__ import annotations

import json
import logging
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
