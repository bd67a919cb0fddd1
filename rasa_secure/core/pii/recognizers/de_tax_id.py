"""The German tax identification number (Steuerliche Identifikationsnummer, Steuer-ID)."""

from __future__ import annotations

from rasa_secure.core.pii.recognizers.base import Pattern, RegexRecognizer


class DeTaxIdRecognizer(RegexRecognizer):
    """Eleven digits, plain or grouped (``65 929 970 489``), ISO 7064 MOD 11,10 check digit."""

    ENTITY_TYPE = "DE_TAX_ID"
    PATTERNS = (
        Pattern(
            "steuer-id",
            r"(?<![\d.,/-])[1-9]\d(?:[ ]?\d{3}){3}(?![\d]|[.,/-]\d)",
            0.8,
        ),
    )
    CONTEXT = (
        "steuer",
        "steuer-id",
        "steuerid",
        "identifikationsnummer",
        "idnr",
        "tin",
        "tax id",
        "tax identification",
        "finanzamt",
    )
    VALIDATOR = "de_tax_id"
    COUNTRY = "DE"
    MIN_DIGITS = 11
