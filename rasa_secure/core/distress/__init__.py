"""Distress, coercion and sentiment: how the customer is doing, from one message.

The public surface: :class:`DistressDetector` (text in, :class:`DistressResult` out), its
:data:`OPTIONS`, the categories, priorities and handoff reasons, and the cue table.
"""

from rasa_secure.core.distress.cues import Cue, fold, load_cues
from rasa_secure.core.distress.detector import COMPONENT_NAME, DistressDetector
from rasa_secure.core.distress.options import OPTIONS
from rasa_secure.core.distress.results import (
    CueMatch,
    DistressCategory,
    DistressResult,
    Escalation,
    HandoffReason,
    Priority,
    Strength,
    escalation,
)
from rasa_secure.core.distress.sentiment import Sentiment, SentimentLabel, SentimentModel

__all__ = [
    "COMPONENT_NAME",
    "OPTIONS",
    "Cue",
    "CueMatch",
    "DistressCategory",
    "DistressDetector",
    "DistressResult",
    "Escalation",
    "HandoffReason",
    "Priority",
    "Sentiment",
    "SentimentLabel",
    "SentimentModel",
    "Strength",
    "escalation",
    "fold",
    "load_cues",
]
