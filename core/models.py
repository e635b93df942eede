"""Shared model bases. ``core`` imports no domain app."""

from __future__ import annotations

from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: object) -> int:
        raise PermissionError("The audit log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only")


class AuditEvent(models.Model):
    """Append-only record of a staff or system action (a database trigger refuses UPDATE/DELETE).

    ``action`` is a dotted name (``accounts.customer.reveal``); never put a secret, OTP, PIN or
    card number in ``changes``.
    """

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_constraint=True
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = "audit event"
        verbose_name_plural = "audit events"

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"
        )

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("The audit log is append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class OutboxEvent(models.Model):
    """A domain event written in the transaction of the change it announces (core.outbox).

    ``published_at`` is set by the relay once the event was handed to Celery; consumers are
    idempotent (``ConsumedEvent``), so a second hand-over never acts twice.
    """

    topic = models.CharField(max_length=100)
    key = models.CharField(max_length=200, blank=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "outbox event"
        verbose_name_plural = "outbox events"
        indexes = [
            models.Index(fields=["id"], condition=models.Q(published_at__isnull=True), name="outbox_unpublished"),
            models.Index(fields=["topic", "created_at"], name="outbox_topic_created"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"


class ConsumedEvent(models.Model):
    """One row per (consumer, event) whose effect committed: the consumer's idempotency key."""

    consumer = models.CharField(max_length=100)
    event_id = models.BigIntegerField()
    consumed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "consumed event"
        verbose_name_plural = "consumed events"
        constraints = [models.UniqueConstraint(fields=["consumer", "event_id"], name="consumed_event_unique")]

    def __str__(self) -> str:
        return f"{self.consumer} <- {self.event_id}"
