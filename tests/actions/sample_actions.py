"""Secure actions over an in-memory bank, for the action-server tests and the benchmark.

They follow ``tests/data/policies/bank.yml``. The action server tests load this module as
the action package (``--actions tests.actions.sample_actions``). Every action here is governed
by that policy: rasa-sdk registers every ``Action`` subclass loaded in the process, and the
guarded server refuses to start next to a plain one (see ``ungoverned_actions.py``).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from rasa_secure.actions import ActionContext, SecureAction
from rasa_secure.actions.secure_form import SecureFormValidationAction
from rasa_secure.core.identity import AccountNumber, Money

ACCOUNTS = {"1000200030": "alice", "1000200031": "alice", "2000300040": "bob"}
CARDS = {"alice": "4111111111111111", "bob": "5500005555555559"}


def balances(numbers: List[str], show: Any) -> str:
    return "Balances: " + ", ".join(f"{show(number)}: 1,250.00 EUR" for number in numbers)


class ActionCheckBalance(SecureAction):
    """Balances of the caller's accounts, or of the account named in the message."""

    def name(self) -> str:
        return "sample_check_balance"

    async def run_authorized(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
        context: ActionContext,
    ) -> List[Dict[str, Any]]:
        asked = next(tracker.get_latest_entity_values("account_number"), None)
        if asked is None:
            numbers = [n for n, owner in ACCOUNTS.items() if owner == context.identity.subject]
        else:
            numbers = [AccountNumber.parse(asked, location="entity account_number")]
        for number in numbers:
            context.require_owner(ACCOUNTS.get(number))

        def show(number: str) -> str:
            return context.show("account_number", number, owner=ACCOUNTS.get(number))

        dispatcher.utter_message(text=balances(numbers, show))
        return []


class ActionTransferMoney(SecureAction):
    """Move money from the caller's first account; typed values before the 'backend'."""

    def name(self) -> str:
        return "sample_transfer_money"

    async def run_authorized(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
        context: ActionContext,
    ) -> List[Dict[str, Any]]:
        amount = Money.parse(tracker.get_slot("amount"), location="slot amount")
        target = AccountNumber.parse(
            tracker.get_slot("recipient_account"), location="slot recipient_account"
        )
        source = next(tracker.get_latest_entity_values("source_account"), "1000200030")
        context.require_owner(ACCOUNTS.get(source))
        dispatcher.utter_message(text=f"Sent {amount} EUR to {target}.")
        return [SlotSet("amount", None), SlotSet("recipient_account", None)]


class ActionUpdateEmail(SecureAction):
    """Writes slots (some not writable) and answers with every kind of message part."""

    def name(self) -> str:
        return "sample_update_email"

    async def run_authorized(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
        context: ActionContext,
    ) -> List[Dict[str, Any]]:
        email = tracker.get_slot("email")
        card = CARDS[context.identity.subject]
        dispatcher.utter_message(
            text=f"Email set to {email}. Card {card} stays linked.",
            buttons=[
                {
                    "title": f"Call support at support@bankmail.com about {card}",
                    "payload": f'/card{{"n": "{card}"}}',
                }
            ],
            json_message={"card": {"number": card, "holder_email": "someone.else@example.com"}},
            image=f"https://img.example/{card}.png",
            attachment=f"statement-{card}.pdf",
            response="utter_done",
        )
        return [
            SlotSet("email", email),
            SlotSet("card_number", card),
            SlotSet("requested_slot", None),
            {"event": "followup", "name": "action_listen"},
        ]


class ValidateTransferForm(SecureFormValidationAction):
    """Authorize and validate the transfer form's slots."""

    def name(self) -> str:
        return "validate_sample_form"

    def authorize_amount(self, value: Any, tracker: Tracker, context: ActionContext) -> bool:
        return True

    def authorize_recipient_account(
        self, value: Any, tracker: Tracker, context: ActionContext
    ) -> bool:
        return str(value) != "9999999999"

    def validate_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> Dict[str, Any]:
        return {"amount": float(Money.parse(value, location="slot amount"))}

    def validate_recipient_account(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> Dict[str, Optional[str]]:
        number = AccountNumber.parse(value, location="slot recipient_account")
        return {"recipient_account": number if number in ACCOUNTS else None}
