"""Data lifecycle on real stores: pseudonymous ids, erasure by crypto-shredding, export, retention.

Each test runs on the in-memory store, SQLite, PostgreSQL and Redis (the last two skip without
the services unless RASA_SECURE_REQUIRE_SERVICES=1), with the PII conversation of the other
store tests, and reads back what the store wrote with the store's own client.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from typing import Any, Dict, Iterator, List, Tuple

import pytest
from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_secure.core.identity.audit import RECORD_ATTRIBUTE, AuditRecord
from rasa_secure.errors import ConfigError
from rasa_secure.stores import lifecycle
from rasa_secure.stores.tracker_store import SecureTrackerStore
from rasa_secure.stores.vault import KNOWN_VALUES_KEY, ciphertext_of
from tests.stores.conftest import (
    PHONE,
    RAW_VALUES,
    identified_turn,
    leaks,
    new_key,
    run_async,
    store_options,
)
from tests.stores.test_event_broker import create as create_broker
from tests.stores.test_tracker_store import (
    BACKENDS,
    Backend,
    converse,
    make_backend,
    secure_store,
)

V = RAW_VALUES
CUSTOMERS = ("+14155550100", "+14155550199")
"""Sender ids as a phone channel (Twilio, WhatsApp) gives them: the phone number."""
LIFECYCLE = {"pseudonymous_ids": True, "subject_keys": True}


@pytest.fixture(name="backend")
def lifecycle_backend(request: pytest.FixtureRequest, tmp_path: Any) -> Backend:
    """The store backends of the tracker store tests (parametrized with ``BACKENDS``)."""
    return make_backend(request, tmp_path)


@pytest.fixture
def audited(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Capture the audit records emitted during the test (read them with :func:`records`)."""
    with caplog.at_level(logging.INFO, logger="rasa_secure.audit"):
        yield caplog


def records(caplog: pytest.LogCaptureFixture, action: str) -> List[AuditRecord]:
    """The sealed audit records about ``action`` captured so far."""
    found = [getattr(entry, RECORD_ATTRIBUTE, None) for entry in caplog.records]
    return [entry for entry in found if entry is not None and entry.action == action]


def ciphertexts(events: List[Event]) -> List[Tuple[str, str]]:
    """(context name, ciphertext) of every sensitive slot value and sealed record stored."""
    found = []
    for event in events:
        if isinstance(event, SlotSet) and ciphertext_of(event.value):
            found.append((event.key, str(ciphertext_of(event.value))))
        record = (event.metadata or {}).get(KNOWN_VALUES_KEY)
        if record:
            found.append((KNOWN_VALUES_KEY, str(record)))
    return found


def readable(store: SecureTrackerStore, stored_id: str, found: List[Tuple[str, str]]) -> int:
    """How many of ``found`` the store can still decrypt for conversation ``stored_id``."""
    vault = store.sanitizer.vault
    count = 0
    for name, token in found:
        if name == KNOWN_VALUES_KEY:
            count += bool(vault.unseal(token, scope=stored_id))
        else:
            count += vault.restore_slot(name, token, scope=stored_id) is not None
    return count


def reopen(store: SecureTrackerStore, domain: Domain, backend: Backend) -> SecureTrackerStore:
    """The same stored data seen by a new store (another replica, or after a restart)."""
    fresh = secure_store(domain, backend, **LIFECYCLE)
    if backend.name == "memory":  # share what a database would hold
        fresh.unwrapped.store = store.unwrapped.store
        fresh.sanitizer.vault.subject_keys.table = store.sanitizer.vault.subject_keys.table
    return fresh


async def customers_store(domain: Domain, backend: Backend) -> SecureTrackerStore:
    """A lifecycle-enabled store holding the PII conversation of each of :data:`CUSTOMERS`."""
    store = secure_store(domain, backend, **LIFECYCLE)
    for customer in CUSTOMERS:
        await converse(store, customer)
    return store


async def backup(store: SecureTrackerStore, sender_id: str) -> List[Event]:
    """The conversation's events as stored (what a database backup holds)."""
    tracker = await store.inner.retrieve_full_tracker(store.stored_id(sender_id))
    assert tracker is not None
    return list(tracker.events)


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
@run_async
async def test_pseudonymous_ids_keep_phone_numbers_out_and_answer_the_right_user(
    keys: str, domain: Domain, backend: Backend
) -> None:
    # Why: with a phone channel the sender id is the phone number; it must not be stored,
    # yet each customer must get their own conversation back, on any replica.
    store = await customers_store(domain, backend)
    dump = backend.dump(store)
    assert leaks(dump, CUSTOMERS) == []
    assert leaks(dump, [c.lstrip("+") for c in CUSTOMERS]) == []
    stored = sorted(str(key).rsplit(":", 1)[-1] for key in await store.keys())  # Redis: prefixed
    assert stored == sorted(store.stored_id(c) for c in CUSTOMERS)
    replica = reopen(store, domain, backend)
    for customer in CUSTOMERS:
        tracker = await replica.retrieve(customer)
        assert tracker is not None and tracker.sender_id == customer
        assert tracker.get_slot("email") == V["email"]
        assert await replica.exists(customer)
    assert await replica.retrieve("+14155550111") is None, "an unknown number has nothing"


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
@run_async
async def test_pseudonymous_ids_keep_the_identity_record_out_of_store_and_broker(
    keys: str, domain: Domain, backend: Backend, tmp_path: Any
) -> None:
    # Why: the channel's identity record names the subject (on a phone channel, the number)
    # and Rasa copies it into three places; the store and the broker must keep none of them,
    # and a replica must still serve the conversation (the action server reads the live
    # message's record, never one read back from the store).
    path = str(tmp_path / "broker.db")
    broker = await create_broker({"type": "sql", "dialect": "sqlite", "db": path})
    options = store_options(**LIFECYCLE)
    store = SecureTrackerStore(domain=domain, event_broker=broker, inner=backend.inner, **options)
    tracker = await store.get_or_create_tracker(PHONE)
    for event in identified_turn(PHONE):
        tracker.update(event)
    await store.save(tracker)
    await broker.close()
    with sqlite3.connect(path) as connection:
        published = connection.execute("SELECT sender_id, data FROM events").fetchall()
    assert len(published) == len(tracker.events), "every event is published"
    for where, dump in (("store", backend.dump(store)), ("broker", repr(published))):
        assert leaks(dump, [PHONE, PHONE.lstrip("+")]) == [], where
        assert '"rasa_secure": {' not in dump and "signature" not in dump, where
        assert "de-DE" in dump, f"{where}: the rest of the metadata is kept"
    stored = await reopen(store, domain, backend).retrieve_full_tracker(PHONE)
    assert stored is not None and stored.sender_id == PHONE
    copied = [e.value for e in stored.events if isinstance(e, SlotSet)]
    assert copied == [{"locale": "de-DE"}], "session_started_metadata keeps the rest"
    assert stored.latest_message is not None and stored.latest_message.text == "balance"


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
@run_async
async def test_erasure_shreds_every_copy_and_spares_other_subjects(
    keys: str, domain: Domain, backend: Backend, audited: pytest.LogCaptureFixture
) -> None:
    # Why: GDPR art. 17. A backup taken before the erasure still holds the ciphertexts; they
    # must not decrypt afterwards, while the other customer's data stays readable.
    store = await customers_store(domain, backend)
    erased, kept = CUSTOMERS
    erased_copy = ciphertexts(await backup(store, erased))
    kept_copy = ciphertexts(await backup(store, kept))
    assert any(name == KNOWN_VALUES_KEY for name, _ in erased_copy), "records are covered"
    assert all(token.startswith("rsenc:v1:subject:") for _, token in erased_copy + kept_copy)

    done = lifecycle.erase(store, erased)

    assert done.key_destroyed and done.events_deleted > 0
    restarted = reopen(store, domain, backend)
    assert await restarted.retrieve(erased) is None
    assert readable(restarted, restarted.stored_id(erased), erased_copy) == 0
    assert readable(restarted, restarted.stored_id(kept), kept_copy) == len(kept_copy)
    tracker = await restarted.retrieve(kept)
    assert tracker is not None and tracker.get_slot("email") == V["email"]
    erasures = records(audited, "erase")
    assert len(erasures) == 1 and erasures[0].decision.value == "delete"
    assert erasures[0].mac and erasures[0].subject == done.subject != erased


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
@run_async
async def test_export_gives_the_subject_their_conversation_decrypted(
    keys: str, domain: Domain, backend: Backend, audited: pytest.LogCaptureFixture
) -> None:
    # Why: GDPR art. 15. Sensitive slots come back in clear; texts stay as stored (redacted).
    store = await customers_store(domain, backend)
    state = await lifecycle.export(store, CUSTOMERS[0])
    assert state is not None and state["sender_id"] == CUSTOMERS[0]
    assert state["slots"]["card_number"] == {"number": V["card"], "expiry": "12/29"}
    slots = {e["name"]: e["value"] for e in state["events"] if e["event"] == "slot"}
    assert slots["email"] == V["email"]
    texts = " ".join(e.get("text") or "" for e in state["events"] if e["event"] == "user")
    assert V["email"] not in texts and "<EMAIL_ADDRESS" in texts
    assert await lifecycle.export(store, "+14155550111") is None
    exports = records(audited, "export")
    assert [r.decision.value for r in exports] == ["export", "export"]


def dated(sender_id: str, timestamps: List[float], domain: Domain) -> DialogueStateTracker:
    """A conversation whose turns happened at ``timestamps`` (a sensitive slot each)."""
    events: List[Event] = [ActionExecuted("action_session_start", timestamp=timestamps[0]),
                           SessionStarted(timestamp=timestamps[0])]  # fmt: skip
    for stamp in timestamps:
        events += [UserUttered("hello", {"name": "greet"}, timestamp=stamp),
                   SlotSet("email", V["email"], timestamp=stamp)]  # fmt: skip
    return DialogueStateTracker.from_events(sender_id, events, domain.slots)


NOW = 2_000_000_000.0
DAY = lifecycle.DAY
RETENTION_CASES = [
    # (why, turns in days before NOW, events left)
    ("every turn older than the period: the conversation goes, with its key", [100, 95], 0),
    ("a recent turn keeps its events; older ones go", [100, 5], 2),
    ("nothing old: nothing deleted", [10, 1], 6),
]


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
@run_async
async def test_retention_deletes_what_is_older_than_its_period(
    keys: str, domain: Domain, backend: Backend, audited: pytest.LogCaptureFixture
) -> None:
    store = secure_store(domain, backend, retention={"tracker_events": 30}, **LIFECYCLE)
    for index, (_, ages, _) in enumerate(RETENTION_CASES):
        await store.save(dated(f"c{index}", [NOW - age * DAY for age in ages], domain))
    run = lifecycle.apply_retention(store, now=NOW)
    for index, (why, _, left) in enumerate(RETENTION_CASES):
        stored = await store.inner.retrieve_full_tracker(store.stored_id(f"c{index}"))
        assert (len(stored.events) if stored else 0) == left, why
        key = store.sanitizer.vault.subject_keys.table.get(store.stored_id(f"c{index}"))
        assert (key is None) == (left == 0), why
    assert (run.events_deleted, run.conversations_deleted, run.keys_destroyed) == (10, 1, 1)
    record = records(audited, "retention")[-1]
    assert {"events=10", "conversations=1"} <= set(record.reasons)
    if isinstance(store.unwrapped, RedisTrackerStore):  # a day after retention apply would
        assert store.unwrapped.record_exp == 31 * DAY


AGED = [
    # (why, days before NOW, kept by a 30-day period)
    ("older than the period", 31, False),
    ("within the period", 29, True),
    ("from today", 0, True),
]


@run_async
async def test_retention_deletes_old_broker_rows_and_rotated_log_files(
    keys: str, domain: Domain, tmp_path: Any, monkeypatch: pytest.MonkeyPatch,
    audited: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    from rasa.core.brokers.sql import SQLEventBroker

    broker = SQLEventBroker(db=str(tmp_path / "events.db"))
    for _, age, _ in AGED:
        broker.publish({"sender_id": "conv_1", "event": "user", "timestamp": NOW - age * DAY})
    broker.publish({"sender_id": "conv_1", "event": "user"})  # undated: cannot be kept
    files: Dict[str, bool] = {}  # path: kept
    for variable in ("RASA_SECURE_AUDIT_LOG", "RASA_SECURE_AUDIT_CHECKPOINTS",
                     "RASA_SECURE_ANOMALY_SIGNALS"):  # fmt: skip
        live = tmp_path / variable.lower()
        monkeypatch.setenv(variable, str(live))
        copies = [(live, 40, True)]  # "the live file is never deleted, whatever its age"
        copies += [(tmp_path / f"{live.name}.{n}", age, kept) for n, (_, age, kept) in
                   enumerate(AGED, 1)]  # fmt: skip
        copies.append((tmp_path / f"{live.name}.bak", 40, True))  # "not a rotated copy"
        for path, age, kept in copies:
            path.write_text("{}\n", encoding="utf-8")
            os.utime(path, (NOW - age * DAY, NOW - age * DAY))
            files[str(path)] = kept
    periods = {"broker_events": 30, "audit_records": 30, "log_files": 30}
    store = secure_store(domain, Backend("memory", {}, str), retention=periods)

    run = lifecycle.apply_retention(store, now=NOW, broker=broker)

    with broker.session_scope() as session:
        left = [json.loads(data)["timestamp"] for (data,) in session.query(
            broker.SQLBrokerEvent.data)]  # fmt: skip
    assert left == [NOW - age * DAY for _, age, kept in AGED if kept]
    assert {path: os.path.exists(path) for path in files} == files
    assert (run.broker_events_deleted, run.audit_files_deleted, run.log_files_deleted) == (2, 2, 1)
    record = records(audited, "retention")[-1]
    assert {"broker_events=2", "audit_files=2", "audit_held=0", "log_files=1"} <= set(
        record.reasons
    )


def test_a_broker_period_without_a_sql_broker_is_a_clear_error(keys: str, domain: Domain) -> None:
    # Why: RabbitMQ and Kafka expire messages by their own policy; silently deleting nothing
    # would let an operator believe the period holds.
    store = secure_store(domain, Backend("memory", {}, str), retention={"broker_events": 30})
    with pytest.raises(ConfigError, match=r"retention\.broker_events"):
        lifecycle.apply_retention(store, now=NOW, broker=None)


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
@run_async
async def test_key_rotation_rewraps_subject_keys(
    keys: str, domain: Domain, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Why: subject data keys are wrapped by the keyring; after a rotation and the removal of
    # the old key, every conversation must still decrypt.
    store = secure_store(domain, backend, **LIFECYCLE)
    await converse(store, CUSTOMERS[0])
    new = f"k2:{new_key()}"
    monkeypatch.setenv("RASA_SECURE_KEYS", f"{new},{keys}")
    rotating = reopen(store, domain, backend)
    assert await rotating.rotate_keys() >= 1
    monkeypatch.setenv("RASA_SECURE_KEYS", new)
    tracker = await reopen(rotating, domain, backend).retrieve(CUSTOMERS[0])
    assert tracker is not None and tracker.get_slot("email") == V["email"]


BAD_OPTIONS: List[Tuple[str, Dict[str, Any], str]] = [
    ("a data class nobody stores", {"retention": {"transcripts": 30}}, "retention"),
    ("a period that keeps nothing", {"retention": {"tracker_events": 0}}, "retention"),
    ("a period that is not a number", {"retention": {"tracker_events": "30d"}}, "retention"),
    ("not a boolean", {"subject_keys": "yes"}, "subject_keys"),
]


@pytest.mark.parametrize(("why", "options", "key"), BAD_OPTIONS, ids=[c[0] for c in BAD_OPTIONS])
def test_bad_lifecycle_options_name_their_key(
    keys: str, domain: Domain, why: str, options: Dict[str, Any], key: str
) -> None:
    with pytest.raises(ConfigError, match=f"SecureTrackerStore.{key}"):
        secure_store(domain, Backend("memory", {}, str), **options)


def test_pseudonymous_ids_without_a_key_refuse_to_start(
    keys: str, domain: Domain, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Why: a random key would lose every conversation at the next restart (fail closed).
    monkeypatch.delenv("RASA_SECURE_PSEUDONYM_KEY")
    with pytest.raises(ConfigError, match="pseudonym_key_env"):
        secure_store(domain, Backend("memory", {}, str), pseudonymous_ids=True)
