"""The consent gate of SecureEventBroker: a conversation is published only with consent."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from collections import Counter
from typing import Any, Dict, List, Tuple

import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.utils.endpoints import EndpointConfig

from rasa_secure.errors import ConfigError
from rasa_secure.stores.consent import ConsentGate, Verdict
from rasa_secure.stores.event_broker import SecureEventBroker
from rasa_secure.stores.events import EventSanitizer
from rasa_secure.stores.outcome import SanitizedEvent
from rasa_secure.stores.tracker_store import SecureTrackerStore
from tests.stores.conftest import PHONE, run_async, store_options
from tests.stores.test_event_broker import (
    PHONE_PSEUDONYM,
    _consume,
    _pika,
    create,
    postgres_broker,
    postgres_rows,
)

BROKER_TYPE = "rasa_secure.stores.event_broker.SecureEventBroker"
DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, consent_given, consent_withdrawn]
slots:
  consent: {type: bool, influence_conversation: false, mappings: [{type: custom}]}
responses:
  utter_greet: [{text: "Hello!"}]
"""
)

# (event type, slot value for `slot` events) in the order a conversation streams them
GIVE = ("slot", True)
WITHDRAW = ("slot", False)
USER, BOT, START = ("user", None), ("bot", None), ("session_started", None)
OTHER_SLOT = ("other_slot", None)

GATE_CASES = [
    pytest.param(
        [USER, BOT],
        [],
        (),
        id="an unknown conversation has not consented: nothing leaves",
    ),
    pytest.param(
        [USER, GIVE, BOT, USER],
        [GIVE, BOT, USER],
        (),
        id="events after consent leave, the consent event too, earlier ones do not",
    ),
    pytest.param(
        [GIVE, USER, WITHDRAW, BOT, USER],
        [GIVE, USER, WITHDRAW],
        (),
        id="a withdrawal leaves (consumers learn of it) and stops the rest",
    ),
    pytest.param(
        [GIVE, USER, START, USER],
        [GIVE, USER],
        (),
        id="a new session resets the slot like the tracker does",
    ),
    pytest.param(
        [GIVE, START, GIVE, USER],
        [GIVE, GIVE, USER],
        (),
        id="a slot carried over into the new session is set again, and consent with it",
    ),
    pytest.param(
        [START, USER, OTHER_SLOT],
        [START],
        ("session_started",),
        id="events_without_consent leave without consent, nothing else does",
    ),
    pytest.param(
        [OTHER_SLOT, USER],
        [],
        (),
        id="another slot set to true is not consent",
    ),
]


def _event(kind: Tuple[str, Any], conversation: str = "c1") -> Dict[str, Any]:
    name, value = kind
    if name == "slot":
        return {"sender_id": conversation, "event": "slot", "name": "consent", "value": value}
    if name == "other_slot":
        return {"sender_id": conversation, "event": "slot", "name": "newsletter", "value": True}
    return {"sender_id": conversation, "event": name}


@pytest.mark.parametrize(("stream", "published", "allowed"), GATE_CASES)
def test_the_gate_follows_the_conversation(
    stream: List[Tuple[str, Any]], published: List[Tuple[str, Any]], allowed: Tuple[str, ...]
) -> None:
    gate = ConsentGate.from_config(
        {"consent_slot": "consent", "events_without_consent": list(allowed)}, owner="T"
    )
    kept = [kind for kind in stream if gate.admit(_event(kind)).publish]
    assert kept == published


def test_conversations_are_gated_apart() -> None:
    # Why: one customer's consent must not publish another customer's conversation.
    gate = ConsentGate.from_config({"consent_slot": "consent"}, owner="T")
    assert gate.admit(_event(GIVE, "alice")).verdict is Verdict.CONSENT_EVENT
    assert gate.admit(_event(USER, "alice")).verdict is Verdict.CONSENTED
    assert gate.admit(_event(USER, "bob")).verdict is Verdict.NO_CONSENT


def test_without_a_consent_slot_everything_is_published() -> None:
    # Why: the gate is opt-in; existing deployments keep publishing every event.
    gate = ConsentGate.from_config({}, owner="T")
    assert gate.admit(_event(USER)).verdict is Verdict.NO_GATE


@pytest.mark.parametrize(
    ("options", "key"),
    [
        pytest.param({"consent_slot": True}, "T.consent_slot", id="slot name must be a string"),
        pytest.param(
            {"consent_slot": "consent", "events_without_consent": ["usr"]},
            "T.events_without_consent",
            id="a typo in an event type is refused",
        ),
        pytest.param(
            {"events_without_consent": ["session_started"]},
            "T.events_without_consent",
            id="events without consent mean nothing without a consent slot",
        ),
    ],
)
def test_bad_consent_options_name_the_key(options: Dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as error:
        ConsentGate.from_config(options, owner="T")
    assert error.value.key == key


def _turns() -> List[List[Event]]:
    """A conversation: a turn before consent, consent, a consented turn, withdrawal, a turn."""

    def user(text: str, intent: str) -> UserUttered:
        return UserUttered(text, {"name": intent, "confidence": 1.0})

    return [
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
        [user("before consent", "greet"), BotUttered("Hello!"), ActionExecuted("action_listen")],
        [user("keep my chats", "consent_given"), SlotSet("consent", True), BotUttered("Thanks")],
        [user("while consented", "greet"), BotUttered("Hello!"), ActionExecuted("action_listen")],
        [user("stop using my chats", "consent_withdrawn"), SlotSet("consent", False)],
        [user("after withdrawal", "greet"), BotUttered("Hello!"), ActionExecuted("action_listen")],
    ]


async def _converse(
    broker: SecureEventBroker,
    sender_id: str,
    *,
    pseudonymous: bool = True,
    inner: Dict[str, Any] | None = None,
) -> SecureTrackerStore:
    """Save the conversation turn by turn through a secure store (on ``inner``, in memory by
    default) streaming to ``broker``; every turn goes through a new store and broker gate (a
    replica or a restart) from the third turn on, so the gate must learn the consent from the
    stored tracker. Returns the store."""
    store = SecureTrackerStore(
        domain=DOMAIN,
        event_broker=broker,
        inner=inner or {},
        pseudonymous_ids=pseudonymous,
        **store_options(),
    )
    for number, turn in enumerate(_turns()):
        if number >= 3:
            broker.gate = ConsentGate.from_config({"consent_slot": "consent"}, owner="T")
        tracker = await store.get_or_create_tracker(sender_id)
        for event in turn:
            tracker.update(event)
        await store.save(tracker)
    return store


EXPECTED_TEXTS = ["keep my chats", "Thanks", "while consented", "Hello!"]
"""What the feed receives: the turn consent was given in, the consented turn, never a text
before consent or after withdrawal."""


def _texts(bodies: List[Dict[str, Any]]) -> List[str]:
    return [body["text"] for body in bodies if body.get("text")]


def _consent_values(bodies: List[Dict[str, Any]]) -> List[Any]:
    return [body["value"] for body in bodies if body.get("name") == "consent"]


@run_async
async def test_sql_broker_receives_only_the_consented_part(keys: str, tmp_path: Any) -> None:
    path = str(tmp_path / "events.db")
    config = EndpointConfig.from_dict(
        {
            "type": BROKER_TYPE,
            "inner": {"type": "sql", "dialect": "sqlite", "db": path},
            "consent_slot": "consent",
            **store_options(),
        }
    )
    broker = await EventBroker.create(config)
    assert isinstance(broker, SecureEventBroker)
    await _converse(broker, "conv-consent")
    await broker.close()
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT data FROM events").fetchall()
    bodies = [json.loads(data) for (data,) in rows]
    assert _texts(bodies) == EXPECTED_TEXTS
    assert _consent_values(bodies) == [True, False]
    assert "conv-consent" not in json.dumps(bodies), "stored under the pseudonym only"


@pytest.mark.services
def test_rabbitmq_receives_only_the_consented_part(keys: str, rabbitmq_url: str) -> None:
    queue = f"rasa_secure_{uuid.uuid4().hex[:10]}"

    async def scenario() -> List[str]:
        config = EndpointConfig.from_dict(
            {
                "type": BROKER_TYPE,
                "inner": _pika(rabbitmq_url, queue),
                "consent_slot": "consent",
                **store_options(),
            }
        )
        broker = await EventBroker.create(config)
        assert isinstance(broker, SecureEventBroker)
        await _converse(broker, "conv-consent-pika")
        received = await _consume(rabbitmq_url, queue, 8)
        await broker.close()
        return received

    bodies = [json.loads(body) for body in asyncio.run(scenario())]
    assert _texts(bodies) == EXPECTED_TEXTS
    assert _consent_values(bodies) == [True, False]


@pytest.mark.parametrize(
    ("store_pseudonymous", "broker_pseudonymous"),
    [
        pytest.param(True, False, id="the store pseudonymizes"),
        pytest.param(False, True, id="the broker pseudonymizes"),
        pytest.param(True, True, id="both do"),
    ],
)
@run_async
async def test_consent_follows_the_conversation_under_its_pseudonym(
    keys: str, postgres_url: str, store_pseudonymous: bool, broker_pseudonymous: bool
) -> None:
    # Why: the gate keys consent by the id it publishes, and the store tells it the consent
    # of every conversation it saves; if the two ids differed (a raw id against a pseudonym),
    # a replica would hold back the consented turn.
    broker = await create(
        postgres_broker(postgres_url), consent_slot="consent", pseudonymous_ids=broker_pseudonymous
    )
    await _converse(broker, PHONE, pseudonymous=store_pseudonymous)
    await broker.close()
    rows = postgres_rows(postgres_url)
    bodies = [json.loads(data) for _, data in rows]
    assert _texts(bodies) == EXPECTED_TEXTS
    assert _consent_values(bodies) == [True, False]
    assert {sender_id for sender_id, _ in rows} == {PHONE_PSEUDONYM}


@pytest.mark.parametrize(
    ("broker_options", "broker_sanitizes"),
    [
        pytest.param({}, False, id="same options as the store: sanitized once, by the store"),
        pytest.param(
            {"sensitive_entities": ["email", "name", "amount"]},
            True,
            id="other options: the broker applies its own too",
        ),
    ],
)
@run_async
async def test_a_gated_broker_does_not_sanitize_the_store_events_again(
    keys: str,
    postgres_url: str,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    broker_options: Dict[str, Any],
    broker_sanitizes: bool,
) -> None:
    # Why: PII detection is what publishing costs; the gate must not make every event the
    # store already made safe go through detection a second time.
    calls: Counter[str] = Counter()
    sanitize = EventSanitizer.sanitize

    def counted(self: EventSanitizer, event: Any, **kwargs: Any) -> SanitizedEvent:
        calls[self.component] += 1
        return sanitize(self, event, **kwargs)

    monkeypatch.setattr(EventSanitizer, "sanitize", counted)
    broker = await create(postgres_broker(postgres_url), consent_slot="consent", **broker_options)
    inner = {"type": "SQL", "dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
    store = await _converse(broker, "conv-once", inner=inner)  # SQL keeps every event saved
    await broker.close()
    stored = await store.retrieve_full_tracker("conv-once")
    assert stored is not None
    rows = postgres_rows(postgres_url)
    assert calls["SecureTrackerStore"] == len(stored.events), "each event once, by the store"
    assert calls["SecureEventBroker"] == (len(rows) if broker_sanitizes else 0)
    assert _texts([json.loads(data) for _, data in rows]) == EXPECTED_TEXTS
