"""The example bot's actions: balances, transfers and contact details, behind rasa_secure.

Every action is a :class:`~rasa_secure.actions.secure_action.SecureAction` (or a secure form
validation) governed by ``example_bot/policy.yml``: the caller is the verified subject the
channel attested, never the conversation id or anything the client wrote. A customer sees
only their own balances; a teller may look up any account's balance but may not transfer;
a transfer needs ownership of the source account and the customer's explicit confirmation
(the form's last slot, ``transfer_confirmed``, filled only by a "yes" to the question
:class:`ActionAskTransferConfirmed` asks). Values become typed values before they
reach :class:`example_bot.actions.bank.Bank`, which only runs parameterized SQL.

The guard is configured by ``RASA_SECURE_ACTIONS_CONFIG`` / ``RASA_SECURE_POLICY`` when set,
else from the bot's own ``policy.yml`` and ``domain.yml``; the shared secret always comes from
``RASA_SECURE_ACTION_TOKEN``.
"""

from __future__ import annotations

import functools
import os
import re
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from example_bot.actions.bank import Bank, BankError
from rasa_secure.actions import (
    CONFIG_ENV,
    POLICY_ENV,
    ActionContext,
    ActionGuard,
    SecureAction,
    SecureFormValidationAction,
)
from rasa_secure.actions.handoff import HandoffAction, request_handoff
from rasa_secure.core.distress import DistressCategory, HandoffReason, escalation
from rasa_secure.core.identity import AccountNumber, EmailAddress, Money
from rasa_secure.errors import InputError

BOT_DIR = Path(__file__).resolve().parent.parent
MAX_TRANSFER = Decimal("10000")
TRANSFER_HELD = (
    "I have paused this transfer. Example Bank will never ask you to move money to a "
    "'safe account', to pay in gift cards or to keep a payment secret from us. If someone "
    "is telling you to make this payment, please stop and ask to talk to a person. "
    "If you still want to send it, answer the question below."
)
"""Said when a message during a transfer shows coercion (the DistressDetector's category)."""


class OnCoercion(str, Enum):
    """What the transfer form does, besides holding the transfer, when coercion shows."""

    HAND_OFF = "hand_off"
    """Hand the conversation to a person at once (``action_handoff``, reason coercion)."""
    OFFER = "offer"
    """Only offer one (the warning asks the customer to ask for a person)."""


class TransferAmount(Money):
    """What one transfer may move."""

    MAXIMUM = MAX_TRANSFER


class BankAccount(AccountNumber):
    """Example Bank account numbers: ten digits."""

    PATTERN = re.compile(r"\d{10}")
    DESCRIPTION = "a 10-digit account number"


@functools.lru_cache(maxsize=None)
def bank_guard() -> ActionGuard:
    """The guard of the bank's actions (built once, on the first action call)."""
    if os.environ.get(CONFIG_ENV) or os.environ.get(POLICY_ENV):
        return ActionGuard.from_env()
    return ActionGuard({"policy": "policy.yml", "domain": "domain.yml"}, base=BOT_DIR)


def _bank() -> Bank:
    return Bank()


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def parse_amount(value: Any) -> Optional[Decimal]:
    """A positive amount with at most two decimals and within the transfer limit, or None."""
    try:
        return TransferAmount.parse(value, location="amount")
    except InputError:
        return None


def transfer_slots(tracker: Tracker) -> Tuple[Decimal, str]:
    """The validated amount and recipient account of the transfer form's slots."""
    amount = TransferAmount.parse(tracker.get_slot("amount"), location="slot amount")
    target = BankAccount.parse(
        tracker.get_slot("recipient_account"), location="slot recipient_account"
    )
    return amount, str(target)


class BankAction(SecureAction):
    """Base of the bank's actions: the guard comes from :func:`bank_guard`."""

    def get_guard(self) -> ActionGuard:
        """The bank's guard."""
        return bank_guard()


class ActionHandoff(HandoffAction):
    """A person takes over: the handoff goes to the helpdesk at ``RASA_SECURE_HANDOFF_URL``
    (the local one of :mod:`example_bot.helpdesk` in the demo and the tests)."""

    options = {
        "unavailable_text": "Sorry, I can't reach our team right now. Please call Example Bank "
        "on 0800 123 4567 (24 hours) or visit any branch. I'm still here if I can help.",
    }

    def get_guard(self) -> ActionGuard:
        """The bank's guard."""
        return bank_guard()


class BankFormValidation(SecureFormValidationAction):
    """Base of the bank's form validations: the guard comes from :func:`bank_guard`."""

    def get_guard(self) -> ActionGuard:
        """The bank's guard."""
        return bank_guard()


class ActionCheckBalance(BankAction):
    """Balances: the caller's own accounts, or the account named in the message.

    Customers may only name their own accounts (policy scope ``own``); tellers may name any
    (scope ``any``) and see account numbers masked to the last four digits.
    """

    def name(self) -> str:
        return "action_check_balance"

    async def run_authorized(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        context: ActionContext,
    ) -> List[Dict[str, Any]]:
        bank = _bank()
        asked = next(tracker.get_latest_entity_values("account_number"), None)
        if asked is None:
            accounts = bank.accounts_of(context.identity.subject)
        else:
            account = bank.account(BankAccount.parse(asked, location="entity account_number"))
            context.require_owner(account.owner if account else None)
            accounts = [account] if account else []
        if not accounts:
            dispatcher.utter_message(text="I could not find any account for you.")
            return []
        lines = [
            f"{a.kind} {context.show('account_number', a.number, owner=a.owner)}: "
            f"{_money(a.balance, a.currency)}"
            for a in accounts
        ]
        heading = "Your balances:" if asked is None else "Balance:"
        dispatcher.utter_message(text=heading + "\n" + "\n".join(lines))
        return []


class ValidateTransferForm(BankFormValidation):
    """Authorize and validate the amount and the recipient of a transfer.

    Class attributes:
        on_coercion: what a coerced transfer leads to besides the hold (see
            :class:`OnCoercion`; the example bot hands off).
    """

    on_coercion = OnCoercion.HAND_OFF

    def name(self) -> str:
        return "validate_transfer_form"

    def authorize_amount(self, value: Any, tracker: Tracker, context: ActionContext) -> bool:
        """Any customer allowed to run the form may state an amount."""
        return True

    def authorize_recipient_account(
        self, value: Any, tracker: Tracker, context: ActionContext
    ) -> bool:
        """Any account may receive money (ownership matters for the source, not the target)."""
        return True

    def authorize_transfer_confirmed(
        self, value: Any, tracker: Tracker, context: ActionContext
    ) -> bool:
        """The customer confirms their own transfer."""
        return True

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Validate as usual, but hold the transfer when the latest message shows coercion.

        Held means: any confirmation is cleared (a "yes" in or before the coerced message
        does not count), the customer is warned and asked again, and the conversation's
        ``handoff_reason`` / ``handoff_priority`` say ``coercion`` / its priority for a person
        picking it up. With :attr:`on_coercion` ``hand_off`` the handoff follows at once
        (:func:`~rasa_secure.actions.handoff.request_handoff`): a person calls the customer
        while the bot is paused. The customer is never blocked: a "yes" to the new question
        confirms (after the handback, or at once when only offered).
        """
        events = await super().get_validation_events(dispatcher, tracker, domain)
        latest = tracker.latest_message.get("distress")
        found = escalation([latest])
        if DistressCategory.COERCION not in found.categories:
            return events
        dispatcher.utter_message(text=TRANSFER_HELD)
        history = [
            e.get("parse_data", {}).get("distress")
            for e in tracker.events
            if e.get("event") == "user"
        ]
        whole = escalation([*history, latest])
        handoff = request_handoff(HandoffReason.COERCION, whole.priority)
        if self.on_coercion is OnCoercion.OFFER:  # the reason and the priority, no follow-up
            handoff = [event for event in handoff if event.get("event") != "followup"]
        return [*events, SlotSet("transfer_confirmed", None), *handoff]

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
        try:
            number = BankAccount.parse(value, location="slot recipient_account")
        except InputError:
            number = None
        if number is None or _bank().account(number) is None:
            dispatcher.utter_message(text="I could not find that account. Please check the number.")
            return {"recipient_account": None}
        return {"recipient_account": str(number)}

    def validate_transfer_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Only ``True`` (a "yes") confirms; anything else asks again."""
        return {"transfer_confirmed": True if value is True else None}


class ActionAskTransferConfirmed(BankAction):
    """Repeat the transfer (amount and recipient) and ask for a yes or a no."""

    def name(self) -> str:
        return "action_ask_transfer_confirmed"

    async def run_authorized(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        context: ActionContext,
    ) -> List[EventType]:
        amount, target = transfer_slots(tracker)
        accounts = _bank().accounts_of(context.identity.subject)
        currency = accounts[0].currency if accounts else "EUR"  # the source's, as transferred
        dispatcher.utter_message(
            text=f"Please confirm: send {_money(amount, currency)} to account "
            # The number the caller typed: their own input, shown as their role allows.
            f"{context.show('recipient_account', target, owner=context.identity.subject)}?"
            " (yes / no)",
            buttons=[
                {"title": "Yes, send it", "payload": "/affirm"},
                {"title": "No, cancel", "payload": "/deny"},
            ],
        )
        return []


def transfer_reset() -> List[EventType]:
    """Empty the transfer form's slots, so the next transfer asks for everything again."""
    return [
        SlotSet("amount", None),
        SlotSet("recipient_account", None),
        SlotSet("transfer_confirmed", None),
    ]


class ActionCancelTransfer(BankAction):
    """The customer said no during the transfer form: say so and forget what was filled."""

    def name(self) -> str:
        return "action_cancel_transfer"

    async def run_authorized(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        context: ActionContext,
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_transfer_cancelled")
        return transfer_reset()


class ActionTransferMoney(BankAction):
    """Carry out a validated, confirmed transfer from the caller's checking account."""

    def name(self) -> str:
        return "action_transfer_money"

    async def run_authorized(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        context: ActionContext,
    ) -> List[EventType]:
        reset = transfer_reset()
        if tracker.get_slot("transfer_confirmed") is not True:
            dispatcher.utter_message(text="The transfer was not confirmed, so I did not make it.")
            return reset
        amount, target = transfer_slots(tracker)
        bank = _bank()
        accounts = bank.accounts_of(context.identity.subject)
        if not accounts:
            dispatcher.utter_message(text="I could not find an account to transfer from.")
            return reset
        source = accounts[0]
        context.require_owner(source.owner)
        try:
            updated = bank.transfer(source.number, target, amount)
        except BankError as error:
            dispatcher.utter_message(text=str(error))
            return reset
        shown = context.show("account_number", updated.number, owner=updated.owner)
        dispatcher.utter_message(
            text=f"Done: {_money(amount, updated.currency)} sent to {target}. "
            f"New balance of {updated.kind} {shown}: "
            f"{_money(updated.balance, updated.currency)}."
        )
        return reset


class ValidateEmailForm(BankFormValidation):
    """Authorize and validate the new contact email."""

    def name(self) -> str:
        return "validate_email_form"

    def authorize_email(self, value: Any, tracker: Tracker, context: ActionContext) -> bool:
        """A customer may set their own contact email (the action writes only to theirs)."""
        return True

    def validate_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        try:
            email = EmailAddress.parse(value, location="slot email")
        except InputError:
            dispatcher.utter_message(text="That does not look like an email address.")
            return {"email": None}
        return {"email": str(email)}


class ActionUpdateEmail(BankAction):
    """Store the validated email as the caller's contact address."""

    def name(self) -> str:
        return "action_update_email"

    async def run_authorized(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        context: ActionContext,
    ) -> List[EventType]:
        email = EmailAddress.parse(tracker.get_slot("email"), location="slot email")
        try:
            _bank().update_email(context.identity.subject, str(email))
        except BankError as error:
            dispatcher.utter_message(text=str(error))
        else:
            dispatcher.utter_message(text="Your contact email has been updated.")
        return [SlotSet("email", None)]
