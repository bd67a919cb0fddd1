"""An identity-document or national number introduced as one, in any country's format.

The national recognizers check formats and checksums for the configured countries; this one
catches what they cannot (another country's number, a format without a recognizer) when the
customer says what it is: "my national ID number is 123456789".
"""

from __future__ import annotations

from rasa_secure.core.pii.recognizers.base import Pattern, RegexRecognizer


class IdNumberContextRecognizer(RegexRecognizer):
    """An identifier of six to twenty characters with five digits, next to an ID word."""

    ENTITY_TYPE = "ID_NUMBER"
    PATTERNS = (
        Pattern(
            "identifier next to an ID word",
            r"(?<![\w-])[A-Za-z0-9][A-Za-z0-9-]{4,18}[A-Za-z0-9](?![\w-])",
            0.6,
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
