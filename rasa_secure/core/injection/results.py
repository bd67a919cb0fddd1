"""What the injection screen returns: a :class:`Verdict` (the :class:`ScreenDecision` and
its score) explained by :class:`Reason` objects. Frozen, JSON-ready, never message text."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Dict, Mapping, Optional, Tuple

from rasa_secure.core.contract import Span


class ScreenDecision(str, Enum):
    """What to do with a message."""

    ALLOW = "allow"
    FLAG = "flag"
    BLOCK = "block"


@dataclass(frozen=True)
class Reason:
    """One piece of evidence behind a verdict.

    Attributes:
        source: a rule id (``"sql.union_select"``), ``"model"`` (the n-gram model),
            ``"semantic"`` (the sentence-encoder stage), ``"max_length"``, ``"budget"`` or
            ``"allow_list"``.
        category: the threat category it supports (empty for ``allow_list``).
        score: its own score in [0, 1].
        variant: how the matching text was derived, e.g. ``"normalized"`` or
            ``"base64"`` or ``"url+hidden_tags"``.
        span: the characters of the original message it points at, if known.
        detail: what the rule or feature looks for, in words (never message text).
    """

    source: str
    category: str
    score: float
    variant: str
    span: Optional[Span]
    detail: str = ""

    def to_dict(self) -> Dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "source": self.source,
            "category": self.category,
            "score": round(self.score, 4),
            "variant": self.variant,
            "span": None if self.span is None else [self.span.start, self.span.end],
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Verdict:
    """The result of screening one message.

    Attributes:
        decision: allow, flag or block.
        score: the highest category score, in [0, 1].
        categories: categories whose score reached their flag threshold, highest first.
        reasons: the evidence, strongest first.
        scores: every category's score (only categories with evidence).
    """

    decision: ScreenDecision
    score: float
    categories: Tuple[str, ...] = ()
    reasons: Tuple[Reason, ...] = ()
    scores: Mapping[str, float] = field(default_factory=dict)

    @property
    def blocked(self) -> bool:
        """Whether the decision is ``block``."""
        return self.decision is ScreenDecision.BLOCK

    def to_dict(self) -> Dict[str, Any]:
        """A JSON-ready mapping (what the NLU component and the CLI emit)."""
        return {
            "verdict": self.decision.value,
            "score": round(self.score, 4),
            "categories": list(self.categories),
            "reasons": [reason.to_dict() for reason in self.reasons],
        }
