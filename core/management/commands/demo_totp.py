from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from core.management.commands.seed_demo import DEMO_ADMIN_USERNAME


class Command(BaseCommand):
    help = "Print the current TOTP code of the demo admin (development only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("Refused when DJANGO_ENV=production.")
        device_model = apps.get_model("accounts", "StaffTOTPDevice")  # core imports no domain app
        device = device_model.objects.filter(user__username=DEMO_ADMIN_USERNAME).first()
        if device is None:
            self.stderr.write("No demo admin: run `make run` once first.")
            return
        self.stdout.write(
            f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"
        )
