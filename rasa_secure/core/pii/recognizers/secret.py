"""API keys, tokens, private keys and credentials in URLs, by their documented formats.

Each pattern has its own gate: formats with a fixed prefix (``AKIA``, ``ghp_``, ``glpat-``,
``-----BEGIN``) need nothing more, while the generic shapes (``token is ...``, ``Bearer ...``)
run only on texts with a digit, so that ``the token is invalidatedyesterday`` is no secret.
"""

from __future__ import annotations

import re

from rasa_secure.core.pii.recognizers.base import Pattern, RegexRecognizer

_I = re.IGNORECASE


class SecretRecognizer(RegexRecognizer):
    """Vendor key formats, JWTs, private key blocks, URL passwords, key assignments."""

    ENTITY_TYPE = "SECRET"
    PATTERNS = (
        Pattern(
            "private key block",
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:(?!-----END)[\s\S])*"
            r"(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)?",
            1.0,
        ),
        Pattern(
            "aws access key id",
            r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{16}\b",
            0.95,
        ),
        Pattern(
            "aws secret access key",
            r"(?i:aws[\w .-]{0,20}(?:secret|key)[\w .-]{0,20}?)[\s:=\"']+"
            r"(?P<value>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])",
            0.9,
            group="value",
            keywords=("aws",),
            min_digits=1,
        ),
        Pattern(
            "github token",
            r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b",
            0.95,
        ),
        Pattern("gitlab token", r"\bglpat-[A-Za-z0-9_-]{20,}", 0.95),
        Pattern("slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}", 0.95),
        Pattern("slack webhook", r"https://hooks\.slack\.com/services/[A-Za-z0-9/_-]{20,}", 0.95),
        Pattern("stripe secret key", r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,247}\b", 0.95),
        Pattern("google api key", r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])", 0.95),
        Pattern("google oauth token", r"\bya29\.[0-9A-Za-z_-]{20,}", 0.9),
        Pattern(
            "sendgrid key", r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])", 0.95
        ),
        Pattern("openai-style key", r"\bsk-(?:[a-z]+-)?[A-Za-z0-9_-]{20,}", 0.85, min_digits=1),
        Pattern("jwt", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", 0.95),
        Pattern(
            "credentials in url",
            r"\b[a-z][a-z0-9+.-]{1,15}://[^\s:/@]{0,64}:(?P<value>[^\s@/]{1,128})@",
            1.0,
            group="value",
            flags=_I,
        ),
        Pattern(
            "bearer token",
            r"\bbearer\s+(?P<value>[A-Za-z0-9._~+/-]{16,}=*)",
            0.85,
            group="value",
            flags=_I,
            keywords=("bearer",),
            min_digits=1,
        ),
        Pattern(
            "key assignment",
            r"\b(?:api[_ -]?key|apikey|access[_ -]?(?:token|key)|auth[_ -]?token"
            r"|secret[_ -]?key|client[_ -]?secret|private[_ -]?key|secret|token)\b"
            r"\s*(?:is|=|:)\s*[\"']?"
            r"(?P<value>[A-Za-z0-9_\-./+=]{12,256})",
            0.8,
            group="value",
            flags=_I,
            keywords=("key", "token", "secret"),
            min_digits=1,
        ),
    )
    PRIORITY = 2
