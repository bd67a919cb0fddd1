"""The distress detector's vocabulary and results: categories, frozen findings (priorities and
handoff reasons are the handoff's own, :mod:`rasa_secure.core.handoff`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Dict, Iterable, Mapping, Optional, Tuple

from rasa_secure.core.distress.sentiment import Sentiment
from rasa_secure.core.handoff import HandoffReason as HandoffReason
from rasa_secure.core.handoff import Priority as Priority


class DistressCategory(str, Enum):
    """What a message says about the customer's situation."""

    COERCION = "coercion_or_scam_in_progress"
    """Someone is pushing the customer into a payment now ("the caller says move it to a
    safe account")."""
    FRAUD_VICTIM = "fraud_victim"
    """The customer has been scammed or defrauded ("I was tricked into sending money")."""
    FINANCIAL_HARDSHIP = "financial_hardship"
    """The customer cannot pay their way ("I lost my job and can't pay the rent")."""
    BEREAVEMENT = "bereavement"
    """Someone close to the customer has died."""
    SELF_HARM = "self_harm_or_crisis"
    """The customer speaks of ending their life or harming themselves."""
    ABUSE = "abuse_towards_agent"
    """Insults or threats aimed at the assistant or the staff."""


class Strength(float, Enum):
    """How much one cue says on its own: the score of its category when it matches."""

    STRONG = 0.9
    """Unambiguous on its own ("kill myself", "safe account")."""
    MEDIUM = 0.7
    """Clear in a banking chat, ambiguous elsewhere ("I lost my job")."""
    WEAK = 0.4
    """Only a hint; flags only together with another cue of the category."""


@dataclass(frozen=True)
class CueMatch:
    """One cue that matched a message (offsets into the message, never its text).

    Attributes:
        category: the category the cue speaks for.
        cue: the cue's name (``coercion.safe_account``).
        strength: the cue's strength.
        start: offset of the match in the message.
        end: end offset of the match.
        negated: a negation (``not``, ``nie``, ``jamais``...) stands just before it; a
            negated cue counts for nothing.
    """

    category: DistressCategory
    cue: str
    strength: Strength
    start: int
    end: int
    negated: bool = False

    def to_dict(self) -> Dict[str, Any]:
        """The match as JSON-ready values."""
        return {
            "category": self.category.value,
            "cue": self.cue,
            "strength": self.strength.name.lower(),
            "start": self.start,
            "end": self.end,
            "negated": self.negated,
        }


@dataclass(frozen=True)
class DistressResult:
    """What the detector found in one message; carries no text, only scores and offsets.

    Attributes:
        sentiment: the message's sentiment.
        scores: every category's score in [0, 1] (0 when no cue matched).
        categories: the categories whose score reached their threshold, strongest first.
        matches: every cue that matched, negated ones included (they explain a zero).
        priority: the highest priority among :attr:`categories` (``high`` also for a very
            negative sentiment), else ``normal``.
        handoff: the reason to hand over to a person, if any: ``coercion`` when a coercion
            is detected, ``distress`` for a category whose priority is urgent.
    """

    sentiment: Sentiment
    scores: Mapping[DistressCategory, float]
    categories: Tuple[DistressCategory, ...]
    matches: Tuple[CueMatch, ...]
    priority: Priority
    handoff: Optional[HandoffReason]

    @property
    def distressed(self) -> bool:
        """Whether any category was detected."""
        return bool(self.categories)

    def to_dict(self) -> Dict[str, Any]:
        """The result as JSON-ready values (what the NLU component stores on a message)."""
        return {
            "sentiment": round(self.sentiment.score, 4),
            "sentiment_label": self.sentiment.label.value,
            "categories": [category.value for category in self.categories],
            "scores": {category.value: round(score, 4) for category, score in self.scores.items()},
            "priority": self.priority.value,
            "handoff": None if self.handoff is None else self.handoff.value,
            "cues": [match.to_dict() for match in self.matches],
        }


@dataclass(frozen=True)
class Escalation:
    """What a conversation's annotations ask of the people behind the assistant.

    Attributes:
        priority: the highest priority any message asked for.
        handoff: the most pressing handoff reason any message gave (``coercion`` before
            ``distress``), or ``None``.
        categories: every category detected, in order of first detection.
    """

    priority: Priority = Priority.NORMAL
    handoff: Optional[HandoffReason] = None
    categories: Tuple[DistressCategory, ...] = ()


def escalation(annotations: Iterable[Any]) -> Escalation:
    """The :class:`Escalation` of stored annotations (the ``distress`` values of a
    conversation's messages, as :meth:`DistressResult.to_dict` wrote them); anything that
    is not such a mapping, or holds unknown values, is skipped."""
    priority, handoff, categories = Priority.NORMAL, None, []
    for annotation in annotations:
        if not isinstance(annotation, Mapping):
            continue
        try:
            asked = Priority(annotation.get("priority"))
            reason = (
                None if annotation.get("handoff") is None else HandoffReason(annotation["handoff"])
            )
            found = [DistressCategory(c) for c in annotation.get("categories") or ()]
        except (ValueError, TypeError):
            continue
        priority = max(priority, asked, key=lambda p: p.rank)
        if reason is HandoffReason.COERCION or (reason is not None and handoff is None):
            handoff = reason
        categories += [c for c in found if c not in categories]
    return Escalation(priority, handoff, tuple(categories))
