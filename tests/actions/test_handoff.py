"""HandoffAction: governed, redacted, paused on delivery, alternatives on failure.

The helpdesk is the example bot's real one (example_bot.helpdesk) on a localhost port.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List, Mapping, Optional

import pytest

from example_bot.helpdesk import Helpdesk
from rasa_secure.actions import ActionGuard
from rasa_secure.actions.handoff import (
    ACTION_NAME,
    OPTIONS,
    PRIORITY_SLOT,
    REASON_SLOT,
    HandoffAction,
    request_handoff,
)
from rasa_secure.core.handoff import (
    HINT_KEY,
    SECRET_ENV,
    URL_ENV,
    HandoffReason,
    Priority,
    handoff_hint,
    open_conversation,
)
from rasa_secure.core.identity import Keyring, Policy, audit, generate_key
from tests.actions.conftest import ENV, call, tracker
from tests.serving import serve_aiohttp

SECRET = "handoff-secret-" + "y" * 32
KEYS = f"k1:{generate_key()}"
AGENT_KEYS = f"agents:{generate_key()}"
EMAIL = "alice.private@example.org"
FAST = {"attempts": 2, "backoff_seconds": 0.05, "timeout_seconds": 2}
POLICY = {
    "version": 1,
    "roles": {"customer": {}, "teller": {}},
    "actions": {ACTION_NAME: {"customer": "own"}},
    "slots": {
        REASON_SLOT: {"read": ["customer"], "write": ["customer"]},
        PRIORITY_SLOT: {"read": ["customer"], "write": ["customer"]},
    },
}
HISTORY = [
    {"event": "user", "text": f"my email is {EMAIL}", "timestamp": 10.0},
    {"event": "bot", "text": "Thanks.", "timestamp": 11.0},
]
CONNECTING = OPTIONS["connecting_text"].default
UNAVAILABLE = OPTIONS["unavailable_text"].default


@pytest.fixture(scope="module")
def handoff_guard() -> ActionGuard:
    return ActionGuard(
        {"screen": {"use_model": False}}, environ=ENV, policy=Policy.from_dict(POLICY)
    )


@pytest.fixture
def desk() -> Iterator[Helpdesk]:
    helpdesk = Helpdesk(SECRET.encode(), "http://127.0.0.1:9/unused")
    with serve_aiohttp(helpdesk.app()) as url:
        helpdesk.url = f"{url}/handoffs"  # type: ignore[attr-defined]
        yield helpdesk


def action(
    desk: Helpdesk, guard: ActionGuard, options: Optional[Mapping[str, Any]] = None
) -> HandoffAction:
    handoff = HandoffAction()
    handoff.guard = guard
    handoff.options = {"helpdesk": FAST, **(options or {})}
    handoff.environ = {
        URL_ENV: desk.url,  # type: ignore[attr-defined]
        SECRET_ENV: SECRET,
        "RASA_SECURE_KEYS": KEYS,
        "AGENT_KEYS": AGENT_KEYS,
    }
    return handoff


def texts(messages: List[Dict[str, Any]]) -> List[str]:
    return [message["text"] for message in messages]


def only_ticket(desk: Helpdesk) -> Dict[str, Any]:
    assert len(desk.tickets) == 1
    return next(iter(desk.tickets.values()))


def test_customer_request_is_delivered_redacted_and_pauses(
    desk: Helpdesk, handoff_guard: ActionGuard
) -> None:
    """The whole contract of a delivered handoff in one conversation."""
    events, messages = call(action(desk, handoff_guard), tracker("alice", history=HISTORY))
    assert texts(messages) == [CONNECTING]
    assert events[-1] == {"event": "pause", "timestamp": None}
    ticket = only_ticket(desk)
    assert (ticket["reason"], ticket["priority"]) == ("customer_request", "normal")
    assert ticket["customer"] == audit.pseudonym("alice")  # pseudonymised, not the id
    assert ticket["channel"] == "" and ticket["original"] is None
    assert EMAIL not in json.dumps(ticket)  # redacted by the guard's PII settings
    speakers = [line["speaker"] for line in ticket["transcript"]]
    assert speakers == ["customer", "bot", "customer"]
    assert ticket["transcript"][0]["text"].startswith("my email is ")
    assert open_conversation(Keyring.parse(KEYS), ticket["conversation"]) == "alice"


def test_requested_reason_and_priority_are_sent(desk: Helpdesk, handoff_guard: ActionGuard) -> None:
    """request_handoff(COERCION) from another action: reason coercion, priority urgent; the
    slots are cleared again."""
    slots = {event["name"]: event["value"] for event in request_handoff(HandoffReason.COERCION)[:2]}
    events, _ = call(action(desk, handoff_guard), tracker("alice", slots=slots))
    ticket = only_ticket(desk)
    assert (ticket["reason"], ticket["priority"]) == ("coercion", "urgent")
    cleared = [e for e in events if e["event"] == "slot"]
    assert {(e["name"], e["value"]) for e in cleared} == {
        (REASON_SLOT, None),
        (PRIORITY_SLOT, None),
    }


# (why, slots request_handoff set, the latest message's NLU hint, expected reason and priority)
REQUESTS = [
    ("a customer's own request", {}, None, ("customer_request", "normal")),
    (
        "a distressed customer asks for a person: the detector's hint gives reason and priority",
        {},
        handoff_hint(HandoffReason.DISTRESS),
        ("distress", "high"),
    ),
    (
        "code asked (coercion) and the hint says distress: the code's reason, the most urgent",
        {REASON_SLOT: "coercion", PRIORITY_SLOT: "high"},
        handoff_hint(HandoffReason.DISTRESS, Priority.HIGH),
        ("coercion", "urgent"),
    ),
    (
        "a hint raises the priority of a code's request",
        {REASON_SLOT: "repeated_failure", PRIORITY_SLOT: "normal"},
        handoff_hint(HandoffReason.DISTRESS, Priority.URGENT),
        ("repeated_failure", "urgent"),
    ),
    (
        "values naming no member are ignored, never an error",
        {REASON_SLOT: "bored", PRIORITY_SLOT: "asap"},
        {"reason": 7, "priority": None},
        ("customer_request", "normal"),
    ),
]

# (why, the hints of earlier user messages, expected reason and priority of a plain request)
EARLIER = [
    ("no earlier hint: a plain request", [None], ("customer_request", "normal")),
    (
        "a bereaved customer later asks for a person: the request keeps its reason, the "
        "earlier distress raises its priority",
        [handoff_hint(HandoffReason.DISTRESS), None],
        ("customer_request", "high"),
    ),
    (
        "the most urgent earlier hint wins, wherever it is",
        [
            handoff_hint(HandoffReason.DISTRESS, Priority.URGENT),
            handoff_hint(HandoffReason.DISTRESS),
        ],
        ("customer_request", "urgent"),
    ),
    (
        "a malformed earlier hint is ignored",
        ["urgent", {"priority": 3}],
        ("customer_request", "normal"),
    ),
]


@pytest.mark.parametrize(
    ("hints", "expected"), [c[1:] for c in EARLIER], ids=[c[0] for c in EARLIER]
)
def test_earlier_messages_raise_the_priority(
    desk: Helpdesk, handoff_guard: ActionGuard, hints: List[Any], expected: Any
) -> None:
    history = [
        {"event": "user", "text": "...", "timestamp": float(i), "parse_data": {HINT_KEY: hint}}
        for i, hint in enumerate(hints)
    ]
    call(action(desk, handoff_guard), tracker("alice", history=history))
    ticket = only_ticket(desk)
    assert (ticket["reason"], ticket["priority"]) == expected


@pytest.mark.parametrize(
    ("slots", "hint", "expected"), [c[1:] for c in REQUESTS], ids=[c[0] for c in REQUESTS]
)
def test_reason_and_priority_sources(
    desk: Helpdesk,
    handoff_guard: ActionGuard,
    slots: Dict[str, Any],
    hint: Optional[Dict[str, Any]],
    expected: Any,
) -> None:
    state = tracker("alice", slots=slots)
    if hint is not None:
        state.latest_message[HINT_KEY] = hint
    call(action(desk, handoff_guard), state)
    ticket = only_ticket(desk)
    assert (ticket["reason"], ticket["priority"]) == expected


def test_request_handoff_names_the_next_action() -> None:
    """The hook's events: both slots, then the handoff action as the follow-up."""
    events = request_handoff(HandoffReason.DISTRESS, Priority.URGENT)
    assert [(e["event"], e.get("name"), e.get("value")) for e in events] == [
        ("slot", REASON_SLOT, "distress"),
        ("slot", PRIORITY_SLOT, "urgent"),
        ("followup", ACTION_NAME, None),
    ]


def test_outage_tells_the_customer_and_does_not_pause(
    desk: Helpdesk, handoff_guard: ActionGuard, caplog: pytest.LogCaptureFixture
) -> None:
    """The helpdesk is down: the customer hears the alternatives, the bot stays with them,
    and an audit record says the delivery failed."""
    desk.failures = 10
    with caplog.at_level("INFO", logger="rasa_secure.audit"):
        events, messages = call(action(desk, handoff_guard), tracker("alice"))
    assert texts(messages) == [UNAVAILABLE]
    assert all(event["event"] != "pause" for event in events)
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "rasa_secure.audit"]
    failed = [r for r in records if "HandoffAction" in json.dumps(r)]
    assert failed and "failed" in json.dumps(failed[-1]) and "attempts_2" in json.dumps(failed[-1])


def test_asked_twice_in_one_turn_makes_one_ticket(
    desk: Helpdesk, handoff_guard: ActionGuard
) -> None:
    """The same conversation turn yields the same handoff_id: the helpdesk keeps one."""
    state = tracker("alice")
    handoff = action(desk, handoff_guard)
    call(handoff, state)
    call(handoff, state)
    assert only_ticket(desk)["attempts"] == 2


def test_a_role_without_the_grant_gets_no_handoff(
    desk: Helpdesk, handoff_guard: ActionGuard
) -> None:
    """Governed like every action: a teller is refused and nothing is posted."""
    events, messages = call(action(desk, handoff_guard), tracker("tina", ("teller",)))
    assert events == [] and texts(messages) == ["Sorry, I can't help you with that."]
    assert desk.tickets == {}


def test_entitled_agents_get_the_original_encrypted(
    desk: Helpdesk, handoff_guard: ActionGuard
) -> None:
    """original_keys_env: the unredacted transcript, readable only with the agents' keys."""
    handoff = action(desk, handoff_guard, {"original_keys_env": "AGENT_KEYS"})
    call(handoff, tracker("alice", history=HISTORY))
    ticket = only_ticket(desk)
    key = "sub_" + ticket["handoff_id"].partition("_")[2]
    original = json.loads(Keyring.parse(AGENT_KEYS).decrypt(ticket["original"], context=key))
    assert original[0]["text"] == f"my email is {EMAIL}"


def test_a_missing_helpdesk_url_fails_closed(handoff_guard: ActionGuard) -> None:
    """Misconfigured: the guard's error answer, no events (no pause into the void)."""
    handoff = HandoffAction()
    handoff.guard = handoff_guard
    handoff.environ = {SECRET_ENV: SECRET, "RASA_SECURE_KEYS": KEYS}
    events, messages = call(handoff, tracker("alice"))
    assert events == [] and texts(messages) == [
        "Sorry, something went wrong. Please try again later."
    ]
