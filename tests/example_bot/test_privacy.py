"""The example bot's session start: privacy notice on first contact, consent carried over.

Runs the real action against the bot's own policy and domain; the caller is attested by the
metadata Rasa puts in ``session_started_metadata`` just before ``action_session_start``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker

from example_bot.actions import actions
from example_bot.actions.privacy import ActionSessionStart
from rasa_secure.actions import ActionGuard
from rasa_secure.core.identity import METADATA_KEY
from tests.actions.conftest import ENV, call, envelope

NOTICE = {"response": "utter_privacy_notice"}


@pytest.fixture(autouse=True)
def bank_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bot's policy and domain, without the injection model (not needed here)."""
    guard = ActionGuard(
        {"policy": "policy.yml", "domain": "domain.yml", "screen": {"use_model": False}},
        base=actions.BOT_DIR,
        environ=ENV,
    )
    monkeypatch.setattr(actions, "bank_guard", lambda: guard)


def _session_start(slots: Dict[str, Any], metadata: Optional[Dict[str, Any]]) -> Tracker:
    """The tracker Rasa sends: the previous session's slots, then the session metadata."""
    events: List[Dict[str, Any]] = [
        {"event": "slot", "name": name, "value": value} for name, value in slots.items()
    ]
    if metadata is not None:
        events.append({"event": "slot", "name": "session_started_metadata", "value": metadata})
    return Tracker("carol", dict(slots), {}, events, False, None, {}, "action_listen")


def _attested(roles: List[str]) -> Dict[str, Any]:
    return {METADATA_KEY: envelope("carol", roles, "carol")}


CASES = [
    pytest.param(
        {},
        ["customer"],
        [{"privacy_notice_shown": True}],
        [NOTICE],
        id="first contact: the notice, once",
    ),
    pytest.param(
        {"privacy_notice_shown": True, "consent": True},
        ["customer"],
        [{"consent": True}, {"privacy_notice_shown": True}],
        [],
        id="a returning customer who consented: no notice, consent carried over",
    ),
    pytest.param(
        {"privacy_notice_shown": True, "consent": False},
        ["customer"],
        [{"consent": False}, {"privacy_notice_shown": True}],
        [],
        id="a withdrawal is carried over too",
    ),
    pytest.param(
        {},
        ["teller"],
        [{"privacy_notice_shown": True}],
        [NOTICE],
        id="staff chatting see the notice as well (the policy grants the action to every role)",
    ),
]


@pytest.mark.parametrize(("slots", "roles", "set_slots", "messages"), CASES)
def test_session_start(
    slots: Dict[str, Any],
    roles: List[str],
    set_slots: List[Dict[str, Any]],
    messages: List[Dict[str, Any]],
) -> None:
    events, said = call(ActionSessionStart(), _session_start(slots, _attested(roles)))
    kinds = [event["event"] for event in events]
    assert (
        kinds[0] == "session_started"
        and kinds[-1] == "action"
        and events[-1]["name"] == ("action_listen")
    )
    assert [{e["name"]: e["value"]} for e in events if e["event"] == "slot"] == set_slots
    assert [{"response": m["response"]} for m in said if m.get("response")] == messages
    assert len(said) == len(messages), "nothing but the notice is said"


def test_without_an_attested_caller_nothing_starts() -> None:
    # Why: the session start is governed like every action: no identity, no events.
    events, said = call(ActionSessionStart(), _session_start({}, None))
    assert events == []
    assert [m.get("response") for m in said] != ["utter_privacy_notice"]
