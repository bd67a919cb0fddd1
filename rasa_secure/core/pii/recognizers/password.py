"""Passwords stated in text: ``my password is hunter2``, ``pwd: "s3cret!"``."""

from __future__ import annotations

import re

from rasa_secure.core.pii.recognizers.base import Pattern, RegexRecognizer

_LEAD = r"\b(?:password|passwd|passphrase|pass\s?word|pwd|pw)\b"
_LINK = r"(?:\s*[:=]\s*|\s+(?:is|was|will\s+be|should\s+be|to\s+be|is\s+now|=)\s*[:=]?\s*)"
_VALUE = r"(?P<value>\"[^\"\n]{1,128}\"|'[^'\n]{1,128}'|`[^`\n]{1,128}`|[^\s\"'`]{1,128}?)"
_END = r"(?=[.,;!?]?[\"'`)\]]*[.,;:!?]?(?:\s|$))"
"""A closing quote or bracket may follow: 'he wrote "my password is hunter2".'"""


_SPOKEN = {
    "de": (r"passwort|kennwort|pw", r"ist|lautet|war|hei(?:ß|ss)t", ("passw", "kennw")),
    "es": (r"contrase(?:ñ|n)a|clave", r"es|era|ser(?:á|a)", ("contrase", "clave")),
    "fr": (r"mot\s+de\s+passe|mdp", r"est|c'est|était|etait", ("passe", "mdp")),
    "it": (
        r"password|parola\s+d'ordine|chiave",
        r"(?:è|e')|era|sar(?:à|a)",
        ("password", "chiave"),
    ),
    "pt": (r"senha|palavra[- ]passe", r"(?:é|e)|era|ser(?:á|a)", ("senha", "passe")),
    "nl": (r"wachtwoord|paswoord", r"is|was|luidt", ("wachtw", "paswo")),
}
"""Per language: the password words, the verbs linking them to the value, and keywords."""


def _stated(code: str) -> Pattern:
    lead, verb, keywords = _SPOKEN[code]
    link = rf"(?:\s*[:=]\s*|\s+(?:{verb})\s*[:=]?\s*)"
    regex = rf"\b(?:{lead})\b" + link + _VALUE + _END
    return Pattern(f"password stated ({code})", regex, 0.8, "value", re.I, keywords, 0, code)


class PasswordRecognizer(RegexRecognizer):
    """A password word, a link (``is``, ``:``, ``=``) and the value, quoted or not; in each
    configured language (``Mein Passwort ist Geheim123``, ``mi contraseña es Sol2024!``)."""

    ENTITY_TYPE = "PASSWORD"
    PATTERNS = (
        Pattern("password stated", _LEAD + _LINK + _VALUE + _END, 0.8, group="value", flags=re.I),
        *map(_stated, _SPOKEN),
    )
    VALIDATOR = "password"
    KEYWORDS = ("pass", "pwd", "pw")
    PRIORITY = 3
