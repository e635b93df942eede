"""Celery tasks of the accounts app: thin, idempotent wrappers (scheduled in ``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

from celery import shared_task

from accounts.services.webauthn import challenges_purge


@shared_task(name="accounts.webauthn_challenges_purge", ignore_result=True, soft_time_limit=60, time_limit=90)
def webauthn_challenges_purge() -> int:
    """Delete expired passkey challenges (used ones are deleted when used)."""
    return challenges_purge()
