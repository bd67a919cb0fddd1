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


_SPOKEN = {
    "de": (
        r"pin(?:-?code|-?nummer)?|geheimzahl|tan|(?:bestätigungs|sicherheits|einmal|zugangs|sms)"
        r"-?code",
        r"ist|lautet|war",
        ("pin", "geheimzahl", "tan", "code"),
    ),
    "es": (
        r"pin|c(?:ó|o)digo\s+(?:pin|de\s+(?:verificaci(?:ó|o)n|seguridad|acceso|confirmaci(?:ó|o)n))"
        r"|clave\s+(?:de\s+acceso|sms)",
        r"es|era",
        ("pin", "digo", "clave"),
    ),
    "fr": (
        r"(?:code\s+)?pin|code\s+(?:de\s+)?(?:v(?:é|e)rification|s(?:é|e)curit(?:é|e)|confirmation"
        r"|secret)|cryptogramme",
        r"est|c'est|était",
        ("pin", "code", "cryptogramme"),
    ),
    "it": (
        r"pin|otp|codice\s+(?:pin|di\s+(?:verifica|sicurezza|conferma|accesso))",
        r"(?:è|e')|era",
        ("pin", "otp", "codice"),
    ),
    "pt": (
        r"pin|c(?:ó|o)digo\s+(?:pin|de\s+(?:verifica(?:ç|c)(?:ã|a)o|seguran(?:ç|c)a|acesso"
        r"|confirma(?:ç|c)(?:ã|a)o))",
        r"(?:é|e)|era",
        ("pin", "digo"),
    ),
    "nl": (
        r"pin(?:code)?|(?:verificatie|beveiligings|sms|toegangs|eenmalige\s+)code",
        r"is|was|luidt",
        ("pin", "code"),
    ),
}
"""Per language: the code words, the verbs linking them to the digits, and keywords."""


def _stated(code: str) -> Pattern:
    words, verb, keywords = _SPOKEN[code]
    regex = rf"\b(?:{words})\b(?:\s*(?:{verb}|=|:|-)\s*:?\s*|\s+){_VALUE}\b"
    return Pattern(f"code stated ({code})", regex, 0.8, "value", re.I, keywords, 0, code)


class PinRecognizer(RegexRecognizer):
    """A code word then three to eight digits, or the digits then ``is my <code word>``; in
    each configured language (``meine PIN ist 4821``, ``código de verificación es 583920``)."""

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
        *map(_stated, _SPOKEN),
    )
    MIN_DIGITS = 3
    KEYWORDS = ("pin", "otp", "code", "cvv", "cvc", "csc")
    PRIORITY = 3
