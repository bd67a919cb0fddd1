"""A person takes over, end to end: the example bot, its action server and its local helpdesk.

The customer asks for a person; the handoff reaches the helpdesk signed and redacted; the bot
falls silent; the agent's reply reaches the customer (stored in the conversation, pushed over
socket.io) and the agent hands back. A helpdesk outage is survived: the customer hears the
alternatives, the bot carries on, and once the helpdesk is back one ticket holds everything.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from example_bot.servers import BotServers
from rasa_secure.actions.handoff import OPTIONS
from rasa_secure.channel.secure_handoff import OPTIONS as CALLBACK_OPTIONS
from rasa_secure.core.identity import audit
from tests.channel.test_secure_socketio import Client

pytestmark = pytest.mark.e2e

ASK = "I want to talk to a human"
CONNECTING = OPTIONS["connecting_text"].default
HANDBACK = CALLBACK_OPTIONS["handback_text"].default
EMAIL = "alice.secret@example.org"


@pytest.fixture(scope="module")
def bot(bot_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotServers]:
    """A bot of its own: these tests pause conversations."""
    with BotServers(model=bot_model, workdir=tmp_path_factory.mktemp("handoff")) as servers:
        yield servers


def tickets_of(bot: BotServers, subject: str) -> List[Dict[str, Any]]:
    key = bot.environment()["RASA_SECURE_AUDIT_KEY"].encode()
    return [t for t in bot.tickets() if t["customer"] == audit.pseudonym(subject, key)]


def stored_bot_texts(bot: BotServers, sender: str) -> List[str]:
    with closing(sqlite3.connect(bot.workdir / "tracker.sqlite")) as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'bot'",
            (bot.stored_id(sender),),
        ).fetchall()
    return [json.loads(data).get("text") for (data,) in rows]


def test_agent_replies_and_hands_back_over_rest(bot: BotServers) -> None:
    assert bot.chat("alice", f"I want to update my email to {EMAIL}")
    assert bot.chat("alice", "no") == ["Okay, your contact email stays as it is."]
    assert bot.chat("alice", ASK) == [CONNECTING]

    [ticket] = tickets_of(bot, "alice")
    assert (ticket["reason"], ticket["priority"], ticket["channel"]) == (
        "customer_request",
        "normal",
        "secure_rest",
    )
    assert "alice" not in ticket["customer"] and EMAIL not in json.dumps(ticket)
    assert [line["speaker"] for line in ticket["transcript"]][-1] == "customer"

    # paused: the bot stays silent while a person has the conversation; the agent reads it
    assert bot.chat("alice", f"what's my balance? my email is still {EMAIL}") == []
    fetched = bot.agent(ticket["handoff_id"], "messages")
    assert fetched.status_code == 200, fetched.text
    [said] = fetched.json()["messages"]
    assert said["text"].startswith("what's my balance? my email is still ")
    assert EMAIL not in said["text"]

    answer = bot.agent(
        ticket["handoff_id"], "reply", text="Hello, a member of the Example Bank team here."
    )
    assert answer.status_code == 200, answer.text
    # stored in the conversation (through the secure tracker store, so redacted like any text)
    assert "Hello, a member of the Example Bank team here." in stored_bot_texts(bot, "alice")

    assert bot.agent(ticket["handoff_id"], "handback").status_code == 200
    assert stored_bot_texts(bot, "alice")[-1] == HANDBACK
    assert bot.chat("alice", "what's my balance?")[0].startswith("Your balances:")

    # handed back: a late reply is refused, the conversation is the bot's again
    late = bot.agent(ticket["handoff_id"], "reply", text="one more thing")
    assert late.status_code == 409


def test_agent_messages_are_pushed_over_socketio(bot: BotServers) -> None:
    client = Client(bot.url)
    assert client.connect({"token": bot.token("bob")})
    try:
        client.sio.emit("session_request", {})
        assert client.next("session_confirm") == "bob"
        client.say(ASK, session_id="bob")
        # bob's first contact with this module's bot: the privacy notice comes first
        assert client.next("bot_uttered")["text"].startswith("Privacy notice:")
        assert client.next("bot_uttered")["text"] == CONNECTING
        [ticket] = tickets_of(bot, "bob")
        assert ticket["channel"] == "secure_socketio"

        reply = bot.agent(ticket["handoff_id"], "reply", text="Hi Bob, Sam here.")
        assert reply.status_code == 200, reply.text
        assert client.next("bot_uttered")["text"] == "Hi Bob, Sam here."
        assert bot.agent(ticket["handoff_id"], "handback").status_code == 200
        assert client.next("bot_uttered")["text"] == HANDBACK
    finally:
        client.close()


def test_helpdesk_outage_is_survived(bot: BotServers) -> None:
    """Down: alternatives, no pause. Back: one ticket, with what was said meanwhile."""
    before = len(tickets_of(bot, "alice"))
    bot.helpdesk_outage(100)
    [unavailable] = bot.chat("alice", ASK)
    assert "0800 123 4567" in unavailable
    assert bot.chat("alice", "what's my balance?")[0].startswith("Your balances:")

    bot.helpdesk_outage(0)
    assert bot.chat("alice", ASK) == [CONNECTING]
    tickets = tickets_of(bot, "alice")
    assert len(tickets) == before + 1
    # nothing said during the outage is lost (texts as the secure tracker store keeps them)
    texts = [line["text"] for line in tickets[-1]["transcript"]]
    assert texts[-5::2] == [ASK, "what's my balance?", ASK]
    assert texts[-4].startswith("Sorry, I can't reach our team right now.")
    assert texts[-2].startswith("Your balances:")
    assert bot.agent(tickets[-1]["handoff_id"], "handback").status_code == 200


def test_a_lost_answer_is_retried_without_a_duplicate(bot: BotServers) -> None:
    """The helpdesk stores the handoff but its answer is lost (503): the retry is
    acknowledged as the same ticket."""
    before = len(tickets_of(bot, "alice"))
    bot.helpdesk_outage(1, after_storing=True)
    assert bot.chat("alice", ASK) == [CONNECTING]
    tickets = tickets_of(bot, "alice")
    assert len(tickets) == before + 1 and tickets[-1]["attempts"] == 2
    assert bot.agent(tickets[-1]["handoff_id"], "handback").status_code == 200
