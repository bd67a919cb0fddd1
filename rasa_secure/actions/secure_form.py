"""``SecureFormValidationAction``: form validation where every slot write must be granted.

rasa-sdk calls ``validate_<slot>`` when it exists and keeps the value when it does not. Here
each slot candidate must first pass, in order:

1. the policy: the caller's role may write the slot;
2. an ``authorize_<slot>(value, tracker, context) -> bool`` hook, which must exist
   (a missing hook means *deny*) and return ``True``;
3. the injection screen (:class:`InjectionDetector`) on the value,
   before the hook sees it, so SQL, shell or template payloads never reach a backend lookup;

and only then ``validate_<slot>`` runs. A refused candidate is reset (``SlotSet(slot, None)``:
Rasa already set it when it extracted it) with a polite message and an audit record. As in
:class:`~rasa_secure.actions.secure_action.SecureAction`, the caller must be authenticated and
the policy must allow the validation action itself (``validate_<form>``); the tracker is
filtered, outgoing messages are redacted, and other slot writes are checked::

    class ValidateTransferForm(SecureFormValidationAction):
        def name(self) -> str:
            return "validate_transfer_form"

        def authorize_amount(self, value, tracker, context) -> bool:
            return True  # any customer may say how much

        def validate_amount(self, value, dispatcher, tracker, domain):
            return {"amount": float(Money.parse(value, location="slot amount"))}
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from contextvars import ContextVar
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.utils import call_potential_coroutine

from rasa_secure.actions.guard import ActionGuard
from rasa_secure.actions.secure_action import ActionContext, authenticate, authorize, emit
from rasa_secure.core.identity import AuditDecision, audit
from rasa_secure.core.nested import leaves
from rasa_secure.errors import InputError

logger = logging.getLogger(__name__)

COMPONENT = "SecureFormValidationAction"
_CONTEXT: ContextVar[ActionContext] = ContextVar("rasa_secure_form_context")


class SecureFormValidationAction(FormValidationAction, ABC):
    """Form validation with per-slot authorization and injection screening.

    Class attributes (hooks with safe defaults):
        guard: the :class:`ActionGuard`; ``None`` means :meth:`ActionGuard.default`.
    """

    guard: Optional[ActionGuard] = None

    @abstractmethod
    def name(self) -> str:
        """The validation action's name (``validate_<form>``)."""

    def get_guard(self) -> ActionGuard:
        """Hook: the guard to use (default: :attr:`guard`, else :meth:`ActionGuard.default`)."""
        return self.guard if self.guard is not None else ActionGuard.default()

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Authenticate and authorize, then extract and validate with the checks above."""
        guard = self.get_guard()
        name = self.name()
        candidates = tracker.slots_to_validate()
        resets = [SlotSet(slot, None) for slot in candidates]
        identity = authenticate(guard, tracker, dispatcher, name)
        if identity is None:
            return resets
        decision = authorize(guard, dispatcher, identity, name, tracker)
        if decision is None:
            return resets
        inner = CollectingDispatcher()
        context = ActionContext(identity, decision, guard.policy, name)
        token = _CONTEXT.set(context)
        try:
            events = await super().run(inner, guard.view(tracker, identity), domain)
        except Exception as error:  # fail closed: every candidate is reset
            logger.error("form validation %s failed with %s", name, type(error).__name__)
            audit.record(
                COMPONENT,
                AuditDecision.ERROR,
                subject=identity.subject,
                action=name,
                reasons=(type(error).__name__,),
            )
            dispatcher.utter_message(text=guard.config["error_text"])
            return resets
        finally:
            _CONTEXT.reset(token)
        kept = guard.filter_events(
            list(events or []), identity, name, clearable=frozenset(candidates)
        )
        emit(guard, dispatcher, inner.messages, identity, tracker, kept, action=name)
        return kept

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Authorize, screen and validate each slot candidate (see the module docstring)."""
        context = _CONTEXT.get()
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        result: Dict[str, Any] = {}
        for slot, value in tracker.slots_to_validate().items():
            if slot not in required:
                continue
            reason = await self._refusal(slot, value, tracker, context)
            if reason is not None:
                self._reject(slot, reason, dispatcher, tracker, context)
                result[slot] = None
                continue
            validate = getattr(self, f"validate_{slot.replace('-', '_')}", None)
            if validate is None:
                result[slot] = value
                continue
            try:
                output = await call_potential_coroutine(
                    validate(value, dispatcher, tracker, domain)
                )
            except InputError:
                self._reject(slot, "invalid_input", dispatcher, tracker, context)
                result[slot] = None
                continue
            if isinstance(output, dict):
                result.update(output)
                tracker.slots.update(output)
            else:
                logger.warning("validate_%s did not return a dict; the value is kept", slot)
                result[slot] = value
        return [SlotSet(slot, value) for slot, value in result.items()]

    async def _refusal(
        self, slot: str, value: Any, tracker: Tracker, context: ActionContext
    ) -> Optional[str]:
        """Why the candidate ``value`` for ``slot`` is refused, or ``None`` if it may be set."""
        if value is None:
            return None
        if not context.policy.can_write(context.identity, slot):
            return "slot_write_denied"
        hook = getattr(self, f"authorize_{slot.replace('-', '_')}", None)
        if hook is None:
            return "no_authorize_hook"
        guard = self.get_guard()
        for text in leaves(value):
            category = guard.screen(text)
            if category is not None:
                return f"injection:{category}"
        allowed = await call_potential_coroutine(hook(value, tracker, context))
        return None if allowed is True else "authorize_refused"

    def _reject(
        self,
        slot: str,
        reason: str,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        context: ActionContext,
    ) -> None:
        guard = self.get_guard()
        audit.record(
            COMPONENT, AuditDecision.DENY, subject=context.identity.subject, action=context.action,
            categories=(slot,), reasons=(reason,),
        )  # fmt: skip
        refused = reason in ("slot_write_denied", "no_authorize_hook", "authorize_refused")
        dispatcher.utter_message(text=guard.config["refusal_text" if refused else "invalid_text"])
        tracker.slots[slot] = None
