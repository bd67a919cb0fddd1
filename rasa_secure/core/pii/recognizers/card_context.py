"""Card numbers that fail the Luhn check but are introduced as a card (typos are still PII)."""

from __future__ import annotations

from rasa_secure.core.pii.recognizers.base import Pattern, RegexRecognizer

_CARD_WORDS = ("card", "credit", "debit", "visa", "mastercard", "amex", "cc", "maestro")


class CardNumberContextRecognizer(RegexRecognizer):
    """Twelve to nineteen digits in card-like groups, with a card word near."""

    ENTITY_TYPE = "CREDIT_CARD"
    PATTERNS = (
        Pattern(
            "card-shaped number",
            r"(?<![\d-])\d{4}(?:[ -]?\d{2,4}){2,4}(?:[ -]?\d{1,3})?(?![\d-])",
            0.5,
        ),
    )
    CONTEXT = _CARD_WORDS
    REQUIRES_CONTEXT = True
    VALIDATOR = "card"
    MIN_DIGITS = 12
    KEYWORDS = _CARD_WORDS
    PRIORITY = 0
