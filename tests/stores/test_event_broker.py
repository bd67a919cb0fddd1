"""SecureEventBroker on real brokers: what leaves the assistant holds no raw PII."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from typing import Any, Dict, List
from urllib.parse import urlparse

import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from rasa_secure.core.identity.crypto import is_encrypted
from rasa_secure.errors import ConfigError
from rasa_secure.stores.event_broker import SecureEventBroker, StoreFeed
from rasa_secure.stores.lifecycle import conversation_pseudonym
from rasa_secure.stores.tracker_store import SecureTrackerStore
from tests.stores.conftest import (
    PHONE,
    RAW_VALUES,
    identified_turn,
    leaks,
    pii_turns,
    run_async,
    store_options,
)

V = RAW_VALUES
BROKER_TYPE = "rasa_secure.stores.event_broker.SecureEventBroker"
PHONE_PSEUDONYM = conversation_pseudonym(PHONE, b"test-pseudonym-key")
"""What ``PHONE`` is published as with ``pseudonymous_ids`` (the ``keys`` fixture's key)."""


def bodies(sender_id: str) -> List[Dict[str, Any]]:
    """The conversation as the tracker store streams it: one body per event."""
    return [{"sender_id": sender_id, **event.as_dict()} for turn in pii_turns() for event in turn]


def postgres_broker(url: str) -> Dict[str, Any]:
    """Rasa's SQL event broker on the PostgreSQL database ``url``."""
    parsed = urlparse(url)
    database = parsed.path.lstrip("/")
    return {"type": "sql", "dialect": "postgresql", "url": parsed.hostname,
            "port": parsed.port, "db": database, "username": "postgres"}  # fmt: skip


def postgres_rows(url: str) -> List[Any]:
    """The (sender_id, data) rows the SQL event broker wrote to ``url``, in order."""
    import psycopg2

    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT sender_id, data FROM events ORDER BY id")
            return list(cursor.fetchall())
    finally:
        connection.close()


async def create(inner: Dict[str, Any], **options: Any) -> SecureEventBroker:
    config = EndpointConfig.from_dict(
        {"type": BROKER_TYPE, "inner": inner, **store_options(**options)}
    )
    broker = await EventBroker.create(config)
    assert isinstance(broker, SecureEventBroker)
    return broker


@run_async
async def test_sql_broker_rows_hold_no_raw_value(keys: str, tmp_path: Any) -> None:
    path = str(tmp_path / "events.db")
    broker = await create({"type": "sql", "dialect": "sqlite", "db": path})
    published = bodies("conv-sql")
    for body in published:
        broker.publish(body)
    await broker.close()
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT sender_id, data FROM events").fetchall()
    assert len(rows) == len(published), "no event is lost"
    assert leaks("\n".join(map(repr, rows))) == []
    slots = [json.loads(data) for _, data in rows if json.loads(data)["event"] == "slot"]
    email = next(s for s in slots if s["name"] == "email")
    assert is_encrypted(email["value"])
    assert broker.sanitizer.restore_slot("email", email["value"]) == V["email"]


@run_async
async def test_the_published_body_is_a_copy(keys: str, tmp_path: Any) -> None:
    # Why: the tracker store keeps using its dicts after publishing.
    broker = await create({"type": "sql", "dialect": "sqlite", "db": str(tmp_path / "e.db")})
    body = bodies("conv-copy")[3]
    before = json.dumps(body)
    broker.publish(body)
    assert json.dumps(body) == before
    assert broker.is_ready()


async def _consume(url: str, queue_name: str, expected: int) -> List[str]:
    import aio_pika

    connection = await aio_pika.connect_robust(url)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(queue_name, durable=True)
        received: List[str] = []
        for _ in range(100):
            message = await queue.get(no_ack=True, fail=False)
            if message is None:
                if len(received) >= expected:
                    break
                await asyncio.sleep(0.1)
                continue
            received.append(message.body.decode("utf-8"))
        await queue.delete(if_unused=False, if_empty=False)
        return received
    finally:
        await connection.close()


def _pika(url: str, queue: str) -> Dict[str, Any]:
    return {
        "type": "pika",
        "url": "127.0.0.1",
        "port": 5672,
        "username": "guest",
        "password": "guest",
        "queues": [queue],
    }


def through_rabbitmq(url: str, published: List[Dict[str, Any]], **options: Any) -> List[str]:
    """Publish ``published`` through a secure broker on a fresh queue; the messages received."""
    queue = f"rasa_secure_{uuid.uuid4().hex[:10]}"

    async def scenario() -> List[str]:
        broker = await create(_pika(url, queue), **options)
        for body in published:
            broker.publish(body)
        received = await _consume(url, queue, len(published))
        await broker.close()
        return received

    return asyncio.run(scenario())


@pytest.mark.services
def test_rabbitmq_messages_hold_no_raw_value(keys: str, rabbitmq_url: str) -> None:
    received = through_rabbitmq(rabbitmq_url, bodies("conv-pika"))
    assert len(received) == len(bodies("x")), "no event is lost"
    assert leaks("\n".join(received)) == []
    assert any("rsenc:v1:k1:" in body for body in received)


@pytest.mark.services
def test_a_secure_store_streaming_to_a_secure_broker(keys: str, rabbitmq_url: str) -> None:
    # Why: the path `rasa run` takes with both configured; events are sanitized once (same
    # options: the store hands its inner store the broker's own inner broker) and stay safe.
    queue = f"rasa_secure_{uuid.uuid4().hex[:10]}"
    domain = Domain.empty()

    async def scenario() -> List[str]:
        broker = await create(_pika(rabbitmq_url, queue))
        store = SecureTrackerStore(domain=domain, event_broker=broker, inner={}, **store_options())
        feed = store.inner.event_broker
        assert isinstance(feed, StoreFeed) and feed.broker is broker and feed.sanitized
        tracker = await store.get_or_create_tracker("conv-both")
        count = 1
        for turn in pii_turns():
            tracker = await store.get_or_create_tracker("conv-both")
            for event in turn:
                tracker.update(event)
                count += 1
            await store.save(tracker)
        received = await _consume(rabbitmq_url, queue, count)
        await broker.close()
        return received

    received = asyncio.run(scenario())
    assert len(received) >= 20
    assert leaks("\n".join(received)) == []


@run_async
async def test_different_options_mean_the_broker_sanitizes_again(keys: str, tmp_path: Any) -> None:
    # Why: a broker configured stricter than the store must still apply its own rules.
    broker = await create(
        {"type": "sql", "dialect": "sqlite", "db": str(tmp_path / "e.db")},
        sensitive_slots=["email", "card_number", "full_name", "amount"],
    )
    store = SecureTrackerStore(
        domain=Domain.empty(), event_broker=broker, inner={}, **store_options()
    )
    feed = store.inner.event_broker
    assert isinstance(feed, StoreFeed) and not feed.sanitized


@pytest.mark.services
def test_rabbitmq_messages_carry_pseudonyms_not_sender_ids(keys: str, rabbitmq_url: str) -> None:
    # Why: on a phone channel the sender id is the customer's number. A broker publishing on
    # its own (another tracker store, `rasa export`) must not put it, or the identity record
    # naming it, in the feed; the rest of the event is kept.
    published = [{"sender_id": PHONE, **event.as_dict()} for event in identified_turn(PHONE)]
    received = through_rabbitmq(rabbitmq_url, published, pseudonymous_ids=True)
    assert [json.loads(body)["sender_id"] for body in received] == [PHONE_PSEUDONYM] * len(
        published
    )
    dump = "\n".join(received)
    assert leaks(dump, [PHONE, PHONE.lstrip("+")]) == []
    assert '"rasa_secure": {' not in dump and "signature" not in dump
    assert "de-DE" in dump, "the rest of the metadata is kept"


@pytest.mark.parametrize(
    ("store_pseudonymous", "broker_pseudonymous", "published_as"),
    [
        pytest.param(False, False, PHONE, id="both off: the sender id, as Rasa publishes it"),
        pytest.param(True, False, PHONE_PSEUDONYM, id="the store's pseudonym"),
        pytest.param(False, True, PHONE_PSEUDONYM, id="the broker pseudonymizes alone"),
        pytest.param(True, True, PHONE_PSEUDONYM, id="both on: the same pseudonym, not one of it"),
    ],
)
@run_async
async def test_a_store_and_broker_publish_one_pseudonym(
    keys: str,
    postgres_url: str,
    store_pseudonymous: bool,
    broker_pseudonymous: bool,
    published_as: str,
) -> None:
    # Why: a conversation must appear in the feed under the id it is stored under, whichever
    # wrapper pseudonymizes: a pseudonym of a pseudonym matches nothing in the tracker store.
    broker = await create(postgres_broker(postgres_url), pseudonymous_ids=broker_pseudonymous)
    options = store_options(pseudonymous_ids=store_pseudonymous)
    store = SecureTrackerStore(domain=Domain.empty(), event_broker=broker, inner={}, **options)
    tracker = await store.get_or_create_tracker(PHONE)
    for event in identified_turn(PHONE):
        tracker.update(event)
    await store.save(tracker)
    await broker.close()
    rows = postgres_rows(postgres_url)
    assert len(rows) == len(tracker.events), "every event is published"
    ids = {sender_id for sender_id, _ in rows} | {json.loads(data)["sender_id"] for _, data in rows}
    assert ids == {published_as}
    if published_as != PHONE:
        assert leaks(repr(rows), [PHONE, PHONE.lstrip("+")]) == []
        assert '"rasa_secure": {' not in repr(rows)


@pytest.mark.parametrize(
    ("entry", "key"),
    [
        pytest.param(
            {"url": "localhost", "inner": {"type": "sql"}},
            "SecureEventBroker.url",
            id="url belongs under inner",
        ),
        pytest.param({}, "SecureEventBroker.inner", id="inner is required"),
        pytest.param(
            {"inner": {"type": "no.such.Broker"}},
            "SecureEventBroker.inner.type",
            id="unknown inner type",
        ),
        pytest.param(
            {"inner": {"type": BROKER_TYPE}},
            "SecureEventBroker.inner.type",
            id="no secure broker inside another",
        ),
        pytest.param(
            {"inner": {"type": "sql"}, "sensitive_slot": []},
            "SecureEventBroker.sensitive_slot",
            id="typo",
        ),
        pytest.param(
            {"inner": {"type": "sql"}, "pseudonymous_ids": True, "pseudonym_key_env": "NO_SUCH"},
            "SecureEventBroker.pseudonym_key_env",
            id="pseudonymous ids without a key",
        ),
    ],
)
def test_bad_configuration_names_the_key(keys: str, entry: Dict[str, Any], key: str) -> None:
    config = EndpointConfig.from_dict({"type": BROKER_TYPE, **entry})
    with pytest.raises(ConfigError) as error:
        asyncio.run(SecureEventBroker.from_endpoint_config(config))
    assert error.value.key == key
