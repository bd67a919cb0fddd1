"""Decoders of the encodings attackers hide text in (base64, hex, backslash escapes), and
the word count that tells a ROT13 or reversed reading from gibberish.

Each returns text only when the decoding is text (valid UTF-8, mostly printable, some
letters), so that random tokens that happen to decode do not become variants.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import FrozenSet, Optional

_WORD = re.compile(r"[a-z']+")
_ESCAPE = re.compile(r"\\x[0-9A-Fa-f]{2}|\\u[0-9A-Fa-f]{4}|\\[0-7]{3}")


def _printable_ratio(text: str) -> float:
    if not text:
        return 0.0
    good = sum(1 for c in text if c.isprintable() or c in "\n\r\t")
    return good / len(text)


def _decode_bytes(raw: bytes) -> Optional[str]:
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    letters = sum(1 for c in decoded if c.isalpha())
    if len(decoded) < 4 or _printable_ratio(decoded) < 0.9 or letters < len(decoded) * 0.15:
        return None
    return decoded


def decode_base64(token: str) -> Optional[str]:
    """Decode a base64 (standard or URL-safe) token to text, or ``None`` if not text."""
    body = token.rstrip("=")
    if len(body) % 4 == 1:
        return None
    padded = body + "=" * (-len(body) % 4)
    try:
        if "-" in padded or "_" in padded:
            raw = base64.urlsafe_b64decode(padded)
        else:
            raw = base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None
    return _decode_bytes(raw)


def decode_hex(token: str) -> Optional[str]:
    """Decode hex digits (separators allowed) to text, or ``None`` if not text."""
    digits = re.sub(r"[^0-9A-Fa-f]", "", token)
    if len(digits) % 2:
        return None
    try:
        return _decode_bytes(bytes.fromhex(digits))
    except ValueError:
        return None


def _unescape(match: re.Match[str]) -> str:
    token = match.group(0)
    code = int(token[2:], 16) if token[1] in "xu" else int(token[1:], 8)
    return chr(code)


def decode_escapes(text: str) -> Optional[str]:
    """``text`` with every ``\\xNN``, ``\\uNNNN`` and ``\\NNN`` (octal) escape replaced by its
    character, or ``None`` if it has none."""
    if "\\" not in text or _ESCAPE.search(text) is None:
        return None
    return _ESCAPE.sub(_unescape, text)


def looks_like_base64(token: str) -> bool:
    """Whether a short token looks like base64 rather than a word or a number."""
    if token.endswith("="):
        return True
    return (
        any(c.isdigit() for c in token)
        and any(c.isupper() for c in token)
        and any(c.islower() for c in token)
    )


# Frequent English words (and a few injection words): a decoding that turns gibberish into
# more of these than the original had is very likely the intended reading.
_COMMON_WORDS: FrozenSet[str] = frozenset(
    " ".join(
        (
            "the you your and to all of a in is it that this for are be on with as not do me",
            "my i we what now from or any ignore instructions previous prompt system rules",
            "tell say print show reveal forget above below password secret admin mode act",
            "pretend anything must will can no never then than have has was",
        )
    ).split(" ")
)


def common_words(text: str) -> int:
    """How many of the words of lower-case ``text`` are frequent ones: a ROT13 or reversed
    reading that holds more of them than the text itself is very likely the intended one."""
    return sum(1 for word in _WORD.findall(text) if word in _COMMON_WORDS)
