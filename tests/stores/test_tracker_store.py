"""SecureTrackerStore on real stores: nothing raw at rest, and conversations keep working.

Each backend test holds a conversation full of PII the way Rasa does (retrieve, add a turn,
save, for every message), then reads back everything the store wrote, with the store's own
client, and searches it for every raw value.
"""

from __future__ import annotations

import gc
import json
import logging
import sqlite3
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import urlparse

import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from rasa_secure.errors import ConfigError
from rasa_secure.stores.tracker_store import SecureTrackerStore
from tests.stores.conftest import RAW_VALUES, leaks, new_key, pii_turns, run_async, store_options

V = RAW_VALUES


@dataclass
class Backend:
    """An inner store configuration and a way to read every byte it stored."""

    name: str
    inner: Dict[str, Any]
    dump: Callable[[SecureTrackerStore], str]


def _memory_dump(store: SecureTrackerStore) -> str:
    inner = store.inner
    assert isinstance(inner, InMemoryTrackerStore)
    return json.dumps(inner.store)


def _sqlite_backend(tmp_path: Any) -> Backend:
    path = str(tmp_path / "rasa.db")

    def dump(store: SecureTrackerStore) -> str:
        with sqlite3.connect(path) as connection:
            rows = connection.execute("SELECT * FROM events").fetchall()
        return "\n".join(map(repr, rows))

    return Backend("sqlite", {"type": "SQL", "dialect": "sqlite", "db": path}, dump)


def _postgres_backend(url: str) -> Backend:
    import psycopg2

    parsed = urlparse(url)
    database = parsed.path.lstrip("/")

    def dump(store: SecureTrackerStore) -> str:
        connection = psycopg2.connect(
            host=parsed.hostname, port=parsed.port, user="postgres", dbname=database
        )
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT * FROM events")
                return "\n".join(map(repr, cursor.fetchall()))
        finally:
            connection.close()

    inner = {
        "type": "SQL",
        "dialect": "postgresql",
        "url": parsed.hostname,
        "port": parsed.port,
        "db": database,
        "username": "postgres",
    }
    return Backend("postgresql", inner, dump)


def _redis_backend(url: str, request: pytest.FixtureRequest) -> Backend:
    import redis

    parsed = urlparse(url)
    db = int(parsed.path.lstrip("/"))
    client = redis.StrictRedis(host=parsed.hostname, port=parsed.port, db=db, decode_responses=True)
    prefix = f"t{uuid.uuid4().hex[:12]}"  # the database is shared: touch only our own keys

    def clean_up() -> None:
        keys = client.keys(f"{prefix}*")
        if keys:
            client.delete(*keys)

    request.addfinalizer(clean_up)

    def dump(store: SecureTrackerStore) -> str:
        return "\n".join(f"{key}={client.get(key)}" for key in client.keys(f"{prefix}*"))

    inner = {
        "type": "redis",
        "url": parsed.hostname,
        "port": parsed.port,
        "db": db,
        "key_prefix": prefix,
    }
    return Backend("redis", inner, dump)


BACKENDS = [
    pytest.param("memory", id="in-memory"),
    pytest.param("sqlite", id="sql-sqlite"),
    pytest.param("postgres", id="sql-postgresql", marks=pytest.mark.services),
    pytest.param("redis", id="redis", marks=pytest.mark.services),
]


@pytest.fixture
def backend(request: pytest.FixtureRequest, tmp_path: Any) -> Backend:
    return make_backend(request, tmp_path)


def make_backend(request: pytest.FixtureRequest, tmp_path: Any) -> Backend:
    """The backend named by the test's ``backend`` parameter (one of :data:`BACKENDS`)."""
    if request.param == "memory":
        return Backend("memory", {}, _memory_dump)
    if request.param == "sqlite":
        return _sqlite_backend(tmp_path)
    if request.param == "postgres":
        return _postgres_backend(request.getfixturevalue("postgres_url"))
    return _redis_backend(request.getfixturevalue("redis_url"), request)


def secure_store(domain: Domain, backend: Backend, **options: Any) -> SecureTrackerStore:
    return SecureTrackerStore(domain=domain, inner=backend.inner, **store_options(**options))


async def converse(store: SecureTrackerStore, sender_id: str) -> DialogueStateTracker:
    """Hold the PII conversation as Rasa does: retrieve, add one turn, save; per message."""
    tracker = await store.get_or_create_tracker(sender_id)
    for turn in pii_turns():
        tracker = await store.get_or_create_tracker(sender_id)
        for event in turn:
            tracker.update(event)
        await store.save(tracker)
    return tracker


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
@run_async
async def test_no_raw_value_is_stored(keys: str, domain: Domain, backend: Backend) -> None:
    store = secure_store(domain, backend)
    await converse(store, "conv-leak")
    dump = backend.dump(store)
    assert "rsenc:v1:k1:" in dump, "sensitive slots must be stored encrypted"
    assert leaks(dump) == []


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
@run_async
async def test_reloaded_tracker_has_sensitive_slots_in_clear(
    keys: str, domain: Domain, backend: Backend
) -> None:
    # Why: Rasa reloads the tracker for every message; actions and forms need the values.
    store = secure_store(domain, backend)
    await converse(store, "conv-reload")
    tracker = await store.retrieve("conv-reload")
    assert tracker is not None
    assert tracker.get_slot("email") == V["email"]
    assert tracker.get_slot("full_name") == V["name"]
    assert tracker.get_slot("card_number") == {"number": V["card"], "expiry": "12/29"}
    assert tracker.get_slot("amount") == 120.5  # no PII: unchanged
    set_values = {e.key: e.value for e in tracker.events if isinstance(e, SlotSet)}
    assert set_values["email"] == V["email"], "events sent to the action server are in clear too"
    # Redacted, not encrypted: these stay redacted after a reload (documented).
    assert V["iban"] not in tracker.get_slot("note")
    assert leaks(tracker.latest_message.text or "") == []


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
@run_async
async def test_a_form_continues_across_reloads(keys: str, domain: Domain, backend: Backend) -> None:
    store = secure_store(domain, backend)
    sender = "conv-form"
    tracker = await store.get_or_create_tracker(sender)
    text = f"my email is {V['email']}"
    start = text.index(V["email"])
    email_entity = {
        "entity": "email",
        "start": start,
        "end": start + len(V["email"]),
        "value": V["email"],
    }
    for event in (
        UserUttered(text, {"name": "inform", "confidence": 1.0}, [email_entity]),
        ActiveLoop("contact_form"),
        SlotSet("email", V["email"]),
        SlotSet("requested_slot", "full_name"),
        ActionExecuted("action_listen"),
    ):
        tracker.update(event)
    await store.save(tracker)

    tracker = await store.get_or_create_tracker(sender)
    assert tracker.active_loop_name == "contact_form"
    assert tracker.get_slot("requested_slot") == "full_name"
    assert tracker.get_slot("email") == V["email"]
    tracker.update(UserUttered(V["name"], {"name": "inform", "confidence": 1.0}))
    tracker.update(SlotSet("full_name", V["name"]))
    tracker.update(ActiveLoop(None))
    await store.save(tracker)

    tracker = await store.get_or_create_tracker(sender)
    assert (tracker.get_slot("email"), tracker.get_slot("full_name")) == (V["email"], V["name"])
    assert tracker.active_loop_name is None
    assert leaks(backend.dump(store), [V["name"]]) == []


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
@run_async
async def test_saving_a_reloaded_tracker_rewrites_nothing(
    keys: str, domain: Domain, backend: Backend
) -> None:
    # Why: a reloaded slot must be written back with the ciphertext it was read from, or
    # stores that compare events (Redis merges by equality) would duplicate or churn them.
    store = secure_store(domain, backend)
    await converse(store, "conv-stable")
    before = backend.dump(store)
    tracker = await store.retrieve("conv-stable")
    assert tracker is not None
    await store.save(tracker)
    assert backend.dump(store) == before
    again = await store.retrieve("conv-stable")
    assert again is not None and len(again.events) == len(tracker.events)


ROTATING = [p for p in BACKENDS if p.id != "sql-postgresql"] + [
    pytest.param("postgres", id="sql-postgresql", marks=pytest.mark.services)
]


@pytest.mark.parametrize("backend", ROTATING, indirect=True)
@run_async
async def test_keys_rotate(
    keys: str, domain: Domain, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_store = secure_store(domain, backend)
    await converse(old_store, "conv-rotate")

    new_key_spec = f"k2:{new_key()}"
    monkeypatch.setenv("RASA_SECURE_KEYS", f"{new_key_spec},{keys}")
    store = secure_store(domain, backend)
    if backend.name == "memory":  # the in-memory store lives in its instance
        store.inner.store = old_store.inner.store  # type: ignore[attr-defined]
    tracker = await store.retrieve("conv-rotate")
    assert tracker is not None and tracker.get_slot("email") == V["email"], "old key still reads"
    tracker.update(SlotSet("full_name", "Ada Lovelace"))
    await store.save(tracker)
    assert "rsenc:v1:k2:" in backend.dump(store), "new values use the new key"

    rotated = await store.rotate_keys()
    assert rotated >= 3 and "rsenc:v1:k1:" not in backend.dump(store)
    assert await store.rotate_keys() == 0

    monkeypatch.setenv("RASA_SECURE_KEYS", new_key_spec)
    final = secure_store(domain, backend)
    if backend.name == "memory":
        final.inner.store = store.inner.store  # type: ignore[attr-defined]
    tracker = await final.retrieve("conv-rotate")
    assert tracker is not None
    assert (tracker.get_slot("email"), tracker.get_slot("full_name")) == (
        V["email"],
        "Ada Lovelace",
    )


@run_async
async def test_a_removed_key_leaves_the_slot_unset_and_is_audited(
    keys: str,
    domain: Domain,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Why: a value nobody can decrypt must not reach an action as ciphertext.
    backend = _sqlite_backend(tmp_path)
    await converse(secure_store(domain, backend), "conv-lost")
    monkeypatch.setenv("RASA_SECURE_KEYS", f"k9:{new_key()}")
    with caplog.at_level(logging.INFO, logger="rasa_secure.audit"):
        tracker = await secure_store(domain, backend).retrieve("conv-lost")
    assert tracker is not None and tracker.get_slot("email") is None
    assert "decrypt_failed" in caplog.text


@run_async
async def test_detection_failure_stores_more_redacted_and_never_raises(
    keys: str,
    domain: Domain,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    backend = _sqlite_backend(tmp_path)
    store = secure_store(domain, backend)

    def broken(text: str) -> Any:
        raise RuntimeError("detector down")

    monkeypatch.setattr(store.sanitizer.sanitizer.detector, "detect", broken)
    with caplog.at_level(logging.INFO, logger="rasa_secure.audit"):
        await converse(store, "conv-broken")
    dump = backend.dump(store)
    assert leaks(dump, [V["name"]]) == []
    assert "<REDACTED>" in dump and "detection_failed" in caplog.text
    tracker = await store.retrieve("conv-broken")
    assert tracker is not None and tracker.get_slot("email") == V["email"], (
        "encryption needs no detector"
    )


@run_async
async def test_rasa_creates_it_from_endpoints_yml(keys: str, domain: Domain, tmp_path: Any) -> None:
    # Why: this is the path `rasa run` takes; it must not fall back to the in-memory store
    # nor wrap us as a deprecated synchronous store.
    config = EndpointConfig.from_dict(
        {
            "type": "rasa_secure.stores.tracker_store.SecureTrackerStore",
            "inner": {"type": "SQL", "dialect": "sqlite", "db": str(tmp_path / "e.db")},
            **store_options(),
        }
    )
    store = TrackerStore.create(config, domain=Domain.empty())
    assert isinstance(store, SecureTrackerStore)
    assert type(store.inner).__name__ == "SQLTrackerStore"
    store.domain = domain  # what the agent does once the model is loaded
    assert store.inner.domain is domain
    tracker = await store.get_or_create_tracker("conv-endpoint")
    tracker.update(SlotSet("email", V["email"]))
    await store.save(tracker)
    assert list(await store.keys()) == ["conv-endpoint"]
    assert await store.exists("conv-endpoint") and not await store.exists("nobody")
    assert await store.retrieve("nobody") is None


@pytest.mark.parametrize(
    ("options", "key"),
    [
        pytest.param({"host": "localhost"}, "SecureTrackerStore.url", id="url belongs under inner"),
        pytest.param(
            {"inner": {"type": "rasa_secure.stores.tracker_store.SecureTrackerStore"}},
            "SecureTrackerStore.inner.type",
            id="no secure store inside a secure store",
        ),
        pytest.param({"inner": "SQL"}, "SecureTrackerStore.inner", id="inner must be a mapping"),
        pytest.param({"sensitive_slot": []}, "SecureTrackerStore.sensitive_slot", id="typo"),
    ],
)
def test_bad_configuration_names_the_key(keys: str, options: Dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as error:
        SecureTrackerStore(domain=Domain.empty(), **options)
    assert error.value.key == key


class CollectingBroker(EventBroker):
    """An event broker that keeps what it is given."""

    def __init__(self) -> None:
        self.published: List[Dict[str, Any]] = []

    def publish(self, event: Dict[str, Any]) -> None:
        self.published.append(event)


@run_async
async def test_events_the_inner_store_streams_are_safe(keys: str, domain: Domain) -> None:
    # Why: the inner store publishes what it saves to the event broker of endpoints.yml.
    broker = CollectingBroker()
    store = SecureTrackerStore(domain=domain, event_broker=broker, inner={}, **store_options())
    await converse(store, "conv-stream")
    assert store.event_broker is broker, "rasa run closes the broker it finds here"
    assert len(broker.published) > 20
    assert leaks(json.dumps(broker.published)) == []


class StateKeepingStore(InMemoryTrackerStore):
    """A custom store that also persists the tracker's current state (slots, latest message)."""

    def __init__(self, domain: Domain, host: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(domain, **kwargs)
        self.states: Dict[str, str] = {}

    async def save(self, tracker: DialogueStateTracker) -> None:
        self.states[tracker.sender_id] = json.dumps(tracker.current_state())
        await super().save(tracker)


@run_async
async def test_stores_that_persist_tracker_state_get_a_fully_safe_tracker(
    keys: str, domain: Domain
) -> None:
    # Why: Mongo and custom stores persist slots and the latest message, not only events.
    store = SecureTrackerStore(
        domain=domain, inner={"type": f"{__name__}.StateKeepingStore"}, **store_options()
    )
    assert isinstance(store.inner, StateKeepingStore)
    tracker = await converse(store, "conv-state")
    assert tracker.get_slot("email") == V["email"], "the caller's tracker is never modified"
    states = json.dumps(store.inner.states)
    assert "rsenc:v1:" in states and leaks(states) == []
    reloaded = await store.retrieve("conv-state")
    assert reloaded is not None and reloaded.get_slot("email") == V["email"]


@run_async
async def test_events_are_sanitized_once_per_conversation(
    keys: str, domain: Domain, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Why: the store must not re-run detection on the whole history at every message.
    store = SecureTrackerStore(domain=domain, inner={}, **store_options())
    calls: List[str] = []
    original = store.sanitizer.sanitize

    def counting(event: Any, **kwargs: Any) -> Any:
        calls.append(event["event"])
        return original(event, **kwargs)

    monkeypatch.setattr(store.sanitizer, "sanitize", counting)
    await converse(store, "conv-count")
    created = 1 + sum(len(turn) for turn in pii_turns())  # the first action_listen + the turns
    assert len(calls) == created


@run_async
async def test_remembered_events_die_with_their_tracker(keys: str, domain: Domain) -> None:
    # Why: the store remembers events between retrieve and save; it must not keep every
    # event of every conversation alive for the life of the server.
    import gc

    store = SecureTrackerStore(domain=domain, inner={}, **store_options())
    trackers = [await converse(store, f"conv-memory-{index}") for index in range(3)]
    assert len(store._memo) >= sum(len(tracker.events) for tracker in trackers)
    del trackers
    gc.collect()
    assert len(store._memo) == 0


# --- what decides redaction travels with the conversation (replicas, restarts) -------------

NER_NAME = "Ada Byron"
"""A name only NER finds (the store's own detector runs patterns only)."""

REPLICA_BACKENDS = [
    pytest.param("sqlite", id="sql-sqlite"),
    pytest.param("postgres", id="sql-postgresql", marks=pytest.mark.services),
]
SHARED_BACKENDS = [*REPLICA_BACKENDS, pytest.param("redis", id="redis", marks=pytest.mark.services)]


def _introduction(text: str = f"hello, I am {NER_NAME}", name: str = NER_NAME) -> UserUttered:
    """A user message whose name the PIIDetector NLU component's NER found (no entity)."""
    start = text.index(name)
    finding = {
        "type": "PERSON",
        "start": start,
        "end": start + len(name),
        "score": 0.85,
        "recognizer": "SpacyRecognizer",
    }
    parse_data = {
        "text": text,
        "intent": {"name": "inform", "confidence": 0.9},
        "entities": [],
        "pii": [finding],
        "pii_failed": False,
    }
    return UserUttered(text, {"name": "inform", "confidence": 0.9}, [], parse_data=parse_data)


async def _add(store: SecureTrackerStore, sender: str, *events: Event) -> None:
    """One turn as Rasa takes it: retrieve (or create), append, save."""
    tracker = await store.get_or_create_tracker(sender)
    for event in events:
        tracker.update(event)
    await store.save(tracker)


@pytest.mark.parametrize("backend", SHARED_BACKENDS, indirect=True)
@pytest.mark.parametrize("second", ["replica", "restart"])
@run_async
async def test_a_name_found_by_ner_stays_redacted_on_another_replica_and_after_a_restart(
    keys: str, domain: Domain, backend: Backend, second: str
) -> None:
    # Why (issue 17, item 1): the name was remembered only by the process that saw the user
    # message, so a second replica, or the same one restarted, stored the bot's
    # "Thanks, Ada Byron!" in clear.
    sender = f"conv-{second}"
    first = secure_store(domain, backend)
    other = secure_store(domain, backend) if second == "replica" else None
    await _add(first, sender, _introduction(), ActionExecuted("action_listen"))
    if other is None:  # a restart: the first instance is gone before the next message
        del first
        gc.collect()
        other = secure_store(domain, backend)
    await _add(
        other,
        sender,
        UserUttered("what is my balance?", {"name": "balance", "confidence": 0.9}),
        SlotSet("note", f"customer {NER_NAME}"),
        BotUttered(f"Thanks, {NER_NAME}!", {"custom": {"greeting": f"Hi {NER_NAME}"}}),
        ActionExecuted("action_listen"),
    )
    dump = backend.dump(other)
    assert leaks(dump, [NER_NAME, "Byron"]) == []
    assert "Thanks, <PERSON_" in dump, "the reply is stored, with the name redacted"
    if second == "replica":  # and back: the first replica learns what the other one saw
        sister = "Grace Hopper"
        await _add(other, sender, _introduction(f"my sister is {sister}", sister))
        await _add(first, sender, BotUttered(f"Say hello to {sister}."))
        assert leaks(backend.dump(first), [NER_NAME, sister, "Hopper"]) == []


@pytest.mark.parametrize("backend", REPLICA_BACKENDS, indirect=True)
@run_async
async def test_a_name_stays_redacted_in_a_later_session_on_a_fresh_replica(
    keys: str, domain: Domain, backend: Backend
) -> None:
    # Why: Rasa reads back only the latest session, so what an earlier session taught must
    # be carried into the new one (the session start holds the conversation's record).
    sender = "conv-sessions"
    await _add(secure_store(domain, backend), sender, _introduction())
    await _add(
        secure_store(domain, backend),
        sender,
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
    )
    fresh = secure_store(domain, backend)
    tracker = await fresh.retrieve(sender)
    assert tracker is not None and not any(isinstance(e, UserUttered) for e in tracker.events), (
        "the latest session holds no user message: the test would prove nothing"
    )
    await _add(fresh, sender, BotUttered(f"Welcome back, {NER_NAME}."))
    assert leaks(backend.dump(fresh), [NER_NAME, "Byron"]) == []


@run_async
async def test_a_replica_cleans_only_the_events_it_has_not_stored(
    keys: str, domain: Domain, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Why: Rasa saves the whole tracker every turn; events another replica (or this one
    # before a restart) stored are read back clean and must not be cleaned again.
    backend = _sqlite_backend(tmp_path)
    await converse(secure_store(domain, backend), "conv-once")
    other = secure_store(domain, backend)
    calls: List[str] = []
    original = other.sanitizer.sanitize

    def counting(event: Any, **kwargs: Any) -> Any:
        calls.append(event["event"])
        return original(event, **kwargs)

    monkeypatch.setattr(other.sanitizer, "sanitize", counting)
    await _add(other, "conv-once", _introduction(), ActionExecuted("action_listen"))
    assert calls == ["user", "action"]


def test_the_store_needs_a_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    # Why: without keys what the store learns could live only in process memory.
    monkeypatch.delenv("RASA_SECURE_KEYS", raising=False)
    with pytest.raises(ConfigError) as error:
        SecureTrackerStore(domain=Domain.empty(), pii={"detector": {"spacy_model": None}})
    assert error.value.key == "SecureTrackerStore.keys_env"
    assert "rasa-secure keygen" in str(error.value)


# --- Rasa's own metadata --------------------------------------------------------------------

MODEL_ID = "9f2c1e7a4b6d48f0a3c5e1d2b7f60a19"
ASSISTANT_ID = "20230405-114328-tranquil-mustard"


@run_async
async def test_rasa_model_and_assistant_ids_are_stored_as_they_are_and_not_audited(
    keys: str, domain: Domain, tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # Why (issue 17, speed): Rasa writes model_id on every event; it looks like a secret to
    # the detector, so every event was redacted, rewritten and audited (7.4 lines a message).
    backend = _sqlite_backend(tmp_path)
    store = secure_store(domain, backend)
    audited: Dict[str, int] = {}
    for sender, ids in (("conv-plain", (None, None)), ("conv-ids", (MODEL_ID, ASSISTANT_ID))):
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="rasa_secure.audit"):
            for turn in pii_turns():
                tracker = await store.get_or_create_tracker(sender)
                tracker.model_id, tracker.assistant_id = ids
                for event in turn:
                    tracker.update(event)
                await store.save(tracker)
        # audit records only, not the chain's checkpoints (a child logger, every nth record)
        audited[sender] = sum(r.name == "rasa_secure.audit" for r in caplog.records)
    dump = backend.dump(store)
    assert dump.count(MODEL_ID) == sum(len(turn) for turn in pii_turns())
    assert dump.count(ASSISTANT_ID) == dump.count(MODEL_ID)
    assert leaks(dump) == []
    assert audited["conv-ids"] == audited["conv-plain"] > 0, "the ids add no audit record"


@pytest.mark.parametrize(
    ("metadata", "why"),
    [
        ({"model_id": "4111 1111 1111 1111"}, "not the shape of a model id"),
        ({"model_id": "0123456789abcdef0123456789abcdef"}, "model-id shaped, but not our model"),
        ({"assistant_id": "bob.smith@example.com"}, "not our assistant"),
        ({"model_id": {"nested": MODEL_ID, "card": "4111 1111 1111 1111"}}, "not a string"),
    ],
)
@run_async
async def test_client_metadata_under_rasa_keys_is_still_redacted(
    keys: str, domain: Domain, metadata: Dict[str, Any], why: str
) -> None:
    # Why: message metadata comes from the client, and Rasa keeps a model_id it finds there:
    # only the tracker's own values are vouched for.
    store = SecureTrackerStore(domain=domain, inner={}, **store_options())
    tracker = await store.get_or_create_tracker("conv-client")
    tracker.model_id, tracker.assistant_id = MODEL_ID, ASSISTANT_ID
    tracker.update(UserUttered("hello", {"name": "greet", "confidence": 1.0}, metadata=metadata))
    await store.save(tracker)
    stored = json.loads(_memory_dump(store))["conv-client"]
    assert leaks(stored, ["0123456789abcdef0123456789abcdef"]) == [], why
