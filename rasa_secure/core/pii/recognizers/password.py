"""Passwords stated in text: ``my password is hunter2``, ``pwd: "s3cret!"``."""

from __future__ import annotations

import re

from rasa_secure.core.pii.recognizers.base import Pattern, RegexRecognizer

_LEAD = r"\b(?:password|passwd|passphrase|pass\s?word|pwd|pw)\b"
_LINK = r"(?:\s*[:=]\s*|\s+(?:is|was|will\s+be|should\s+be|to\s+be|is\s+now|=)\s*[:=]?\s*)"
_VALUE = r"(?P<value>\"[^\"\n]{1,128}\"|'[^'\n]{1,128}'|`[^`\n]{1,128}`|[^\s\"'`]{1,128}?)"
_END = r"(?=[.,;!?]?[\"'`)\]]*[.,;:!?]?(?:\s|$))"
"""A closing quote or bracket may follow: 'he wrote "my password is hunter2".'"""


class PasswordRecognizer(RegexRecognizer):
    """A password word, a link (``is``, ``:``, ``=``) and the value, quoted or not."""

    ENTITY_TYPE = "PASSWORD"
    PATTERNS = (
        Pattern("password stated", _LEAD + _LINK + _VALUE + _END, 0.8, group="value", flags=re.I),
    )
    VALIDATOR = "password"
    KEYWORDS = ("pass", "pwd", "pw")
    PRIORITY = 3
