"""Shared helpers for the action-server tests: a guard on the golden bank policy, trackers."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from rasa_secure.actions.secure_action import ActionGuard
from rasa_secure.core.envelope import METADATA_KEY, attestation_key, seal

POLICIES = Path(__file__).resolve().parent.parent / "data" / "policies"
SHARED = "action-server-shared-secret"
ENV = {"RASA_SECURE_ACTION_TOKEN": SHARED}
KEY = attestation_key(SHARED)
GUARD_CONFIG: Dict[str, Any] = {
    "policy": str(POLICIES / "bank.yml"),
    "domain": str(POLICIES / "domain.yml"),
    "screen": {"use_model": False},
}
DOMAIN: Dict[str, Any] = {
    "slots": {
        name: {"type": "text", "mappings": [{"type": "custom"}]}
        for name in ("amount", "recipient_account", "email", "card_number")
    },
    "forms": {"sample_form": {"required_slots": ["amount", "recipient_account"]}},
    "actions": [
        "sample_check_balance",
        "sample_transfer_money",
        "sample_update_email",
        "validate_sample_form",
    ],
}


@pytest.fixture(scope="session")
def guard() -> ActionGuard:
    """One guard for the session (loading the pattern-only PII detector takes about a second)."""
    return ActionGuard(GUARD_CONFIG, environ=ENV)


def envelope(
    subject: str, roles: Sequence[str], sender: str, *, key: bytes = KEY, expires_in: int = 300
) -> Dict[str, Any]:
    return seal(
        subject=subject,
        roles=roles,
        sender_id=sender,
        expires_at=int(time.time()) + expires_in,
        key=key,
    ).to_metadata()


def tracker(
    subject: str = "alice",
    roles: Sequence[str] = ("customer",),
    *,
    sender: Optional[str] = None,
    slots: Optional[Mapping[str, Any]] = None,
    metadata: Optional[Mapping[str, Any]] = None,
    entities: Iterable[Mapping[str, Any]] = (),
    candidates: Optional[Mapping[str, Any]] = None,
    history: Sequence[Mapping[str, Any]] = (),
) -> Tracker:
    """A tracker as Rasa sends it: the latest user event carries ``metadata``.

    Without ``metadata`` the channel's attested envelope for ``subject``/``roles`` is used.
    ``candidates`` become trailing slot events (what a form validation action receives).
    """
    sender = sender or subject
    meta = (
        dict(metadata) if metadata is not None else {METADATA_KEY: envelope(subject, roles, sender)}
    )
    parse = {
        "text": "hi",
        "intent": {"name": "inform", "confidence": 1.0},
        "entities": list(entities),
    }
    events: List[Dict[str, Any]] = [dict(event) for event in history]
    events += [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "hi", "parse_data": parse, "metadata": meta},
    ]
    all_slots = dict(slots or {})
    for name, value in (candidates or {}).items():
        events.append({"event": "slot", "name": name, "value": value})
        all_slots[name] = value
    return Tracker(sender, all_slots, parse, events, False, None, {}, "action_listen")


def call(action: Any, state: Tracker, domain: Optional[Dict[str, Any]] = None) -> Any:
    """Run ``action`` like the rasa-sdk executor does; returns (events, messages)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, state, domain or DOMAIN))
    return events, dispatcher.messages
