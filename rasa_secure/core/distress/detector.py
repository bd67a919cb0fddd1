"""The distress detector: text in, :class:`DistressResult` out. Knows nothing about Rasa.

Two parts, each measured in ``docs/benchmarks/distress.md``:

* the categories come from the cue table (:mod:`rasa_secure.core.distress.cues`): a
  category's score is the noisy-or of the strengths of its cues that matched and are not
  negated, so one strong or medium cue detects it and weak cues need company;
* the sentiment comes from a linear model over hashed n-grams
  (:mod:`rasa_secure.core.distress.sentiment`).

The priority is the highest one configured for a detected category (``high`` as well for a
very negative sentiment); a coercion suggests a handoff with the reason ``coercion``, any other
category of urgent priority one with the reason ``distress``. Nothing here logs or keeps text.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple

from rasa_secure.config import resolve
from rasa_secure.core.distress.cues import Cue, fold, load_cues
from rasa_secure.core.distress.options import DEFAULT_THRESHOLD, OPTIONS
from rasa_secure.core.distress.results import (
    CueMatch,
    DistressCategory,
    DistressResult,
    HandoffReason,
    Priority,
)
from rasa_secure.core.distress.sentiment import Sentiment, SentimentModel

COMPONENT_NAME = "DistressDetector"
"""The component name of its options' errors and its audit records."""


class DistressDetector:
    """Sentiment and distress categories of a message (see the module docs).

    Raises:
        ConfigError: an unknown key or an invalid value, named.
        DetectionError: the sentiment model is missing or unreadable.
    """

    def __init__(
        self,
        config: Optional[Mapping[str, Any]] = None,
        *,
        owner: str = COMPONENT_NAME,
        cues: Optional[Tuple[Cue, ...]] = None,
        model: Optional[SentimentModel] = None,
    ) -> None:
        self.config = resolve(OPTIONS, config, owner=owner)
        self.cues = load_cues() if cues is None else cues
        self.model = SentimentModel() if model is None else model
        given: Mapping[str, float] = self.config["thresholds"]
        self.thresholds: Dict[DistressCategory, float] = {
            category: float(given.get(category.value, DEFAULT_THRESHOLD))
            for category in DistressCategory
        }
        priorities: Mapping[str, str] = self.config["priorities"]
        self.priorities: Dict[DistressCategory, Priority] = {
            category: Priority(priorities.get(category.value, Priority.NORMAL.value))
            for category in DistressCategory
        }

    def sentiment(self, text: str) -> Sentiment:
        """The sentiment of ``text`` alone."""
        return self.model.predict(text[: self.config["max_length"]])

    def matches(self, text: str) -> Tuple[CueMatch, ...]:
        """Every cue that matches ``text``, negated ones included, in text order."""
        folded = fold(text[: self.config["max_length"]])
        found: List[CueMatch] = [m for cue in self.cues for m in cue.matches(folded)]
        return tuple(sorted(found, key=lambda m: (m.start, m.end, m.cue)))

    def detect(self, text: str) -> DistressResult:
        """Sentiment, category scores, detected categories, priority and handoff of ``text``."""
        sentiment = self.sentiment(text)
        matches = self.matches(text)
        remaining = {category: 1.0 for category in DistressCategory}
        for match in matches:
            if not match.negated:
                remaining[match.category] *= 1.0 - float(match.strength.value)
        scores = {category: round(1.0 - rest, 4) for category, rest in remaining.items()}
        detected = sorted(
            (c for c in DistressCategory if scores[c] > 0 and scores[c] >= self.thresholds[c]),
            key=lambda c: -scores[c],
        )
        priority = max(
            (self.priorities[c] for c in detected), key=lambda p: p.rank, default=Priority.NORMAL
        )
        if sentiment.score <= self.config["negative_priority"] > -1.0:
            priority = max(priority, Priority.HIGH, key=lambda p: p.rank)
        if DistressCategory.COERCION in detected:
            handoff: Optional[HandoffReason] = HandoffReason.COERCION
        elif any(self.priorities[c] is Priority.URGENT for c in detected):
            handoff = HandoffReason.DISTRESS
        else:
            handoff = None
        return DistressResult(sentiment, scores, tuple(detected), matches, priority, handoff)
