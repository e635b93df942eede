"""The drill's outbox consumers and the effect table they write (drills only).

``drill_effect`` (created by ``effect_table_create``; no model, no migration) gets one row per
handling of an event by a drill consumer, in the consumer's transaction, with NO unique key: what a
naive consumer that "appends a row" does. If the outbox ever lets a consumer act twice on one event,
the second row is there to count, independently of ``ConsumedEvent`` (whose unique key would hide it).
"""

from __future__ import annotations

import psycopg
from django.db import connection

from core import outbox
from core.db_roles import app_role_name, owner_settings
from core.models import OutboxEvent

EFFECT_TABLE = "drill_effect"
# Topics the drills produce: P2P transfers (all drills) and top-up confirmations (worker-kill).
TOPICS = {"transfer.completed": "drill.effect_transfer", "topup.completed": "drill.effect_topup"}
CONSUMER_PREFIX = "drill."

_original_consume = outbox.consume


_CREATE_SQL = (
    f"CREATE TABLE IF NOT EXISTS {EFFECT_TABLE} (id bigserial PRIMARY KEY, consumer text NOT NULL,"
    " event_id bigint NOT NULL, handled_at timestamptz NOT NULL DEFAULT now())"
)


def effect_table_create() -> None:
    """Create the effect table if missing (drill database or test database).

    The application role may create nothing (core.db_roles), so the table is created by the owner
    role on its own autocommit connection when one is configured; the owner's default privileges
    then let the application role insert into it and read it."""
    owner = owner_settings()
    if owner is None:
        with connection.cursor() as cur:
            cur.execute(_CREATE_SQL)
        return
    params = {**connection.settings_dict, **{k: v for k, v in owner.items() if v}}
    with psycopg.connect(
        dbname=params["NAME"],
        user=params["USER"],
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or None,
        port=params.get("PORT") or None,
        autocommit=True,
    ) as owner_db:
        owner_db.execute(_CREATE_SQL)
        app_role = app_role_name()
        if app_role:  # explicit grants: the table may predate the owner's default privileges
            quoted = '"' + app_role.replace('"', '""') + '"'
            owner_db.execute(f"GRANT SELECT, INSERT, DELETE ON {EFFECT_TABLE} TO {quoted}")
            owner_db.execute(f"GRANT USAGE, SELECT ON SEQUENCE {EFFECT_TABLE}_id_seq TO {quoted}")


def effect_table_clear() -> None:
    """Remove the rows a test left (the table stays: the application role cannot drop it)."""
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {EFFECT_TABLE}")


def effect_append(event: OutboxEvent, consumer: str) -> None:
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {EFFECT_TABLE} (consumer, event_id) VALUES (%s, %s)", [consumer, event.pk])


def effect_transfer(event: OutboxEvent) -> None:
    """Appends one row per handling of a ``transfer.completed`` event."""
    effect_append(event, TOPICS["transfer.completed"])


def effect_topup(event: OutboxEvent) -> None:
    """Appends one row per handling of a ``topup.completed`` event."""
    effect_append(event, TOPICS["topup.completed"])


CONSUMERS = [
    outbox.EventConsumer("transfer.completed", TOPICS["transfer.completed"], effect_transfer),
    outbox.EventConsumer("topup.completed", TOPICS["topup.completed"], effect_topup),
]


def register() -> None:
    """Register the drill consumers (``DrillAppConfig.ready``; tests register and unregister them)."""
    for consumer in CONSUMERS:
        outbox.event_consumer(consumer.topic, consumer.name)(consumer.fn)


def consume_without_idempotency(event_id: int, consumer: str) -> bool:
    """``DRILL_BREAK_IDEMPOTENCY=1``: still records ``ConsumedEvent`` (so the ConsumedEvent-based
    count sees nothing wrong) but tells the drill consumers to act even when they already did."""
    first = _original_consume(event_id, consumer)
    return True if consumer.startswith(CONSUMER_PREFIX) else first


def break_reward_grants() -> None:
    """``DRILL_BREAK_REWARD_GRANTS=1``: the reward consumer acts on every delivery (its
    ``ConsumedEvent`` check ignored) and each grant gets a fresh source (the unique (campaign, source)
    no longer bites): what a consumer without idempotency does. reward-kill must fail."""
    import uuid

    from promotions.services import rewards

    original_consume = outbox.consume
    original_decide = rewards.grant_decide

    def consume(event_id: int, consumer: str) -> bool:
        first = original_consume(event_id, consumer)
        return True if consumer == "promotions.rewards_on_payment" else first

    def decide(**kwargs: object) -> object:
        kwargs["source"] = f"{kwargs['source']}#{uuid.uuid4().hex[:8]}"
        return original_decide(**kwargs)  # type: ignore[arg-type]

    outbox.consume = consume
    rewards.grant_decide = decide  # type: ignore[assignment]
