"""The drill app's configuration: installs the deliberate breakage its settings ask for."""

from __future__ import annotations

from django.apps import AppConfig
from django.conf import settings


class DrillAppConfig(AppConfig):
    name = "tools.drill_app"
    label = "drill_app"
    verbose_name = "drills (test only)"

    def ready(self) -> None:
        from tools.drill_app import tasks

        tasks.register()  # in every process on the drill settings: web, worker, the drill itself

        if getattr(settings, "DRILL_BREAK_IDEMPOTENCY", False):
            from core import outbox

            outbox.consume = tasks.consume_without_idempotency
        if getattr(settings, "DRILL_BREAK_REWARD_GRANTS", False):
            tasks.break_reward_grants()
