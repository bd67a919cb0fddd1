"""No raw PII at rest, end to end: the trained example bot, real stores, a real broker.

Conversations full of PII go through the JWT channel into the bot, whose pipeline has the
PIIDetector, whose tracker store is the SecureTrackerStore (on SQLite and on PostgreSQL) and
whose event broker is the SecureEventBroker on RabbitMQ, with the Rasa server logging at
debug level (where Rasa prints user texts and slot values) through the PII log filter. Then
every stored row, every published message and every log line is searched for the raw
values: none may be there, while the email form was filled and the action received the
real address.
"""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest
import yaml

from example_bot.actions.bank import Bank
from example_bot.servers import BotServers
from example_bot.training import BOT_DIR
from tests.e2e.conftest import StartBot
from tests.stores.conftest import leaks

pytestmark = [pytest.mark.e2e, pytest.mark.services]

NEW_EMAIL = "alice.private@example.org"
RAW = {
    "phone": "+1 415 555 2671",
    "card": "4111 1111 1111 1111",
    "iban": "DE89 3704 0044 0532 0130 00",
    "ssn": "536-22-8726",
    "password": "Hunter2Secret",
    "email": NEW_EMAIL,
}
CONVERSATION = (
    f"hi, you can call me on {RAW['phone']}",
    f"my card {RAW['card']} was stolen, my IBAN is {RAW['iban']}",
    f"my SSN is {RAW['ssn']} and my password is {RAW['password']}",
    "I want to update my email",
    RAW["email"],
)


def _endpoints(workdir: Path, tracker_inner: Dict[str, Any], queue: str) -> Path:
    endpoints = yaml.safe_load((BOT_DIR / "endpoints.yml").read_text())
    sensitive = endpoints["tracker_store"]["sensitive_slots"]
    endpoints["tracker_store"]["inner"] = tracker_inner
    endpoints["event_broker"] = {
        "type": "rasa_secure.stores.event_broker.SecureEventBroker",
        "inner": {"type": "pika", "url": "127.0.0.1", "port": 5672, "username": "guest",
                  "password": "guest", "queues": [queue]},
        "sensitive_slots": sensitive,
    }  # fmt: skip
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints))
    return path


def _sqlite_dump(workdir: Path) -> str:
    with closing(sqlite3.connect(workdir / "tracker.sqlite")) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        rows = [db.execute(f'SELECT * FROM "{table}"').fetchall() for table in tables]  # noqa: S608
    assert any(rows), "the tracker store holds nothing: the test would prove nothing"
    return repr(rows)


def _postgres_dump(url: str) -> str:
    import psycopg2

    with closing(psycopg2.connect(url)) as db, db.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [row[0] for row in cursor.fetchall()]
        rows = []
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the catalog
            rows.append(cursor.fetchall())
    assert any(rows), "the tracker store holds nothing: the test would prove nothing"
    return repr(rows)


async def _drain(queue_name: str) -> List[str]:
    import aio_pika

    connection = await aio_pika.connect_robust("amqp://guest:guest@127.0.0.1:5672/")
    try:
        queue = await (await connection.channel()).declare_queue(queue_name, durable=True)
        bodies: List[str] = []
        while (message := await queue.get(no_ack=True, fail=False)) is not None:
            bodies.append(message.body.decode("utf-8"))
        await queue.delete(if_unused=False, if_empty=False)
        return bodies
    finally:
        await connection.close()


def _converse(servers: BotServers) -> List[List[str]]:
    return [servers.chat("alice", text) for text in CONVERSATION]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_no_raw_pii_in_stored_rows_published_events_or_logs(
    backend: str,
    start_bot: StartBot,
    tmp_path: Path,
    rabbitmq_url: str,
    request: pytest.FixtureRequest,
) -> None:
    """Zero raw values at rest, while the form still delivered the address to the action."""
    workdir = tmp_path / backend
    dump: Callable[[], str]
    if backend == "sqlite":
        inner: Dict[str, Any] = {
            "type": "SQL",
            "dialect": "sqlite",
            "db": "${RASA_SECURE_TRACKER_DB}",
        }
        dump = lambda: _sqlite_dump(workdir)  # noqa: E731
    else:
        url = request.getfixturevalue("postgres_url")
        host_db = url.rsplit("@", 1)[1]
        inner = {"type": "SQL", "dialect": "postgresql", "url": "127.0.0.1", "port": 5432,
                 "username": "postgres", "db": host_db.rsplit("/", 1)[1]}  # fmt: skip
        dump = lambda: _postgres_dump(url)  # noqa: E731
    queue = f"rasa_secure_e2e_{uuid.uuid4().hex[:8]}"
    servers = start_bot(
        workdir=workdir, endpoints=_endpoints(workdir, inner, queue), rasa_args=("--debug",)
    )
    replies = _converse(servers)
    servers.close()

    assert replies[3] == ["What is your new email address?"]
    assert replies[4] == ["Your contact email has been updated."]
    customer = Bank(workdir / "bank.sqlite").customer("alice")
    assert customer is not None and customer.email == NEW_EMAIL  # the action got the value

    published = asyncio.run(_drain(queue))
    assert any('"event": "user"' in body for body in published), "nothing was published"
    logs = "\n".join(path.read_text(errors="replace") for path in workdir.glob("*.log"))
    assert "parse_data_text" in logs or "Received user message" in logs, "debug logs missing"

    where = {"stored rows": dump(), "published events": "\n".join(published), "logs": logs}
    found = {place: leaks(text, RAW.values()) for place, text in where.items()}
    assert found == {place: [] for place in where}
