"""Sentiment of a message, from -1 (negative) to 1 (positive): a linear model, numpy inference.

The features are those of the injection screen's n-gram model
(:class:`rasa_secure.core.injection.ngram.NgramHasher`: character 2-5-grams and word
1-2-grams of the lower-cased text, hashed), so one hasher serves both. Character n-grams
carry the model across languages and spellings (``genial``, ``génial``, ``geniaaal``) where a
word lexicon needs every form listed. A three-class logistic regression (negative, neutral,
positive), trained by ``scripts/train_distress_sentiment.py`` on the ``train`` splits of a
public multilingual tweet benchmark (English, Spanish, German, French), gives the score
``P(positive) - P(negative)`` and, as the label, the most probable class (on the
benchmark's ``val`` split that beats every neutral band around the score, 0.58 macro-F1
against 0.54).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Dict, Tuple

from rasa_secure.core.injection.ngram import NgramHasher, model_text
from rasa_secure.errors import DependencyMissingError, DetectionError

SENTIMENT_PATH = Path(__file__).parent / "models" / "distress_sentiment.npz"
"""The shipped model (see ``scripts/train_distress_sentiment.py``)."""

SENTIMENT_HASH_BITS = 16
"""The model has ``2 ** SENTIMENT_HASH_BITS`` rows of three weights."""

CLASSES = ("negative", "neutral", "positive")
"""The model's classes, in the order of its weight columns."""


class SentimentLabel(str, Enum):
    """The most probable sentiment class of a message."""

    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


@dataclass(frozen=True)
class Sentiment:
    """The sentiment of one message.

    Attributes:
        score: ``P(positive) - P(negative)``, in [-1, 1].
        label: the most probable of the three classes.
    """

    score: float
    label: SentimentLabel


def features(hasher: NgramHasher, text: str) -> Tuple[Tuple[Any, float], ...]:
    """The (buckets, scale) groups of ``text``: character and word n-grams, each group
    scaled by one over the square root of its size (training uses the same function)."""
    chars, words = hasher.buckets(model_text(text.lower()))
    return tuple((group, 1.0 / math.sqrt(len(group))) for group in (chars, words) if len(group))


class SentimentModel:
    """The three-class linear model over hashed n-grams.

    Raises:
        DetectionError: the model file is missing or malformed.
    """

    def __init__(self, path: Path = SENTIMENT_PATH) -> None:
        try:
            import numpy as np
        except ImportError as error:  # pragma: no cover - numpy comes with every extra
            raise DependencyMissingError("numpy", "pip install numpy") from error
        if not path.is_file():
            raise DetectionError("distress", f"sentiment model not found: {path.name}")
        try:
            with np.load(path, allow_pickle=False) as data:
                self._weights = data["weights"].astype(np.float32)
                self._bias = data["bias"].astype(np.float32)
                self.meta: Dict[str, Any] = json.loads(str(data["meta"]))
        except (OSError, KeyError, ValueError, TypeError) as error:
            raise DetectionError("distress", f"sentiment model unreadable: {error}") from error
        bits = int(self.meta.get("hash_bits", 0))
        if self._weights.shape != (1 << bits, len(CLASSES)) or self._bias.shape != (len(CLASSES),):
            raise DetectionError("distress", "sentiment model unreadable: inconsistent shapes")
        self._hasher = NgramHasher(bits)
        self._np = np

    def predict(self, text: str) -> Sentiment:
        """The score ``P(positive) - P(negative)`` and the most probable class of ``text``."""
        logits = self._bias.copy()
        for group, scale in features(self._hasher, text):
            logits += self._weights[group].sum(axis=0) * scale
        exp = self._np.exp(logits - logits.max())
        probabilities = exp / exp.sum()
        label = SentimentLabel(CLASSES[int(probabilities.argmax())])
        return Sentiment(float(probabilities[2] - probabilities[0]), label)
