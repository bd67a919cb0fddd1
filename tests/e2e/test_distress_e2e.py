"""Distress detection end to end: a coerced transfer through the example bot is held.

The trained example bot (its pipeline runs the DistressDetector) with Rasa's own Agent and
the real guarded action server: a message during the transfer form that shows coercion
clears the confirmation, warns the customer and asks again, and the conversation records
``handoff_reason: coercion`` with its priority for the person who picks it up. No money moves.
"""

from __future__ import annotations

from typing import Any

import pytest

from example_bot.actions.actions import TRANSFER_HELD
from example_bot.actions.bank import Bank
from example_bot.servers import BotServers
from tests.e2e.conftest import chat, run

pytestmark = pytest.mark.e2e

SENDER = "alice-coerced"


@pytest.mark.parametrize(
    ("sender", "coerced"),
    [
        # why: the classic authorised push-payment script, in English, with a "yes" in it
        (
            f"{SENDER}-en",
            "yes, the man from the bank is on the phone and says I must move it to a safe account",
        ),
        # why: the same pressure in German; the detector reads four languages
        (
            f"{SENDER}-de",
            "Der Polizist am Telefon hat mir gesagt, ich soll das Geld sofort überweisen",
        ),
    ],
)
def test_coerced_transfer_is_held_and_escalated(
    agent: Any, bot: BotServers, sender: str, coerced: str
) -> None:
    """A coerced message before the confirmation never confirms; nothing is sent."""
    bank = Bank(bot.workdir / "bank.sqlite")
    before = bank.account("1000200030")
    assert before is not None
    turns = ["I want to transfer money", "3000", "2000300040", coerced, "no"]
    _, _, confirm, held, cancelled = chat(agent, bot, "alice", sender, turns)
    tracker = run(agent.tracker_store.retrieve(sender))
    assert confirm == ["Please confirm: send 3,000.00 EUR to account 2000300040? (yes / no)"]
    # held: warned and asked again, never done
    assert held[0] == TRANSFER_HELD
    assert held[-1] == confirm[0]
    assert not any(text.startswith("Done") for text in held + cancelled)
    assert cancelled == ["Okay, I have cancelled the transfer."]
    # escalated: a person picking the conversation up sees why and how urgently
    slots = tracker.current_slot_values()
    assert (slots["handoff_reason"], slots["handoff_priority"]) == ("coercion", "urgent")
    after = bank.account("1000200030")
    assert after is not None and after.balance == before.balance
