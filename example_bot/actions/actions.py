"""The example bot's actions: balances, transfers and contact details.

The customer is the conversation's sender; every backend call goes through
:class:`example_bot.actions.bank.Bank`, which only runs parameterized SQL.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from example_bot.actions.bank import Bank, BankError

MAX_TRANSFER = Decimal("10000")
ACCOUNT_NUMBER = re.compile(r"\d{10}")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def _bank() -> Bank:
    return Bank()


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def parse_amount(value: Any) -> Optional[Decimal]:
    """A positive amount with at most two decimals and within the transfer limit, or None."""
    try:
        amount = Decimal(str(value).replace(",", ".").strip())
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount <= 0 or amount > MAX_TRANSFER:
        return None
    if amount != amount.quantize(Decimal("0.01")):
        return None
    return amount


class ActionCheckBalance(Action):
    """Tell the customer the balance of each of their accounts."""

    def name(self) -> str:
        return "action_check_balance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        accounts = _bank().accounts_of(tracker.sender_id)
        if not accounts:
            dispatcher.utter_message(text="I could not find any account for you.")
            return []
        lines = [f"{a.kind} {a.number}: {_money(a.balance, a.currency)}" for a in accounts]
        dispatcher.utter_message(text="Your balances:\n" + "\n".join(lines))
        return []


class ValidateTransferForm(FormValidationAction):
    """Validate the amount and the recipient of a transfer."""

    def name(self) -> str:
        return "validate_transfer_form"

    def validate_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        amount = parse_amount(value)
        if amount is None:
            dispatcher.utter_message(
                text=f"Please give an amount between 0.01 and {MAX_TRANSFER:,.2f}."
            )
            return {"amount": None}
        return {"amount": float(amount)}

    def validate_recipient_account(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        number = str(value).strip()
        if not ACCOUNT_NUMBER.fullmatch(number) or _bank().account(number) is None:
            dispatcher.utter_message(text="I could not find that account. Please check the number.")
            return {"recipient_account": None}
        return {"recipient_account": number}


class ActionTransferMoney(Action):
    """Carry out a validated transfer from the customer's checking account."""

    def name(self) -> str:
        return "action_transfer_money"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        reset: List[EventType] = [SlotSet("amount", None), SlotSet("recipient_account", None)]
        amount = parse_amount(tracker.get_slot("amount"))
        target = tracker.get_slot("recipient_account")
        bank = _bank()
        accounts = bank.accounts_of(tracker.sender_id)
        if amount is None or not target or not accounts:
            dispatcher.utter_message(text="I could not complete the transfer.")
            return reset
        try:
            source = bank.transfer(accounts[0].number, str(target), amount)
        except BankError as error:
            dispatcher.utter_message(text=str(error))
            return reset
        dispatcher.utter_message(
            text=f"Done: {_money(amount, source.currency)} sent to {target}. "
            f"New balance of {source.kind} {source.number}: "
            f"{_money(source.balance, source.currency)}."
        )
        return reset


class ValidateEmailForm(FormValidationAction):
    """Validate the new contact email."""

    def name(self) -> str:
        return "validate_email_form"

    def validate_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        email = str(value).strip()
        if not EMAIL.fullmatch(email) or len(email) > 254:
            dispatcher.utter_message(text="That does not look like an email address.")
            return {"email": None}
        return {"email": email}


class ActionUpdateEmail(Action):
    """Store the validated email as the customer's contact address."""

    def name(self) -> str:
        return "action_update_email"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        email = tracker.get_slot("email")
        try:
            if not email:
                raise BankError("I did not get an email address.")
            _bank().update_email(tracker.sender_id, str(email))
        except BankError as error:
            dispatcher.utter_message(text=str(error))
        else:
            dispatcher.utter_message(text="Your contact email has been updated.")
        return [SlotSet("email", None)]
