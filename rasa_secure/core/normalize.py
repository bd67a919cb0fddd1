# ruff: noqa: RUF001  (the homoglyph and quote tables list look-alike characters on purpose)
"""Normalise text and derive decoded variants, so that obfuscated attacks are scanned in clear.

Attackers hide payloads from filters with Unicode compatibility forms, invisible characters,
Unicode tag characters, look-alike letters from other scripts, leetspeak, letter spacing, and
encodings (base64, hex, URL, HTML entities, ROT13, reversed text). :func:`variants` turns one
message into a small, bounded set of :class:`Variant` objects, each saying how it was derived
and which part of the original text it came from, so that a finding can name the variant it
matched on and point back at the original characters.

Work is bounded: at most ``max_variants`` variants, decoded text capped at ``max_decoded_chars``
each, nested decoding at most ``max_depth`` levels deep, and every regular expression here is
linear in the length of its input. Nothing in this module logs or keeps the text it sees.
"""

from __future__ import annotations

import codecs
import html
import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from typing import Dict, FrozenSet, Iterator, List, Optional, Sequence, Tuple
from urllib.parse import unquote

from rasa_secure.core.budget import UNLIMITED, Deadline
from rasa_secure.core.contract import Span
from rasa_secure.core.decode import (
    common_words,
    decode_base64,
    decode_escapes,
    decode_hex,
    looks_like_base64,
)


class VariantKind(str, Enum):
    """How a variant was derived from its parent text."""

    NORMALIZED = "normalized"
    """NFKC, invisible and tag characters removed, lower case. Always the first variant."""
    HIDDEN_TAGS = "hidden_tags"
    """ASCII smuggled as Unicode tag characters (U+E0020..U+E007E), decoded."""
    HOMOGLYPHS = "homoglyphs"
    """Cyrillic and Greek look-alikes folded to Latin, Latin diacritics removed."""
    LEETSPEAK = "leetspeak"
    """Digits and symbols inside words read as letters (``1gn0r3`` -> ``ignore``)."""
    DESPACED = "despaced"
    """Runs of single spaced-out letters joined (``i g n o r e`` -> ``ignore``)."""
    SEGMENTED = "segmented"
    """A spaced-out run with no wider gap between its words, joined and split into words
    with a multilingual vocabulary (``i g n o r e a l l`` -> ``ignore all``)."""
    BASE64 = "base64"
    HEX = "hex"
    URL = "url"
    """Percent-encoding decoded (twice at most: double encoding)."""
    HTML = "html"
    """HTML character references decoded."""
    ESCAPES = "escapes"
    """Backslash escapes (``\\x3c``, ``\\u003c``) decoded."""
    ROT13 = "rot13"
    REVERSED = "reversed"


@dataclass(frozen=True)
class Variant:
    """One reading of the input text.

    Attributes:
        kind: the last derivation step.
        text: the variant, normalised (lower case, NFKC, no invisible characters).
        derivation: every step from the original text, e.g. ``("normalized", "base64")``.
        source: the part of the original text this variant was derived from.
        offsets: for aligned variants of a changed text, the original index of each
            character (``None``: identical positions, or not aligned).
        aligned: whether :attr:`text` lines up character by character with the original.
    """

    kind: VariantKind
    text: str
    derivation: Tuple[str, ...]
    source: Span
    offsets: Optional[Tuple[int, ...]] = None
    aligned: bool = False

    def map_span(self, span: Span) -> Span:
        """The part of the original text a span of :attr:`text` comes from.

        Aligned variants map exactly; decoded variants map to their whole :attr:`source`.
        """
        if not self.aligned or span.end > len(self.text) or not len(span):
            return self.source
        if self.offsets is None:
            return span
        return Span(self.offsets[span.start], self.offsets[span.end - 1] + 1)


@dataclass(frozen=True)
class Limits:
    """Bounds on the work :func:`variants` may do for one message.

    Attributes:
        max_variants: most variants returned, the normalised text included.
        max_decoded_chars: longest decoded text kept per variant (longer is cut).
        max_depth: most nested decoding steps (``url`` inside ``base64`` is depth 2).
        max_candidates: most encoded fragments tried per decoder and text.
    """

    max_variants: int = 12
    max_decoded_chars: int = 4096
    max_depth: int = 2
    max_candidates: int = 4


# --- character classes --------------------------------------------------------------------

_INVISIBLE: FrozenSet[int] = frozenset(
    [
        *(0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x3164, 0xFEFF),
        0xFFA0,
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2070),
        *range(0xFE00, 0xFE10),
        *range(0xE0100, 0xE01F0),
    ]
)
_TAG_FIRST, _TAG_LAST = 0xE0000, 0xE007F
_SURROGATE_FIRST, _SURROGATE_LAST = 0xD800, 0xDFFF
REPLACEMENT = "\ufffd"
"""What a lone surrogate (a ``\\ud800`` JSON escape: no character, not encodable) becomes."""

# Cyrillic, Armenian and Greek letters that look like Latin ones, and their Latin reading.
_HOMOGLYPH_FROM = "авеёкмнорстухѕіїјԁһӏԛԝɡѵոօսαβγεηικνορτυχωςϲϳζμ"
_HOMOGLYPH_TO = "abeekmhopctyxsiijdhlqwgvnouabyenikvoptuxwscjzu"
_HOMOGLYPHS: Dict[int, int] = str.maketrans(_HOMOGLYPH_FROM, _HOMOGLYPH_TO)
_HOMOGLYPH_CHARS = re.compile(f"[{_HOMOGLYPH_FROM}]")
_LATIN = re.compile(r"[a-z]")

_LEET: Dict[int, int] = str.maketrans("01345789@$!|+€£", "oieastbgasiltel")
_LEET_ONE_AS_L: Dict[int, int] = {**_LEET, ord("1"): ord("l")}
# A word that mixes letters with leet digits/symbols, e.g. "1gn0r3" or "pr0mpt".
_LEET_WORD = re.compile(
    r"(?<![\w@$!|+%\\])(?=[\w@$!|+]{0,24}[a-z][\w@$!|+]{0,24}[a-z])"
    r"(?=[\w@$!|+]{0,24}[0134578@$!|+])[\w@$!|+]{3,24}(?![\w@$!|+])"
)
# In a message written in leetspeak, also the short words with one letter or none: "7h3",
# "70", "15". Letters and the leet digits only, so "2021" or "6pm" stay as they are.
_LEET_TOKEN = re.compile(
    r"(?<![\w@$!|+%\\])(?=[^\W\d_]{0,24}[0134578@$!|+])(?:[^\W\d_]|[0134578@$!|+]){1,24}"
    r"(?![\w@$!|+])"
)
_TOKEN = re.compile(r"\w+")
LEET_DENSITY = 0.2
"""Share of a message's words that must be leet words (at least two) for it to be read as
written in leetspeak throughout."""
# What stands between spaced-out letters: a space or a tab, punctuation, or a line break
# (letters written one per line, a Windows line break counted once).
_LETTER_GAP = r"(?:\r\n|[ \t\n.\-_*·/|])"
# Four or more single letters separated by one separator: "i g n o r e", "s.y.s.t.e.m",
# "i\ng\nn\no\nr\ne". A letter is never "_", which is a separator: were it both, a run of
# underscores could be split in exponentially many ways.
_SPACED_RUN = re.compile(rf"(?<!\w)(?:[^\W_]{_LETTER_GAP}{{1,3}}){{3,}}[^\W_](?!\w)")
_SEPARATOR = re.compile(_LETTER_GAP)
SPLIT_MIN_LETTERS = 8
"""Shortest stretch of joined letters that is also split into words (shorter: one word)."""
SPLIT_BUDGET = 400
"""Letters split into words per text at most (each costs up to 24 vocabulary lookups); a
longer stretch is split up to the budget and the rest stays joined."""
_LETTER_STRETCH = re.compile(rf"[^\W\d_]{{{SPLIT_MIN_LETTERS},}}")
_WORD_GAP = re.compile(rf"{_LETTER_GAP}{{2,3}}")

_BASE64 = re.compile(r"[A-Za-z0-9+/_\-]{6,}={0,2}")
_BASE64_SHORT = 8
"""Characters (padding included) from which a token is tried as base64 at all."""
_BASE64_LONG = 16
"""Characters from which a token is tried as base64 on its own; a shorter one (a short
payload: ``' or 1=1`` is 12) must look encoded: padded, or mixing upper case, lower case
and digits."""
_HEX_RUN = re.compile(r"(?<![0-9A-Za-z])(?:0x)?((?:[0-9A-Fa-f]{2}[ :,]?){6,})(?![0-9A-Za-z])")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z]{2,8});?")
_ROT13_HINT = re.compile(r"rot-?13|rot\s13|caesar|cesar|cäsar")
_REVERSE_HINT = re.compile(r"revers|backward|invert|umgekehrt|invers|rückwärts|задом|наоборот|逆")

# --- normalisation ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cleaned:
    """Text after NFKC with invisible characters removed, case kept.

    Attributes:
        text: the cleaned text.
        offsets: original index of each character of :attr:`text`, or ``None`` when the
            text is unchanged (identity mapping).
        hidden: ASCII text decoded from Unicode tag characters (empty when none).
    """

    text: str
    offsets: Optional[Tuple[int, ...]]
    hidden: str


def clean(text: str) -> Cleaned:
    """NFKC-normalise ``text`` and remove invisible and tag characters, keeping case.

    Pure ASCII text without control characters is returned unchanged (the common case).
    """
    if text.isascii():
        return Cleaned(text, None, "")
    out: List[str] = []
    offsets: List[int] = []
    hidden: List[str] = []
    for index, char in enumerate(text):
        code = ord(char)
        if code < 0x80:
            out.append(char)
            offsets.append(index)
            continue
        if _TAG_FIRST <= code <= _TAG_LAST:
            if 0xE0020 <= code <= 0xE007E:
                hidden.append(chr(code - 0xE0000))
            continue
        if code in _INVISIBLE:
            continue
        if _SURROGATE_FIRST <= code <= _SURROGATE_LAST:
            out.append(REPLACEMENT)
            offsets.append(index)
            continue
        for piece in unicodedata.normalize("NFKC", char):
            out.append(piece)
            offsets.append(index)
    return Cleaned("".join(out), tuple(offsets), "".join(hidden))


_QUOTES = str.maketrans("‘’‚‛′“”„‟″«»", '\'\'\'\'\'"""""""')


def fold_case(text: str) -> str:
    """Lower-case ``text`` and straighten typographic quotes, keeping its length."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered if lowered.isascii() else lowered.translate(_QUOTES)


def fold_homoglyphs(text: str) -> str:
    """Map Cyrillic/Greek look-alike letters to Latin and drop Latin diacritics (1:1)."""
    folded = text.translate(_HOMOGLYPHS)
    if folded.isascii():
        return folded
    out = []
    for char in folded:
        if "\u00c0" <= char <= "\u024f":
            base = unicodedata.normalize("NFD", char)[0]
            out.append(base if base.isascii() else char)
        else:
            out.append(char)
    return "".join(out)


def unleet(text: str) -> Tuple[str, ...]:
    """Read digits and symbols inside leet words as letters (length preserving).

    A leet word mixes two letters or more with leet digits or symbols ("1gn0r3"). When at
    least two words, and :data:`LEET_DENSITY` of all words, are leet words, the message is
    written in leetspeak, and its short words with one letter or none ("7h3", "70") are read
    too. Returns the reading with "1" as "i" ("1gn0r3") and, when a "1" was read, the reading
    with "1" as "l" ("ru135"), from one scan of the text; no reading without a leet word."""
    matches = list(_LEET_WORD.finditer(text))
    if not matches:
        return ()
    if len(matches) >= 2 and len(matches) >= LEET_DENSITY * len(_TOKEN.findall(text)):
        matches = list(_LEET_TOKEN.finditer(text))
    readings = [_translate(text, matches, _LEET)]
    if any("1" in match.group(0) for match in matches):
        readings.append(_translate(text, matches, _LEET_ONE_AS_L))
    return tuple(readings)


def _translate(text: str, matches: Sequence[re.Match[str]], table: Dict[int, int]) -> str:
    pieces: List[str] = []
    last = 0
    for match in matches:
        pieces += (text[last : match.start()], match.group(0).translate(table))
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


def despace(text: str) -> Tuple[str, str, List[Tuple[int, int]]]:
    """Join runs of spaced-out single letters.

    Returns the joined text; the same text with every stretch of at least
    :data:`SPLIT_MIN_LETTERS` joined letters (words the run did not keep apart with a wider
    gap) split into words by :func:`rasa_secure.core.injection.segment.split_words`, up to
    :data:`SPLIT_BUDGET` letters per text; and the runs' spans.
    """
    runs: List[Tuple[int, int]] = []
    joined: List[str] = []
    split: List[str] = []
    budget = SPLIT_BUDGET

    def split_stretch(match: re.Match[str]) -> str:
        from rasa_secure.core.injection.segment import split_words

        nonlocal budget
        letters = match.group(0)
        take = min(len(letters), budget)
        if not take:
            return letters
        budget -= take
        return (split_words(letters[:take]) or letters[:take]) + letters[take:]

    last = 0
    for match in _SPACED_RUN.finditer(text):
        runs.append(match.span())
        words = [_SEPARATOR.sub("", word) for word in _WORD_GAP.split(match.group(0))]
        between = text[last : match.start()]
        joined += (between, " ".join(words))
        split += (between, " ".join(_LETTER_STRETCH.sub(split_stretch, w) for w in words))
        last = match.end()
    return "".join(joined) + text[last:], "".join(split) + text[last:], runs


# --- variants -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Decoded:
    kind: VariantKind
    text: str
    start: int
    end: int


def _decodings(cleaned: str, lowered: str, words: str, limits: Limits) -> Iterator[_Decoded]:
    """Decoded fragments (or whole-text decodings) of ``cleaned``; bounded. A ROT13 or
    reversed reading must hold more common words than ``words``, the text as words (its
    leetspeak reading, if it has one: leetspeak is not a cipher to undo)."""
    found = 0
    for match in _BASE64.finditer(cleaned):
        if found >= limits.max_candidates:
            break
        token = match.group(0)
        if token.isalpha() and (token.islower() or token.isupper()):
            continue  # a long plain word, not base64
        if len(token) < _BASE64_SHORT or (
            len(token) < _BASE64_LONG and not looks_like_base64(token)
        ):
            continue
        decoded = decode_base64(token)
        if decoded is not None:
            found += 1
            yield _Decoded(VariantKind.BASE64, decoded, match.start(), match.end())
    found = 0
    for match in _HEX_RUN.finditer(cleaned):
        if found >= limits.max_candidates:
            break
        decoded = decode_hex(match.group(1))
        if decoded is not None:
            found += 1
            yield _Decoded(VariantKind.HEX, decoded, match.start(), match.end())
    unescaped = decode_escapes(cleaned)
    if unescaped is not None:
        yield _Decoded(VariantKind.ESCAPES, unescaped, 0, len(cleaned))
    if _PERCENT.search(cleaned):
        decoded = unquote(cleaned)
        if _PERCENT.search(decoded):
            decoded = unquote(decoded)
        if decoded != cleaned:
            yield _Decoded(VariantKind.URL, decoded, 0, len(cleaned))
    if "&" in cleaned and _ENTITY.search(cleaned):
        decoded = html.unescape(cleaned)
        if decoded != cleaned:
            yield _Decoded(VariantKind.HTML, decoded, 0, len(cleaned))
    if any("a" <= c <= "z" for c in lowered):
        own = common_words(words)
        rot = codecs.encode(lowered, "rot13")
        if _ROT13_HINT.search(lowered) or common_words(rot) > max(own, 1):
            yield _Decoded(VariantKind.ROT13, rot, 0, len(cleaned))
        backwards = lowered[::-1]
        if _REVERSE_HINT.search(lowered) or common_words(backwards) > max(own, 1):
            yield _Decoded(VariantKind.REVERSED, backwards, 0, len(cleaned))


def _whole(cleaned: Cleaned, original_length: int, start: int, end: int) -> Span:
    if cleaned.offsets is None:
        return Span(start, end)
    if start >= len(cleaned.offsets):
        return Span(original_length, original_length)
    last = cleaned.offsets[end - 1] + 1 if end > start else cleaned.offsets[start]
    return Span(cleaned.offsets[start], last)


def variants(
    text: str, limits: Limits = Limits(), deadline: Deadline = UNLIMITED
) -> Tuple[Variant, ...]:
    """All readings of ``text`` worth scanning, the normalised text first.

    Args:
        text: the message as received.
        limits: bounds on the work done.
        deadline: checked before each derivation.

    Returns:
        At most ``limits.max_variants`` variants. The first is always
        :attr:`VariantKind.NORMALIZED`, aligned with ``text``.

    Raises:
        BudgetExceededError: the deadline passed.
    """
    found: List[Variant] = []
    _expand(text, (), Span(0, len(text)), None, limits, found, 0, deadline)
    return tuple(found)


def _expand(
    text: str,
    derivation: Tuple[str, ...],
    source: Span,
    parent: Optional[Cleaned],
    limits: Limits,
    found: List[Variant],
    depth: int,
    deadline: Deadline,
) -> None:
    """Add the variants of ``text`` (itself derived by ``derivation``) to ``found``."""
    deadline.check("variants")
    cleaned = clean(text)
    lowered = fold_case(cleaned.text)
    root = depth == 0

    def span_of(start: int, end: int) -> Span:
        return _whole(cleaned, len(text), start, end) if root else source

    if root:
        found.append(
            Variant(
                VariantKind.NORMALIZED,
                lowered,
                (VariantKind.NORMALIZED.value,),
                Span(0, len(text)),
                cleaned.offsets,
                aligned=True,
            )
        )
    elif not _add_derived(
        found, limits, VariantKind(derivation[-1]), lowered, derivation[:-1], source
    ):
        return
    if cleaned.hidden and depth < limits.max_depth:
        hidden_steps = (*derivation, VariantKind.HIDDEN_TAGS.value)
        _expand(cleaned.hidden, hidden_steps, source, cleaned, limits, found, depth + 1, deadline)
    base = derivation if derivation else (VariantKind.NORMALIZED.value,)
    offsets = cleaned.offsets if root else None
    readable = lowered
    if _HOMOGLYPH_CHARS.search(lowered) and _LATIN.search(lowered):
        readable = fold_homoglyphs(lowered)
        _add_derived(found, limits, VariantKind.HOMOGLYPHS, readable, base, source, offsets, root)
    deadline.check("variants")
    leet = unleet(readable)
    for unleeted in leet:
        _add_derived(found, limits, VariantKind.LEETSPEAK, unleeted, base, source, offsets, root)
    deadline.check("variants")
    spaced, words, runs = despace(readable)
    if runs:
        run_span = span_of(runs[0][0], runs[-1][1])
        _add_derived(found, limits, VariantKind.DESPACED, spaced, base, run_span)
        if words != spaced:
            _add_derived(found, limits, VariantKind.SEGMENTED, words, base, run_span)
    if depth >= limits.max_depth:
        return
    for decoded in _decodings(cleaned.text, lowered, leet[0] if leet else lowered, limits):
        if len(found) >= limits.max_variants:
            return
        steps = (*derivation, decoded.kind.value) if derivation else (decoded.kind.value,)
        piece = decoded.text[: limits.max_decoded_chars]
        span = span_of(decoded.start, decoded.end)
        _expand(piece, steps, span, cleaned, limits, found, depth + 1, deadline)


def _add_derived(
    found: List[Variant],
    limits: Limits,
    kind: VariantKind,
    value: str,
    base: Sequence[str],
    source: Span,
    offsets: Optional[Tuple[int, ...]] = None,
    aligned: bool = False,
) -> bool:
    """Append a variant unless the limit is reached; ``False`` once nothing more fits."""
    if len(found) >= limits.max_variants:
        return False
    if all(v.text != value for v in found):
        found.append(Variant(kind, value, (*base, kind.value), source, offsets, aligned))
    return True
