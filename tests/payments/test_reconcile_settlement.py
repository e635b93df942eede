"""manage.py reconcile_settlement on a crafted CSV with one of each mismatch."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Customer
from payments.models import TopUp, Withdrawal
from tests.factories import PAYMENT_PIN
from tests.payments.factories import customer_client, wallet_fund
from tests.payments.factories_movements import card_for, deliver_callbacks, post_money

pytestmark = pytest.mark.django_db


def _completed_topup(client, card, amount: str) -> TopUp:  # type: ignore[no-untyped-def]
    response = post_money(
        client,
        "/api/v1/topups",
        {"card": str(card.public_id), "amount": amount, "currency": "CNY", "pin": PAYMENT_PIN},
    )
    topup = TopUp.objects.get(public_id=response.json()["id"])
    deliver_callbacks(APIClient(), topup.reference)
    topup.refresh_from_db()
    assert topup.status == "COMPLETED"
    return topup


def _run(tmp_path: Path, lines: list[str]) -> tuple[str, int]:
    path = tmp_path / "settlement.csv"
    path.write_text(
        "value_date,type,reference,gateway_ref,amount,currency\n" + "\n".join(lines) + "\n", encoding="utf-8"
    )
    out = io.StringIO()
    try:
        call_command("reconcile_settlement", str(path), stdout=out)
    except CommandError as exc:
        return out.getvalue() + str(exc), exc.returncode
    return out.getvalue(), 0


def test_matching_file_reports_no_mismatch(alice: Customer, tmp_path: Path) -> None:
    card = card_for(alice)
    topup = _completed_topup(customer_client(alice), card, "100.00")
    today = timezone.localdate().isoformat()

    output, code = _run(tmp_path, [f"{today},CHARGE,{topup.reference},{topup.gateway_ref},100.00,CNY"])

    assert code == 0, output
    assert "1 line(s) read, 0 mismatch(es)" in output


def test_one_of_each_mismatch_is_reported_and_exit_code_is_1(alice: Customer, tmp_path: Path) -> None:
    card = card_for(alice)
    client = customer_client(alice)
    matched = _completed_topup(client, card, "10.00")
    differs = _completed_topup(client, card, "20.00")
    not_settled = _completed_topup(client, card, "30.00")
    wallet_fund(alice, "100.00")
    response = post_money(
        client,
        "/api/v1/withdrawals",
        {"card": str(card.public_id), "amount": "40.00", "currency": "CNY", "pin": PAYMENT_PIN},
    )
    withdrawal = Withdrawal.objects.get(public_id=response.json()["id"])
    deliver_callbacks(APIClient(), withdrawal.reference)
    today = timezone.localdate().isoformat()

    output, code = _run(
        tmp_path,
        [
            f"{today},CHARGE,{matched.reference},{matched.gateway_ref},10.00,CNY",
            f"{today},CHARGE,{differs.reference},{differs.gateway_ref},20.01,CNY",
            f"{today},CHARGE,TU-NOT-OURS,SIMX,5.00,CNY",
            f"{today},PAYOUT,{withdrawal.reference},{withdrawal.gateway_ref},40.00,CNY",
            f"{today},PAYOUT,{withdrawal.reference},{withdrawal.gateway_ref},40.00,CNY",
            "not-a-date,CHARGE,X,Y,1.00,CNY",
        ],
    )

    assert code == 1
    lines = [line for line in output.splitlines() if line.strip()]
    assert any(line.startswith("amount_differs") and differs.reference in line and "20.01" in line for line in lines)
    assert any(line.startswith("missing_in_ledger") and "TU-NOT-OURS" in line for line in lines)
    assert any(line.startswith("missing_in_file") and not_settled.reference in line for line in lines)
    assert any(line.startswith("duplicate_in_file") and withdrawal.reference in line for line in lines)
    assert any(line.startswith("malformed_line") for line in lines)
    assert not any(matched.reference in line for line in lines)
    assert "6 line(s) read, 5 mismatch(es)" in output


def test_file_without_required_columns_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("ref,amt\nA,1\n", encoding="utf-8")

    with pytest.raises(CommandError, match="lacks columns"):
        call_command("reconcile_settlement", str(path))
