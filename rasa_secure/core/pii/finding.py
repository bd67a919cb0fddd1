"""What the analyzer reports: :class:`PIIFinding`, its :class:`PIIExplanation`, its wire form.

A finding never holds the value, only where it is. Its wire form (:class:`PIIWire`, written
by the NLU component as ``parse_data["pii"]`` and by the CLI) is read back with
:func:`from_wire`, which validates every field and names the one that is wrong.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Tuple, TypedDict

from rasa_secure.core.contract import Span
from rasa_secure.errors import InputError

DEFAULT_WIRE_RECOGNIZER = "PIIDetector"
"""The recognizer a wire finding without one is read as (the NLU component wrote it)."""


@dataclass(frozen=True)
class PIIExplanation:
    """Why a finding was reported, in Presidio's terms (its ``AnalysisExplanation``).

    Attributes:
        recognizer: the recognizer that fired.
        pattern: the pattern name, or ``ner:<label>`` for the NER model.
        base_score: the score before context (after validation: a passed Presidio checksum
            gives 1.0).
        context_word: the context word that raised the score, if any.
        validated: ``True`` when a checksum or plausibility test passed; ``None`` when the
            recognizer has none.
    """

    recognizer: str
    pattern: str
    base_score: float
    context_word: Optional[str] = None
    validated: Optional[bool] = None


class PIIWire(TypedDict):
    """A finding as JSON: ``{type, start, end, score, recognizer}`` (never the value)."""

    type: str
    start: int
    end: int
    score: float
    recognizer: str


@dataclass(frozen=True)
class PIIFinding:
    """One piece of personal data found in a text. Never holds the value.

    Attributes:
        entity_type: Presidio entity name (``EMAIL_ADDRESS``, ``CREDIT_CARD``, ``PERSON``...)
            or one of ours (``PASSWORD``, ``PIN``, ``SECRET``, ``BANK_ACCOUNT``,
            ``DATE_OF_BIRTH``) or a custom recognizer's.
        start: start offset into the original text.
        end: end offset (exclusive).
        score: confidence in ``[0, 1]`` after context.
        recognizer: the recognizer that fired (e.g. ``CreditCardRecognizer``).
        explanation: which pattern fired and why it scored as it did; ``None`` for findings
            made outside the analyzer (a sensitive slot value, a finding read from the wire).
        span: ``[start, end)`` as a :class:`~rasa_secure.core.contract.Span`, checked when
            the finding is made (a negative or reversed range raises ``ValueError``).
    """

    entity_type: str
    start: int
    end: int
    score: float
    recognizer: str
    explanation: Optional[PIIExplanation] = None
    span: Span = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "span", Span(self.start, self.end))

    def to_wire(self) -> PIIWire:
        """The wire form used in parse data and by the CLI: type, start, end, score, recognizer."""
        return {
            "type": self.entity_type,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "recognizer": self.recognizer,
        }

    def moved(self, offsets: Tuple[int, ...]) -> PIIFinding:
        """This finding with its span mapped through ``offsets`` (cleaned text -> original)."""
        start, end = offsets[self.start], offsets[self.end - 1] + 1
        return dataclasses.replace(self, start=start, end=end)


def from_wire(item: Any, location: str = "pii") -> PIIFinding:
    """A :class:`PIIFinding` from its wire form, every field checked.

    ``score`` and ``recognizer`` may be missing (older parse data): they are read as 1.0 and
    :data:`DEFAULT_WIRE_RECOGNIZER`. Unknown keys are ignored.

    Args:
        item: one element of ``parse_data["pii"]``.
        location: where ``item`` is, for the error (``"pii[3]"``).

    Raises:
        InputError: naming the field, e.g. ``pii[3].start: expected an integer >= 0``.
    """
    if not isinstance(item, Mapping):
        raise InputError(location, f"expected a mapping, got {type(item).__name__}")
    kind = item.get("type")
    if not isinstance(kind, str) or not kind:
        raise InputError(f"{location}.type", "expected a non-empty string")
    start, end = item.get("start"), item.get("end")
    if not isinstance(start, int) or isinstance(start, bool) or start < 0:
        raise InputError(f"{location}.start", "expected an integer >= 0")
    if not isinstance(end, int) or isinstance(end, bool) or end < start:
        raise InputError(f"{location}.end", "expected an integer >= start")
    score = item.get("score", 1.0)
    if not _is_number(score) or not 0.0 <= score <= 1.0:
        raise InputError(f"{location}.score", "expected a number between 0 and 1")
    recognizer = item.get("recognizer") or DEFAULT_WIRE_RECOGNIZER
    if not isinstance(recognizer, str):
        raise InputError(f"{location}.recognizer", "expected a string")
    return PIIFinding(kind, start, end, float(score), recognizer)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
