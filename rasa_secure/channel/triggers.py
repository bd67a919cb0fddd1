"""Intent triggers (``/intent{"entity": "value"}``) sent through the secure channel.

Rasa answers a message starting with ``/`` without its NLU pipeline: ``RegexMessageHandler``
replaces the intent, the entities and every finding of the pipeline's components (the
PIIDetector's ``pii``, the InjectionScreen's verdict) with what the text says. A user could
therefore fill slots with values nobody screened, and personal data the NLU pipeline would
have found by NER would reach the tracker store without findings to mask it.

:class:`TriggerGate` refuses every trigger except the intents a deployment allow-lists (the
payloads of its buttons), each with the entities it may carry. For an allowed trigger it
builds the parse data Rasa would have built, the way the NLU path builds it:

* the text in a canonical form, each entity pointing at its own value in it (Rasa points every
  entity at the whole JSON);
* every string value screened by :class:`~rasa_secure.core.injection.InjectionDetector`
  (a ``block`` refuses the message) and its verdict under ``security``;
* every string value searched by :class:`~rasa_secure.core.pii.PIIAnalyzer` (patterns and
  NER) and the findings under ``pii`` with offsets into the text, exactly as the PIIDetector
  NLU component reports them, so the secure tracker store and event broker mask them (and
  remember them for the conversation) as they mask the NLU pipeline's findings.

The channel hands Rasa this parse data with the message, so the pipeline is not run again.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from rasa_secure.channel.refusal import RefusalReason
from rasa_secure.config import resolve
from rasa_secure.core.injection import InjectionDetector, Verdict
from rasa_secure.core.json_depth import json_too_deep
from rasa_secure.core.pii import OPTIONS as PII_OPTIONS
from rasa_secure.core.pii import PIIAnalyzer, PIIFinding

PREFIX = "/"
"""Rasa's intent-trigger prefix (``rasa.shared.constants.INTENT_MESSAGE_PREFIX``)."""

EXTRACTOR = "SecureRestInput"
"""The ``extractor`` of the entities of an allowed trigger."""

_PATTERN = re.compile(
    r"^/(?P<intent>[^{@]+)(?P<confidence>@[0-9.]+)?(?P<entities>{.+})?(?P<rest>.*)$", re.DOTALL
)
"""Rasa 3.6's trigger grammar (``YAMLStoryReader._regex_message_pattern``), anchored at the end."""

Scalar = (str, int, float, bool)


class TriggerRefused(Exception):
    """An intent trigger that may not reach Rasa.

    Attributes:
        reason: the gate's refusal reason (its status tells a well-formed trigger that is not
            allowed from a malformed or blocked one).
        categories: threat categories, when the injection screen blocked a value.
    """

    def __init__(self, reason: RefusalReason, *, categories: Tuple[str, ...] = ()) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.categories = categories


@dataclass(frozen=True)
class AdmittedTrigger:
    """An allowed trigger, ready for Rasa.

    Attributes:
        text: the canonical text (``/intent{"entity": value, ...}``); the message's text.
        parse_data: what Rasa stores as the user event's parse data.
    """

    text: str
    parse_data: Dict[str, Any]


def is_trigger(text: str) -> bool:
    """Whether Rasa would read ``text`` as an intent trigger (it strips whitespace first)."""
    return text.strip().startswith(PREFIX)


class TriggerGate:
    """Refuse intent triggers, except allow-listed ones, which are screened and annotated.

    Args:
        allowed: intent name -> entity names its triggers may carry.
        pii: :class:`~rasa_secure.core.pii.PIIAnalyzer` options for entity values.
        screen: :class:`~rasa_secure.core.injection.InjectionDetector` options.
        max_depth: deepest nesting accepted in a trigger's JSON.
        owner: name used in configuration errors.
    """

    def __init__(
        self,
        allowed: Mapping[str, Sequence[str]],
        *,
        pii: Mapping[str, Any],
        screen: Mapping[str, Any],
        max_depth: int,
        owner: str,
    ) -> None:
        self.allowed = {intent: frozenset(names) for intent, names in allowed.items()}
        self.max_depth = max_depth
        self._pii: Optional[PIIAnalyzer] = None
        self._screen: Optional[InjectionDetector] = None
        if any(self.allowed.values()):  # detectors only when some trigger carries values
            # validated here first, so an error names the channel's key
            self._pii = PIIAnalyzer(resolve(PII_OPTIONS, pii, owner=f"{owner}.trigger_pii"))
            self._pii.load()
            self._screen = InjectionDetector(screen, owner=f"{owner}.trigger_screen")

    def admit(self, text: str) -> AdmittedTrigger:
        """The parse data for the trigger ``text``, or :class:`TriggerRefused`."""
        match = _PATTERN.match(text.strip())
        if match is None or match["confidence"] or match["rest"]:
            raise TriggerRefused(RefusalReason.INTENT_TRIGGER_MALFORMED)
        intent = match["intent"].strip()
        if intent not in self.allowed:
            raise TriggerRefused(RefusalReason.INTENT_TRIGGER_NOT_ALLOWED)
        raw = match["entities"]
        values: Dict[str, Any] = {}
        if raw is not None:
            if json_too_deep(raw.encode("utf-8"), self.max_depth):
                raise TriggerRefused(RefusalReason.INTENT_TRIGGER_MALFORMED)
            try:
                values = json.loads(raw)
            except ValueError:
                raise TriggerRefused(RefusalReason.INTENT_TRIGGER_MALFORMED) from None
            if not isinstance(values, dict) or not all(map(_plain, values.values())):
                raise TriggerRefused(RefusalReason.INTENT_TRIGGER_MALFORMED)
        if set(values) - self.allowed[intent]:
            raise TriggerRefused(RefusalReason.TRIGGER_ENTITY_NOT_ALLOWED)
        canonical, entities = _canonical(intent, values)
        verdict = self._screened(entities)
        findings = self._findings(canonical, entities)
        intent_data = {"name": intent, "confidence": 1.0}
        parse_data: Dict[str, Any] = {
            "text": canonical,
            "intent": intent_data,
            "intent_ranking": [dict(intent_data)],
            "entities": entities,
            "pii": [finding.to_wire() for finding in findings],
            "pii_failed": False,
        }
        if verdict is not None:
            parse_data["security"] = {
                "verdict": verdict.decision.value,
                "score": round(verdict.score, 4),
                "categories": list(verdict.categories),
                "reasons": [],
            }
        return AdmittedTrigger(canonical, parse_data)

    def _screened(self, entities: Sequence[Mapping[str, Any]]) -> Optional[Verdict]:
        """The strongest verdict over the string values; a block refuses the trigger."""
        strongest: Optional[Verdict] = None
        for entity in entities:
            value = entity["value"]
            if self._screen is None or not isinstance(value, str):
                continue
            verdict = self._screen.detect(value)
            if verdict.blocked:
                raise TriggerRefused(
                    RefusalReason.TRIGGER_VALUE_BLOCKED, categories=verdict.categories
                )
            if strongest is None or verdict.score > strongest.score:
                strongest = verdict
        return strongest

    def _findings(self, text: str, entities: Sequence[Mapping[str, Any]]) -> List[PIIFinding]:
        """PII findings in the string values, with offsets into ``text``.

        A value the detector cannot search (it fails) is reported whole, so it is masked.
        """
        findings: List[PIIFinding] = []
        for entity in entities:
            value, start = entity["value"], entity["start"]
            if self._pii is None or not isinstance(value, str) or not value:
                continue
            try:
                found = self._pii.detect(value)
            except Exception:  # fail safe: mask the whole value
                found = (PIIFinding("UNSCREENED_VALUE", 0, len(value), 1.0, EXTRACTOR),)
            findings.extend(
                PIIFinding(f.entity_type, start + f.start, start + f.end, f.score, f.recognizer)
                for f in found
            )
        return findings


def _plain(value: Any) -> bool:
    """Entity values Rasa turns into entities: scalars, or lists of scalars (one entity each)."""
    if isinstance(value, list):
        return all(isinstance(item, Scalar) for item in value)
    return isinstance(value, Scalar)


def _canonical(intent: str, values: Mapping[str, Any]) -> Tuple[str, List[Dict[str, Any]]]:
    """``/intent{...}`` written by us, and one entity per value pointing at it in the text.

    A string value's span is its characters between the quotes when JSON needs no escape in
    it, else its whole literal (so a finding or a mask covers all of it).
    """
    text = PREFIX + intent
    entities: List[Dict[str, Any]] = []
    if not values:
        return text, entities
    text += "{"
    for index, (name, value) in enumerate(values.items()):
        text += ("" if index == 0 else ", ") + json.dumps(name, ensure_ascii=False) + ": "
        items = value if isinstance(value, list) else [value]
        text += "[" if isinstance(value, list) else ""
        for position, item in enumerate(items):
            text += "" if position == 0 else ", "
            literal = json.dumps(item, ensure_ascii=False)
            start, end = len(text), len(text) + len(literal)
            if isinstance(item, str) and literal == f'"{item}"':
                start, end = start + 1, end - 1
            text += literal
            entities.append(
                {"entity": name, "value": item, "start": start, "end": end, "extractor": EXTRACTOR}
            )
        text += "]" if isinstance(value, list) else ""
    return text + "}", entities
