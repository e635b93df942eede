"""Strict settings parsing: a malformed value stops start-up with a message naming the variable.

Every reader takes the variable name and a default; a value that is set but malformed raises
``ImproperlyConfigured`` instead of silently falling back (the Healthchecks ``envbool`` habit).
"""

from __future__ import annotations

import base64
import math
import os
import re
from collections import Counter
from collections.abc import Mapping
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    value = (os.environ if environ is None else environ).get(name)
    if value is None:
        return None
    return value.strip()


def env_str(name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None) -> str | None:
    value = _raw(name, environ)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use one of 1/0, true/false, yes/no, on/off)")


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum {minimum}")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} is above the maximum {maximum}")
    return number


def env_list(name: str, default: list[str], *, environ: Mapping[str, str] | None = None) -> list[str]:
    value = _raw(name, environ)
    if value is None or value == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...], *, environ: Mapping[str, str] | None = None) -> str:
    value = env_str(name, default, environ=environ)
    assert value is not None
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of {', '.join(choices)}")
    return value


def env_url(
    name: str, default: str | None, schemes: tuple[str, ...], *, environ: Mapping[str, str] | None = None
) -> str | None:
    value = env_str(name, default, environ=environ)
    if value is None:
        return None
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme not in schemes:
        raise ImproperlyConfigured(f"{name} must be a URL with scheme {' or '.join(schemes)}, got {scheme or 'none'!r}")
    return value


# --- production secrets ----------------------------------------------------------------------
# Values that appear in this repository (development defaults, the Dockerfile's build step, docs)
# or in every tutorial. Production refuses them, and anything containing a marker below.
KNOWN_DEVELOPMENT_SECRETS = frozenset(
    {
        "dev-only-insecure-secret-key-do-not-use-in-production-0123456789abcdef",
        "ZGV2LW9ubHktcGlpLWtleS0zMi1ieXRlcy0wMDAwMDA=",
        "dev-only-blind-index-key",
        "dev-only-payment-pin-key",
        "dev-only-bank-gateway-callback-secret",
        "dev-only-qr-signing-key-0123456789",
        "dev-metrics-token",
    }
)
_INSECURE_MARKERS = ("dev-only", "insecure", "build-only", "changeme", "change-me", "do-not-use", "secret-key")
MIN_SECRET_BITS = 128


def _estimated_bits(value: str) -> float:
    """Shannon entropy of the character distribution times the length: an upper bound on a
    human-made value's strength, and close to the truth for a generated one."""
    counts = Counter(value)
    per_char = -sum((n / len(value)) * math.log2(n / len(value)) for n in counts.values())
    return per_char * len(value)


def _repeats(value: str, size: int = 4, times: int = 3) -> bool:
    """True if some ``size``-character run occurs ``times`` or more (``abcd-abcd-abcd``, ``kkkk…``)."""
    grams = Counter(value[i : i + size] for i in range(len(value) - size + 1))
    return any(n >= times for n in grams.values())


def secret_problem(value: str, *, min_length: int) -> str | None:
    """Why ``value`` is not acceptable as a production secret, or ``None``. Never echoes the value."""
    if not value:
        return "is not set"
    lowered = value.lower()
    if value in KNOWN_DEVELOPMENT_SECRETS or any(marker in lowered for marker in _INSECURE_MARKERS):
        return "is a known development value"
    if len(value) < min_length:
        return f"is shorter than {min_length} characters"
    if _repeats(value) or _estimated_bits(value) < MIN_SECRET_BITS:
        return f"has too little entropy (under {MIN_SECRET_BITS} bits estimated, or repeated runs)"
    return None


def fernet_key_problem(value: str) -> str | None:
    """Why ``value`` is not a random Fernet key (url-safe base64 of 32 random bytes), or ``None``."""
    if value in KNOWN_DEVELOPMENT_SECRETS:
        return "is a known development value"
    try:
        raw = base64.urlsafe_b64decode(value.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return "is not url-safe base64"
    if len(raw) != 32:
        return "does not decode to 32 bytes"
    if all(32 <= byte < 127 for byte in raw) or len(set(raw)) < 20:
        return "is not random bytes (generate one with Fernet.generate_key())"
    return None


def require_production_secrets(secrets: Mapping[str, tuple[str, int]], fernet_keys: Mapping[str, list[str]]) -> None:
    """Raise ``ImproperlyConfigured`` naming every secret that is unset, known, short or low-entropy.

    ``secrets`` maps a variable name to ``(value, minimum length)``; ``fernet_keys`` a variable
    name to its list of Fernet keys. Generate values with ``python -c "import secrets;
    print(secrets.token_urlsafe(48))"``.
    """
    problems = []
    for name, (value, min_length) in secrets.items():
        problem = secret_problem(value, min_length=min_length)
        if problem:
            problems.append(f"{name} {problem}")
    for name, keys in fernet_keys.items():
        if not keys:
            problems.append(f"{name} is not set")
        for index, key in enumerate(keys):
            problem = fernet_key_problem(key)
            if problem:
                problems.append(f"{name}[{index}] {problem}")
    if problems:
        raise ImproperlyConfigured(
            "Production secrets refused: "
            + "; ".join(problems)
            + ". Generate each with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )


_HOSTNAME = re.compile(r"(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*")
_APP_ORIGIN = re.compile(r"android:apk-key-hash:[A-Za-z0-9_-]{20,}")


def webauthn_config_problem(rp_id: str, origins: list[str], *, production: bool, app_origins: bool) -> str | None:
    """Why a WebAuthn relying party id and its origins are unsafe, or None.

    The RP id is a bare host name (no scheme, port or IP address). Every origin is
    ``https://<rp id or a subdomain>[:port]``; ``http://localhost[:port]`` only outside production;
    ``android:apk-key-hash:...`` (an Android app's signing key) only where ``app_origins``.
    """
    if not rp_id:
        return "WEBAUTHN_*_RP_ID must name the host passkeys belong to (e.g. wallet.bank.example)"
    if not _HOSTNAME.fullmatch(rp_id) or rp_id.replace(".", "").isdigit():
        return f"WebAuthn RP id {rp_id!r} must be a host name (no scheme, port or IP address)"
    if not origins:
        return f"WebAuthn origins for RP id {rp_id!r} are empty"
    for origin in origins:
        if app_origins and _APP_ORIGIN.fullmatch(origin):
            continue
        parsed = urlsplit(origin)
        host = parsed.hostname or ""
        if parsed.path or parsed.query or parsed.fragment or origin != f"{parsed.scheme}://{parsed.netloc}":
            return f"WebAuthn origin {origin!r} must be scheme://host[:port] only"
        if parsed.scheme == "http" and host == "localhost" and rp_id == "localhost" and not production:
            continue
        if parsed.scheme != "https":
            return f"WebAuthn origin {origin!r} must use https"
        if host != rp_id and not host.endswith("." + rp_id):
            return f"WebAuthn origin {origin!r} is not on the RP id {rp_id!r} or a subdomain of it"
    return None
