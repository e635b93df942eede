"""payments.idempotency.idempotent_execute: replay, reuse, stored failures, in-flight, rollback on bugs."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from accounts.models import Customer
from core.errors import DomainError
from payments.errors import IdempotencyInFlight, IdempotencyKeyInvalid, IdempotencyKeyReused
from payments.idempotency import idempotency_records_purge, idempotent_execute, request_fingerprint
from payments.models import IdempotencyRecord


def _fp(body: dict) -> str:  # type: ignore[type-arg]
    return request_fingerprint(method="POST", path="/api/v1/x", body=body)


@pytest.mark.django_db
def test_first_call_runs_and_stores_then_replays(alice: Customer) -> None:
    calls: list[int] = []

    def operation() -> tuple[int, dict]:  # type: ignore[type-arg]
        calls.append(1)
        return 201, {"id": "t1"}

    first = idempotent_execute(customer=alice, key="k", fingerprint=_fp({"a": 1}), operation=operation)
    second = idempotent_execute(customer=alice, key="k", fingerprint=_fp({"a": 1}), operation=operation)

    assert (first.status, first.body, first.replayed) == (201, {"id": "t1"}, False)
    assert (second.status, second.body, second.replayed) == (201, {"id": "t1"}, True)
    assert len(calls) == 1
    record = IdempotencyRecord.objects.get(customer=alice, key="k")
    assert record.expires_at - record.created_at >= timedelta(hours=24)


@pytest.mark.django_db
def test_different_body_with_same_key_is_refused(alice: Customer) -> None:
    idempotent_execute(customer=alice, key="k", fingerprint=_fp({"a": 1}), operation=lambda: (201, {}))

    with pytest.raises(IdempotencyKeyReused) as error:
        idempotent_execute(customer=alice, key="k", fingerprint=_fp({"a": 2}), operation=lambda: (201, {}))

    assert error.value.status_code == 422


@pytest.mark.django_db
def test_business_failure_is_stored_and_its_writes_rolled_back(alice: Customer) -> None:
    def operation() -> tuple[int, dict]:  # type: ignore[type-arg]
        IdempotencyRecord.objects.create(  # any write inside the operation must roll back
            customer=alice,
            key="inner",
            request_fingerprint="x",
            response_status=200,
            response_body={},
            expires_at=timezone.now(),
        )
        raise DomainError("no money", code="insufficient_funds", status_code=422)

    first = idempotent_execute(customer=alice, key="k", fingerprint=_fp({}), operation=operation)
    replay = idempotent_execute(customer=alice, key="k", fingerprint=_fp({}), operation=operation)

    assert first.status == 422 and first.body["code"] == "insufficient_funds" and not first.replayed
    assert replay.status == 422 and replay.body == first.body and replay.replayed
    assert not IdempotencyRecord.objects.filter(key="inner").exists()


@pytest.mark.django_db
def test_unexpected_exception_leaves_no_record_so_a_retry_runs(alice: Customer) -> None:
    def broken() -> tuple[int, dict]:  # type: ignore[type-arg]
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        idempotent_execute(customer=alice, key="k", fingerprint=_fp({}), operation=broken)
    retry = idempotent_execute(customer=alice, key="k", fingerprint=_fp({}), operation=lambda: (201, {"ok": True}))

    assert retry.status == 201 and not retry.replayed


@pytest.mark.django_db(transaction=True)
def test_same_key_while_the_first_runs_is_409_and_only_one_executes(alice: Customer) -> None:
    started, release = threading.Event(), threading.Event()
    executed: list[str] = []
    outcome: dict[str, object] = {}

    def slow() -> tuple[int, dict]:  # type: ignore[type-arg]
        executed.append("slow")
        started.set()
        release.wait(10)
        return 201, {"id": "slow"}

    def first() -> None:
        try:
            outcome["first"] = idempotent_execute(customer=alice, key="race", fingerprint=_fp({}), operation=slow)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(10)
    with pytest.raises(IdempotencyInFlight) as in_flight:
        idempotent_execute(customer=alice, key="race", fingerprint=_fp({}), operation=lambda: (201, {"id": "second"}))
    release.set()
    thread.join(10)
    replay = idempotent_execute(customer=alice, key="race", fingerprint=_fp({}), operation=lambda: (201, {"id": "x"}))

    assert in_flight.value.status_code == 409
    assert executed == ["slow"]
    assert replay.replayed and replay.body == {"id": "slow"}


@pytest.mark.django_db(transaction=True)
def test_refuses_to_run_inside_another_transaction(alice: Customer) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        idempotent_execute(customer=alice, key="k", fingerprint=_fp({}), operation=lambda: (201, {}))
    assert not connection.in_atomic_block


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "bad\nkey"])
def test_invalid_keys_are_refused(alice: Customer, key: str) -> None:
    with pytest.raises(IdempotencyKeyInvalid):
        idempotent_execute(customer=alice, key=key, fingerprint=_fp({}), operation=lambda: (201, {}))


@pytest.mark.django_db
def test_purge_deletes_only_expired_records(alice: Customer) -> None:
    now = timezone.now()
    for key, expires in (("old", now - timedelta(seconds=1)), ("live", now + timedelta(hours=1))):
        IdempotencyRecord.objects.create(
            customer=alice, key=key, request_fingerprint="f", response_status=201, response_body={}, expires_at=expires
        )

    assert idempotency_records_purge() == 1

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["live"]


def test_fingerprint_ignores_key_order_but_not_values() -> None:
    assert _fp({"a": 1, "b": "2"}) == _fp({"b": "2", "a": 1})
    assert _fp({"a": 1}) != _fp({"a": 2})
    assert request_fingerprint(method="POST", path="/a/", body={}) != request_fingerprint(
        method="POST", path="/b/", body={}
    )
