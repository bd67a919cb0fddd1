"""Replacing a message's intent: what the ``InjectionScreen`` does to a blocked message and the
``DistressDetector`` to a category it maps (``intents``)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message


def replace_intent(message: Message, intent: str, *, keep_ranking: bool = True) -> None:
    """Make ``intent`` the message's intent with confidence 1.0, first in the ranking; the
    classifier's ranking follows it when ``keep_ranking`` (for analysis), else is dropped."""
    chosen = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
    ranking: List[Dict[str, Any]] = [dict(chosen)]
    if keep_ranking:
        previous = message.get(INTENT_RANKING_KEY) or []
        ranking.extend(dict(e) for e in previous if e.get(INTENT_NAME_KEY) != intent)
    message.set(INTENT, chosen, add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
