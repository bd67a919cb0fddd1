"""An identity-document or national number introduced as one, in any country's format.

The national recognizers check formats and checksums for the configured countries; this one
catches what they cannot (another country's number, a format without a recognizer) when the
customer says what it is: "my national ID number is 123456789".
"""

from __future__ import annotations

from rasa_secure.core.pii.recognizers.base import Pattern, RegexRecognizer


class IdNumberContextRecognizer(RegexRecognizer):
    """An identifier of six to twenty characters with five digits, next to an ID word.

    It scores 0.8 with its word, below a national recognizer's finding with the same word
    (US_SSN 0.85, checksum-valid IDs 1.0): the generic reading never hides the precise one,
    and above a phone number's best (0.75)."""

    ENTITY_TYPE = "ID_NUMBER"
    PATTERNS = (
        Pattern(
            "identifier next to an ID word",
            r"(?<![\w-])[A-Za-z0-9][A-Za-z0-9-]{4,18}[A-Za-z0-9](?![\w-])",
            0.45,
        ),
    )
    CONTEXT = (
        "national id",
        "id number",
        "id no",
        "id card",
        "identity",
        "identification",
        "personal number",
        "national insurance",
        "social security",
        "tax id",
        "tax number",
        "passport",
        "driver",
        "licence",
        "license",
        "ausweis",
        "steuer",
        "dni",
        "nie",
        "nif",
        "codice fiscale",
        "bsn",
        "cpr",
        "cpf",
        "aadhaar",
    )
    REQUIRES_CONTEXT = True
    VALIDATOR = "id"
    MIN_DIGITS = 5
    PRIORITY = 0
