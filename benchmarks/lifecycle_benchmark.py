"""Retention, erasure and export on a seeded database of 10,000 conversations.

Seeds a SecureTrackerStore (SQL on SQLite by default, PostgreSQL with ``--postgres URL``)
with ``--conversations`` conversations, as the example bot configures it (pseudonymous ids,
subject keys, two sensitive slots): each conversation is a session start, a user message
with an e-mail address, the slot it filled and a bot reply (6 events, one data key). Half of
the conversations are dated 200 days ago, half today; the retention period is 90 days.

Seeding SQLite does not wait for the disk at each commit (``PRAGMA synchronous=OFF``); the
measurements do (SQLite's default). Then, each on the same seeded data:

* ``retention apply``: rows of events and of data keys before and after, and the time;
* ``erase`` of ``--sample`` subjects: rows before and after, time per subject;
* ``export`` of ``--sample`` subjects: time per subject.

Then what the options cost Rasa's saves, side by side (``--saves`` conversations, the three
stores alternating, SQLite with synchronous commits): the secure store without lifecycle
options, with ``pseudonymous_ids``, and with ``subject_keys`` as well; the first save of a
conversation (its data key is created) and the next turn (retrieve, one more turn, save).

    .venv/bin/python benchmarks/lifecycle_benchmark.py [--conversations 10000] [--sample 100]
        [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import logging
import os
import statistics
import sys
import tempfile
import time
from typing import Any, Dict, Iterator, List, Optional

import sqlalchemy.event
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_secure.stores import lifecycle
from rasa_secure.stores.tracker_store import SecureTrackerStore

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [inform]
slots:
  email: {type: text, mappings: [{type: custom}]}
  recipient_account: {type: text, mappings: [{type: custom}]}
responses:
  utter_ok: [{text: "Thanks, noted."}]
""")
OLD_DAYS = 200
RETENTION_DAYS = 90


LIFECYCLE = {"pseudonymous_ids": True, "subject_keys": True}


def options(inner: Dict[str, Any], **lifecycle_options: Any) -> Dict[str, Any]:
    return {
        "inner": inner,
        "sensitive_slots": ["email", "recipient_account"],
        "pii": {"detector": {"spacy_model": None}},
        "retention": {"tracker_events": RETENTION_DAYS},
        **(lifecycle_options or LIFECYCLE),
    }


def conversation(index: int, stamp: float) -> DialogueStateTracker:
    email = f"customer{index}@example.org"
    events = [
        ActionExecuted("action_session_start", timestamp=stamp),
        SessionStarted(timestamp=stamp),
        ActionExecuted("action_listen", timestamp=stamp),
        UserUttered(f"my email is {email}", {"name": "inform"}, timestamp=stamp),
        SlotSet("email", email, timestamp=stamp),
        BotUttered("Thanks, noted.", timestamp=stamp),
    ]
    return DialogueStateTracker.from_events(f"+1415{index:07d}", events, DOMAIN.slots)


def rows(store: SecureTrackerStore) -> str:
    keys = store.sanitizer.vault.subject_keys
    held = sum(1 for _ in keys.table.items()) if keys else 0
    return f"{lifecycle.count_events(store.unwrapped):>7} events, {held:>6} data keys"


def per_item(seconds: List[float]) -> str:
    return f"median {statistics.median(seconds) * 1000:.2f} ms, total {sum(seconds):.2f} s"


async def run(args: argparse.Namespace) -> None:
    if args.postgres:
        inner: Dict[str, Any] = {"type": "SQL", "dialect": "postgresql", **_pg(args.postgres)}
        backend = "PostgreSQL"
    else:
        path = os.path.join(tempfile.mkdtemp(prefix="lifecycle-"), "rasa.db")
        inner, backend = {"type": "SQL", "dialect": "sqlite", "db": path}, "SQLite"
    store = SecureTrackerStore(DOMAIN, **options(inner))
    now = time.time()
    started = time.perf_counter()
    with unsynced(store, backend == "SQLite"):
        for index in range(args.conversations):
            stamp = now - (OLD_DAYS * lifecycle.DAY if index % 2 else 0)
            await store.save(conversation(index, stamp))
    out(f"{backend}: seeded {args.conversations} conversations in "
        f"{time.perf_counter() - started:.1f} s: {rows(store)}")  # fmt: skip

    sample = range(0, args.sample * 2, 2)  # recent conversations: retention keeps them
    times = []
    for index in sample:
        began = time.perf_counter()
        state = await lifecycle.export(store, f"+1415{index:07d}")
        times.append(time.perf_counter() - began)
        assert state is not None and state["slots"]["email"] == f"customer{index}@example.org"
    out(f"export  x{args.sample}: {per_item(times)}")

    before = rows(store)
    run = lifecycle.apply_retention(store)
    out(f"retention apply: {run.seconds:.2f} s; {before} -> {rows(store)} "
        f"({run.events_deleted} events, {run.conversations_deleted} conversations, "
        f"{run.keys_destroyed} keys deleted)")  # fmt: skip

    before = rows(store)
    times = [lifecycle.erase(store, f"+1415{index:07d}").seconds for index in sample]
    out(f"erase   x{args.sample}: {per_item(times)}; {before} -> {rows(store)}")


@contextlib.contextmanager
def unsynced(store: SecureTrackerStore, sqlite: bool) -> Iterator[None]:
    """Seed SQLite without waiting for the disk at each commit (the measurements do wait)."""
    if not sqlite:
        yield
        return
    engine = store.unwrapped.engine

    def fast(connection: Any, _record: Any) -> None:
        connection.execute("PRAGMA synchronous=OFF")

    sqlalchemy.event.listen(engine, "connect", fast)
    engine.dispose()
    try:
        yield
    finally:
        sqlalchemy.event.remove(engine, "connect", fast)
        engine.dispose()


async def compare_saves(count: int) -> None:
    """Per-save cost of the lifecycle options, the three stores alternating."""
    folder = tempfile.mkdtemp(prefix="lifecycle-saves-")
    configs = {
        "secure store": {"pseudonymous_ids": False},
        "+ pseudonymous_ids": {"pseudonymous_ids": True},
        "+ subject_keys": LIFECYCLE,
    }
    stores = {
        name: SecureTrackerStore(
            DOMAIN, **options({"type": "SQL", "dialect": "sqlite", "db": f"{folder}/{i}.db"}, **opt)
        )
        for i, (name, opt) in enumerate(configs.items())
    }
    first: Dict[str, List[float]] = {name: [] for name in stores}
    turn: Dict[str, List[float]] = {name: [] for name in stores}
    for index in range(count):
        for name, store in stores.items():
            began = time.perf_counter()
            await store.save(conversation(index, time.time()))
            first[name].append(time.perf_counter() - began)
            began = time.perf_counter()
            tracker = await store.retrieve(f"+1415{index:07d}")
            assert tracker is not None
            tracker.update(UserUttered("thanks", {"name": "inform"}))
            tracker.update(SlotSet("recipient_account", "2000300040"))
            await store.save(tracker)
            turn[name].append(time.perf_counter() - began)
    base_first = statistics.median(first["secure store"])
    base_turn = statistics.median(turn["secure store"])
    for name in stores:
        f, t = statistics.median(first[name]), statistics.median(turn[name])
        out(f"{name:<20} first save {f * 1000:6.2f} ms ({f / base_first:.2f}x)   "
            f"next turn {t * 1000:6.2f} ms ({t / base_turn:.2f}x)")  # fmt: skip


def _pg(url: str) -> Dict[str, Any]:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    return {"url": parsed.hostname, "port": parsed.port, "db": parsed.path.lstrip("/"),
            "username": parsed.username or "postgres"}  # fmt: skip


def out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=100, help="subjects exported and erased")
    parser.add_argument("--postgres", help="an empty PostgreSQL database URL instead of SQLite")
    parser.add_argument("--saves", type=int, default=200, help="conversations per store compared")
    parser.add_argument("--only-saves", action="store_true", help="skip the 10,000 conversations")
    args = parser.parse_args(argv)
    os.environ.setdefault("RASA_SECURE_KEYS", "k1:" + base64.b64encode(os.urandom(32)).decode())
    os.environ.setdefault("RASA_SECURE_PSEUDONYM_KEY", base64.b64encode(os.urandom(32)).decode())
    logging.getLogger("rasa_secure.audit").setLevel(logging.WARNING)  # the audit stream
    if not args.only_saves:
        asyncio.run(run(args))
    if args.saves:
        asyncio.run(compare_saves(args.saves))


if __name__ == "__main__":
    main()
