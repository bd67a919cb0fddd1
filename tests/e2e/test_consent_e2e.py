"""Consent in the running example bot: the privacy notice once, the event feed gated.

The bot's broker (``example_bot/endpoints.yml``) is a SecureEventBroker on SQLite with
``consent_slot: consent``; what it published is read back from that database.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from typing import Any, Dict, List

import pytest

from example_bot.servers import BotServers

pytestmark = pytest.mark.e2e

NOTICE_START = "Privacy notice:"
GIVEN = "Thank you. We will use your chats to improve the assistant"
WITHDRAWN = "Done: we no longer use your chats to improve the assistant."


def _published(bot: BotServers) -> List[Dict[str, Any]]:
    with closing(sqlite3.connect(bot.workdir / "events.sqlite")) as db:
        return [json.loads(data) for (data,) in db.execute("SELECT data FROM events")]


def test_notice_once_and_only_consented_turns_are_published(bot: BotServers) -> None:
    subject = "consent-carol"  # a customer of her own: no other test consents
    headers = {"Authorization": f"Bearer {bot.token(subject, roles=['customer'])}"}

    def chat(text: str) -> List[str]:
        return bot.say(None, text, headers=headers, webhook="secure_rest")

    first = chat("hi")
    assert first[0].startswith(NOTICE_START) and len(first) == 2, "the notice, then the greeting"
    assert not any(NOTICE_START in text for text in chat("hello")), "only once"
    assert chat("you may keep my chats")[0].startswith(GIVEN)
    chat("what's my balance?")
    assert chat("stop using my chats") == [WITHDRAWN]
    chat("good morning")

    events = _published(bot)
    users = [event["text"] for event in events if event["event"] == "user"]
    consent = [event["value"] for event in events if event.get("name") == "consent"]
    assert users == ["you may keep my chats", "what's my balance?"], (
        "nothing before consent or after the withdrawal"
    )
    assert consent == [True, False]
    assert {event["sender_id"][:5] for event in events} == {"conv_"}, "pseudonyms only"
    for name in ("events.sqlite", "tracker.sqlite"):  # nor the identity record's subject
        with closing(sqlite3.connect(bot.workdir / name)) as db:
            rows = repr(db.execute("SELECT * FROM events").fetchall())
        assert subject not in rows and "signature" not in rows, name
