"""PINs, one-time codes and card security codes stated in text: ``my PIN is 4821``."""

from __future__ import annotations

import re

from rasa_secure.core.pii.recognizers.base import Pattern, RegexRecognizer

_WORD = (
    r"(?:pin(?:\s?(?:code|number|no\.?))?|otp|one[- ]time\s+(?:pass(?:word|code)|code|pin)"
    r"|(?:verification|security|sms|login|access|auth(?:entication)?|2fa|mfa)\s+code"
    r"|passcode|cvv2?|cvc2?|csc)"
)
_VALUE = r"(?P<value>\d{3,8})"


class PinRecognizer(RegexRecognizer):
    """A code word then three to eight digits, or the digits then ``is my <code word>``."""

    ENTITY_TYPE = "PIN"
    PATTERNS = (
        Pattern(
            "code stated",
            rf"\b{_WORD}\b(?:\s*(?:is|was|=|:|-)\s*|\s+){_VALUE}\b",
            0.8,
            group="value",
            flags=re.I,
        ),
        Pattern(
            "code stated after",
            rf"\b{_VALUE}\s+is\s+(?:my|the|your)\s+{_WORD}\b",
            0.8,
            group="value",
            flags=re.I,
        ),
    )
    MIN_DIGITS = 3
    KEYWORDS = ("pin", "otp", "code", "cvv", "cvc", "csc")
    PRIORITY = 3
