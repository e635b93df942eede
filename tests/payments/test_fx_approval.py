"""Issue 9 item 6: an FX rate needs a second, independent approver and stays within a deviation bound."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import Customer
from core.audit import audit_record
from core.models import AuditEvent
from core.money import Money
from payments.errors_movements import FxRateUnavailable
from payments.models import FxRate
from payments.services.fx import (
    FxRateDeviationTooLarge,
    FxRateNotPending,
    fx_quote_create,
    fx_rate_approve,
    fx_rate_propose,
)
from tests.accounts.conftest import admin_client_for
from tests.factories import StaffFactory
from tests.payments.factories_movements import fx_rate_make

pytestmark = pytest.mark.django_db

RATES = "/admin/payments/fxrate/"


def _add_form(mid: str, **extra: str) -> dict[str, str]:
    return {
        "base": "USD",
        "quote": "CNY",
        "mid_rate": mid,
        "spread_bps": "40",
        "valid_from_0": "2026-01-01",
        "valid_from_1": "00:00:00",
        **extra,
    }


def _quote(customer: Customer):  # type: ignore[no-untyped-def]
    return fx_quote_create(
        customer=customer, sell_currency="CNY", buy_currency="USD", sell_amount=Money.parse("100.00", "CNY")
    )


def test_a_rate_set_by_one_person_is_not_used_until_a_second_person_approves(alice: Customer) -> None:
    maker = StaffFactory(roles=["ADMINISTRATOR"])
    checker = StaffFactory(roles=["ADMINISTRATOR"])

    response = admin_client_for(maker).post(f"{RATES}add/", _add_form("7.2500"))
    assert response.status_code == 302
    rate = FxRate.objects.get()
    assert rate.status == FxRate.Status.PENDING
    with pytest.raises(FxRateUnavailable):
        _quote(alice)

    admin_client_for(maker).post(RATES, {"action": "approve_rates", "_selected_action": [rate.pk]})
    assert FxRate.objects.get().status == FxRate.Status.PENDING  # the proposer cannot approve

    admin_client_for(checker).post(RATES, {"action": "approve_rates", "_selected_action": [rate.pk]})

    rate.refresh_from_db()
    assert rate.status == FxRate.Status.APPROVED and rate.approved_by == checker and rate.set_by == maker
    assert _quote(alice).rate_source_id == rate.pk
    assert AuditEvent.objects.filter(action="payments.fxrate.approve", actor=checker, object_id=str(rate.pk)).exists()


def test_quotes_ignore_a_newer_pending_rate(alice: Customer) -> None:
    approved = fx_rate_make("USD", "CNY", "7.1000")
    fx_rate_propose(
        base="USD", quote="CNY", mid_rate=Decimal("7.2"), spread_bps=50, set_by=StaffFactory(roles=["ADMINISTRATOR"])
    )

    assert _quote(alice).rate_source_id == approved.pk


def test_a_large_move_is_refused_without_a_reason_and_rechecked_at_approval() -> None:
    fx_rate_make("USD", "CNY", "7.1000")
    maker = StaffFactory(roles=["ADMINISTRATOR"])
    checker = StaffFactory(roles=["ADMINISTRATOR"])

    response = admin_client_for(maker).post(f"{RATES}add/", _add_form("8.0000"))
    assert response.status_code == 302 and FxRate.objects.count() == 1  # refused, nothing written
    with pytest.raises(FxRateDeviationTooLarge) as refused:
        fx_rate_propose(base="USD", quote="CNY", mid_rate=Decimal("8"), spread_bps=50, set_by=maker)
    assert refused.value.details["deviation_percent"] == "12.68"

    inverse_ok = fx_rate_propose(base="CNY", quote="USD", mid_rate=Decimal("0.1400"), spread_bps=50, set_by=maker)
    assert inverse_ok.status == FxRate.Status.PENDING  # 1/7.1 = 0.1408: within 5 %

    overridden = fx_rate_propose(
        base="USD",
        quote="CNY",
        mid_rate=Decimal("8"),
        spread_bps=50,
        set_by=maker,
        override_reason="central bank re-peg announced 09:00",
    )
    approved = fx_rate_approve(rate_id=overridden.pk, checker=checker)
    assert approved.status == FxRate.Status.APPROVED
    assert AuditEvent.objects.get(action="payments.fxrate.approve").reason.startswith("central bank")


def test_approval_rechecks_the_deviation_against_the_rate_current_then() -> None:
    fx_rate_make("USD", "CNY", "7.1000")
    maker = StaffFactory(roles=["ADMINISTRATOR"])
    checker = StaffFactory(roles=["ADMINISTRATOR"])
    pending = fx_rate_propose(base="USD", quote="CNY", mid_rate=Decimal("7.4"), spread_bps=50, set_by=maker)
    fx_rate_make("USD", "CNY", "6.9000")  # the market moved meanwhile (approved by others)

    with pytest.raises(FxRateDeviationTooLarge):
        fx_rate_approve(rate_id=pending.pk, checker=checker)
    assert FxRate.objects.get(pk=pending.pk).status == FxRate.Status.PENDING


def test_fx_approver_must_be_independent_and_a_rate_is_decided_once() -> None:
    maker = StaffFactory(roles=["ADMINISTRATOR"])
    puppet = StaffFactory(roles=["ADMINISTRATOR"])
    audit_record(action="auth.user.add", actor=maker, obj=puppet)
    checker = StaffFactory(roles=["ADMINISTRATOR"])
    pending = fx_rate_propose(base="USD", quote="CNY", mid_rate=Decimal("7.1"), spread_bps=50, set_by=maker)

    from accounts.services.staff import ApproverNotIndependent

    with pytest.raises(ApproverNotIndependent):
        fx_rate_approve(rate_id=pending.pk, checker=puppet)
    fx_rate_approve(rate_id=pending.pk, checker=checker)
    with pytest.raises(FxRateNotPending):
        fx_rate_approve(rate_id=pending.pk, checker=checker)


def test_spread_change_is_bounded_like_the_mid_rate() -> None:
    """Found (review 2): the deviation bound ignored spread_bps: a 50 -> 4999 bps spread passed with no reason."""
    fx_rate_make("USD", "CNY", "7.1000", spread_bps=50)
    maker = StaffFactory(roles=["ADMINISTRATOR"])
    checker = StaffFactory(roles=["ADMINISTRATOR"])

    with pytest.raises(FxRateDeviationTooLarge):
        rate = fx_rate_propose(base="USD", quote="CNY", mid_rate=Decimal("7.1000"), spread_bps=4999, set_by=maker)
        fx_rate_approve(rate_id=rate.pk, checker=checker)
    assert not FxRate.objects.filter(spread_bps=4999, status=FxRate.Status.APPROVED).exists()
    override = fx_rate_propose(
        base="USD",
        quote="CNY",
        mid_rate=Decimal("7.1000"),
        spread_bps=60,
        set_by=maker,
    )
    assert fx_rate_approve(rate_id=override.pk, checker=checker).status == FxRate.Status.APPROVED
