"""Card numbers written with dots, slashes or underscores (``5425.2334.3010.9903``).

Presidio's card pattern takes spaces and dashes only; people also type dots, and forms paste
slashes or underscores. The groups must be those of a card (4-4-4-4 up to 19 digits, or
Amex 4-6-5) and the number must pass the Luhn check.
"""

from __future__ import annotations

from rasa_secure.core.pii.recognizers.base import Pattern, RegexRecognizer


class SeparatedCardRecognizer(RegexRecognizer):
    """Card-length digit groups joined by ``.``, ``/``, ``_``, ``·`` or mixed marks; Luhn."""

    ENTITY_TYPE = "CREDIT_CARD"
    PATTERNS = (
        Pattern(
            "four-digit groups",
            r"(?<![\d.,/_-])\d{4}(?:[ ./_·-]{1,2}\d{4}){2}[ ./_·-]{1,2}\d{1,7}(?![\d]|[.,/_-]\d)",
            0.9,
        ),
        Pattern(
            "amex groups",
            r"(?<![\d.,/_-])3[47]\d{2}[ ./_·-]{1,2}\d{6}[ ./_·-]{1,2}\d{5}(?![\d]|[.,/_-]\d)",
            0.9,
        ),
    )
    CONTEXT = ("card", "credit", "debit", "visa", "mastercard", "amex", "cc")
    VALIDATOR = "luhn"
    MIN_DIGITS = 13
    PRIORITY = 2
