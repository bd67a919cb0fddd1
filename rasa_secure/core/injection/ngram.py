"""The n-gram model: two linear heads over hashed character 2-5-grams and word 1-2-grams,
numpy inference (no scikit-learn at run time). ``scripts/train_injection_model.py`` trains it."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Tuple

from rasa_secure.core.injection.semantic import sigmoid
from rasa_secure.errors import DependencyMissingError, DetectionError

MODEL_PATH = Path(__file__).parent / "models" / "injection_model.npz"
"""The shipped model (see ``scripts/train_injection_model.py``)."""

MODEL_MAX_CHARS = 4096
"""The model reads at most this many characters of each variant (rules read everything)."""


_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_DIGITS = str.maketrans("0123456789", "0000000000")

HASH_BITS = 18
"""The attack head has ``2 ** HASH_BITS`` weights; the category head ``2 ** (HASH_BITS - 2)``."""

CHAR_SIZES = (2, 3, 4, 5)
"""Character n-gram lengths the model reads (word unigrams and bigrams come on top)."""

_PRIME = 0x100000001B3
_MASK64 = (1 << 64) - 1
_SALT_WORD = 0x5EED0001
_SALT_BIGRAM = 0x5EED0002
_BIGRAM_MIX = 0x27D4EB2F165667C5


def model_text(text: str) -> str:
    """The text the model reads: whitespace collapsed, digits folded to ``0``, bounded."""
    return " " + _WS.sub(" ", text[:MODEL_MAX_CHARS]).strip().translate(_DIGITS) + " "


class NgramHasher:
    """Hashes the character 2-5-grams and word 1-2-grams of a text into buckets, with numpy.

    A polynomial hash over the code points (arithmetic modulo 2**64, stable across processes
    and platforms, unlike :func:`hash`) gives every substring's hash from two prefix sums,
    so all n-grams of a text are hashed in a few vectorised steps: cost linear in its length.
    """

    def __init__(self, bits: int = HASH_BITS, max_chars: int = MODEL_MAX_CHARS + 2) -> None:
        import numpy as np

        self._np = np
        self.bits = bits
        self._shift = np.uint64(64 - bits)
        inverse = pow(_PRIME, -1, 1 << 64)
        powers = [1] * (max_chars + 1)
        inverses = [1] * (max_chars + 1)
        for i in range(1, max_chars + 1):
            powers[i] = powers[i - 1] * _PRIME & _MASK64
            inverses[i] = inverses[i - 1] * inverse & _MASK64
        self._powers = np.array(powers, dtype=np.uint64)
        self._inverses = np.array(inverses, dtype=np.uint64)
        self._salts = {size: np.uint64(0x5EED0100 + size) for size in CHAR_SIZES}

    def _bucket(self, hashes: Any, salt: Any) -> Any:
        np = self._np
        mixed = (hashes ^ salt) * np.uint64(0x9E3779B97F4A7C15)
        mixed ^= mixed >> np.uint64(29)
        mixed *= np.uint64(0xBF58476D1CE4E5B9)
        return (mixed >> self._shift).astype(np.intp)

    def _prefix(self, prepared: str) -> Tuple[Any, int]:
        """Prefix sums of the polynomial hash of ``prepared`` (bounded), and its length."""
        np = self._np
        codes = np.frombuffer(prepared.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        length = min(len(codes), len(self._powers) - 1)
        codes = codes[:length]
        prefix = np.zeros(length + 1, dtype=np.uint64)
        np.cumsum(codes * self._powers[:length], out=prefix[1:])
        return prefix, length

    def _grams(self, prefix: Any, length: int, size: int) -> Any:
        """Bucket of every character ``size``-gram (not deduplicated)."""
        starts = self._np.arange(length - size + 1)
        hashes = (prefix[starts + size] - prefix[starts]) * self._inverses[starts]
        return self._bucket(hashes, self._salts[size])

    def buckets(self, prepared: str) -> Tuple[Any, Any]:
        """Distinct (character, word) bucket indices of text from :func:`model_text`."""
        np = self._np
        prefix, length = self._prefix(prepared)
        pieces = [self._grams(prefix, length, size) for size in CHAR_SIZES if length >= size]
        chars = np.unique(np.concatenate(pieces)) if pieces else np.zeros(0, np.intp)
        spans = [m.span() for m in _WORD.finditer(prepared[:length])]
        if not spans:
            return chars, np.zeros(0, np.intp)
        bounds = np.array(spans, dtype=np.intp)
        starts, ends = bounds[:, 0], bounds[:, 1]
        hashes = (prefix[ends] - prefix[starts]) * self._inverses[starts]
        hashes ^= (ends - starts).astype(np.uint64)
        unigrams = self._bucket(hashes, np.uint64(_SALT_WORD))
        pairs = hashes[:-1] * np.uint64(_BIGRAM_MIX) + hashes[1:]
        bigrams = self._bucket(pairs, np.uint64(_SALT_BIGRAM))
        return chars, np.unique(np.concatenate([unigrams, bigrams]))


@dataclass(frozen=True)
class ModelScore:
    """What the n-gram model says about one variant.

    Attributes:
        attack: calibrated attack score, in [0, 1] (the default block threshold 0.8 sits at
            the operating point chosen by cross-validation on the training data).
        category: the most likely attack category.
        logit: the raw attack logit (the semantic stage reads it).
    """

    attack: float
    category: str
    logit: float


class NgramModel:
    """Two linear heads over hashed character and word n-grams, numpy inference.

    The model file (``.npz``, written by ``scripts/train_injection_model.py``) holds the
    attack head (one weight per hash bucket and a bias: attack versus benign), the category
    head (a weight row per bucket of a smaller table, one column per attack category, naming
    the category), the category names and a JSON ``meta`` string with the calibration of
    the attack score (a slope, and an offset per category, chosen by cross-validation).
    Features are binary; the character and the word group are each scaled by one over the
    square root of their number of distinct buckets.

    Raises:
        DetectionError: the file is missing or malformed.
    """

    def __init__(self, path: Path) -> None:
        try:
            import numpy as np
        except ImportError as error:  # pragma: no cover - numpy comes with every extra
            raise DependencyMissingError("numpy", "pip install numpy") from error
        if not path.is_file():
            raise DetectionError("injection", f"model file not found: {path.name}")
        try:
            with np.load(path, allow_pickle=False) as data:
                self.classes: Tuple[str, ...] = tuple(str(c) for c in data["classes"])
                self._attack = data["attack_weights"].astype(np.float32)
                self._attack_bias = float(data["attack_bias"])
                self._category = data["category_weights"].astype(np.float32)
                self._category_bias = data["category_bias"].astype(np.float32)
                self.meta: Dict[str, Any] = json.loads(str(data["meta"]))
            calibration = self.meta["calibration"]
            self._slope = float(calibration["slope"])
            self._offsets = [float(calibration["offsets"][name]) for name in self.classes]
        except (OSError, KeyError, ValueError, TypeError) as error:
            raise DetectionError("injection", f"model file unreadable: {error}") from error
        bits = int(self.meta.get("hash_bits", 0))
        if self._attack.shape != (1 << bits,) or self._category.shape[1] != len(self.classes):
            raise DetectionError("injection", "model file unreadable: inconsistent shapes")
        self._hasher = NgramHasher(bits)
        self._category_shift = bits - int(math.log2(self._category.shape[0]))
        self._np = np

    @property
    def size(self) -> int:
        """Number of weights."""
        return int(self._attack.size + self._category.size)

    def logit(self, text: str) -> Tuple[float, Any]:
        """Raw attack logit and category logits of normalised ``text``."""
        chars, words = self._hasher.buckets(model_text(text))
        logit = self._attack_bias
        category = self._category_bias.copy()
        shift = self._category_shift
        for group in (chars, words):
            if len(group):
                scale = 1.0 / math.sqrt(len(group))
                logit += float(self._attack[group].sum()) * scale
                category += self._category[group >> shift].sum(axis=0) * scale
        return logit, category

    def score(self, text: str) -> ModelScore:
        """The calibrated attack score and most likely category of normalised ``text``."""
        logit, category = self.logit(text)
        best = int(category.argmax())
        calibrated = sigmoid(self._slope * logit + self._offsets[best])
        return ModelScore(calibrated, self.classes[best], logit)
