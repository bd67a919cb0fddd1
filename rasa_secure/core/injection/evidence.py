"""Evidence scoring: the rule hits and model scores found in a message, combined per category
by noisy-or and turned into a :class:`Verdict` by the per-category thresholds."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Tuple

from rasa_secure.core.contract import Span
from rasa_secure.core.injection.results import Reason, ScreenDecision, Verdict
from rasa_secure.core.normalize import Variant

REPORTED_MINIMUM = 0.3
"""Reasons weaker than this are left out of an ``allow`` verdict."""


@dataclass
class Evidence:
    """What the screen found in one message so far.

    Attributes:
        reasons: every piece of evidence, in the order found.
        rule_hits: per category, the distinct rule hits (span and score).
        model_scores: per category, the n-gram model's best score.
        semantic_scores: per category, the semantic stage's score.
        suspect: the reading the n-gram model found most suspicious (the semantic stage
            reads it), with its logit and whether it decodes the whole message.
    """

    reasons: List[Reason] = field(default_factory=list)
    rule_hits: Dict[str, List[Tuple[Optional[Span], float]]] = field(default_factory=dict)
    model_scores: Dict[str, float] = field(default_factory=dict)
    semantic_scores: Dict[str, float] = field(default_factory=dict)
    suspect: Optional[Variant] = None
    suspect_logit: float = -math.inf
    suspect_decodes_all: bool = False

    def add_rule(self, category: str, span: Optional[Span], score: float) -> None:
        """Record a rule hit; hits overlapping one of the same category count once (max)."""
        hits = self.rule_hits.setdefault(category, [])
        for index, (other, other_score) in enumerate(hits):
            if _overlap(span, other):
                hits[index] = (other, max(score, other_score))
                return
        hits.append((span, score))

    def rule_score(self, category: str) -> float:
        """Noisy-or of the distinct hits of ``category``."""
        miss = 1.0
        for _, score in self.rule_hits.get(category, ()):
            miss *= 1.0 - score
        return 1.0 - miss

    def first_tier_score(self, category: str) -> float:
        """Noisy-or of the rules and the n-gram model for ``category``."""
        return 1.0 - (1.0 - self.rule_score(category)) * (
            1.0 - self.model_scores.get(category, 0.0)
        )

    def verdict(self, flag: Mapping[str, float], block: Mapping[str, float]) -> Verdict:
        """The verdict the evidence supports, given each category's thresholds: every
        category's score is the first tier's, raised to the semantic stage's if higher."""
        scores: Dict[str, float] = {}
        for category in set(self.rule_hits) | set(self.model_scores):
            scores[category] = self.first_tier_score(category)
        for category, semantic in self.semantic_scores.items():
            scores[category] = max(scores.get(category, 0.0), semantic)
        decision = ScreenDecision.ALLOW
        flagged = []
        for category, score in scores.items():
            if score >= block[category]:
                decision = ScreenDecision.BLOCK
            elif score >= flag[category] and decision is ScreenDecision.ALLOW:
                decision = ScreenDecision.FLAG
            if score >= flag[category]:
                flagged.append(category)
        flagged.sort(key=lambda c: (-scores[c], c))  # ties by name: the same on every run
        top = max(scores.values(), default=0.0)
        reasons = sorted(self.reasons, key=lambda r: -r.score)  # stable: found order
        if decision is ScreenDecision.ALLOW:
            reasons = [r for r in reasons if r.score >= REPORTED_MINIMUM]
        return Verdict(decision, top, tuple(flagged), tuple(reasons), scores)


def _overlap(a: Optional[Span], b: Optional[Span]) -> bool:
    if a is None or b is None:
        return True
    return a.start < b.end and b.start < a.end
