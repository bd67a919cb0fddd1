"""The example bot's transfer form on a coerced message: held, and handed off or offered as
``ValidateTransferForm.on_coercion`` says (the e2e test runs the default through Rasa)."""

from __future__ import annotations

from typing import Any, Dict

import pytest
import yaml

from example_bot.actions.actions import BOT_DIR, TRANSFER_HELD, OnCoercion, ValidateTransferForm
from tests.actions.conftest import SHARED, call, tracker

BOT_DOMAIN: Dict[str, Any] = yaml.safe_load((BOT_DIR / "domain.yml").read_text(encoding="utf-8"))
COERCED = {
    "categories": ["coercion_or_scam_in_progress"],
    "priority": "urgent",
    "handoff": "coercion",
}


@pytest.mark.parametrize(
    ("on_coercion", "followup"),
    [
        # why: the example bot's choice: a person takes over at once
        (OnCoercion.HAND_OFF, [("followup", "action_handoff")]),
        # why: offer only: the slots wait for the customer's own request, nothing runs
        (OnCoercion.OFFER, []),
    ],
)
def test_a_coerced_confirmation_is_held(
    monkeypatch: pytest.MonkeyPatch, on_coercion: OnCoercion, followup: Any
) -> None:
    monkeypatch.setenv("RASA_SECURE_ACTION_TOKEN", SHARED)
    form = ValidateTransferForm()
    form.on_coercion = on_coercion
    state = tracker(
        "alice",
        slots={"requested_slot": "transfer_confirmed", "amount": 30.0},
        candidates={"transfer_confirmed": True},
    )
    state.latest_message["distress"] = COERCED
    events, messages = call(form, state, BOT_DOMAIN)
    assert [m["text"] for m in messages] == [TRANSFER_HELD]
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["transfer_confirmed"] is None
    assert (slots["handoff_reason"], slots["handoff_priority"]) == ("coercion", "urgent")
    assert [(e["event"], e["name"]) for e in events if e["event"] == "followup"] == followup
