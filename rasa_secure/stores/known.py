"""Values known to be sensitive in a conversation, redacted wherever they repeat.

A bot saying "Thanks, Ada" after the name was collected repeats a value no detector would
recognise in that sentence. :class:`KnownValues` remembers the clear values of sensitive slots
and entities, the values the PIIDetector NLU component found (NER included) and those of a
sealed record (:meth:`~rasa_secure.stores.vault.Vault.seal`), per conversation; every text of
the conversation then has their occurrences redacted (:func:`known_findings`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Sequence

from rasa_secure.core.identity.crypto import is_encrypted
from rasa_secure.core.nested import leaves
from rasa_secure.core.pii import PIIFinding
from rasa_secure.stores.parse_data import nlu_findings
from rasa_secure.stores.vault import KNOWN_VALUES_KEY, Vault

SENSITIVE_ENTITY_RECOGNIZER = "SensitiveEntity"
"""Recognizer name of the findings made for sensitive entities and known values."""

MAX_KNOWN_SCOPES = 10_000
"""Conversations whose sensitive values are remembered."""

MIN_KNOWN_LENGTH = 3
"""Shorter remembered values are not searched for in other texts (too many false hits)."""

MAX_VALUE_DEPTH = 32
"""Leaves of a slot or entity value nested deeper than this are not remembered."""


class KnownValues:
    """The per-conversation memory of sensitive values (value -> entity type); thread-safe.

    Bounded (``MAX_KNOWN_SCOPES`` conversations, least recently used first out). It is a
    cache: the secure tracker store seals what it learns into the events it stores and reads
    it back with the conversation, so another replica, or this one after a restart, redacts
    the same values.
    """

    def __init__(
        self,
        *,
        sensitive_slots: FrozenSet[str],
        sensitive_entities: FrozenSet[str],
        vault: Vault,
        ours: Callable[[Any], bool],
    ) -> None:
        """``ours`` tells our own replacements, which are never remembered."""
        self.sensitive_slots = sensitive_slots
        self.sensitive_entities = sensitive_entities
        self.vault = vault
        self.ours = ours
        self._known: OrderedDict[str, Dict[str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def learn(self, event: Mapping[str, Any], *, scope: str) -> Dict[str, str]:
        """Remember the clear values of sensitive slots and entities in ``event``, the values
        the NLU component found in a user message, and those of a sealed record in its metadata.

        Returns:
            The values learned from this event (value -> entity type), sealed record included.
        """
        kind = event.get("event")
        learned: Dict[str, str] = {}
        if kind == "slot" and event.get("name") in self.sensitive_slots:
            collect(learned, str(event["name"]), event.get("value"))
        elif kind == "user":
            parse = event.get("parse_data")
            parse = parse if isinstance(parse, Mapping) else None
            entities = parse.get("entities") if parse is not None else None
            for entity in entities if isinstance(entities, list) else ():
                if isinstance(entity, Mapping) and entity.get("entity") in self.sensitive_entities:
                    collect(learned, str(entity["entity"]), entity.get("value"))
            text = event.get("text")
            if isinstance(text, str):
                for finding in nlu_findings(parse, text):
                    collect(learned, finding.entity_type, text[finding.start : finding.end])
        metadata = event.get("metadata")
        if isinstance(metadata, Mapping) and KNOWN_VALUES_KEY in metadata:
            learned.update(self.vault.unseal(metadata[KNOWN_VALUES_KEY], scope=scope))
        learned = {
            value: name
            for value, name in learned.items()
            if not is_encrypted(value) and not self.ours(value)
        }
        self.add(learned, scope)
        return learned

    def remember(self, name: str, value: Any, *, scope: str) -> None:
        """Remember the string leaves of a sensitive slot or entity value for ``scope``."""
        found: Dict[str, str] = {}
        collect(found, name, value)
        self.add({leaf: kind for leaf, kind in found.items() if not is_encrypted(leaf)}, scope)

    def add(self, values: Mapping[str, str], scope: str) -> None:
        """Remember ``values`` (value -> entity type) for ``scope``, our replacements aside."""
        strings = {value: kind for value, kind in values.items() if not self.ours(value)}
        if not strings:
            return
        with self._lock:
            known = self._known.pop(scope, None) or {}
            for leaf, kind in strings.items():
                known.setdefault(leaf, kind)
            self._known[scope] = known
            while len(self._known) > MAX_KNOWN_SCOPES:
                self._known.popitem(last=False)

    def entity_findings(
        self, text: str, entities: Sequence[Any], *, spans: bool
    ) -> List[PIIFinding]:
        """Findings for sensitive entities in ``text``: their spans (when ``spans``: the
        entities' offsets point into ``text``) and the literal occurrences of their values."""
        findings: List[PIIFinding] = []
        for entity in entities:
            if (
                not isinstance(entity, Mapping)
                or entity.get("entity") not in self.sensitive_entities
            ):
                continue
            kind = str(entity["entity"]).upper()
            start, end = entity.get("start"), entity.get("end")
            if (
                spans
                and isinstance(start, int)
                and isinstance(end, int)
                and 0 <= start < end <= len(text)
                and not self.ours(text[start:end])
            ):
                findings.append(PIIFinding(kind, start, end, 1.0, SENSITIVE_ENTITY_RECOGNIZER))
            value = entity.get("value")
            if isinstance(value, str) and value.strip() and not self.ours(value):
                findings.extend(
                    PIIFinding(kind, at, at + len(value), 1.0, SENSITIVE_ENTITY_RECOGNIZER)
                    for at in occurrences(text, value)
                )
        return findings

    def get(self, scope: str) -> Dict[str, str]:
        """The values remembered for ``scope`` (value -> entity type)."""
        with self._lock:
            return dict(self._known.get(scope) or {})


def collect(found: Dict[str, str], name: str, value: Any) -> None:
    """Add the string leaves of a sensitive value long enough to be searched for."""
    for leaf in leaves(value, MAX_VALUE_DEPTH):
        if len(leaf.strip()) >= MIN_KNOWN_LENGTH:
            found.setdefault(leaf, name.upper())


def known_findings(text: str, known: Mapping[str, str]) -> List[PIIFinding]:
    """Findings for every occurrence of a remembered sensitive value, ignoring case."""
    if not known:
        return []
    lowered = text.lower()
    haystack = lowered if len(lowered) == len(text) else text
    findings: List[PIIFinding] = []
    for value, kind in known.items():
        needle = value.lower() if haystack is lowered else value
        findings.extend(
            PIIFinding(kind, at, at + len(value), 1.0, SENSITIVE_ENTITY_RECOGNIZER)
            for at in occurrences(haystack, needle)
        )
    return findings


def occurrences(text: str, value: str) -> List[int]:
    """The start of every non-overlapping occurrence of ``value`` in ``text``."""
    found: List[int] = []
    at = text.find(value)
    while at != -1:
        found.append(at)
        at = text.find(value, at + len(value))
    return found
