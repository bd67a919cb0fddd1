"""The example bot end to end: a trained model, Rasa's own Agent, a real action server."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List

import pytest

from example_bot.actions.bank import Bank
from example_bot.servers import BotServers
from tests.e2e.conftest import run

pytestmark = pytest.mark.e2e


def _texts(responses: List[Dict[str, Any]]) -> List[str]:
    return [response.get("text", "") for response in responses]


@pytest.fixture(scope="module")
def agent(bot_model: Path, bot: BotServers) -> Any:
    """Rasa's own Agent for the trained model, calling the running action server over HTTP."""
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    return Agent.load(str(bot_model), action_endpoint=EndpointConfig(url=bot.actions_url))


def test_agent_holds_a_transfer_conversation_through_the_action_server(
    agent: Any, bot: BotServers
) -> None:
    """The form collects both slots and the action really moves money in the bank database."""
    bank = Bank(bot.workdir / "bank.sqlite")
    before = bank.account("1000200030")
    assert before is not None

    async def conversation() -> List[List[str]]:
        turns = ["hi", "I want to transfer money", "25", "2000300040"]
        return [_texts(await agent.handle_text(text, sender_id="alice")) for text in turns]

    greet, ask_amount, ask_recipient, done = run(conversation())
    assert "Example Bank" in greet[0]
    assert ask_amount == ["How much would you like to transfer?"]
    assert ask_recipient[0].startswith("To which account number")
    assert done[0].startswith("Done: 25.00 EUR sent to 2000300040")
    after = bank.account("1000200030")
    assert after is not None and after.balance == before.balance - Decimal("25")


@pytest.mark.parametrize(
    ("sender", "own", "other"),
    [
        ("alice", "1000200030", "2000300040"),  # Alice sees her accounts, not Bob's
        ("bob", "2000300040", "1000200030"),  # and Bob only his
    ],
)
def test_rasa_server_answers_each_customer_with_their_own_balance(
    bot: BotServers, sender: str, own: str, other: str
) -> None:
    """Over the REST channel, the balance action answers for the sender's accounts only."""
    replies = bot.say(sender, "what's my balance?")
    assert len(replies) == 1 and replies[0].startswith("Your balances:")
    assert own in replies[0] and other not in replies[0]


def test_email_form_updates_the_contact_address(bot: BotServers) -> None:
    """The email form validates the address and the action stores it in the bank."""
    assert bot.say("bob", "I want to update my email") == ["What is your new email address?"]
    assert bot.say("bob", "not-an-email") == [
        "That does not look like an email address.",
        "What is your new email address?",
    ]
    assert bot.say("bob", "bob.new@example.org") == ["Your contact email has been updated."]
    customer = Bank(bot.workdir / "bank.sqlite").customer("bob")
    assert customer is not None and customer.email == "bob.new@example.org"
