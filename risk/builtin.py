"""Reference rows of the risk app: the step-up policy row and the built-in scenarios and rules.

Created by the data migration (``risk/migrations/0002_builtin_rules.py``) and put back by
``builtin_ensure`` after a test flush. ``seed(apps)`` takes the migration's app registry."""

from __future__ import annotations

from typing import Any

__all__ = ["RULES", "SCENARIOS", "builtin_ensure", "seed"]

SCENARIOS: list[dict[str, Any]] = []
RULES: list[dict[str, Any]] = []


def seed(apps: Any) -> None:
    """Create what is missing (never changes an existing row: officers may have edited it)."""
    PrecheckPolicy = apps.get_model("risk", "PrecheckPolicy")
    PrecheckPolicy.objects.get_or_create(id=1)


def builtin_ensure() -> None:
    from django.apps import apps

    seed(apps)
