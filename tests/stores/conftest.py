"""Shared material for the at-rest tests: keys, a domain, and conversations full of PII.

Every raw value in :data:`RAW_VALUES` is typed by the "user" (or said by the bot, or set in a
slot) somewhere in :func:`pii_conversation`; the tests then search what was stored, published
or logged for each of them, and for their digits-only form (a card number stored without its
spaces is still a card number).
"""

from __future__ import annotations

import asyncio
import base64
import functools
import os
import re
import time
from typing import Any, Awaitable, Callable, Dict, Iterable, Iterator, List

import pytest
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

from rasa_secure.core.identity import METADATA_KEY, attestation_key, seal

# The detector the tests run: pattern-only, so the tests need no spaCy model and are fast.
# NER is covered by the core tests; here it only matters that what is detected is redacted.
PATTERN_ONLY = {"detector": {"spacy_model": None}}

RAW_VALUES: Dict[str, str] = {
    "email": "bob.smith@example.com",
    "card": "4111 1111 1111 1111",
    "iban": "DE89 3704 0044 0532 0130 00",
    "ssn": "536-22-8726",
    "phone": "+1 415 555 2671",
    "password": "Hunter2Secret",
    "api_key": "sk_live_51H8xYzAbCdEfGhIjKlMnOpQr",
    "pin": "4821",
    # Zero-width spaces between the groups (a card was stored in clear this way).
    "hidden_card": "4012\u200b8888\u200b8888\u200b1881",
    # Not detectable by patterns: protected only because the entity/slot is declared sensitive.
    "name": "Zorro Bingham",
}
"""Every raw value a conversation holds; none may be found at rest."""

SENSITIVE_SLOTS = ["email", "card_number", "full_name"]
SENSITIVE_ENTITIES = ["email", "name"]

DOMAIN_YAML = """
version: "3.1"
intents: [greet, inform, pay]
entities: [email, name, amount]
slots:
  email: {type: text, mappings: [{type: from_entity, entity: email}]}
  full_name: {type: text, mappings: [{type: from_entity, entity: name}]}
  card_number: {type: any, mappings: [{type: custom}]}
  note: {type: text, mappings: [{type: custom}]}
  amount: {type: float, mappings: [{type: from_entity, entity: amount}]}
  contacts: {type: list, mappings: [{type: custom}]}
forms:
  contact_form: {required_slots: [email, full_name]}
responses:
  utter_greet: [{text: "Hello!"}]
"""


def store_options(**overrides: object) -> Dict[str, object]:
    """The options every store/broker test starts from."""
    options: Dict[str, object] = {
        "pii": PATTERN_ONLY,
        "sensitive_slots": list(SENSITIVE_SLOTS),
        "sensitive_entities": list(SENSITIVE_ENTITIES),
    }
    options.update(overrides)
    return options


def run_async(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an ``async def`` test in a fresh event loop (fixtures are injected as usual)."""

    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return wrapper


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode("ascii")


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh keyring ``k1`` in RASA_SECURE_KEYS (and a pseudonym key)."""
    spec = f"k1:{new_key()}"
    monkeypatch.setenv("RASA_SECURE_KEYS", spec)
    monkeypatch.setenv("RASA_SECURE_PSEUDONYM_KEY", "test-pseudonym-key")
    return spec


@pytest.fixture
def domain() -> Domain:
    return Domain.from_yaml(DOMAIN_YAML)


def _user(text: str, intent: str, entities: List[Dict[str, object]]) -> UserUttered:
    return UserUttered(
        text,
        {"name": intent, "confidence": 0.97},
        entities,
        parse_data={
            "text": text,
            "intent": {"name": intent, "confidence": 0.97},
            "entities": entities,
            "intent_ranking": [{"name": intent, "confidence": 0.97}],
            # what rasa_secure's PII component adds: types and spans, never values
            "pii": _findings(text),
            "pii_failed": False,
        },
        metadata={"user_phone": RAW_VALUES["phone"]},
    )


def _findings(text: str) -> List[Dict[str, object]]:
    """What the PIIDetector NLU component would report for ``text`` (e-mails only here)."""
    if RAW_VALUES["email"] not in text:
        return []
    start = text.index(RAW_VALUES["email"])
    end = start + len(RAW_VALUES["email"])
    return [
        {
            "type": "EMAIL_ADDRESS",
            "start": start,
            "end": end,
            "score": 1.0,
            "recognizer": "EmailRecognizer",
        }
    ]


def _entity(text: str, name: str, value: str) -> Dict[str, object]:
    start = text.index(value)
    return {
        "entity": name,
        "start": start,
        "end": start + len(value),
        "value": value,
        "extractor": "DIETClassifier",
    }


def pii_turns() -> List[List[Event]]:
    """A conversation in turns (as Rasa saves it: one save per user message)."""
    v = RAW_VALUES
    t1 = f"hi, I am {v['name']} and my email is {v['email']}"
    t2 = f"my card is {v['card']}, the old one {v['hidden_card']}, and my IBAN is {v['iban']}"
    t3 = f"ssn {v['ssn']}, call me on {v['phone']}, my password is {v['password']}!"
    t4 = f"here is my api key {v['api_key']} and my pin is {v['pin']}"
    return [
        [
            ActionExecuted("action_session_start"),
            SessionStarted(),
            ActionExecuted("action_listen"),
        ],
        [
            _user(t1, "inform", [_entity(t1, "name", v["name"]), _entity(t1, "email", v["email"])]),
            ActiveLoop("contact_form"),
            SlotSet("email", v["email"]),
            SlotSet("full_name", v["name"]),
            SlotSet("requested_slot", None),
            BotUttered(
                f"Thanks {v['name']}, we will write to {v['email']}",
                {"buttons": [{"title": "ok", "payload": f'/inform{{"email":"{v["email"]}"}}'}]},
            ),
            ActiveLoop(None),
            ActionExecuted("action_listen"),
        ],
        [
            _user(t2, "pay", []),
            SlotSet("card_number", {"number": v["card"], "expiry": "12/29"}),
            SlotSet("note", f"customer IBAN {v['iban']}"),
            SlotSet("amount", 120.5),
            ActionExecuted("utter_greet", action_text=f"I noted {v['iban']}"),
            ActionExecuted("action_listen"),
        ],
        [
            _user(t3, "inform", []),
            SlotSet("contacts", [v["phone"], v["email"]]),
            BotUttered("Saved.", {"custom": {"echo": t3}}),
            ActionExecuted("action_listen"),
        ],
        [
            _user(t4, "inform", []),
            BotUttered("Done."),
            ActionExecuted("action_listen"),
        ],
    ]


PHONE = "+4915112345678"
"""A subject and sender id as a phone channel gives them, signed into the identity record."""


def identified_turn(sender_id: str) -> List[Event]:
    """A session start and a message from ``sender_id``, carrying the channel's attested
    identity record where Rasa copies it: the message's metadata, its parse data and the
    ``session_started_metadata`` slot."""
    envelope = seal(
        subject=sender_id,
        roles=["customer"],
        sender_id=sender_id,
        expires_at=int(time.time()) + 300,
        key=attestation_key("an action server secret of 32+ chars"),
    )
    metadata = {METADATA_KEY: envelope.to_metadata(), "locale": "de-DE"}
    parse = {"text": "balance", "intent": {"name": "check_balance"}, "metadata": metadata}
    return [SlotSet("session_started_metadata", metadata),
            ActionExecuted("action_session_start"), SessionStarted(),
            ActionExecuted("action_listen"),
            UserUttered("balance", parse["intent"], parse_data=parse, metadata=metadata),
            ActionExecuted("action_listen")]  # fmt: skip


def raw_needles() -> Iterator[str]:
    """Every raw value, and its digits-only form when it has one."""
    for value in RAW_VALUES.values():
        yield value
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 8 and digits != value:
            yield digits


def leaks(dump: str, needles: Iterable[str] = ()) -> List[str]:
    """The raw values found in ``dump`` (JSON escapes undone first).

    Short needles (the PIN) must stand alone: "4821" inside a ciphertext or a timestamp is
    not a leak, "pin is 4821" is.
    """
    haystack = dump.replace("\\u0040", "@").replace("\\/", "/")
    found = []
    for needle in (*raw_needles(), *needles):
        if len(needle) >= 8:
            hit = needle in haystack
        else:
            hit = (
                re.search(rf"(?<![\w.+/=-]){re.escape(needle)}(?![\w.+/=-])", haystack) is not None
            )
        if hit:
            found.append(needle)
    return found
