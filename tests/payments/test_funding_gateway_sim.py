"""The simulated core-banking gateway and callback signatures (payments/integrations.py)."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings

from core.money import Money
from payments.integrations import (
    GatewayOperation,
    GatewayStatus,
    GatewayTimeout,
    SimulatedCoreBankingGateway,
    bank_gateway,
    callback_parse,
    callback_sign,
    callback_signature_is_valid,
)


def _sim() -> SimulatedCoreBankingGateway:
    gateway = bank_gateway()
    assert isinstance(gateway, SimulatedCoreBankingGateway)
    return gateway


def test_normal_charge_is_pending_then_succeeds_with_one_signed_callback() -> None:
    gateway = _sim()

    result = gateway.charge(card_token="tok_1", amount=Money.parse("100.00", "CNY"), reference="TU-normal")

    assert result.status == GatewayStatus.PENDING
    assert gateway.query(reference="TU-normal").status == GatewayStatus.SUCCEEDED
    [(body, signature)] = gateway.pending_callbacks(reference="TU-normal")
    assert gateway.verify_callback_signature(body=body, signature=signature)
    callback = callback_parse(body)
    assert (callback.operation, callback.status, callback.amount) == (
        GatewayOperation.CHARGE,
        GatewayStatus.SUCCEEDED,
        Money(10000, "CNY"),
    )
    assert callback.gateway_ref == result.gateway_ref


def test_amount_ending_13_is_declined_synchronously_without_callback() -> None:
    gateway = _sim()

    result = gateway.charge(card_token="tok_1", amount=Money.parse("50.13", "CNY"), reference="TU-decline")

    assert result.status == GatewayStatus.DECLINED
    assert result.decline_code
    assert gateway.pending_callbacks(reference="TU-decline") == []


def test_amount_ending_14_times_out_then_succeeds_late() -> None:
    gateway = _sim()

    with pytest.raises(GatewayTimeout):
        gateway.charge(card_token="tok_1", amount=Money.parse("50.14", "CNY"), reference="TU-timeout")

    assert gateway.query(reference="TU-timeout").status == GatewayStatus.SUCCEEDED
    assert len(gateway.pending_callbacks(reference="TU-timeout")) == 1


def test_amount_ending_15_delivers_the_callback_twice() -> None:
    gateway = _sim()

    gateway.payout(card_token="tok_1", amount=Money.parse("50.15", "CNY"), reference="WD-dup")

    callbacks = gateway.pending_callbacks(reference="WD-dup")
    assert len(callbacks) == 2
    assert callback_parse(callbacks[0][0]).operation == GatewayOperation.PAYOUT


def test_same_reference_is_deduplicated_by_the_bank() -> None:
    gateway = _sim()

    first = gateway.charge(card_token="tok_1", amount=Money.parse("10.00", "CNY"), reference="TU-same")
    second = gateway.charge(card_token="tok_1", amount=Money.parse("10.00", "CNY"), reference="TU-same")

    assert first.gateway_ref == second.gateway_ref


@override_settings(BANK_GATEWAY_SIM_MODE="decline")
def test_mode_setting_forces_a_scenario_for_any_amount() -> None:
    result = _sim().charge(card_token="tok_1", amount=Money.parse("10.00", "CNY"), reference="TU-mode")

    assert result.status == GatewayStatus.DECLINED


def test_tampered_body_wrong_secret_and_stale_signatures_are_refused() -> None:
    body = b'{"a":1}'
    signature = callback_sign(body)

    assert callback_signature_is_valid(body, signature)
    assert not callback_signature_is_valid(b'{"a":2}', signature)
    assert not callback_signature_is_valid(body, callback_sign(body, timestamp=int(time.time()) - 3600))
    assert not callback_signature_is_valid(body, "")
    assert not callback_signature_is_valid(body, "t=abc,v1=00")
    with override_settings(BANK_GATEWAY_CALLBACK_SECRET="someone-else"):
        forged = callback_sign(body)
    assert not callback_signature_is_valid(body, forged)


@pytest.mark.parametrize("body", [b"[]", b"{}", b'{"operation":"CHARGE"}', b"not json"])
def test_malformed_callback_bodies_raise_value_error(body: bytes) -> None:
    with pytest.raises(ValueError):
        callback_parse(body)
