"""Distress detection end to end: a coerced transfer is held and escalated, and a
distressed customer's handoff is more urgent, and a customer in crisis gets help at once.

The trained example bot (its pipeline runs the DistressDetector) with the real guarded action
server and the local helpdesk: a message during the transfer form that shows coercion clears
the confirmation, warns the customer and asks again, and hands the conversation to a person
(the helpdesk's ticket says ``coercion``, ``urgent``; the bot pauses). No money moves. A
bereaved customer who later asks for a person gets a ``high`` ticket, not a ``normal`` one.
A message showing a crisis (whatever the classifier made of it) is answered with where to get
help now and handed to a person, ``urgent``.
"""

from __future__ import annotations

from typing import Any, List, Tuple

import pytest
import yaml

from example_bot.actions.actions import TRANSFER_HELD
from example_bot.actions.bank import Bank
from example_bot.servers import BotServers
from example_bot.training import BOT_DIR
from rasa_secure.actions.handoff import OPTIONS
from rasa_secure.channel.secure_handoff import OPTIONS as CALLBACK_OPTIONS
from tests.e2e.conftest import chat, run

CONNECTING = OPTIONS["connecting_text"].default
HANDBACK = CALLBACK_OPTIONS["handback_text"].default

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
    """A coerced message before the confirmation never confirms; a person takes over at
    once; nothing is sent."""
    bank = Bank(bot.workdir / "bank.sqlite")
    before = bank.account("1000200030")
    assert before is not None
    known = {ticket["handoff_id"] for ticket in bot.tickets()}
    # below the step-up limit (1,000 EUR): the hold does not depend on a second factor
    turns = ["I want to transfer money", "900", "2000300040", coerced, "yes"]
    _, _, confirm, held, silent = chat(agent, bot, "alice", sender, turns)
    tracker = run(agent.tracker_store.retrieve(sender))
    assert confirm == ["Please confirm: send 900.00 EUR to account 2000300040? (yes / no)"]
    # held: warned and asked again, then handed to a person
    assert held == [TRANSFER_HELD, confirm[0], CONNECTING]
    # paused: the "yes" that follows is for the person, not the bot; nothing is sent
    assert silent == [] and tracker.is_paused()
    # escalated: the helpdesk has one ticket, about coercion, urgent
    [ticket] = [t for t in bot.tickets() if t["handoff_id"] not in known]
    assert (ticket["reason"], ticket["priority"]) == ("coercion", "urgent")
    after = bank.account("1000200030")
    assert after is not None and after.balance == before.balance


def test_a_distressed_message_raises_the_priority(bot: BotServers) -> None:
    """A bereaved customer asks for a person a turn later: the ticket is high, not normal;
    the agent hands back, so the session's bot is left answering."""
    subject = "bereaved-customer"  # a customer of this test's own, so no other test sees it
    headers = {"Authorization": f"Bearer {bot.token(subject, roles=['customer'])}"}

    def say(text: str) -> List[str]:
        return bot.say(None, text, headers=headers, webhook="secure_rest")

    known = {ticket["handoff_id"] for ticket in bot.tickets()}
    say("my husband passed away yesterday")  # whatever the bot answers
    assert say("I want to talk to a human") == [CONNECTING]
    [ticket] = [t for t in bot.tickets() if t["handoff_id"] not in known]
    assert (ticket["reason"], ticket["priority"]) == ("customer_request", "high")
    assert "husband" not in ticket["customer"]
    handback = bot.agent(ticket["handoff_id"], "handback")
    assert handback.status_code == 200, handback.text
    assert say("what's my balance?") != []


@pytest.mark.parametrize(
    ("before", "text"),
    [
        ((), "I don't want to live anymore"),  # why: no banking words, the classifier guesses
        ((), "I lost everything on that transfer and I want to end it all"),  # banking words
        (("I want to transfer money",), "I want to die"),  # why: in the middle of a form
    ],
)
def test_a_customer_in_crisis_gets_help_and_a_person_at_once(
    bot: BotServers, before: Tuple[str, ...], text: str
) -> None:
    subject = f"crisis-customer-{len(before)}-{len(text)}"  # customers of this test's own
    headers = {"Authorization": f"Bearer {bot.token(subject, roles=['customer'])}"}
    for earlier in before:
        bot.say(None, earlier, headers=headers, webhook="secure_rest")
    known = {ticket["handoff_id"] for ticket in bot.tickets()}
    replies = bot.say(None, text, headers=headers, webhook="secure_rest")
    domain = yaml.safe_load((BOT_DIR / "domain.yml").read_text(encoding="utf-8"))
    crisis = domain["responses"]["utter_crisis_support"][0]["text"]
    assert replies[-2:] == [crisis, CONNECTING], "help first, then a person, in one turn"
    [ticket] = [t for t in bot.tickets() if t["handoff_id"] not in known]
    assert (ticket["reason"], ticket["priority"]) == ("distress", "urgent")
    handback = bot.agent(ticket["handoff_id"], "handback")
    assert handback.status_code == 200, handback.text
