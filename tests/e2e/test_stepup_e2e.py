"""Step-up per action end to end: the example bot asks for a second factor above 1,000 EUR.

The example bank's policy (``example_bot/policy.yml``, ``step_up``) requires the
``urn:example:mfa`` sign-in, at most 15 minutes old, before a transfer above 1,000 EUR is
confirmed or made. Over REST through ``SecureRestInput``: a password-only token gets the
RFC 9470 challenge (a text and a custom payload) and no money moves; the same customer,
signed in again with the second factor, repeats the message and the transfer goes through.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any, Dict, List

import pytest

from example_bot.actions.bank import Bank
from example_bot.identity import sign_in_claims
from example_bot.servers import BotServers
from tests.e2e.conftest import StartBot

pytestmark = pytest.mark.e2e

STEP_UP_TEXT = (
    "For this I need you to confirm it's you with a second factor. Please sign in again and retry."
)
CHALLENGE = {
    "error": "insufficient_user_authentication",
    "acr_values": "urn:example:mfa",
    "max_age": 900,
}


def said(bot: BotServers, token: str, text: str) -> List[Dict[str, Any]]:
    """The bot's replies (text and custom payloads) to ``text`` from the token's subject."""
    response = bot.send(
        None, text, headers={"Authorization": f"Bearer {token}"}, webhook="secure_rest"
    )
    response.raise_for_status()
    replies: List[Dict[str, Any]] = response.json()
    return [{k: v for k, v in reply.items() if k != "recipient_id"} for reply in replies]


def test_large_transfer_needs_a_second_factor_then_goes_through(start_bot: StartBot) -> None:
    bot = start_bot()
    bank = Bank(bot.workdir / "bank.sqlite")
    before = bank.account("1000200030")
    assert before is not None
    password = bot.token("alice", **sign_in_claims(second_factor=False))
    # a fresh bot: alice's first contact, so the privacy notice comes first
    [notice, ask] = said(bot, password, "I want to transfer money")
    assert notice["text"].startswith("Privacy notice:")
    assert ask == {"text": "How much would you like to transfer?"}
    said(bot, password, "1001")
    # the confirmation is not even asked: a password sign-in gets the challenge
    assert said(bot, password, "2000300040") == [{"text": STEP_UP_TEXT}, {"custom": CHALLENGE}]
    stale = bot.token("alice", **sign_in_claims(True, auth_time=int(time.time()) - 3600))
    assert said(bot, stale, "2000300040") == [{"text": STEP_UP_TEXT}, {"custom": CHALLENGE}], (
        "a second factor used an hour ago is older than max_age"
    )
    assert bank.account("1000200030") == before, "nothing moved while refused"
    mfa = bot.token("alice", **sign_in_claims(second_factor=True))
    [confirm] = said(bot, mfa, "2000300040")
    assert (
        confirm["text"] == "Please confirm: send 1,001.00 EUR to account 2000300040? (yes / no)"
    ), "the retry with the stronger sign-in asks for the confirmation"
    [done] = said(bot, mfa, "yes")
    assert done["text"].startswith("Done: 1,001.00 EUR sent to 2000300040")
    after = bank.account("1000200030")
    assert after is not None and after.balance == before.balance - Decimal("1001")


def test_small_transfer_needs_no_step_up(start_bot: StartBot) -> None:
    """At or below the limit a password sign-in is enough (existing flows are unchanged)."""
    bot = start_bot()
    password = bot.token("alice", **sign_in_claims(second_factor=False))
    said(bot, password, "I want to transfer money")
    said(bot, password, "1000")
    [confirm] = said(bot, password, "2000300040")
    assert confirm["text"].startswith("Please confirm: send 1,000.00 EUR")
    [done] = said(bot, password, "yes")
    assert done["text"].startswith("Done: 1,000.00 EUR sent to 2000300040")
