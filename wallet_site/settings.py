"""Tongbao settings: everything comes from the environment, with secure defaults.

``DJANGO_ENV`` is ``production`` unless a developer command says otherwise: the README's
commands set ``development`` or ``test``. Production refuses to start without a real
``SECRET_KEY``, PII keys and database; DEBUG is off unless ``DJANGO_DEBUG=1``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    env_url,
    require_production_secrets,
    webauthn_config_problem,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env_choice("DJANGO_ENV", "production", ("production", "development", "test"))
IS_PRODUCTION = DJANGO_ENV == "production"
DEBUG = env_bool("DJANGO_DEBUG", False)
if DEBUG and IS_PRODUCTION:
    raise ImproperlyConfigured("DJANGO_DEBUG=1 is refused when DJANGO_ENV=production")

_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production-0123456789abcdef"
SECRET_KEY = env_str("SECRET_KEY") or ("" if IS_PRODUCTION else _DEV_SECRET)
if IS_PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured("SECRET_KEY must be set to 50+ random characters in production")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if IS_PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "core.apps.TongbaoAdminConfig",  # the admin, with TOTP-enforcing site (core/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",  # staff passkeys: a django-otp device (docs/accounts.md "Passkeys")
    "axes",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_prometheus",
    "core",
    "accounts",
    "payments",
    "promotions",
    "risk",
    "feedback",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "core.middleware.RequestIdMiddleware",
    "core.middleware.DeferredWritesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.NoStoreMiddleware",
    "core.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.ApiErrorMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

# The customer API's lean lane (core.wsgi_lanes): the same stack without what only the admin uses.
ADMIN_ONLY_MIDDLEWARE = frozenset(
    {
        "csp.middleware.CSPMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django_otp.middleware.OTPMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "axes.middleware.AxesMiddleware",
    }
)
# django-prometheus records a dozen series per request (0.6-1 ms of CPU on the payment path): the API
# lane counts its requests with one histogram instead (core.middleware.ApiMetricsMiddleware).
_FULL_STACK_METRICS = frozenset(
    {
        "django_prometheus.middleware.PrometheusBeforeMiddleware",
        "django_prometheus.middleware.PrometheusAfterMiddleware",
    }
)
API_MIDDLEWARE = [
    "core.middleware.ApiMetricsMiddleware",
    *(name for name in MIDDLEWARE if name not in ADMIN_ONLY_MIDDLEWARE | _FULL_STACK_METRICS),
]
API_LANE_PREFIX = "/api/"
API_LANE_EXCLUDED = ("/api/v1/docs", "/api/v1/redoc")  # HTML pages: they keep CSP and framing rules

ROOT_URLCONF = "wallet_site.urls"
WSGI_APPLICATION = "wallet_site.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

# --- Database -------------------------------------------------------------------------------
_database_url = env_url("DATABASE_URL", None, ("postgres", "postgresql"))
if _database_url is None:
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Use `make run` / `make test` (they start an embedded PostgreSQL) "
        "or set DATABASE_URL=postgres://user@host:5432/dbname"
    )
# Connections (docs/foundation.md "Database connections"). Two shapes, never both poolers at once:
# - default: each process keeps a bounded psycopg pool (at most DATABASE_POOL_MAX_SIZE connections,
#   CONN_MAX_AGE 0 as Django requires). A single-threaded process (a gunicorn worker with one
#   thread, a Celery prefork child, beat) uses one connection of it, so the server sees at most
#   processes x max_size whatever the load. The tests run without it (DATABASE_POOL_MAX_SIZE=0:
#   thread tests open a connection per thread), and then DATABASE_CONN_MAX_AGE applies.
# - DATABASE_PGBOUNCER=1: DATABASE_URL points at PgBouncer in transaction pooling mode (the dev
#   stack's PGBOUNCER=1). One pooler only, so Django's pool is off; each process keeps its client
#   connection to PgBouncer (DATABASE_CONN_MAX_AGE: no SCRAM handshake per request) while PgBouncer
#   lends server connections per transaction; no server-side cursors and no prepared
#   statements (a transaction-mode server connection is not ours between transactions); no
#   startup "options" (PgBouncer 1.18 refuses them): the role's ALTER ROLE ... SET defaults and
#   PgBouncer's connect_query set the session timeouts.
# No per-request health check either way (the issue counts that SELECT 1 as waste): the pool
# discards a connection that comes back broken, so after a database restart each pooled
# connection fails at most one request.
DATABASE_PGBOUNCER = env_bool("DATABASE_PGBOUNCER", False)
_pool_max_size = (
    0 if DATABASE_PGBOUNCER else env_int("DATABASE_POOL_MAX_SIZE", 0 if DJANGO_ENV == "test" else 2, minimum=0)
)
DATABASES = {
    "default": dj_database_url.parse(
        _database_url,
        conn_max_age=0 if _pool_max_size else env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=False,
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # money services own their transactions
# Bound every transaction of the application (docs/ledger.md "Database roles"): a stuck session
# can neither hold locks nor commit a transfer long after it was created. 0 disables a bound.
DATABASE_SESSION_TIMEOUTS_MS = {
    "statement_timeout": env_int("DATABASE_STATEMENT_TIMEOUT_MS", 60_000, minimum=0),
    # A test holds its whole body in one transaction: on a loaded CI machine that may sit idle longer.
    "idle_in_transaction_session_timeout": env_int(
        "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS", 600_000 if DJANGO_ENV == "test" else 60_000, minimum=0
    ),
}
_database_options: dict[str, object] = {"prepare_threshold": None}  # Django's default, stated: no prepared statements
if DATABASE_PGBOUNCER:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
else:
    _database_options["options"] = " ".join(
        f"-c {name}={value}" for name, value in DATABASE_SESSION_TIMEOUTS_MS.items()
    )
if _pool_max_size:
    _database_options["pool"] = {
        "min_size": min(env_int("DATABASE_POOL_MIN_SIZE", 1, minimum=0), _pool_max_size),
        "max_size": _pool_max_size,
        "timeout": env_int("DATABASE_POOL_TIMEOUT_SECONDS", 10, minimum=1),  # waiting longer: a 503, not a hang
        "max_idle": 300,  # idle connections above min_size close after 5 minutes
        "max_lifetime": 1800,  # and every connection is renewed after 30 minutes (jittered by psycopg)
    }
DATABASES["default"]["OPTIONS"] = _database_options
DATABASE_POOL_MAX_SIZE = _pool_max_size  # per process; tools/soak.py and the docs compute the total from it
# The application role's direct URL, for what a transaction pooler cannot carry (session state).
# Same as DATABASE_URL when that is direct; behind PgBouncer, DATABASE_DIRECT_URL or None.
DATABASE_DIRECT_URL = env_url("DATABASE_DIRECT_URL", None, ("postgres", "postgresql")) or (
    None if DATABASE_PGBOUNCER else _database_url
)
# Migrations (and only migrations, plus the test harness) connect as the role that owns the
# schema; the application's role owns nothing. Unset: migrations use DATABASE_URL.
_database_owner_url = env_url("DATABASE_OWNER_URL", None, ("postgres", "postgresql")) or env_url(
    "MIGRATE_DATABASE_URL", None, ("postgres", "postgresql")
)
DATABASE_OWNER = dj_database_url.parse(_database_owner_url) if _database_owner_url else None
DATABASE_APP_USER = DATABASES["default"].get("USER")  # granted its privileges by `migrate` (core.db_roles)
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "test_tongbao")}

# Read replica (core.db_router, docs/scaling.md): history pages, statements and spending insight read
# from it when DATABASE_REPLICA_URL is set; everything else, and every write, uses the primary. Under
# test the alias always exists as a mirror of the test database, routed to only by the tests that
# turn READ_REPLICA_ALIAS on (tests/payments/test_history_replica.py).
_database_replica_url = env_url("DATABASE_REPLICA_URL", None, ("postgres", "postgresql"))
if _database_replica_url or DJANGO_ENV == "test":
    DATABASES["replica"] = {
        **DATABASES["default"],
        **(dj_database_url.parse(_database_replica_url) if _database_replica_url else {}),
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "CONN_MAX_AGE": DATABASES["default"].get("CONN_MAX_AGE", 0),
        "CONN_HEALTH_CHECKS": DATABASES["default"].get("CONN_HEALTH_CHECKS", False),
        "TEST": {"MIRROR": "default"},
    }
READ_REPLICA_ALIAS = "replica" if _database_replica_url else None
DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, broker, rate limits ------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", None, ("redis", "rediss", "unix"))
if REDIS_URL is None:
    raise ImproperlyConfigured(
        "REDIS_URL is not set. Use `make run` / `make test` or set REDIS_URL=redis://host:6379/0"
    )
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "tongbao"),
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env_url("CELERY_BROKER_URL", REDIS_URL, ("redis", "rediss", "amqp", "unix"))
CELERY_RESULT_BACKEND = None  # tasks record their outcome in PostgreSQL, not in a result backend
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a killed worker must not ack its message
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 60, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 90, minimum=1)
# Longer than any task and any countdown; long delays are rows in PostgreSQL (ARCHITECTURE §5).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "core.outbox_deliver": {"queue": "events"},  # deliveries name their queue; this is the default
    "risk.*": {"queue": "risk"},
    "promotions.*": {"queue": "promotions"},
    "feedback.*": {"queue": "notifications"},
    "notifications.*": {"queue": "notifications"},
}
# Outbox deliveries (core.outbox) have their own queue and worker pool (`celery worker -Q events
# --prefetch-multiplier 16`, docs/foundation.md): deliveries are idempotent (ConsumedEvent), so a
# prefetch above 1 is safe there, and scheduled work never waits behind a burst of events.
OUTBOX_DELIVERY_QUEUE = "events"
# consumer-name pattern -> queue, for a consumer needing its own pool: the risk rules run on the
# `risk` queue (served by the general worker, prefetch 1), never behind campaign or notification work.
# Campaign rewards (cashback, points, referral, lottery: deferred by design) and survey invitations
# are not time-critical: on the general worker's `promotions` and `notifications` queues they never
# hold back the `events` pool's customer notifications. Measured (make bench "events", 200 payments/s):
# with survey invitations in the events pool p95 1.2 s, without 60 ms; after a festival-size backlog
# of reward deliveries, a payment's notification waited more than 60 s behind them.
OUTBOX_DELIVERY_ROUTES: dict[str, str] = {
    "risk.*": "risk",
    "promotions.*": "promotions",
    "feedback.*": "notifications",
}
# Celery's Django fixup closes every database connection before and after each task unless this is
# set: a new PostgreSQL connection per task (about 75 ms of a 80 ms outbox delivery, measured on the
# loaded 2-core machine). Connections are kept for this many tasks; wallet_site/celery.py still drops
# a broken or CONN_MAX_AGE-expired one between tasks, as Django does between requests.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000, minimum=0)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a request when Redis is down: the outbox keeps the intent.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BEAT_SCHEDULE = {
    "core.heartbeat": {"task": "core.heartbeat", "schedule": 15.0},
    # payments core (docs/ledger.md): beat only triggers; every task is safe to run twice.
    "core.outbox_relay": {"task": "core.outbox_relay", "schedule": 1.0},
    "core.outbox_redeliver": {"task": "core.outbox_redeliver", "schedule": 30.0},
    "payments.hot_accounts_rollup": {"task": "payments.hot_accounts_rollup", "schedule": 5.0},
    "payments.ledger_seal": {"task": "payments.ledger_seal", "schedule": 5.0},
    "payments.ledger_seal_sweep": {"task": "payments.ledger_seal_sweep", "schedule": 600.0},  # late commits
    "payments.holds_expire": {"task": "payments.holds_expire", "schedule": 60.0},
    "payments.idempotency_purge": {"task": "payments.idempotency_purge", "schedule": 3600.0},
    "accounts.webauthn_challenges_purge": {"task": "accounts.webauthn_challenges_purge", "schedule": 600.0},
    "payments.verify_ledger": {
        "task": "payments.verify_ledger",
        "schedule": crontab(hour=2, minute=30),  # nightly, Asia/Shanghai
    },
}
HEARTBEAT_MAX_AGE_SECONDS = env_int("HEARTBEAT_MAX_AGE_SECONDS", 90, minimum=1)
# Longest a dual-control adjustment or refund request may wait for its checker (its holds too).
ADJUSTMENT_MAX_DEADLINE_HOURS = env_int("ADJUSTMENT_MAX_DEADLINE_HOURS", 72, minimum=1)

# --- Authentication and passwords -----------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First: takes the attempt atomically (Redis) before any password is compared, so parallel
    # tries cannot all pass axes' check-then-count (accounts/backends.py).
    "accounts.backends.AttemptLimitBackend",
    "axes.backends.AxesStandaloneBackend",  # then a locked-out account is refused early
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "accounts.hashers.PaymentPinHasher",  # payment PINs only (accounts/hashers.py says why)
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# django-axes: lock by account and, separately, by address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# One client-address function for lockouts, throttles and audit (core/client_address.py).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=5)
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_address"
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
AXES_VERBOSE = False
# Masked in what axes records of a failed login (AccessAttempt.get_data/post_data): no password,
# OTP code or CSRF token ever reaches its tables (it always masks "password" itself).
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "otp_token",
    "otp_challenge",
    "otp_device",
    "otp_code",
    "pin",
    "token",
    "csrfmiddlewaretoken",
]

OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Tongbao")
# Separation of duties (docs/accounts.md): no TOTP secret is shown after enrolment; an approver must not
# have been created or given roles by the maker within this many days; an FX rate may move at most
# this much from the current one without an explicit override reason.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
APPROVER_INDEPENDENCE_DAYS = env_int("APPROVER_INDEPENDENCE_DAYS", 30, minimum=0)
# A pending StaffChangeRequest older than this cannot be approved any more (reject it and ask again).
STAFF_CHANGE_REQUEST_TTL_HOURS = env_int("STAFF_CHANGE_REQUEST_TTL_HOURS", 72, minimum=1)
FX_MAX_DEVIATION_PERCENT = env_int("FX_MAX_DEVIATION_PERCENT", 5, minimum=1)

# --- Passkeys (WebAuthn; docs/accounts.md "Passkeys") ----------------------------------------
# Customers (the wallet app, py_webauthn) and staff (the admin, django-otp-webauthn) are separate
# relying parties, each with its RP id (the registrable domain passkeys are scoped to: changing it
# orphans every passkey) and the exact origins a ceremony may come from. Production defaults: the
# first ALLOWED_HOSTS name, over https; development and tests: localhost. An origin must be https
# on the RP id or a subdomain (an Android app's "android:apk-key-hash:..." for customers); refused
# at start-up otherwise (core.env.webauthn_config_problem).
_default_rp_id = (
    next((h.lstrip(".") for h in ALLOWED_HOSTS if h not in ("*", "") and not h.startswith("[")), "")
    if IS_PRODUCTION
    else "localhost"
)
WEBAUTHN_CUSTOMER_RP_ID = env_str("WEBAUTHN_CUSTOMER_RP_ID", _default_rp_id) or ""
WEBAUTHN_CUSTOMER_RP_NAME = env_str("WEBAUTHN_CUSTOMER_RP_NAME", "Tongbao") or "Tongbao"
WEBAUTHN_CUSTOMER_ORIGINS = env_list(
    "WEBAUTHN_CUSTOMER_ORIGINS",
    [f"https://{WEBAUTHN_CUSTOMER_RP_ID}"] if IS_PRODUCTION else ["http://localhost:8000", "https://localhost"],
)
WEBAUTHN_STAFF_RP_ID = env_str("WEBAUTHN_STAFF_RP_ID", _default_rp_id) or ""
WEBAUTHN_STAFF_ORIGINS = env_list(
    "WEBAUTHN_STAFF_ORIGINS", [f"https://{WEBAUTHN_STAFF_RP_ID}"] if IS_PRODUCTION else ["http://localhost:8000"]
)
for _rp_id, _origins, _apps in (
    (WEBAUTHN_CUSTOMER_RP_ID, WEBAUTHN_CUSTOMER_ORIGINS, True),
    (WEBAUTHN_STAFF_RP_ID, WEBAUTHN_STAFF_ORIGINS, False),
):
    _problem = webauthn_config_problem(_rp_id, _origins, production=IS_PRODUCTION, app_origins=_apps)
    if _problem:
        raise ImproperlyConfigured(_problem)
# A challenge (registration, sign-in, payment) is single use and expires after this many seconds.
WEBAUTHN_CHALLENGE_TTL_SECONDS = env_int("WEBAUTHN_CHALLENGE_TTL_SECONDS", 180, minimum=30, maximum=600)
# COSE algorithms accepted: ES256 (phones, security keys), EdDSA, RS256 (Windows Hello).
WEBAUTHN_ALGORITHMS = [-7, -8, -257]
# django-otp-webauthn (staff): passkey as the second factor after the password, never alone.
OTP_WEBAUTHN_RP_ID = WEBAUTHN_STAFF_RP_ID
OTP_WEBAUTHN_RP_NAME = env_str("WEBAUTHN_STAFF_RP_NAME", "Tongbao Back Office") or "Tongbao Back Office"
OTP_WEBAUTHN_ALLOWED_ORIGINS = WEBAUTHN_STAFF_ORIGINS
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_HELPER_CLASS = "accounts.staff_passkeys.StaffWebAuthnHelper"
OTP_WEBAUTHN_SUPPORTED_COSE_ALGORITHMS = WEBAUTHN_ALGORITHMS
OTP_WEBAUTHN_TIMEOUT_SECONDS = WEBAUTHN_CHALLENGE_TTL_SECONDS
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = ""  # accounts.staff_passkeys logs the reason itself, never the payload
# Roles (group names) whose members must sign in to the admin with a passkey (TOTP alone is refused
# once they have one; without one, a TOTP sign-in leads only to the passkey enrolment page).
# Superusers count as ADMINISTRATOR. Development and tests: nobody (the demo has no authenticator).
STAFF_PASSKEY_REQUIRED_ROLES = env_list(
    "STAFF_PASSKEY_REQUIRED_ROLES", ["ADMINISTRATOR", "RISK_OFFICER"] if IS_PRODUCTION else []
)

# Staff sessions: 15 minutes idle timeout.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 900, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security headers (production) -----------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", IS_PRODUCTION) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", IS_PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = IS_PRODUCTION
CSRF_COOKIE_SECURE = IS_PRODUCTION
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if IS_PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = IS_PRODUCTION
SECURE_HSTS_PRELOAD = IS_PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (django-csp): no inline script except the one that
# carries the request's nonce (the ReDoc page), no third-party origin. Inline *styles* stay allowed:
# the admin and Swagger UI set style attributes. The Swagger page loads its init script from a URL
# (SpectacularSwaggerSplitView), so it needs no inline script at all.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Request size limits: JSON bodies are small; anything larger is a 413 in the error format.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BYTES", 1_048_576, minimum=1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = env_choice("DEFAULT_LANGUAGE", "zh-hans", ("zh-hans", "en"))
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / ".data" / "static")) or "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- REST API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.CustomerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],  # deny by default
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.parsers.BoundedJSONParser"],  # nesting bounded: a 400, never a RecursionError
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.FailOpenAnonRateThrottle",
        "core.throttling.FailOpenUserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("THROTTLE_ANON", "60/min"),
        "user": env_str("THROTTLE_USER", "1200/min"),
        "login": env_str("THROTTLE_LOGIN", "10/min"),
        "otp": env_str("THROTTLE_OTP", "5/min"),
        "sensitive": env_str("THROTTLE_SENSITIVE", "30/min"),
        # Feedback per customer and day: each may carry 1 MiB of screenshots kept on disk (docs/feedback.md).
        "feedback": env_str("THROTTLE_FEEDBACK", "20/day"),
        "coupon_redeem": env_str("THROTTLE_COUPON_REDEEM", "10/min"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,  # unused: our throttles' get_ident is core.client_address
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tongbao Wallet API",
    # The introduction of /api/v1/docs and /api/v1/redoc: the getting-started page and the rules that hold
    # for every operation (issue 16), kept as a document of the repository.
    "DESCRIPTION": (BASE_DIR / "docs" / "api.md").read_text(encoding="utf-8"),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",  # local assets: no CDN on bank networks
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Enums named after their owner where the field name alone ("kind") would be a generic component name.
    "ENUM_NAME_OVERRIDES": {
        "RiskNoticeKindEnum": "risk.models.CustomerNotice.Kind",
        "InboxItemKindEnum": "feedback.models_messages.Message.Kind",
        "ArticleKindEnum": "feedback.models_messages.Article.Kind",
        "BankProductCategoryEnum": "feedback.models_messages.Product.Category",
        "ProductLeadKindEnum": "feedback.models_messages.Lead.Kind",
        "ProductLeadStatusEnum": "feedback.models_messages.Lead.Status",
    },
    "TAGS": [
        {"name": "Reference data", "description": "Consent texts, KYC tiers, currencies: public, before sign-in."},
        {"name": "Sign-in", "description": "One-time codes, registration, sign-in (password or passkey), passwords."},
        {
            "name": "Profile",
            "description": "The customer, KYC, payment PIN, consents, devices, passkeys, step-up codes.",
        },
        {"name": "Cards", "description": "Bank cards linked through the gateway's token."},
        {"name": "Wallets", "description": "Balances per currency."},
        {"name": "Top-ups and withdrawals", "description": "Money in from and out to a linked card."},
        {"name": "Transfers", "description": "Money to another customer."},
        {"name": "Merchant payments", "description": "QR codes: preview, pay, print."},
        {"name": "Bills", "description": "Billers and bill payments with receipts."},
        {"name": "Currency exchange", "description": "Quotes and conversions between wallets."},
        {"name": "History", "description": "Transactions, CSV export, refunds."},
        {"name": "Insights", "description": "Spending by category, monthly statements."},
        {"name": "Promotions", "description": "Offers ranked for the customer, coupons and codes, points."},
        {"name": "Risk", "description": "Step-up challenges of payments, fraud-check notices, human review."},
        {"name": "Messages", "description": "My inbox (notices and offers from the bank) and education articles."},
        {"name": "Bank products", "description": "The bank's products offered to me; interest and applications."},
        {"name": "Bank gateway", "description": "Called by the bank, not by apps."},
    ],
}

# --- Metrics -------------------------------------------------------------------------------
# /metrics is for the monitoring network only: a bearer token and/or an address allow-list.
METRICS_TOKEN = env_str("METRICS_TOKEN", "" if IS_PRODUCTION else "dev-metrics-token")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", [] if IS_PRODUCTION else ["127.0.0.1", "::1"])

# --- Personal data encryption (accounts) ------------------------------------------------------
# Comma-separated Fernet keys, newest first; older keys still decrypt (rotation).
_DEV_PII_KEY = "ZGV2LW9ubHktcGlpLWtleS0zMi1ieXRlcy0wMDAwMDA="
PII_ENCRYPTION_KEYS = env_list("PII_ENCRYPTION_KEYS", [] if IS_PRODUCTION else [_DEV_PII_KEY])
PII_BLIND_INDEX_KEY = env_str("PII_BLIND_INDEX_KEY", "" if IS_PRODUCTION else "dev-only-blind-index-key") or ""
if IS_PRODUCTION and (not PII_ENCRYPTION_KEYS or len(PII_BLIND_INDEX_KEY) < 32):
    raise ImproperlyConfigured("PII_ENCRYPTION_KEYS and PII_BLIND_INDEX_KEY (32+ chars) must be set in production")

# Key of the payment PIN hasher (HMAC-SHA256); stored hashes name their key by a key id. To
# rotate: the new key in PIN_HASH_KEY, the old ones in PIN_HASH_KEYS_PREVIOUS (comma-separated,
# newest first) until every PIN was re-hashed on its next correct entry (accounts/hashers.py).
PIN_HASH_KEY = env_str("PIN_HASH_KEY", "" if IS_PRODUCTION else "dev-only-payment-pin-key") or ""
PIN_HASH_KEYS_PREVIOUS = env_list("PIN_HASH_KEYS_PREVIOUS", [])
if IS_PRODUCTION and (len(PIN_HASH_KEY) < 32 or any(len(key) < 32 for key in PIN_HASH_KEYS_PREVIOUS)):
    raise ImproperlyConfigured(
        "PIN_HASH_KEY (and PIN_HASH_KEYS_PREVIOUS) of 32+ random characters must be set in production"
    )

# Key of the OTP code HMAC (accounts/services/otp.py), its own rather than SECRET_KEY. Changing it
# only voids the codes of the last few minutes.
OTP_HASH_KEY = env_str("OTP_HASH_KEY", "" if IS_PRODUCTION else "dev-only-otp-hash-key") or ""
if IS_PRODUCTION and len(OTP_HASH_KEY) < 32:
    raise ImproperlyConfigured("OTP_HASH_KEY (32+ random characters) must be set in production")

# --- Pluggable integrations -----------------------------------------------------------------
# Development defaults are simulators; production must name real adapters (a simulated bank,
# SMS or KYC check in production would move money or admit customers on nobody's word).
_SIMULATORS = {
    "SMS_BACKEND": "accounts.integrations.ConsoleSmsBackend",
    "KYC_VERIFIER": "accounts.integrations.SimulatedKycVerifier",
    "BANK_GATEWAY": "payments.integrations.SimulatedCoreBankingGateway",
}
if IS_PRODUCTION:
    for _name, _simulator in _SIMULATORS.items():
        _value = env_str(_name)
        if not _value or _value.rsplit(".", 1)[-1].startswith(("Simulated", "Console", "File", "Locmem")):
            raise ImproperlyConfigured(f"{_name} must name a real adapter in production (not {_value or _simulator})")
SMS_BACKEND = env_str("SMS_BACKEND", _SIMULATORS["SMS_BACKEND"])
# Linking a card asks the bank whether the SDK token is real (accounts/integrations.py); the default
# asks BANK_GATEWAY (a real adapter in production).
CARD_TOKEN_VERIFIER = env_str("CARD_TOKEN_VERIFIER", "payments.integrations.BankGatewayCardTokenVerifier")
if IS_PRODUCTION and str(CARD_TOKEN_VERIFIER).rsplit(".", 1)[-1].startswith("Simulated"):
    raise ImproperlyConfigured("CARD_TOKEN_VERIFIER must name a real adapter in production")
KYC_VERIFIER = env_str("KYC_VERIFIER", _SIMULATORS["KYC_VERIFIER"])
# OTP SMS leave from a background thread after the answer ("inline": before it, for tests).
ACCOUNTS_SMS_DELIVERY = env_choice("ACCOUNTS_SMS_DELIVERY", "thread", ("thread", "inline"))
# Payments calls risk and promotions only through these dotted paths (ARCHITECTURE §3).
# The risk app's pre-check (risk/precheck.py: one indexed statement). The test suite keeps the
# allow-all default so payments tests do not meet step-up; risk's tests switch it on.
PAYMENTS_RISK_PRECHECK = env_str(
    "PAYMENTS_RISK_PRECHECK",
    "payments.hooks.risk_precheck_allow_all" if DJANGO_ENV == "test" else "risk.precheck.risk_precheck",
)
# The step-up challenge a payment answers 403 step_up_required with (payments.interfaces.StepUpIssueFn:
# risk issues it and sends the SMS code). Paired with the pre-check: the test suite keeps the default
# (no challenge); risk's tests switch both on.
PAYMENTS_STEP_UP_ISSUE = env_str(
    "PAYMENTS_STEP_UP_ISSUE",
    "payments.hooks.step_up_issue_none" if DJANGO_ENV == "test" else "risk.services.step_up_payment_issue",
)
# Risk (docs/risk.md): how long a step-up challenge may be confirmed and used; the reporting threshold
# that "structuring" watches payments just under (CNY minor units) and how far under counts; case SLAs.
# Whether the pre-check asks for a step-up (docs/risk.md "Step-up": P2P, QR, bill payments and
# withdrawals carry the confirmed challenge to the money step). Off: payments that would need one go
# ahead (the asynchronous rules still see them).
RISK_PRECHECK_STEP_UP = env_bool("RISK_PRECHECK_STEP_UP", True)
RISK_STEP_UP_TTL_SECONDS = env_int("RISK_STEP_UP_TTL_SECONDS", 600, minimum=60, maximum=3600)
RISK_REPORTING_THRESHOLD_MINOR = env_int("RISK_REPORTING_THRESHOLD_MINOR", 50_000_00, minimum=1)
RISK_STRUCTURING_BAND_PERCENT = env_int("RISK_STRUCTURING_BAND_PERCENT", 10, minimum=1, maximum=50)
RISK_CASE_SLA_HOURS = {"BLOCK": 4, "REVIEW": 24, "DEFAULT": 72}
# Off: the asynchronous rules only record alerts and cases (no hold, freeze or step-up flag).
RISK_ENFORCE = env_bool("RISK_ENFORCE", True)
# A customer frozen by risk is unfrozen only through an approved unfreeze request (a second officer);
# a customer who still holds money is not closed.
ACCOUNTS_STATUS_CHANGE_GUARDS = ["risk.services.freezes.unfreeze_guard", "payments.guards.customer_close_guard"]
# Instant benefits of issue 12 (docs/promotions.md); "payments.hooks.promotions_quote_none" turns them off.
PAYMENTS_PROMOTIONS_QUOTE = env_str("PAYMENTS_PROMOTIONS_QUOTE", "promotions.selectors_instant.promotions_quote")

# The branch desk (docs/accounts.md): panels other apps render into the customer page and the admin
# home page, by dotted path, so accounts imports no other domain app. A panel returns safe HTML.
ACCOUNTS_CUSTOMER_PAGE_PANELS = ["payments.desk.customer_panel", "risk.desk.customer_panel"]
ADMIN_HOME_PANELS = ["payments.desk.approval_queue"]
# The admin site's extension points (core/admin_site.py), so core imports no app: staff passkeys.
ADMIN_ACCESS_CHECKS = ["accounts.staff_passkeys.access_check"]
ADMIN_LOGIN_CHECKS = ["accounts.staff_passkeys.login_check"]
ADMIN_EXTRA_URLS = ["accounts.staff_passkeys.admin_urls"]
# Development only: the last SMS messages (codes included) kept for the admin's "SMS codes" page.
DEV_SMS_RECENT = 0 if IS_PRODUCTION else 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.request_context.RequestIdLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Payments movements: bank gateway, callbacks, QR signing (payments/integrations.py, payments/qr.py) ---
BANK_GATEWAY = env_str("BANK_GATEWAY", _SIMULATORS["BANK_GATEWAY"])
# Simulator only: "auto" picks a scenario from the amount's cents (.13 decline, .14 timeout then late
# success, .15 duplicate callback, .16 late decline, .17 no answer); the others force one scenario.
BANK_GATEWAY_SIM_MODE = env_choice(
    "BANK_GATEWAY_SIM_MODE",
    "auto",
    ("auto", "success", "decline", "timeout", "duplicate_callback", "late_decline", "hang"),
)
BANK_GATEWAY_SIM_LATENCY_MS = env_int("BANK_GATEWAY_SIM_LATENCY_MS", 0, minimum=0, maximum=30_000)
BANK_GATEWAY_SIM_AUTODELIVER = env_bool("BANK_GATEWAY_SIM_AUTODELIVER", DJANGO_ENV == "development")
BANK_GATEWAY_CALLBACK_SECRET = env_str("BANK_GATEWAY_CALLBACK_SECRET") or (
    "" if IS_PRODUCTION else "dev-only-bank-gateway-callback-secret"
)
QR_SIGNING_KEY = env_str("QR_SIGNING_KEY") or ("" if IS_PRODUCTION else "dev-only-qr-signing-key-0123456789")
QR_SIGNING_KEYS_PREVIOUS = env_list("QR_SIGNING_KEYS_PREVIOUS", [])  # still verify QR codes signed before a rotation
if IS_PRODUCTION and (len(BANK_GATEWAY_CALLBACK_SECRET) < 32 or len(QR_SIGNING_KEY) < 32):
    raise ImproperlyConfigured("BANK_GATEWAY_CALLBACK_SECRET and QR_SIGNING_KEY (32+ chars) must be set in production")
# Statement PDFs embed the first TrueType CJK font found here (payments/statements.py); the
# production image installs fonts-wqy-microhei. CFF-flavoured OpenType (Noto CJK .otf) cannot be embedded by reportlab.
STATEMENT_FONT_FILES = env_list(
    "STATEMENT_FONT_FILES",
    [
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    ],
)
# How long a top-up or withdrawal may stay unconfirmed before the poller gives up (late success still credits).
# Production refuses known development values and low-entropy keys (core/env.py), naming each variable.
if IS_PRODUCTION:
    require_production_secrets(
        {
            "SECRET_KEY": (SECRET_KEY, 50),
            "PII_BLIND_INDEX_KEY": (PII_BLIND_INDEX_KEY, 32),
            "PIN_HASH_KEY": (PIN_HASH_KEY, 32),
            "BANK_GATEWAY_CALLBACK_SECRET": (BANK_GATEWAY_CALLBACK_SECRET, 32),
            "QR_SIGNING_KEY": (QR_SIGNING_KEY, 32),
            **({"METRICS_TOKEN": (METRICS_TOKEN, 32)} if METRICS_TOKEN else {}),
        },
        {"PII_ENCRYPTION_KEYS": PII_ENCRYPTION_KEYS},
    )
# Failed (unsigned, forged, malformed) callbacks one address may send per minute before 429 (payments/callback_guard.py).
GATEWAY_CALLBACK_FAILURES_PER_MINUTE = env_int("GATEWAY_CALLBACK_FAILURES_PER_MINUTE", 20, minimum=1)
FUNDING_CONFIRM_TIMEOUT_MINUTES = env_int("FUNDING_CONFIRM_TIMEOUT_MINUTES", 30, minimum=1)
CELERY_BEAT_SCHEDULE.update(
    {
        "payments.funding_poll": {"task": "payments.funding_poll", "schedule": 30.0},
        "payments.adjustments_expire": {"task": "payments.adjustments_expire", "schedule": 60.0},
    }
)

# --- Seal chain anchors (payments.ledger.anchor, docs/ledger.md) --------------------
# Signs the daily head of the seal chain; the database never holds it. Anchors go to an
# append-only JSON-lines file outside PostgreSQL (and to the audit log).
LEDGER_ANCHOR_KEY = env_str("LEDGER_ANCHOR_KEY") or ("" if IS_PRODUCTION else "dev-only-ledger-anchor-key-0123456789")
if IS_PRODUCTION and len(LEDGER_ANCHOR_KEY) < 32:
    raise ImproperlyConfigured("LEDGER_ANCHOR_KEY (32+ random characters) must be set in production")
LEDGER_ANCHOR_DIR = Path(env_str("LEDGER_ANCHOR_DIR") or BASE_DIR / ".data" / "ledger-anchors")
CELERY_BEAT_SCHEDULE["payments.ledger_anchor"] = {
    "task": "payments.ledger_anchor",
    "schedule": crontab(hour=2, minute=15),  # daily, before the nightly verification
}

# --- Promotions (docs/promotions.md) ----------------------------------------------------------
# A version whose maximum exposure (CNY minor units) is above this needs a risk officer's sign-off too.
PROMOTIONS_RISK_SIGNOFF_EXPOSURE_CNY_MINOR = env_int("PROMOTIONS_RISK_SIGNOFF_EXPOSURE_CNY_MINOR", 50_000_00, minimum=0)
# What one loyalty point is worth in CNY, for exposure only (points live in the ledger as PTS).
PROMOTIONS_POINT_VALUE_CNY = env_str("PROMOTIONS_POINT_VALUE_CNY", "0.01")
# Points redemption for cash (docs/promotions.md "Points redemption"): whole steps of this many points,
# each worth PROMOTIONS_POINTS_REDEEM_STEP_CNY (default 100 points = 1.00 CNY); one step is the minimum.
PROMOTIONS_POINTS_REDEEM_STEP = env_int("PROMOTIONS_POINTS_REDEEM_STEP", 100, minimum=1)
PROMOTIONS_POINTS_REDEEM_STEP_CNY = env_str("PROMOTIONS_POINTS_REDEEM_STEP_CNY", "1.00")
# The instant quote caches each merchant's offers per process, checked against a counter every
# campaign change moves (promotions.selectors_instant_offers). A quote with nothing that may apply
# trusts the counter this process read less than this many ms ago (0: reads it on every such quote):
# a campaign started or resumed reaches such payments up to this late; a pause, an end or a spent
# budget is never late (read on every quote that could apply it, re-checked by the payment).
PROMOTIONS_OFFERS_RECHECK_MS = env_int("PROMOTIONS_OFFERS_RECHECK_MS", 1000, minimum=0, maximum=10_000)
PROMOTIONS_DEFAULT_HOLDOUT_BPS = env_int("PROMOTIONS_DEFAULT_HOLDOUT_BPS", 1000, minimum=0, maximum=5000)
# An ended campaign's remainder goes back after this grace (rewards of payments made before the end
# are still granted), and again hourly for this many days (late releases, clawbacks).
PROMOTIONS_SETTLE_GRACE_MINUTES = env_int("PROMOTIONS_SETTLE_GRACE_MINUTES", 60, minimum=0)
PROMOTIONS_SETTLE_WINDOW_DAYS = env_int("PROMOTIONS_SETTLE_WINDOW_DAYS", 45, minimum=1)
CELERY_BEAT_SCHEDULE.update(
    {
        # beat only triggers: whether a campaign pays is decided from its timestamps at the moment of use.
        "promotions.campaigns_tick": {"task": "promotions.campaigns_tick", "schedule": 60.0},
        "promotions.rewards_release": {"task": "promotions.rewards_release", "schedule": 60.0},
        "promotions.points_expire": {"task": "promotions.points_expire", "schedule": 3600.0},
        "promotions.coupons_expire": {"task": "promotions.coupons_expire", "schedule": 3600.0},
        "promotions.lottery_tick": {"task": "promotions.lottery_tick", "schedule": 60.0},
    }
)
# Referral links: the customer's code appended to this address (the app opens it, the site redirects).
PROMOTIONS_REFERRAL_LINK_BASE = env_str("PROMOTIONS_REFERRAL_LINK_BASE", "https://wallet.tongbao.example/r/")
# The key of the referral-code permutation (promotions.referral_codes); empty: derived from SECRET_KEY.
PROMOTIONS_REFERRAL_CODE_KEY = env_str("PROMOTIONS_REFERRAL_CODE_KEY", "")
# Failed coupon redemptions a customer may make per hour (counted before the code is compared).
PROMOTIONS_COUPON_MAX_FAILURES_PER_HOUR = env_int("PROMOTIONS_COUPON_MAX_FAILURES_PER_HOUR", 10, minimum=1)

# --- Feedback: tickets and surveys (docs/feedback.md) -------------------------------------------
# Screenshots live outside the web root (never under MEDIA or STATIC): served only through the API
# to their owner and through the admin to staff in scope.
FEEDBACK_PRIVATE_DIR = Path(env_str("FEEDBACK_PRIVATE_DIR") or BASE_DIR / ".data" / "private" / "feedback")
# Each screenshot at most this many bytes (the whole request is also capped by MAX_REQUEST_BYTES).
FEEDBACK_ATTACHMENT_MAX_BYTES = env_int("FEEDBACK_ATTACHMENT_MAX_BYTES", 512 * 1024, minimum=1024)
FEEDBACK_ATTACHMENTS_PER_FEEDBACK = env_int("FEEDBACK_ATTACHMENTS_PER_FEEDBACK", 3, minimum=0, maximum=10)
# Decompression-bomb guard: a few hundred KB of PNG can decode to hundreds of MB. 4096 x 4096 holds
# any phone or desktop screenshot (a 5K screen is 14.7 million pixels) and decodes to at most 64 MB.
FEEDBACK_ATTACHMENT_MAX_PIXELS = env_int("FEEDBACK_ATTACHMENT_MAX_PIXELS", 4096 * 4096, minimum=1)
# Hours from a complaint to its SLA deadline, by ticket priority.
FEEDBACK_TICKET_SLA_HOURS = {
    "URGENT": env_int("FEEDBACK_SLA_URGENT_HOURS", 4, minimum=1),
    "HIGH": env_int("FEEDBACK_SLA_HIGH_HOURS", 24, minimum=1),
    "NORMAL": env_int("FEEDBACK_SLA_NORMAL_HOURS", 72, minimum=1),
    "LOW": env_int("FEEDBACK_SLA_LOW_HOURS", 120, minimum=1),
}
# At most one survey invitation per customer in this many days, whatever triggers it.
FEEDBACK_SURVEY_MIN_DAYS_BETWEEN = env_int("FEEDBACK_SURVEY_MIN_DAYS_BETWEEN", 30, minimum=0)
FEEDBACK_SURVEY_INVITATION_DAYS = env_int("FEEDBACK_SURVEY_INVITATION_DAYS", 14, minimum=1)
FEEDBACK_SURVEY_SIGNUP_DAYS = env_int("FEEDBACK_SURVEY_SIGNUP_DAYS", 30, minimum=1)
# Which survey each trigger asks (NPS: the relationship; CSAT: the moment).
FEEDBACK_SURVEY_KIND_BY_TRIGGER = {
    "FIRST_PAYMENT": "CSAT",
    "TICKET_RESOLVED": "CSAT",
    "SIGNUP_30_DAYS": "NPS",
    "CAMPAIGN_REWARD": "CSAT",
}
_spectacular_enums: dict[str, str] = SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]  # type: ignore[assignment]
_spectacular_enums.update(
    {
        "TicketStatusEnum": "feedback.models.Ticket.Status",
        "SurveyKindEnum": "feedback.models.SurveyKind",
        "FeedbackCategoryEnum": "feedback.models.Feedback.Category",
    }
)
_spectacular_tags: list[dict[str, str]] = SPECTACULAR_SETTINGS["TAGS"]  # type: ignore[assignment]
_spectacular_tags += [
    {"name": "Feedback", "description": "Feedback with screenshots, complaint tickets and their conversation."},
    {"name": "Surveys", "description": "NPS and satisfaction surveys the bank invites me to."},
]
CELERY_BEAT_SCHEDULE.update(
    {
        # beat only triggers: what is overdue is computed from due_at at the moment of the run.
        "feedback.tickets_escalate": {"task": "feedback.tickets_escalate", "schedule": 300.0},
        "feedback.surveys_signup_invite": {"task": "feedback.surveys_signup_invite", "schedule": 3600.0},
    }
)

# --- Feedback: messages, articles, products (docs/feedback-messages.md) ----------------------------
# The push channel (feedback/integrations_push.py): the console logs in development; production names
# the bank's push gateway adapter; tests keep pushes in memory.
FEEDBACK_PUSH_BACKEND = env_str(
    "FEEDBACK_PUSH_BACKEND",
    "feedback.integrations_push.LocmemPushBackend"
    if DJANGO_ENV == "test"
    else "feedback.integrations_push.ConsolePushBackend",
)
if IS_PRODUCTION and str(FEEDBACK_PUSH_BACKEND).rsplit(".", 1)[-1].startswith(("Console", "Locmem")):
    raise ImproperlyConfigured("FEEDBACK_PUSH_BACKEND must name the bank's push gateway adapter in production")
CELERY_BEAT_SCHEDULE.update(
    {
        # beat only triggers: a message is due by its send_at, and fanned out once (unique per customer).
        "feedback.messages_dispatch": {"task": "feedback.messages_dispatch", "schedule": 30.0},
        "feedback.messages_push": {"task": "feedback.messages_push", "schedule": 60.0},
    }
)
