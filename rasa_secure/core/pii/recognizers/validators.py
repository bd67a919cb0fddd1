"""Checksums and plausibility tests, one registry: :data:`VALIDATORS`, by name.

A recognizer names its validator (``VALIDATOR = "luhn"``); a YAML recognizer names one with
``validator:``. A validator takes the matched value and returns ``False`` to discard it.
"""

from __future__ import annotations

import math
import re
from typing import Callable, Dict, Optional

Validator = Callable[[str], bool]
"""Takes the matched value, returns ``False`` to discard the match."""


def luhn_valid(value: str) -> bool:
    """Whether the digits of ``value`` pass the Luhn checksum (cards, some IDs)."""
    digits = [int(char) for char in value if char.isdigit()]
    if len(digits) < 2:
        return False
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def iban_valid(value: str) -> bool:
    """Whether ``value`` is an IBAN with a valid ISO 7064 mod-97 check."""
    compact = re.sub(r"[\s-]", "", value).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def aba_valid(value: str) -> bool:
    """Whether ``value`` is a US ABA routing number with a valid checksum."""
    digits = [int(char) for char in value if char.isdigit()]
    if len(digits) != 9:
        return False
    weights = (3, 7, 1) * 3
    return sum(d * w for d, w in zip(digits, weights)) % 10 == 0


def shannon_entropy(value: str) -> float:
    """Bits of entropy per character of ``value``."""
    if not value:
        return 0.0
    counts: Dict[str, int] = {}
    for char in value:
        counts[char] = counts.get(char, 0) + 1
    size = len(value)
    return -sum(n / size * math.log2(n / size) for n in counts.values())


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_HEX = re.compile(r"[0-9a-f]+", re.I)


def looks_like_secret(value: str) -> bool:
    """A high-entropy token: letters and digits mixed, not a UUID, not a plain word run.

    Thresholds: at least 3.5 bits per character (3.0 for hex strings of 32+ characters,
    whose alphabet caps the entropy at 4), and both letters and digits present.
    """
    if _UUID.fullmatch(value):
        return False
    has_digit = any(char.isdigit() for char in value)
    has_alpha = any(char.isalpha() for char in value)
    if not (has_digit and has_alpha):
        return False
    if _HEX.fullmatch(value):
        return len(value) >= 32 and shannon_entropy(value) >= 3.0
    return shannon_entropy(value) >= 3.5


_MONTH_DAY = re.compile(r"\d+")


def plausible_date(value: str) -> bool:
    """Numeric dates: day 1-31, month 1-12 in some order, a plausible birth year."""
    numbers = [int(n) for n in _MONTH_DAY.findall(value)]
    years = [n for n in numbers if n >= 1000]
    if any(not 1900 <= year <= 2100 for year in years):
        return False
    small = [n for n in numbers if n < 1000]
    if len(small) < 2:
        return bool(years)
    return all(1 <= n <= 31 for n in small[:2]) and min(small[:2]) <= 12


_PASSWORD_NON_VALUES = frozenset(
    (
        "a",
        "an",
        "the",
        "my",
        "your",
        "his",
        "her",
        "our",
        "their",
        "it",
        "this",
        "that",
        "not",
        "no",
        "yes",
        "too",
        "very",
        "so",
        "also",
        "still",
        "now",
        "just",
        "being",
        "been",
        "is",
        "was",
        "be",
        "wrong",
        "incorrect",
        "invalid",
        "expired",
        "locked",
        "blocked",
        "correct",
        "right",
        "same",
        "different",
        "working",
        "broken",
        "reset",
        "changed",
        "forgotten",
        "forgot",
        "lost",
        "stolen",
        "compromised",
        "weak",
        "strong",
        "long",
        "short",
        "required",
        "needed",
        "case",
        "sensitive",
        "empty",
        "missing",
        "new",
        "old",
        "temporary",
        "please",
        "and",
        "or",
        "but",
        "when",
        "what",
        "why",
        "how",
        "where",
        "which",
        "who",
        "if",
        "because",
        "for",
        "to",
        "of",
        "in",
        "on",
        "at",
        "with",
        "from",
        "by",
        "about",
        "as",
        "again",
        "already",
        "never",
        "always",
    )
)


def password_value(value: str) -> bool:
    """A stated password, not a word that follows "password is" (``wrong``, ``expired``)."""
    stripped = value.strip("\"'`")
    return bool(stripped) and stripped.lower().rstrip(".,;!?") not in _PASSWORD_NON_VALUES


_DATE_LIKE = re.compile(
    r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})(?:\s|$)"
)


def phone_shape(value: str) -> bool:
    """Seven to fifteen digits before any extension, and not a date."""
    digits = sum(char.isdigit() for char in value.split("x")[0].split("ext")[0])
    if not 7 <= digits <= 15:
        return False
    return not _DATE_LIKE.fullmatch(value + " ")


def card_shape(value: str) -> bool:
    """Twelve to nineteen digits: the length of a card number."""
    digits = sum(char.isdigit() for char in value)
    return 12 <= digits <= 19


def id_shape(value: str) -> bool:
    """At least five digits: an identifier, not a word."""
    return sum(char.isdigit() for char in value) >= 5


def elfproef_valid(value: str) -> bool:
    """Whether nine digits pass the Dutch "eleven test" (weights 9..2 and -1, sum mod 11 = 0)."""
    digits = [int(char) for char in value if char.isdigit()]
    if len(digits) != 9 or not any(digits):
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(d * w for d, w in zip(digits, weights)) % 11 == 0


VALIDATORS: Dict[str, Optional[Validator]] = {
    "none": None,
    "luhn": luhn_valid,
    "iban": iban_valid,
    "aba": aba_valid,
    "entropy": looks_like_secret,
    "date": plausible_date,
    "password": password_value,
    "phone": phone_shape,
    "card": card_shape,
    "id": id_shape,
    "elfproef": elfproef_valid,
}
"""Every validator, by the name recognizers and YAML declarations use."""
