"""End to end: a P2P transfer writes its event, the relay hands it to Celery, the consumer acts once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from celery import current_app

from accounts.models import Customer
from core.models import ConsumedEvent, OutboxEvent
from core.outbox import outbox_relay_run
from tests.factories import PAYMENT_PIN
from tests.payments.factories import customer_client, wallet_fund


@pytest.fixture
def eager_celery() -> Iterator[None]:
    previous = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = previous


@pytest.mark.django_db(transaction=True)
def test_transfer_event_reaches_its_consumer_exactly_once(alice: Customer, bob: Customer, eager_celery: None) -> None:
    wallet_fund(alice, "50.00")
    response = customer_client(alice).post(
        "/api/v1/transfers",
        {"to_phone": bob.phone, "amount": "5.00", "pin": PAYMENT_PIN},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 201

    outbox_relay_run()  # the beat tick (the on-commit kick may already have done it)
    outbox_relay_run()

    event = OutboxEvent.objects.get(topic="transfer.completed")
    assert event.published_at is not None
    assert event.payload["transfer_id"] == response.json()["id"]
    assert ConsumedEvent.objects.filter(event_id=event.pk, consumer="payments.notify_customer").count() == 1


@pytest.mark.django_db
def test_demo_seed_is_idempotent() -> None:
    from io import StringIO

    from accounts import demo as accounts_demo
    from payments import demo as payments_demo
    from payments.models import LedgerAccount, Transfer

    out = StringIO()
    accounts_demo.seed(out)
    payments_demo.seed(out)
    counts = (Transfer.objects.count(), list(LedgerAccount.objects.order_by("id").values_list("code", "posted_minor")))
    payments_demo.seed(out)

    assert (
        Transfer.objects.count(),
        list(LedgerAccount.objects.order_by("id").values_list("code", "posted_minor")),
    ) == counts
    assert Transfer.objects.filter(reference__startswith="demo:topup:").count() == 5
