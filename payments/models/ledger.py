"""The double-entry ledger: accounts, transfers, postings, holds, hot-account deltas, seals.

Sign convention: a posting's ``amount_minor`` is signed from the account holder's view:
positive = credit (money arrives), negative = debit (money leaves). A transfer's postings sum
to zero per currency (database constraint trigger at commit). Transfers and postings are
append-only (database triggers refuse UPDATE, DELETE and TRUNCATE). See docs/ledger.md.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = [
    "CustomerSpendCounter",
    "Hold",
    "HotAccountDelta",
    "LedgerAccount",
    "LedgerSeal",
    "Posting",
    "Transfer",
]


class LedgerAccount(models.Model):
    """An account of the ledger. ``posted_minor`` is the posted balance for ordinary accounts.

    Hot accounts (``is_hot``) are not updated for appended postings: their posted balance is
    ``posted_minor`` (a checkpoint) + the sum of their ``HotAccountDelta`` rows, which the
    ``payments.hot_accounts_rollup`` task (and every locked debit) folds into the checkpoint.
    """

    class Kind(models.TextChoices):
        CUSTOMER_WALLET = "CUSTOMER_WALLET", _("Customer wallet")
        MERCHANT = "MERCHANT", _("Merchant")
        SETTLEMENT = "SETTLEMENT", _("Settlement with the core banking system")
        FX_POSITION = "FX_POSITION", _("FX position")
        FEE_INCOME = "FEE_INCOME", _("Fee income")
        CAMPAIGN_BUDGET = "CAMPAIGN_BUDGET", _("Campaign budget")
        POINTS_ISSUANCE = "POINTS_ISSUANCE", _("Points issuance")
        POINTS_WALLET = "POINTS_WALLET", _("Points wallet")
        SUSPENSE = "SUSPENSE", _("Suspense")
        BILLER = "BILLER", _("Biller")
        HOLDING = "HOLDING", _("Holding")

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", _("Active")
        FROZEN = "FROZEN", _("Frozen")
        CLOSED = "CLOSED", _("Closed")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("code"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    currency = models.CharField(_("currency"), max_length=3)
    customer = models.ForeignKey(
        "accounts.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
        verbose_name=_("customer"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    allow_negative = models.BooleanField(_("may go negative"), default=False)
    is_hot = models.BooleanField(_("hot account"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    posted_minor = models.BigIntegerField(_("posted balance (minor units)"), default=0)
    pending_debit_minor = models.BigIntegerField(_("held (minor units)"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(allow_negative=True) | Q(posted_minor__gte=models.F("pending_debit_minor")),
                name="ledger_account_available_non_negative",
            ),
            models.CheckConstraint(condition=Q(pending_debit_minor__gte=0), name="ledger_account_pending_non_negative"),
            models.UniqueConstraint(
                fields=["customer", "currency"], condition=Q(kind="CUSTOMER_WALLET"), name="one_wallet_per_currency"
            ),
        ]
        indexes = [models.Index(fields=["customer", "kind"], name="ledger_acct_customer_kind")]

    def __str__(self) -> str:
        from payments.display import ledger_account_label

        return ledger_account_label(self)


class Transfer(models.Model):
    """One movement: two or more postings summing to zero per currency. Append-only."""

    class Kind(models.TextChoices):
        TOPUP = "TOPUP", _("Top-up")
        WITHDRAWAL = "WITHDRAWAL", _("Withdrawal")
        P2P = "P2P", _("Transfer")
        MERCHANT_PAYMENT = "MERCHANT_PAYMENT", _("Merchant payment")
        BILL_PAYMENT = "BILL_PAYMENT", _("Bill payment")
        REFUND = "REFUND", _("Refund")
        REVERSAL = "REVERSAL", _("Reversal")
        FX_CONVERSION = "FX_CONVERSION", _("Currency exchange")
        HOLD_CAPTURE = "HOLD_CAPTURE", _("Hold capture")
        ADJUSTMENT = "ADJUSTMENT", _("Adjustment")
        FEE = "FEE", _("Fee")
        REWARD = "REWARD", _("Reward")
        FUNDING = "FUNDING", _("Funding")
        POINTS = "POINTS", _("Points")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, db_index=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True, db_index=True)
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals", verbose_name=_("reverses")
    )
    reason_code = models.CharField(_("reason code"), max_length=50, blank=True)
    initiated_by = models.ForeignKey(
        "accounts.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="initiated_transfers",
        verbose_name=_("initiated by"),
    )
    created_at = models.DateTimeField(_("created at"), db_index=True)
    content_hash = models.CharField(_("content hash"), max_length=64)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.UniqueConstraint(
                fields=["reverses"], condition=Q(kind="REVERSAL"), name="one_reversal_per_transfer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id}"


class Posting(models.Model):
    """One leg of a transfer. ``amount_minor`` > 0 credits the account, < 0 debits it. Append-only.

    ``balance_after_minor`` is the account's posted balance after this posting (written under
    the account's row lock); NULL for postings appended to a hot account without its lock.
    ``counterparty_account`` is the main opposite leg, denormalised for history and its filter.
    """

    transfer = models.ForeignKey(
        Transfer, on_delete=models.PROTECT, related_name="postings", verbose_name=_("transfer")
    )
    # Indexed by the composite (account, id) below; a separate index on account alone is redundant.
    account = models.ForeignKey(
        LedgerAccount, on_delete=models.PROTECT, related_name="postings", db_index=False, verbose_name=_("account")
    )
    counterparty_account = models.ForeignKey(
        LedgerAccount,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("counterparty account"),
    )
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    balance_after_minor = models.BigIntegerField(_("balance after (minor units)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    # The transfer's kind, copied by a BEFORE INSERT trigger (migration 0009) whatever the writer sends,
    # so history can filter by kind through an index instead of joining every candidate transfer.
    kind = models.CharField(_("kind"), max_length=30, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        constraints = [models.CheckConstraint(condition=~Q(amount_minor=0), name="posting_amount_non_zero")]
        # History pages (payments.selectors_history) walk one of the three posting_history* indexes per
        # wallet, newest first, filtering on the INCLUDE columns without visiting the table.
        indexes = [
            models.Index(fields=["account", "id"], name="posting_account_id"),
            models.Index(
                fields=["account", "-created_at", "-id"],
                include=["amount_minor", "counterparty_account"],
                name="posting_history",
            ),
            models.Index(
                fields=["account", "kind", "-created_at", "-id"],
                include=["amount_minor", "counterparty_account"],
                name="posting_history_kind",
            ),
            models.Index(
                fields=["account", "counterparty_account", "-created_at", "-id"],
                include=["amount_minor", "kind"],
                name="posting_history_counterparty",
            ),
        ]

    def __str__(self) -> str:
        # What a person reads on a transfer page: the amount in yuan with its sign, never minor units.
        from core.money import Money

        amount = Money(self.amount_minor, self.currency).amount_str()
        return f"{'+' if self.amount_minor > 0 else ''}{amount} {self.currency}"


class HotAccountDelta(models.Model):
    """A posting appended to a hot account that is not yet folded into ``posted_minor``.

    Not money: a work queue. Rows are deleted when folded (under the account's row lock);
    the posting itself stays forever. Deleting only sees committed rows, so a credit that
    commits late is folded on the next run: no commit-order race.
    """

    account = models.ForeignKey(
        LedgerAccount, on_delete=models.PROTECT, related_name="+", db_index=False, verbose_name=_("account")
    )
    posting = models.OneToOneField(Posting, on_delete=models.PROTECT, related_name="+", verbose_name=_("posting"))
    amount_minor = models.BigIntegerField(verbose_name=_("amount minor"))

    class Meta:
        verbose_name = _("hot account delta")
        verbose_name_plural = _("hot account deltas")
        indexes = [models.Index(fields=["account"], name="hot_delta_account")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount_minor:+d}"


class Hold(models.Model):
    """A two-phase authorization: counts against available balance until captured, voided or expired."""

    class Status(models.TextChoices):
        AUTHORIZED = "AUTHORIZED", _("Authorized")
        CAPTURED = "CAPTURED", _("Captured")
        VOIDED = "VOIDED", _("Voided")
        EXPIRED = "EXPIRED", _("Expired")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(
        LedgerAccount, on_delete=models.PROTECT, related_name="holds", verbose_name=_("account")
    )
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.AUTHORIZED)
    captured_minor = models.BigIntegerField(_("captured (minor units)"), default=0)
    capture_transfer = models.ForeignKey(
        Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("capture transfer")
    )
    kind = models.CharField(_("kind"), max_length=30)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    metadata = models.JSONField(default=dict, blank=True, verbose_name=_("metadata"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="hold_amount_positive"),
            models.CheckConstraint(
                condition=Q(captured_minor__gte=0, captured_minor__lte=models.F("amount_minor")),
                name="hold_capture_within_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["expires_at"], condition=Q(status="AUTHORIZED"), name="hold_active_expiry"),
            models.Index(fields=["account", "status"], name="hold_account_status"),
        ]

    def __str__(self) -> str:
        return f"hold {self.public_id} {self.status}"


class LedgerSeal(models.Model):
    """The tamper-evident chain: ``hash = sha256(prev_hash + transfer.content_hash)``, in ``seq`` order.

    Appended by the ``payments.ledger_seal`` task under an advisory lock, so the payment hot
    path never serializes on a chain head. Append-only (database trigger).
    """

    seq = models.BigIntegerField(primary_key=True, verbose_name=_("seq"))
    transfer = models.OneToOneField(Transfer, on_delete=models.PROTECT, related_name="seal", verbose_name=_("transfer"))
    prev_hash = models.CharField(max_length=64, verbose_name=_("prev hash"))
    hash = models.CharField(max_length=64, verbose_name=_("hash"))
    sealed_at = models.DateTimeField(auto_now_add=True, verbose_name=_("sealed at"))

    class Meta:
        verbose_name = _("ledger seal")
        verbose_name_plural = _("ledger seals")

    def __str__(self) -> str:
        return f"seal {self.seq}"


class CustomerSpendCounter(models.Model):
    """Outgoing CNY total of a customer for one day or month, moved by an atomic UPSERT (payments.limits)."""

    class Period(models.TextChoices):
        DAY = "DAY", _("Day")
        MONTH = "MONTH", _("Month")

    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    period = models.CharField(max_length=5, choices=Period.choices, verbose_name=_("period"))
    period_start = models.DateField(verbose_name=_("period start"))
    spent_minor = models.BigIntegerField(default=0, verbose_name=_("spent minor"))

    class Meta:
        verbose_name = _("customer spend counter")
        verbose_name_plural = _("customer spend counters")
        constraints = [
            models.UniqueConstraint(fields=["customer", "period", "period_start"], name="spend_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.period} {self.period_start}"
