"""The example bot end to end: a trained model, Rasa's own Agent, a real action server.

The bot runs with its own credentials and endpoints: the JWT channel, the guarded action
server and the secure SQLite tracker store.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, List

import pytest

from example_bot.actions.bank import Bank
from example_bot.servers import BotServers
from rasa_secure.core.identity import MAX_TOKEN_CHARS
from tests.e2e.conftest import chat

pytestmark = pytest.mark.e2e


def test_agent_holds_a_transfer_conversation_through_the_action_server(
    agent: Any, bot: BotServers
) -> None:
    """The form collects both slots and a confirmation; the action really moves money.

    The identity is attested exactly as SecureRestInput attests it for the action server.
    """
    bank = Bank(bot.workdir / "bank.sqlite")
    before = bank.account("1000200030")
    assert before is not None
    turns = ["hi", "I want to transfer money", "25", "2000300040", "yes"]
    greet, ask_amount, ask_recipient, confirm, done = chat(agent, bot, "alice", "alice", turns)
    assert "Example Bank" in greet[0]
    assert ask_amount == ["How much would you like to transfer?"]
    assert ask_recipient[0].startswith("To which account number")
    assert confirm == ["Please confirm: send 25.00 EUR to account 2000300040? (yes / no)"]
    assert done[0].startswith("Done: 25.00 EUR sent to 2000300040")
    after = bank.account("1000200030")
    assert after is not None and after.balance == before.balance - Decimal("25")


@pytest.mark.parametrize(
    ("subject", "own", "other"),
    [
        ("alice", "1000200030", "2000300040"),  # Alice sees her accounts, not Bob's
        ("bob", "2000300040", "1000200030"),  # and Bob only his
    ],
)
def test_rasa_server_answers_each_customer_with_their_own_balance(
    bot: BotServers, subject: str, own: str, other: str
) -> None:
    """Over the JWT channel, the balance action answers for the subject's accounts only
    (after the privacy notice, on a customer's first contact)."""
    replies = bot.chat(subject, "what's my balance?")
    assert replies[-1].startswith("Your balances:") and len(replies) <= 2
    assert own in replies[-1] and other not in "".join(replies)


def test_email_form_updates_the_contact_address(bot: BotServers) -> None:
    """The email form validates the address and the action stores it in the bank."""
    assert bot.chat("bob", "I want to update my email") == ["What is your new email address?"]
    assert bot.chat("bob", "not-an-email") == [
        "That does not look like an email address.",
        "What is your new email address?",
    ]
    assert bot.chat("bob", "bob.new@example.org") == ["Your contact email has been updated."]
    customer = Bank(bot.workdir / "bank.sqlite").customer("bob")
    assert customer is not None and customer.email == "bob.new@example.org"


def test_an_account_number_shaped_like_a_phone_number_fills_the_transfer_form(
    bot: BotServers,
) -> None:
    """8000000000 is a valid US phone number; typed where the form asks for the recipient
    account, it is judged as an account number (``slot_types``), so the form's validator
    looks it up in the bank (which has no such account) instead of the bot asking the
    customer not to share personal details."""
    # A customer of its own: later tests chat as alice.
    token = bot.token("frank", roles=["customer"])

    def chat(text: str) -> List[str]:
        return bot.say(
            None, text, headers={"Authorization": f"Bearer {token}"}, webhook="secure_rest"
        )

    [notice, ask_amount] = chat("I want to transfer money")  # frank's first contact
    assert notice.startswith("Privacy notice:")
    assert ask_amount == "How much would you like to transfer?"
    [ask_recipient] = chat("25")
    assert ask_recipient.startswith("To which account number")
    assert chat("8000000000") == [
        "I could not find that account. Please check the number.",
        ask_recipient,
    ]
    # the Cancel button (an allowed trigger)
    assert chat("/deny") == ["Okay, I have cancelled the transfer."]
    # the cancelled amount is forgotten: a new transfer asks for it again
    assert chat("I want to transfer money") == [ask_amount]
    assert chat("/deny") == ["Okay, I have cancelled the transfer."]


def test_requests_without_a_token_are_refused(bot: BotServers) -> None:
    """The bot's only channel answers 401 to a request without a bearer token."""
    response = bot.send("alice", "what's my balance?", webhook="secure_rest")
    assert response.status_code == 401
    assert response.json()["reason"] == "token_missing"


def test_an_intent_trigger_cannot_move_money_in_one_message(bot: BotServers) -> None:
    """The transfer trigger the review sent is refused; the Yes button confirms a transfer.

    ``/transfer_money{...}`` used to fill both slots and move money at once. The channel now
    refuses it (403), and only the confirmation buttons' ``/affirm`` and ``/deny`` are allowed.
    """
    bank = Bank(bot.workdir / "bank.sqlite")
    before = bank.account("2000300040")
    assert before is not None
    headers = {"Authorization": f"Bearer {bot.token('bob')}"}
    trigger = '/transfer_money{"amount": 5, "account_number": "1000200031"}'
    refused = bot.send(None, trigger, headers=headers, webhook="secure_rest")
    assert refused.status_code == 403
    assert refused.json() == {"error": "forbidden", "reason": "intent_trigger_not_allowed"}
    assert bot.chat("bob", "I want to transfer money") == ["How much would you like to transfer?"]
    bot.chat("bob", "5")
    [confirm] = bot.chat("bob", "1000200031")
    assert confirm.startswith("Please confirm: send 5.00 EUR to account 1000200031?")
    assert bank.account("2000300040") == before
    [done] = bot.chat("bob", "/affirm")  # the Yes button
    assert done.startswith("Done: 5.00 EUR sent to 1000200031")
    after = bank.account("2000300040")
    assert after is not None and after.balance == before.balance - Decimal("5")


def test_rasas_server_takes_a_token_near_the_cap_and_answers_oversize_headers_in_json(
    bot: BotServers,
) -> None:
    """In `rasa run` itself: a valid token just under our 8,192-character cap is answered
    (Sanic's 8 KiB default used to refuse it in text/plain), larger headers get our JSON 413."""
    base = len(bot.token("alice"))
    big = bot.token("alice", padding="x" * ((8_100 - base) * 3 // 4))
    assert 8_000 <= len(big) <= MAX_TOKEN_CHARS
    headers = {"Authorization": f"Bearer {big}"}
    reply = bot.send(None, "what's my balance?", headers=headers, webhook="secure_rest")
    assert reply.status_code == 200
    assert reply.json()[0]["text"].startswith("Your balances:")
    headers["X-Filler"] = "y" * 16_384
    reply = bot.send(None, "what's my balance?", headers=headers, webhook="secure_rest")
    assert reply.status_code == 413
    assert reply.json() == {"error": "too_large", "reason": "headers_too_large"}
