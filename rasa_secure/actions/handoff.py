"""``HandoffAction``: hand the conversation to a person through a helpdesk webhook.

A :class:`~rasa_secure.actions.secure_action.SecureAction` like any other (the policy must
grant it), so only a verified caller can ask for a person. It posts a
:class:`~rasa_secure.core.handoff.Handoff` (reason, priority, pseudonymised customer, the
transcript redacted by the guard's PII settings, an encrypted conversation reference) with
:class:`~rasa_secure.core.handoff.HandoffClient` (signed, retried, idempotent). Delivered, it
tells the customer and pauses the conversation (Rasa's ``pause`` event: the bot stays silent
until the agent hands back through
:class:`~rasa_secure.channel.secure_handoff.SecureHandoffInput`). Not delivered, it tells the
customer how else to reach the bank and the bot carries on.

Other code asks for a handoff with a reason and a priority through :func:`request_handoff`::

    return request_handoff(HandoffReason.COERCION)   # from any action's run

and an NLU component marks a message with
:func:`~rasa_secure.core.handoff.handoff_hint` (e.g. a distressed customer: the handoff that
message leads to gets that reason and at least that priority).

See ``docs/components/handoff.md``.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any, Dict, List, Mapping, Optional, Tuple, Type, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from rasa_secure.actions.secure_action import ActionContext, SecureAction
from rasa_secure.config import Option, OptionSpec, in_range, resolve
from rasa_secure.core.handoff import (
    AGENT_METADATA_KEY,
    DEFAULT_PRIORITY,
    HINT_KEY,
    Delivery,
    Handoff,
    HandoffClient,
    HandoffReason,
    Priority,
    Speaker,
    TranscriptLine,
    most_urgent,
    seal_conversation,
)
from rasa_secure.core.identity import AuditDecision, Keyring, audit

COMPONENT = "HandoffAction"
ACTION_NAME = "action_handoff"
REASON_SLOT = "handoff_reason"
PRIORITY_SLOT = "handoff_priority"
WITHHELD_TEXT = "<REDACTED>"
E = TypeVar("E", bound=Enum)

OPTIONS: OptionSpec = {
    "helpdesk": Option({}, "HandoffClient options: where and how handoffs are posted", dict),
    "keys_env": Option(
        "RASA_SECURE_KEYS",
        "keyring that encrypts the conversation reference (the Rasa server's, which opens it)",
        str,
    ),
    "original_keys_env": Option(
        None,
        "keyring of the agents entitled to the unredacted transcript; null: never sent",
        (str, type(None)),
    ),
    "transcript_messages": Option(
        50, "how many of the latest messages the transcript holds", int, in_range(1, 1000)
    ),
    "connecting_text": Option(
        "I'm connecting you with a member of our team. They will answer you here.",
        "said when the helpdesk has the handoff",
        str,
    ),
    "unavailable_text": Option(
        "Sorry, I can't reach our team right now. You can call us on 0800 123 4567 "
        "(24 hours) or visit any branch. I'm still here if I can help.",
        "said when the handoff could not be delivered: other ways to reach a person",
        str,
    ),
}
"""Configuration of :class:`HandoffAction` (its ``options`` class attribute)."""


def request_handoff(reason: HandoffReason, priority: Optional[Priority] = None) -> List[EventType]:
    """Events that make Rasa run :class:`HandoffAction` next, with ``reason`` and ``priority``.

    Return them from any action (e.g. a transfer that detected coercion). ``priority``
    defaults to :data:`~rasa_secure.core.handoff.DEFAULT_PRIORITY` of the reason. The domain
    needs the text slots ``handoff_reason`` and ``handoff_priority``, writable by the caller's
    role in the policy.
    """
    chosen = priority or DEFAULT_PRIORITY[reason]
    return [
        SlotSet(REASON_SLOT, reason.value),
        SlotSet(PRIORITY_SLOT, chosen.value),
        FollowupAction(ACTION_NAME),
    ]


def requested(tracker: Tracker) -> Tuple[HandoffReason, Priority]:
    """The reason and priority of the handoff asked for.

    The reason: the one :func:`request_handoff` set, else the latest message's
    :func:`~rasa_secure.core.handoff.handoff_hint` (an NLU component's), else a customer's
    request. The priority: the most urgent of theirs, of the hints of every earlier message
    of the conversation (a distressed message raises the priority of a later handoff) and of
    the reason's default.
    """
    latest = _hint(tracker.latest_message)
    earlier = [_hint(e.get("parse_data")) for e in tracker.events if e.get("event") == "user"]
    reasons = [
        _member(HandoffReason, tracker.get_slot(REASON_SLOT)),
        _member(HandoffReason, latest.get("reason")),
    ]
    reason = next((r for r in reasons if r is not None), HandoffReason.CUSTOMER_REQUEST)
    priority = most_urgent(
        _member(Priority, tracker.get_slot(PRIORITY_SLOT)),
        *(_member(Priority, hint.get("priority")) for hint in [latest, *earlier]),
        DEFAULT_PRIORITY[reason],
    )
    return reason, priority


def _hint(parse_data: Any) -> Dict[str, Any]:
    """The handoff hint of a message's parse data, or ``{}``."""
    hint = parse_data.get(HINT_KEY) if isinstance(parse_data, dict) else None
    return hint if isinstance(hint, dict) else {}


def _member(enum: Type[E], value: Any) -> Optional[E]:
    """``enum(value)``, or ``None`` for a value that names no member."""
    try:
        return enum(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class _Settings:
    options: Dict[str, Any]
    client: HandoffClient
    keyring: Keyring
    original: Optional[Keyring]


class HandoffAction(SecureAction):
    """Post a handoff to the helpdesk and pause the conversation; see the module docstring.

    Class attributes (hooks with safe defaults):
        options: options of :data:`OPTIONS` (validated on the first call).
        environ: where secrets are read (``None``: ``os.environ``).
    """

    options: Mapping[str, Any] = {}
    environ: Optional[Mapping[str, str]] = None

    def __init__(self) -> None:
        self._settings: Optional[_Settings] = None
        self._lock = threading.Lock()

    def name(self) -> str:
        """``action_handoff``."""
        return ACTION_NAME

    def settings(self) -> _Settings:
        """The validated options, the client and the keyrings (built once).

        Raises:
            ConfigError: an invalid option, a missing URL, secret or keyring.
        """
        with self._lock:
            if self._settings is None:
                env = os.environ if self.environ is None else self.environ
                options = resolve(OPTIONS, self.options, owner=COMPONENT)
                client = HandoffClient(
                    options["helpdesk"], environ=env, owner=f"{COMPONENT}.helpdesk"
                )
                keyring = Keyring.from_env(
                    options["keys_env"], env, option=f"{COMPONENT}.keys_env", purpose=COMPONENT
                )
                original = None
                if options["original_keys_env"] is not None:
                    original = Keyring.from_env(
                        options["original_keys_env"],
                        env,
                        option=f"{COMPONENT}.original_keys_env",
                        purpose=COMPONENT,
                    )
                self._settings = _Settings(options, client, keyring, original)
            return self._settings

    async def run_authorized(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
        context: ActionContext,
    ) -> List[EventType]:
        """Deliver the handoff; pause when the helpdesk has it, else give the alternatives."""
        settings = self.settings()
        reason, priority = requested(tracker)
        handoff = self.build(tracker, context, reason, priority, settings)
        delivery = await settings.client.deliver(handoff)
        self.record(context, handoff, delivery)
        reset: List[EventType] = [SlotSet(REASON_SLOT, None), SlotSet(PRIORITY_SLOT, None)]
        if not delivery.delivered:
            dispatcher.utter_message(text=settings.options["unavailable_text"])
            return reset
        dispatcher.utter_message(text=settings.options["connecting_text"])
        return [*reset, ConversationPaused()]

    def build(
        self,
        tracker: Tracker,
        context: ActionContext,
        reason: HandoffReason,
        priority: Priority,
        settings: _Settings,
    ) -> Handoff:
        """The payload for this conversation turn (same ``handoff_id`` if asked again)."""
        lines = transcript(tracker, settings.options["transcript_messages"])
        turn = next(
            (e.get("timestamp") for e in reversed(tracker.events) if e.get("event") == "user"), 0
        )
        key = audit.pseudonym(f"handoff\0{tracker.sender_id}\0{turn}\0{reason.value}") or ""
        original = None
        if settings.original is not None:
            plain = json.dumps([asdict(line) for line in lines], sort_keys=True)
            original = settings.original.encrypt(plain, context=key)
        guard = self.get_guard()
        redacted = tuple(
            TranscriptLine(
                line.speaker,
                WITHHELD_TEXT
                if guard.sanitizer is None
                else guard.sanitize(line.text, (), tracker.sender_id),
                line.timestamp,
            )
            for line in lines
        )
        return Handoff(
            handoff_id="ho_" + key.partition("_")[2],
            reason=reason,
            priority=priority,
            customer=audit.pseudonym(context.identity.subject) or "",
            conversation=seal_conversation(settings.keyring, tracker.sender_id),
            channel=str(tracker.get_latest_input_channel() or ""),
            transcript=redacted,
            created_at=time.time(),
            original=original,
        )

    def record(self, context: ActionContext, handoff: Handoff, delivery: Delivery) -> None:
        """An audit record of the delivery (ids and enums only)."""
        audit.record(
            COMPONENT,
            AuditDecision.ALLOW if delivery.delivered else AuditDecision.ERROR,
            subject=context.identity.subject,
            action=self.name(),
            categories=(handoff.reason.value, handoff.priority.value),
            reasons=(delivery.status.value, f"attempts_{delivery.attempts}"),
        )


def transcript(tracker: Tracker, limit: int) -> List[TranscriptLine]:
    """The latest ``limit`` customer, bot and agent messages, unredacted, oldest first."""
    lines = []
    for event in tracker.events:
        text = event.get("text")
        if not isinstance(text, str) or not text:
            continue
        if event.get("event") == "user":
            speaker = Speaker.CUSTOMER
        elif event.get("event") == "bot":
            metadata = event.get("metadata") or {}
            speaker = Speaker.AGENT if AGENT_METADATA_KEY in metadata else Speaker.BOT
        else:
            continue
        lines.append(TranscriptLine(speaker, text, float(event.get("timestamp") or 0)))
    return lines[-limit:]
