"""SecureEventBroker on real brokers: what leaves the assistant holds no raw PII."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from typing import Any, Dict, List

import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from rasa_secure.core.identity.crypto import is_encrypted
from rasa_secure.errors import ConfigError
from rasa_secure.stores.event_broker import SecureEventBroker
from rasa_secure.stores.tracker_store import SecureTrackerStore
from tests.stores.conftest import RAW_VALUES, leaks, pii_turns, run_async, store_options

V = RAW_VALUES
BROKER_TYPE = "rasa_secure.stores.event_broker.SecureEventBroker"


def bodies(sender_id: str) -> List[Dict[str, Any]]:
    """The conversation as the tracker store streams it: one body per event."""
    return [{"sender_id": sender_id, **event.as_dict()} for turn in pii_turns() for event in turn]


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


@pytest.mark.services
def test_rabbitmq_messages_hold_no_raw_value(keys: str, rabbitmq_url: str) -> None:
    queue = f"rasa_secure_{uuid.uuid4().hex[:10]}"

    async def scenario() -> List[str]:
        broker = await create(_pika(rabbitmq_url, queue))
        published = bodies("conv-pika")
        for body in published:
            broker.publish(body)
        received = await _consume(rabbitmq_url, queue, len(published))
        await broker.close()
        return received

    received = asyncio.run(scenario())
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
        assert store.inner.event_broker is broker.inner
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
    assert store.inner.event_broker is broker


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
    ],
)
def test_bad_configuration_names_the_key(keys: str, entry: Dict[str, Any], key: str) -> None:
    config = EndpointConfig.from_dict({"type": BROKER_TYPE, **entry})
    with pytest.raises(ConfigError) as error:
        asyncio.run(SecureEventBroker.from_endpoint_config(config))
    assert error.value.key == key
