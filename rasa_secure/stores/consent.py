"""Consent gate of the secure event broker: a conversation's events leave only with consent.

The broker feeds optional processing (analytics, keeping transcripts to train the
assistant). With ``consent_slot`` set, :class:`ConsentGate` lets a conversation's events
through only while that slot is ``true``; without consent only two kinds of event leave:

* the consent slot's own events, so that a consumer learns of a withdrawal (the event holds
  the slot's name and ``true``/``false``/``null``, nothing the customer wrote);
* the event types listed in ``events_without_consent`` (none by default).

The gate follows the conversation as the tracker does: a ``slot`` event for the consent slot
sets it, ``session_started`` and ``restart`` reset it (carried-over slots are set again by
``slot`` events after them). A conversation the gate has not seen counts as not consented.
The secure tracker store also tells the gate the slot's value each time it saves a
conversation (:meth:`ConsentGate.observe`), so every replica and a restarted process follow
the stored tracker; the turn in which consent is given is then published whole.

The gate keys conversations by the id the broker publishes them under: with
``pseudonymous_ids`` (the store's or the broker's) the keyed pseudonym, never the sender id.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from enum import Enum
from typing import Any, Dict, Mapping, Optional

from rasa_secure.config import Option, OptionSpec, list_of, resolve
from rasa_secure.errors import ConfigError
from rasa_secure.stores.event_types import EVENT_FIELDS

MAX_CONVERSATIONS = 100_000
"""Conversations whose consent the gate remembers; the least recently seen are forgotten
(and count as not consented until their tracker is saved again)."""

RESETS = frozenset({"session_started", "restart"})
"""Event types after which a conversation's slots, consent included, are empty."""


def _event_types(value: Any) -> Optional[str]:
    problem = list_of(str)(value)
    unknown = sorted(set(value) - set(EVENT_FIELDS)) if problem is None else []
    if unknown:
        return f"unknown event type {unknown[0]!r} (allowed: {', '.join(sorted(EVENT_FIELDS))})"
    return problem


CONSENT_OPTIONS: OptionSpec = {
    "consent_slot": Option(
        None,
        "a boolean slot: a conversation's events are published only while it is true (only"
        " the slot's own events and events_without_consent leave otherwise); null publishes"
        " every event",
        (str, type(None)),
    ),
    "events_without_consent": Option(
        [],
        "event types published without consent too (e.g. session_started, to count"
        " conversations); needs consent_slot",
        list,
        _event_types,
    ),
}
"""The consent options of the secure event broker."""


class Verdict(str, Enum):
    """Why the gate published an event or held it back."""

    NO_GATE = "no_gate"
    CONSENTED = "consented"
    CONSENT_EVENT = "consent_event"
    ALLOWED_WITHOUT_CONSENT = "allowed_without_consent"
    NO_CONSENT = "no_consent"


@dataclass(frozen=True)
class Admission:
    """The gate's decision on one event.

    Attributes:
        publish: whether the event may leave.
        verdict: why.
    """

    publish: bool
    verdict: Verdict


class ConsentGate:
    """Decide, event by event, what of a conversation may be published.

    Attributes:
        slot: the consent slot; ``None`` means every event is published.
        without_consent: event types published without consent.
    """

    def __init__(self, slot: str | None, without_consent: frozenset[str]) -> None:
        """Use :meth:`from_config` to build one from the broker's options."""
        self.slot = slot
        self.without_consent = without_consent
        self._consent: OrderedDict[str, bool] = OrderedDict()

    @classmethod
    def from_config(cls, options: Mapping[str, Any], *, owner: str) -> ConsentGate:
        """The gate of the broker options ``options`` (other keys are ignored).

        Raises:
            ConfigError: an invalid consent option (the error names the key).
        """
        mine = {key: value for key, value in options.items() if key in CONSENT_OPTIONS}
        settings: Dict[str, Any] = resolve(CONSENT_OPTIONS, mine, owner=owner)
        if settings["events_without_consent"] and settings["consent_slot"] is None:
            raise ConfigError(f"{owner}.events_without_consent", "needs consent_slot")
        return cls(settings["consent_slot"], frozenset(settings["events_without_consent"]))

    def observe(self, conversation: str, tracker: Any) -> None:
        """Record the consent slot's value in ``tracker`` (a Rasa ``DialogueStateTracker``
        about to be saved) as the consent of ``conversation`` (its id in the broker events)."""
        if self.slot is not None:
            self._remember(conversation, tracker.get_slot(self.slot) is True)

    def admit(self, event: Mapping[str, Any], conversation: str | None = None) -> Admission:
        """Whether ``event`` (a Rasa event dict) may be published, updating the consent of
        ``conversation`` (by default the event's ``sender_id``) with the event first."""
        if self.slot is None:
            return Admission(True, Verdict.NO_GATE)
        if conversation is None:
            scope = event.get("sender_id")
            conversation = scope if isinstance(scope, str) else ""
        kind = event.get("event")
        if kind == "slot" and event.get("name") == self.slot:
            self._remember(conversation, event.get("value") is True)
            return Admission(True, Verdict.CONSENT_EVENT)
        if kind in RESETS:
            self._remember(conversation, False)
        elif self._consent.get(conversation, False):
            self._consent.move_to_end(conversation)
            return Admission(True, Verdict.CONSENTED)
        if kind in self.without_consent:
            return Admission(True, Verdict.ALLOWED_WITHOUT_CONSENT)
        return Admission(False, Verdict.NO_CONSENT)

    def _remember(self, conversation: str, consented: bool) -> None:
        self._consent[conversation] = consented
        self._consent.move_to_end(conversation)
        while len(self._consent) > MAX_CONVERSATIONS:
            self._consent.popitem(last=False)
