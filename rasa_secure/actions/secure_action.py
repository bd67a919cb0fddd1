"""``SecureAction``: a rasa-sdk action that runs only for callers the policy allows.

Write ``run_authorized`` instead of ``run``::

    class ActionCheckBalance(SecureAction):
        def name(self) -> str:
            return "action_check_balance"

        async def run_authorized(self, dispatcher, tracker, domain, context):
            for account in bank.accounts_of(context.identity.subject):
                context.require_owner(account.owner)
                number = context.show("account_number", account.number, owner=account.owner)
                dispatcher.utter_message(text=f"{number}: {account.balance}")
            return []

Before ``run_authorized``, :class:`~rasa_secure.actions.guard.ActionGuard` establishes the
identity (the attested envelope the channel put in the latest user message, or the forwarded
JWT re-verified) and checks the policy for the action. The action sees a filtered tracker
(slots the role may not read are ``None``, also in past events; the identity envelope is
removed). Afterwards
``SlotSet`` events for slots the role may not write are dropped, and every outgoing message
passes through the redaction: slot values shown as the policy's disclosure allows, then PII
masked. A denial, a failed ownership check, an invalid typed value or an unexpected error
answers politely, returns no events, and leaves an audit record. Everything fails closed.

Configuration (a YAML file named by ``RASA_SECURE_ACTIONS_CONFIG``, or just the policy path
in ``RASA_SECURE_POLICY``) is described in ``docs/components/secure-action.md``.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.utils import call_potential_coroutine

from rasa_secure.actions.guard import COMPONENT, ActionGuard
from rasa_secure.core.identity import (
    AccessDecision,
    AuditDecision,
    Identity,
    Policy,
    StepUpChallenge,
    audit,
)
from rasa_secure.errors import AuthenticationError, AuthorizationError, InputError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActionContext:
    """What an authorized action knows about its caller.

    Attributes:
        identity: the verified caller.
        decision: the policy decision that let the action run (role and scope).
        policy: the policy, for finer checks.
        action: the action's name.
    """

    identity: Identity
    decision: AccessDecision
    policy: Policy
    action: str

    def owns(self, owner: Optional[str]) -> bool:
        """Whether the grant covers a record owned by ``owner`` (always true for ``any``)."""
        return self.policy.check_owner(self.identity, self.action, owner).allowed

    def require_owner(self, owner: Optional[str]) -> None:
        """Raise :class:`AuthorizationError` unless the grant covers a record of ``owner``.

        ``SecureAction`` turns the error into a polite refusal and an audit record.
        """
        decision = self.policy.check_owner(self.identity, self.action, owner)
        if not decision.allowed:
            raise AuthorizationError(self.identity.subject, decision.permission, decision.reason)

    def show(self, name: str, value: Any, *, owner: Optional[str]) -> str:
        """``value`` of the slot or backend field ``name``, as the caller may see it.

        ``owner`` is the subject the backend says owns the record the value comes from
        (``None``: unknown). The disclosure is that of the caller's roles whose grant on
        this action reaches that record (see :meth:`Policy.disclosure`), so it is required.
        """
        level = self.policy.disclosure(self.identity, name, action=self.action, owner=owner)
        return level.render(value)


class SecureAction(Action, ABC):
    """An action that runs only when the policy allows it; see the module docstring.

    Class attributes (hooks with safe defaults):
        guard: the :class:`ActionGuard` to use; ``None`` means :meth:`ActionGuard.default`.
    """

    guard: Optional[ActionGuard] = None

    def get_guard(self) -> ActionGuard:
        """Hook: the guard to use (default: :attr:`guard`, else :meth:`ActionGuard.default`)."""
        return self.guard if self.guard is not None else ActionGuard.default()

    @abstractmethod
    def name(self) -> str:
        """The action's name, as in the domain and the policy."""

    @abstractmethod
    async def run_authorized(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
        context: ActionContext,
    ) -> List[Dict[str, Any]]:
        """The action's work, run only after authentication and authorization succeeded."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Authenticate, authorize, run :meth:`run_authorized` on a filtered view, redact."""
        guard = self.get_guard()
        name = self.name()
        identity = authenticate(guard, tracker, dispatcher, name)
        if identity is None:
            return []
        decision = authorize(guard, dispatcher, identity, name, tracker)
        if decision is None:
            return []
        if guard.config["audit_allowed"]:
            audit.record(
                COMPONENT,
                AuditDecision.ALLOW,
                subject=identity.subject,
                action=name,
                reasons=(decision.reason,),
            )
        inner = CollectingDispatcher()
        context = ActionContext(identity, decision, guard.policy, name)
        try:
            events = await call_potential_coroutine(
                self.run_authorized(inner, guard.view(tracker, identity), domain, context)
            )
        except AuthorizationError as error:
            return refuse(guard, dispatcher, identity.subject, name, error.reason)
        except InputError as error:
            audit.record(
                COMPONENT,
                AuditDecision.REJECT,
                subject=identity.subject,
                action=name,
                reasons=("invalid_input",),
                categories=(error.location,),
            )
            dispatcher.utter_message(text=guard.config["invalid_text"])
            return []
        except Exception as error:  # fail closed: no partial output, no events
            logger.error("action %s failed with %s", name, type(error).__name__)
            audit.record(
                COMPONENT,
                AuditDecision.ERROR,
                subject=identity.subject,
                action=name,
                reasons=(type(error).__name__,),
            )
            dispatcher.utter_message(text=guard.config["error_text"])
            return []
        kept = guard.filter_events(list(events or []), identity, name)
        emit(guard, dispatcher, inner.messages, identity, tracker, kept, action=name)
        return kept


def authenticate(
    guard: ActionGuard, tracker: Tracker, dispatcher: CollectingDispatcher, action: str
) -> Optional[Identity]:
    """The caller's identity, or ``None`` after a polite refusal and an audit record."""
    try:
        return guard.identify(tracker)
    except AuthenticationError as error:
        audit.record(
            COMPONENT,
            AuditDecision.DENY,
            subject=tracker.sender_id,
            action=action,
            reasons=(error.reason,),
        )
        dispatcher.utter_message(text=guard.config["refusal_text"])
        return None


def authorize(
    guard: ActionGuard,
    dispatcher: CollectingDispatcher,
    identity: Identity,
    action: str,
    tracker: Tracker,
) -> Optional[AccessDecision]:
    """The policy's grant for ``action``, or ``None`` after a refusal.

    The caller needs a grant and, when the policy has ``step_up`` rules for the action, a
    sign-in strong enough for the current slot values; otherwise the answer carries the
    step-up challenge.
    """
    decision = guard.policy.check_action(identity, action)
    if not decision.allowed:
        refuse(guard, dispatcher, identity.subject, action, decision.reason)
        return None
    step_up = guard.policy.check_step_up(identity, action, tracker.slots)
    if not step_up.allowed:
        refuse(guard, dispatcher, identity.subject, action, step_up.reason, step_up.challenge)
        return None
    return decision


def refuse(
    guard: ActionGuard,
    dispatcher: CollectingDispatcher,
    subject: str,
    action: str,
    reason: str,
    challenge: Optional[StepUpChallenge] = None,
) -> List[Dict[str, Any]]:
    """Answer politely, audit the denial, and return no events.

    With a step-up ``challenge`` the answer is the ``step_up_text`` with the challenge as its
    custom payload (RFC 9470 parameters), which the client acts on.
    """
    audit.record(COMPONENT, AuditDecision.DENY, subject=subject, action=action, reasons=(reason,))
    if challenge is None:
        dispatcher.utter_message(text=guard.config["refusal_text"])
    else:
        dispatcher.utter_message(
            text=guard.config["step_up_text"], json_message=challenge.to_payload()
        )
    return []


def emit(
    guard: ActionGuard,
    dispatcher: CollectingDispatcher,
    messages: Sequence[Dict[str, Any]],
    identity: Optional[Identity],
    tracker: Tracker,
    events: Sequence[Any],
    *,
    action: str,
) -> None:
    """Redact ``messages`` of ``action`` (slot disclosure, then PII) into ``dispatcher``."""
    if not messages:
        return
    values = list(tracker.slots.items())
    values.extend(
        (str(event.get("name")), event.get("value"))
        for event in events
        if isinstance(event, dict) and event.get("event") == "slot"
    )
    disclosures = guard.disclosures(identity, action, values)
    for message in messages:
        dispatcher.messages.append(guard.redact_message(message, disclosures, tracker.sender_id))
