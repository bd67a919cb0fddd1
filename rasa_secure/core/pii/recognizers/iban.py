"""IBANs in any letter case, compact or grouped, with the ISO 7064 mod-97 check."""

from __future__ import annotations

import re

from rasa_secure.core.pii.recognizers.base import Pattern, RegexRecognizer


class IbanAnyCaseRecognizer(RegexRecognizer):
    """Presidio's IBAN recognizer wants upper case; chat often is not."""

    ENTITY_TYPE = "IBAN_CODE"
    PATTERNS = (
        Pattern("iban compact", r"\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b", 1.0, flags=re.I),
        Pattern(
            "iban grouped",
            r"\b[A-Z]{2}\d{2}(?:[ -][A-Z0-9]{4}){2,7}(?:[ -][A-Z0-9]{1,4})?\b",
            1.0,
            flags=re.I,
        ),
    )
    VALIDATOR = "iban"
    MIN_DIGITS = 8
