"""The French social security number (NIR, numéro de sécurité sociale), with its key."""

from __future__ import annotations

from rasa_secure.core.pii.recognizers.base import Pattern, RegexRecognizer


class FrNirRecognizer(RegexRecognizer):
    """Sex, year, month, département (``2A``/``2B`` for Corsica), commune, order and the
    two-digit key ``97 - number mod 97``; compact or grouped as on the carte Vitale."""

    ENTITY_TYPE = "FR_NIR"
    PATTERNS = (
        Pattern(
            "nir",
            r"(?<![\w.,/-])[12][ ]?\d{2}[ ]?(?:0[1-9]|1[0-2]|[2-9]\d)[ ]?(?:\d{2}|2[ABab])[ ]?"
            r"\d{3}[ ]?\d{3}[ ]?\d{2}(?![\w]|[.,/-]\d)",
            0.8,
        ),
    )
    CONTEXT = (
        "sécurité sociale",
        "securite sociale",
        "sécu",
        "secu",
        "nir",
        "insee",
        "carte vitale",
        "social security",
    )
    VALIDATOR = "fr_nir"
    COUNTRY = "FR"
    MIN_DIGITS = 13
