"""Shared model bases. ``core`` imports no domain app."""

from __future__ import annotations

from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

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

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("occurred at"))
    actor = models.ForeignKey(
        "auth.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=True,
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(max_length=150, blank=True, verbose_name=_("actor label"))
    action = models.CharField(max_length=100, db_index=True, verbose_name=_("action"))
    object_type = models.CharField(max_length=100, blank=True, verbose_name=_("object type"))
    object_id = models.CharField(max_length=64, blank=True, db_index=True, verbose_name=_("object id"))
    object_repr = models.CharField(max_length=200, blank=True, verbose_name=_("object repr"))
    reason = models.TextField(blank=True, verbose_name=_("reason"))
    changes = models.JSONField(default=dict, blank=True, verbose_name=_("changes"))
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("ip address"))
    request_id = models.CharField(max_length=64, blank=True, verbose_name=_("request id"))

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

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
    idempotent (``ConsumedEvent``), so a second hand-over never acts twice. ``redeliveries`` and
    ``redeliver_at`` pace the sweep that re-sends deliveries lost with a killed worker: each
    re-send of an event doubles the wait before the next one (no redelivery storm).
    """

    topic = models.CharField(max_length=100, verbose_name=_("topic"))
    key = models.CharField(max_length=200, blank=True, verbose_name=_("key"))
    payload = models.JSONField(default=dict, verbose_name=_("payload"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published at"))
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("attempts"))
    redeliveries = models.PositiveIntegerField(default=0, verbose_name=_("redeliveries"))
    redeliver_at = models.DateTimeField(null=True, blank=True, verbose_name=_("next redelivery at"))

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        indexes = [
            models.Index(fields=["id"], condition=models.Q(published_at__isnull=True), name="outbox_unpublished"),
            models.Index(fields=["topic", "created_at"], name="outbox_topic_created"),
            # The redelivery sweep reads the last minutes of an append-mostly table: a BRIN index
            # costs almost nothing to maintain on the payment's INSERT.
            BrinIndex(fields=["created_at"], name="outbox_created_brin"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"


class ConsumedEvent(models.Model):
    """One row per (consumer, event) whose effect committed: the consumer's idempotency key."""

    consumer = models.CharField(max_length=100, verbose_name=_("consumer"))
    event_id = models.BigIntegerField(verbose_name=_("event id"))
    consumed_at = models.DateTimeField(auto_now_add=True, verbose_name=_("consumed at"))

    class Meta:
        verbose_name = _("consumed event")
        verbose_name_plural = _("consumed events")
        constraints = [models.UniqueConstraint(fields=["consumer", "event_id"], name="consumed_event_unique")]

    def __str__(self) -> str:
        return f"{self.consumer} <- {self.event_id}"
