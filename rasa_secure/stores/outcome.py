"""What sanitizing one event did: the :class:`Report` built on the way, the result it gives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Set, Tuple

from rasa_secure.core.redaction import Redaction


@dataclass(frozen=True)
class SanitizedEvent:
    """The outcome of :meth:`EventSanitizer.sanitize`. Holds no raw value.

    Attributes:
        event: the event safe to store or publish (a new dict; the input is never mutated).
        changed: whether anything was replaced or encrypted.
        categories: PII entity types (and sensitive entity names) replaced.
        encrypted_slots: names of slots whose value was encrypted.
        failed: detection failed somewhere and a text was replaced whole, or the event
            became a tombstone.
    """

    event: Dict[str, Any]
    changed: bool = False
    categories: Tuple[str, ...] = ()
    encrypted_slots: Tuple[str, ...] = ()
    failed: bool = False


@dataclass
class Report:
    """What happened while sanitizing one event (mutable while it is being built)."""

    scope: str
    categories: Set[str] = field(default_factory=set)
    encrypted: List[str] = field(default_factory=list)
    changed: bool = False
    failed: bool = False
    memo: Dict[str, Redaction] = field(default_factory=dict)
    known: Mapping[str, str] = field(default_factory=dict)
    trusted: Mapping[str, str] = field(default_factory=dict)

    def took(self, result: Redaction) -> str:
        """Account for ``result``; its text."""
        if result.items:
            self.changed = True
            self.categories.update(item.entity_type for item in result.items)
        self.failed = self.failed or result.failed
        return result.text

    def outcome(self, event: Dict[str, Any]) -> SanitizedEvent:
        """The :class:`SanitizedEvent` of ``event``, the safe event this report describes."""
        return SanitizedEvent(
            event=event,
            changed=self.changed,
            categories=tuple(sorted(self.categories)),
            encrypted_slots=tuple(self.encrypted),
            failed=self.failed,
        )
