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


_PASSWORD_NON_VALUES_SPOKEN = {
    "de": "der die das ein eine mein meine dein nicht kein sehr zu auch noch jetzt falsch"
    " ungültig abgelaufen gesperrt vergessen richtig neu alt geändert zurückgesetzt verloren",
    "es": "el la lo un una mi tu su no muy también ya incorrecta incorrecto inválida caducada"
    " bloqueada olvidé olvidada nueva vieja cambiada correcta",
    "fr": "le la les un une mon ma ton pas très aussi déjà faux fausse incorrect invalide"
    " expiré bloqué oublié nouveau nouvelle ancien changé correct",
    "it": "il lo la un una mio mia non molto anche già sbagliata errata scaduta bloccata"
    " dimenticata nuova vecchia cambiata giusta",
    "pt": "o a um uma meu minha não muito também já errada incorreta expirada bloqueada"
    " esquecida nova velha alterada certa",
    "nl": "de het een mijn niet geen erg ook al fout onjuist verlopen geblokkeerd vergeten"
    " nieuw oud gewijzigd juist",
}
"""The same kind of words in de, es, fr, it, pt and nl (``mein Passwort ist falsch``)."""
_NOT_PASSWORDS = _PASSWORD_NON_VALUES.union(
    *(words.split() for words in _PASSWORD_NON_VALUES_SPOKEN.values())
)


def password_value(value: str) -> bool:
    """A stated password, not a word that follows "password is" (``wrong``, ``expired``)."""
    stripped = value.strip("\"'`")
    word = stripped.lower().rstrip(".,;!?")
    return bool(stripped) and word not in _NOT_PASSWORDS


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


_KECCAK_ROUNDS = (
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
)  # fmt: skip
_ROTATIONS = (0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2,
              61, 56, 14)  # fmt: skip
_MASK = (1 << 64) - 1


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as Ethereum uses it (the original padding, not SHA3-256's)."""
    rate = 136
    padded = bytearray(data) + b"\x01" + b"\0" * ((-len(data) - 1) % rate)
    padded[-1] |= 0x80
    state = [0] * 25
    for offset in range(0, len(padded), rate):
        for i in range(rate // 8):
            state[i] ^= int.from_bytes(padded[offset + 8 * i : offset + 8 * i + 8], "little")
        for constant in _KECCAK_ROUNDS:
            parity = [state[x] ^ state[x + 5] ^ state[x + 10] ^ state[x + 15] ^ state[x + 20]
                      for x in range(5)]  # fmt: skip
            for x in range(5):
                mix = parity[(x - 1) % 5] ^ _rotl(parity[(x + 1) % 5], 1)
                for y in range(0, 25, 5):
                    state[x + y] ^= mix
            moved = [0] * 25
            for x in range(5):
                for y in range(5):
                    moved[y + 5 * ((2 * x + 3 * y) % 5)] = _rotl(
                        state[x + 5 * y], _ROTATIONS[x + 5 * y]
                    )
            state = [
                moved[i] ^ (~moved[(i + 1) % 5 + i // 5 * 5] & moved[(i + 2) % 5 + i // 5 * 5])
                for i in range(25)
            ]
            state[0] ^= constant
    return b"".join(lane.to_bytes(8, "little") for lane in state[:4])


def _rotl(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (64 - shift))) & _MASK if shift else value


def eip55_valid(value: str) -> bool:
    """An Ethereum address (``0x`` and 40 hex digits); in mixed case, the EIP-55 checksum."""
    digits = value[2:]
    if len(digits) != 40 or not re.fullmatch(r"[0-9a-fA-F]{40}", digits):
        return False
    if digits == digits.lower() or digits == digits.upper():
        return True
    hashed = keccak256(digits.lower().encode("ascii")).hex()
    return all(
        (char.upper() if int(h, 16) >= 8 else char.lower()) == char
        for char, h in zip(digits, hashed)
    )


def de_tax_id_valid(value: str) -> bool:
    """Whether eleven digits form a German Steuer-ID: no leading zero, ISO 7064 MOD 11,10."""
    digits = [int(char) for char in value if char.isdigit()]
    if len(digits) != 11 or digits[0] == 0:
        return False
    product = 10
    for digit in digits[:10]:
        total = (digit + product) % 10 or 10
        product = total * 2 % 11
    return (11 - product) % 10 == digits[10]


def fr_nir_valid(value: str) -> bool:
    """Whether a French NIR's key is ``97 - (number mod 97)`` (Corsica: 2A -> 19, 2B -> 18)."""
    compact = value.replace(" ", "").upper()
    if len(compact) != 15:
        return False
    body = compact[:13].replace("2A", "19", 1) if compact[5:7] == "2A" else compact[:13]
    body = body.replace("2B", "18", 1) if compact[5:7] == "2B" else body
    if not body.isdigit() or not compact[13:].isdigit():
        return False
    return 97 - int(body) % 97 == int(compact[13:])


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
    "eip55": eip55_valid,
    "de_tax_id": de_tax_id_valid,
    "fr_nir": fr_nir_valid,
}
"""Every validator, by the name recognizers and YAML declarations use."""
