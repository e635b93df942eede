"""Stored responses of money-moving requests, keyed by (customer, Idempotency-Key)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["IdempotencyRecord"]


class IdempotencyRecord(models.Model):
    """The first outcome of a keyed request (success or business failure), replayed for its expiry.

    Written in the same transaction as the money movement it records. Not money: purged after
    ``expires_at`` (at least 24 h after creation).
    """

    # No index of its own: the unique (customer, key) index leads with it (payments 0020; with both,
    # a plan made while the table looked empty read every kept key of the customer, stop 24).
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.CASCADE, related_name="+", verbose_name=_("customer"), db_index=False
    )
    key = models.CharField(_("idempotency key"), max_length=255)
    request_fingerprint = models.CharField(max_length=64, verbose_name=_("request fingerprint"))
    response_status = models.PositiveSmallIntegerField(verbose_name=_("response status"))
    response_body = models.JSONField(verbose_name=_("response body"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    expires_at = models.DateTimeField(db_index=True, verbose_name=_("expires at"))

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["customer", "key"], name="idempotency_key_per_customer")]

    def __str__(self) -> str:
        return f"{self.customer_id}:{self.key}"
