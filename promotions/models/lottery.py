"""Lottery (抽奖): the draw's record (seed committed before entries close, revealed at the draw)
and every entry with its outcome, so an auditor can re-run the draw from the record alone.
Algorithm and proof: ``promotions.services.lottery`` and docs/promotions.md, "Lottery"."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField

__all__ = ["LotteryDraw", "LotteryEntry"]


class LotteryDraw(models.Model):
    """One draw per lottery campaign. Created (with a fresh secret seed and its published SHA-256
    commitment) before the campaign's first entry can be written; drawn once, under its row lock."""

    class Status(models.TextChoices):
        OPEN = "OPEN", _("Entries open, seed committed")
        DRAWN = "DRAWN", _("Drawn, prizes being paid")
        PAID = "PAID", _("Drawn and every prize decided")

    campaign = models.OneToOneField(
        "promotions.Campaign", on_delete=models.PROTECT, related_name="lottery_draw", verbose_name=_("campaign")
    )
    algorithm = models.CharField(_("algorithm"), max_length=40, default="hmac-sha256-rank-v1")
    seed_commitment = models.CharField(_("seed commitment (SHA-256)"), max_length=64)
    seed_secret = EncryptedTextField(_("seed (secret until the draw)"))
    seed_revealed = models.CharField(_("seed (revealed at the draw)"), max_length=64, blank=True)
    committed_at = models.DateTimeField(_("seed committed at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    prize_table = models.JSONField(_("prize table drawn"), default=list, blank=True)
    entries_closed_at = models.DateTimeField(_("entries closed at"), null=True, blank=True)
    entries_count = models.PositiveIntegerField(_("entries"), default=0)
    entries_digest = models.CharField(_("entries digest (SHA-256)"), max_length=64, blank=True)
    results_digest = models.CharField(_("results digest (SHA-256)"), max_length=64, blank=True)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("prizes decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lottery draw")
        verbose_name_plural = _("lottery draws")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="OPEN") | (~Q(seed_revealed="") & Q(drawn_at__isnull=False)),
                name="lottery_draw_drawn_reveals_seed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.status}"


class LotteryEntry(models.Model):
    """One entry earned by one qualifying payment (once per (campaign, source): a database
    constraint). ``ticket`` is what the draw hashes; ``rank`` and ``prize_minor`` are its outcome
    (``prize_minor`` 0 = no prize); ``grant`` is the prize's ``RewardGrant`` once decided."""

    class Outcome(models.TextChoices):
        PENDING = "PENDING", _("Waiting for the draw")
        WON = "WON", _("Won a prize")
        NO_PRIZE = "NO_PRIZE", _("No prize")
        VOIDED = "VOIDED", _("Withdrawn: the payment was refunded")

    campaign = models.ForeignKey(
        "promotions.Campaign", on_delete=models.PROTECT, related_name="lottery_entries", verbose_name=_("campaign")
    )
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="lottery_entries", verbose_name=_("customer")
    )
    source = models.CharField(_("source"), max_length=120)
    ticket = models.CharField(_("ticket"), max_length=200)
    source_at = models.DateTimeField(_("payment made at"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    rank = models.PositiveIntegerField(_("rank in the draw"), null=True, blank=True)
    score = models.CharField(_("draw score"), max_length=64, blank=True)
    prize_minor = models.BigIntegerField(_("prize (minor units)"), null=True, blank=True)
    grant = models.OneToOneField(
        "promotions.RewardGrant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lottery_entry",
        verbose_name=_("prize grant"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("lottery entry")
        verbose_name_plural = _("lottery entries")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "source"], name="lottery_entry_once_per_source"),
            models.UniqueConstraint(fields=["campaign", "ticket"], name="lottery_entry_ticket_unique"),
            models.CheckConstraint(
                condition=Q(prize_minor__isnull=True) | Q(prize_minor__gte=0), name="lottery_prize_non_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-created_at", "-id"], name="lottery_entry_customer_page"),
            models.Index(fields=["campaign", "outcome"], name="lottery_entry_outcome"),
        ]

    def __str__(self) -> str:
        return self.ticket
