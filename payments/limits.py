"""KYC tier limits (accounts.KycTier), enforced inside the money transaction.

Limits are in CNY minor units. A movement in another currency counts against the same limits
and counters at its CNY equivalent: the amount converted at the current APPROVED mid rate
(no spread), rounded UP (``cny_equivalent``; ``FxRateUnavailable`` when the currency has no
approved rate, so nothing unpriced slips through). A tier whose per-transaction limit is 0
(unverified) refuses every outgoing movement, whatever the currency (``KycRequired``). CNY
movements take the same round trips as before: no rate is read for them.

Daily and monthly totals live in ``CustomerSpendCounter`` rows moved by one atomic UPSERT
whose ``WHERE`` refuses to pass the limit: no sum over postings, no read-modify-write, and two
concurrent payments cannot both slip under the limit. The check *reserves* the amount: call it
inside the savepoint of the payment, so a later failure rolls the counter back with it.

The balance cap applies to each customer wallet on its own, converted to CNY the same way
(docs/ledger.md, "KYC limits in other currencies").
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_UP, Decimal, localcontext
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.money import MAX_MINOR, Money, MoneyError
from payments.errors import BalanceCapExceeded, KycRequired, LimitExceeded
from payments.errors_movements import FxRateUnavailable
from payments.fx import convert_at_mid
from payments.models import CustomerSpendCounter, FxRate, LedgerAccount

if TYPE_CHECKING:
    from accounts.models import Customer, KycTier

__all__ = [
    "LIMITED_CURRENCY",
    "LIMIT_FAILURES",
    "balance_cap_rate",
    "cny_equivalent",
    "limit_refusal",
    "limits_check_incoming_balance",
    "limits_check_outgoing",
    "limits_release_outgoing",
    "limits_step_input",
]

LIMITED_CURRENCY = "CNY"

# Day and month counters in one statement. A row whose WHERE refuses (over its limit) is neither
# updated nor returned, so the periods missing from RETURNING name the limit that was hit; the
# caller's savepoint rolls back the other row's reservation with the failed payment.
_UPSERT = """
INSERT INTO payments_customerspendcounter (customer_id, period, period_start, spent_minor)
VALUES (%(customer)s, 'DAY', %(day)s, %(amount)s), (%(customer)s, 'MONTH', %(month)s, %(amount)s)
ON CONFLICT (customer_id, period, period_start)
DO UPDATE SET spent_minor = payments_customerspendcounter.spent_minor + EXCLUDED.spent_minor
 WHERE payments_customerspendcounter.spent_minor + EXCLUDED.spent_minor
       <= CASE EXCLUDED.period WHEN 'DAY' THEN %(day_limit)s::bigint ELSE %(month_limit)s::bigint END
RETURNING period
"""


def _mid_rate_to_cny(currency: str) -> Decimal:
    """CNY per 1 unit of ``currency`` from the current APPROVED rate of the pair (either
    direction, the most recent ``valid_from`` not in the future, as ``fx_rate_current`` reads it);
    ``FxRateUnavailable`` (400) if there is none. One query."""
    row = (
        FxRate.objects.filter(status=FxRate.Status.APPROVED, valid_from__lte=timezone.now())
        .filter(
            Q(base=currency, quote=LIMITED_CURRENCY) | Q(base=LIMITED_CURRENCY, quote=currency),
        )
        .order_by("-valid_from", "-pk")
        .values_list("base", "mid_rate")
        .first()
    )
    if row is None:
        raise FxRateUnavailable(
            _("Payments in this currency are unavailable: no exchange rate to check your limits."),
            details={"pair": f"{currency}/{LIMITED_CURRENCY}"},
        )
    base, mid = row
    if base == currency:
        return Decimal(mid)
    with localcontext() as ctx:
        ctx.prec = 34
        return 1 / Decimal(mid)


def cny_equivalent(amount: Money) -> Money:
    """``amount`` in CNY for the KYC limits: itself when CNY (no query), else converted at the
    current APPROVED mid rate and rounded UP (``payments.fx.convert_at_mid``). Raises
    ``FxRateUnavailable`` when the currency has no approved rate. An equivalent too large for
    ``Money`` is returned as the largest representable CNY amount (it is over every limit)."""
    if amount.currency == LIMITED_CURRENCY:
        return amount
    rate = _mid_rate_to_cny(amount.currency)
    try:
        return convert_at_mid(amount=amount, to_currency=LIMITED_CURRENCY, units_per_one=rate, rounding=ROUND_UP)
    except MoneyError:
        return Money(MAX_MINOR, LIMITED_CURRENCY)


def _tier(customer: Customer) -> KycTier:
    """The customer's tier: the one loaded with the request's customer when there is one (token
    authentication joins it), else one query."""
    from accounts.models import KycTier

    cached = customer._state.fields_cache.get("kyc_tier")
    if isinstance(cached, KycTier):
        return cached
    return KycTier.objects.get(customers=customer)


def _reserve(*, customer: Customer, amount: int, tier: KycTier) -> set[str]:
    """Reserve ``amount`` in today's and this month's counters; return the periods that accepted it."""
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(
            _UPSERT,
            {
                "customer": customer.pk,
                "day": today,
                "month": today.replace(day=1),
                "amount": amount,
                "day_limit": tier.daily_limit_minor,
                "month_limit": tier.monthly_limit_minor,
            },
        )
        return {row[0] for row in cursor.fetchall()}


def limit_refusal(failure: str, tier: KycTier) -> DomainError:
    """The error for a limit refusal named by ``limits_check_outgoing`` or by the database's
    money step (``payments_pay``): one set of messages for both."""
    if failure == "kyc_required":
        return KycRequired()
    if failure == "limit_per_transaction":
        return LimitExceeded(
            _("This payment is above your per-transaction limit."),
            details={"limit": "per_transaction", "max": Money(tier.per_transaction_limit_minor, "CNY").amount_str()},
        )
    if failure == "limit_daily":
        return LimitExceeded(_("This payment is above your daily limit."), details={"limit": "daily"})
    if failure == "limit_monthly":
        return LimitExceeded(_("This payment is above your monthly limit."), details={"limit": "monthly"})
    raise ValueError(f"not a limit refusal: {failure!r}")


LIMIT_FAILURES = ("kyc_required", "limit_per_transaction", "limit_daily", "limit_monthly")


def limits_step_input(*, customer: Customer, amount: Money) -> dict[str, Any]:
    """The limits part of the money step's input (``payments.ledger.money_step``): the amount
    counted (its CNY equivalent; ``FxRateUnavailable`` without a rate), the tier's limits, and
    today's and this month's counter periods. The database checks and reserves them in the order
    of ``limits_check_outgoing``; a tier without limits is refused before any conversion."""
    tier = _tier(customer)
    counted = cny_equivalent(amount).minor if tier.per_transaction_limit_minor else 0
    today = timezone.localdate()
    return {
        "amount": counted,
        "per_transaction": tier.per_transaction_limit_minor,
        "daily": tier.daily_limit_minor,
        "monthly": tier.monthly_limit_minor,
        "day": today.isoformat(),
        "month": today.replace(day=1).isoformat(),
    }


def limits_check_outgoing(*, customer: Customer, amount: Money) -> None:
    """Check the per-transaction, daily and monthly limits of the customer's KYC tier and reserve
    ``amount`` in the day and month counters. Raises ``KycRequired`` (tier without limits) or
    ``LimitExceeded`` (403, ``details.limit`` names which). Call inside the money transaction.

    Any currency: tier 0 refuses first; another currency is then counted at its CNY equivalent
    (``cny_equivalent``, rounded up; ``FxRateUnavailable`` without an approved rate)."""
    tier = _tier(customer)
    if tier.per_transaction_limit_minor == 0:
        raise limit_refusal("kyc_required", tier)
    amount = cny_equivalent(amount)
    if amount.minor > tier.per_transaction_limit_minor:
        raise limit_refusal("limit_per_transaction", tier)
    if amount.minor > tier.daily_limit_minor:
        raise limit_refusal("limit_daily", tier)
    if amount.minor > tier.monthly_limit_minor:
        raise limit_refusal("limit_monthly", tier)
    accepted = _reserve(customer=customer, amount=amount.minor, tier=tier)
    if CustomerSpendCounter.Period.DAY not in accepted:
        raise limit_refusal("limit_daily", tier)
    if CustomerSpendCounter.Period.MONTH not in accepted:
        raise limit_refusal("limit_monthly", tier)


# Give back a reservation in the periods it was taken in (not today's: a payout declined on the 1st
# must not free May's allowance in June). GREATEST guards a counter against going below zero.
_RELEASE = """
UPDATE payments_customerspendcounter
   SET spent_minor = GREATEST(spent_minor - %(amount)s, 0)
 WHERE customer_id = %(customer)s
   AND ((period = 'DAY' AND period_start = %(day)s) OR (period = 'MONTH' AND period_start = %(month)s))
"""


def limits_release_outgoing(*, customer_id: int, amount: Money, reserved_at: datetime) -> None:
    """Give back what ``limits_check_outgoing`` reserved for a movement that did not happen (a
    payout the bank declined). ``reserved_at`` is when the reservation was taken: the day and month
    counters of that moment are reduced. Call inside the transaction that records the failure, so
    the release happens exactly once with it.

    CNY only (payouts settle in CNY, ``FUNDING_CURRENCIES``): a reservation of another currency is
    not given back, since today's rate would not give back exactly what was reserved."""
    if amount.currency != LIMITED_CURRENCY or amount.minor <= 0:
        return
    day = timezone.localdate(reserved_at)
    with connection.cursor() as cursor:
        cursor.execute(
            _RELEASE, {"customer": customer_id, "amount": amount.minor, "day": day, "month": day.replace(day=1)}
        )


def balance_cap_rate(currency: str) -> Decimal | None:
    """CNY per unit of ``currency`` for the balance cap of a wallet in it (None for CNY, which
    needs no rate); ``FxRateUnavailable`` when there is no approved rate."""
    return None if currency == LIMITED_CURRENCY else _mid_rate_to_cny(currency)


def limits_check_incoming_balance(*, account: LedgerAccount) -> None:
    """After crediting a customer wallet (its row is locked by the transfer), refuse a balance
    above the owner's KYC balance cap (``BalanceCapExceeded``, 403). The cap applies to each
    wallet on its own: a CNY wallet as before (one query), a wallet in another currency at its
    CNY equivalent (``cny_equivalent``, rounded up; ``FxRateUnavailable`` without an approved
    rate). Other accounts: no cap."""
    if account.kind != LedgerAccount.Kind.CUSTOMER_WALLET:
        return
    if account.customer_id is None:
        return
    posted, cap = (
        LedgerAccount.objects.filter(pk=account.pk)
        .values_list("posted_minor", "customer__kyc_tier__balance_cap_minor")
        .get()
    )
    if account.currency != LIMITED_CURRENCY and posted > 0:
        posted = cny_equivalent(Money(posted, account.currency)).minor
    if posted > cap:
        raise BalanceCapExceeded(details={"cap": Money(cap, "CNY").amount_str()})
