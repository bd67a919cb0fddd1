"""Long random-looking tokens (a secret in an unknown format), checked for entropy."""

from __future__ import annotations

from rasa_secure.core.pii.recognizers.base import Pattern, RegexRecognizer


class HighEntropySecretRecognizer(RegexRecognizer):
    """24 or more token characters with letters, digits and high entropy per character."""

    ENTITY_TYPE = "SECRET"
    PATTERNS = (
        Pattern(
            "high-entropy token",
            r"(?<![A-Za-z0-9_\-+/=@.])[A-Za-z0-9_\-+/]{24,512}={0,2}(?![A-Za-z0-9_\-+/=@])",
            0.5,
        ),
    )
    CONTEXT = ("key", "token", "secret", "credential", "password", "bearer", "api")
    VALIDATOR = "entropy"
    MIN_DIGITS = 2
    PRIORITY = 0
