"""Manual measurement (not collected by the suite): a message's fan-out to FANOUT_CUSTOMERS customers
(default 1,000,000) is one set-based statement. Generates the customers like ``make bench`` group
``promotions`` (tools/bench_promotions.py), then times ``messages_dispatch_due`` for a SERVICE notice
to everyone and a MARKETING message to everyone reachable. Run:

    DJANGO_ENV=test .venv/bin/python tools/devstack.py exec -- .venv/bin/python -m pytest \
        tests/feedback/measure_fanout.py -q -s -p no:cacheprovider
"""

from __future__ import annotations

import os
import time

import pytest

from feedback.models_messages import Message, MessageDelivery
from feedback.services.messages import messages_dispatch_due
from tests.feedback.fixtures_messages import _messages_reference_data, pushed, scheduled_message  # noqa: F401
from tools.bench_promotions import BRANCHES_SQL, CONSENTS_SQL, CUSTOMERS_SQL, RANDOM_SQL

COUNT = int(os.environ.get("FANOUT_CUSTOMERS", "1000000"))


@pytest.mark.django_db(transaction=True)
def test_measure_fan_out() -> None:
    from tests.conftest import owner_db

    started = time.monotonic()
    db = owner_db()  # generating needs a temporary function (the application role may not create one)
    db.execute(RANDOM_SQL)
    db.execute(BRANCHES_SQL)
    for first in range(1, COUNT + 1, 250_000):
        db.execute(CUSTOMERS_SQL, {"first": first, "last": min(first + 249_999, COUNT)})
    db.execute(CONSENTS_SQL, {})
    db.execute("ANALYZE accounts_customer")
    db.execute("ANALYZE accounts_consent")
    print(f"\n{COUNT} customers generated in {time.monotonic() - started:.1f} s")
    for kind in (Message.Kind.SERVICE, Message.Kind.MARKETING):
        message = scheduled_message(kind=kind)
        began = time.monotonic()
        sent = messages_dispatch_due()
        seconds = time.monotonic() - began
        rows = MessageDelivery.objects.filter(message=message).count()
        print(f"{kind}: {rows} deliveries in {seconds:.1f} s ({rows / seconds:,.0f}/s), sent {sent}")
        assert sent == [message.pk]
        again = time.monotonic()
        assert messages_dispatch_due() == []
        print(f"  a doubled tick afterwards: {time.monotonic() - again:.3f} s, nothing sent")
