"""Phone numbers in international and loose formats, scored up by phone words near them."""

from __future__ import annotations

from rasa_secure.core.pii.recognizers.base import Pattern, RegexRecognizer

PHONE_CONTEXT = (
    "phone",
    "telephone",
    "tel",
    "mobile",
    "cell",
    "call",
    "fax",
    "desk",
    "office",
    "contact",
    "reach",
    "text me",
    "sms",
    "whatsapp",
    "dial",
    "ring",
    "answering",
    "message",
    "landline",
    "hotline",
    "extension",
)
"""Words that make a number near them a phone number."""

_BODY = (
    r"(?<![\w+@.\-/])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?(?:\(0\)[ .-]?)?"
    r"\d{1,10}(?:[ .-]\d{1,8}){0,5}(?:\s?(?:x|ext\.?)\s?\d{1,6})?(?![\w@]|[.-]\d)"
)


class ContextPhoneRecognizer(RegexRecognizer):
    """``+`` and digits, or a phone-shaped run of digit groups (weak without context)."""

    ENTITY_TYPE = "PHONE_NUMBER"
    PATTERNS = (
        Pattern(
            "international with plus",
            # One digit at a time, each after at most one separator (or "(0)"), so a run of
            # digits is read one way only: groups of optional length split it in thousands
            # of ways (16 ms for one "+" and 60 digits).
            r"(?<![\w+])\+\d(?:[ .-]?(?:\(0\)[ .-]?)?\d){5,24}(?![\w@]|[.-]\d)",
            0.5,
        ),
        Pattern("phone-shaped number", _BODY, 0.35),
    )
    CONTEXT = PHONE_CONTEXT
    VALIDATOR = "phone"
    MIN_DIGITS = 7
    PRIORITY = 0
