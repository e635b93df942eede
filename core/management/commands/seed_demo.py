"""Load demo data idempotently. Later issues extend ``SEEDERS`` with their own step.

Each seeder is a function ``(stdout) -> None`` that creates what is missing and changes nothing
that exists, so ``make run`` can call this on every start.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

DEMO_ADMIN_USERNAME = "admin"
DEMO_ADMIN_PASSWORD = "Tongbao-Admin-2026!"
# A fixed demo secret so the printed URI stays valid across runs (demo data only).
DEMO_ADMIN_TOTP_HEX = "3132333435363738393031323334353637383930"

# Dotted paths of later seeders (accounts, payments, promotions...), run in order.
SEEDERS: list[str] = [
    "accounts.demo.seed",
    "payments.demo.seed",
    "feedback.demo_messages.seed",
]


def seed_admin(stdout: Any) -> None:
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=DEMO_ADMIN_USERNAME,
        defaults={"is_staff": True, "is_superuser": True, "email": "admin@tongbao.example"},
    )
    if created:
        user.set_password(DEMO_ADMIN_PASSWORD)
        user.save()
    device_model = apps.get_model("accounts", "StaffTOTPDevice")  # key encrypted at rest; core imports no domain app
    device, _ = device_model.objects.get_or_create(
        user=user, name="demo authenticator", defaults={"key": DEMO_ADMIN_TOTP_HEX, "confirmed": True}
    )
    stdout.write(
        "Demo staff admin (superuser):\n"
        f"  username: {DEMO_ADMIN_USERNAME}\n  password: {DEMO_ADMIN_PASSWORD}\n"
        f"  TOTP:     {device.config_url}\n"
        "  (add the otpauth URI to an authenticator app, or run `make totp` for the current code)\n"
    )


class Command(BaseCommand):
    help = "Create demo data (idempotent): staff admin with TOTP, and what later apps register in SEEDERS."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("Demo data has known passwords and is refused when DJANGO_ENV=production.")
        steps: list[Callable[[Any], None]] = [seed_admin]
        for dotted in SEEDERS:
            try:
                steps.append(import_string(dotted))
            except ImportError:
                continue  # that app has no demo data yet
        for step in steps:
            with transaction.atomic():
                step(self.stdout)
