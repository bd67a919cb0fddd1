"""Dutch citizen service numbers (burgerservicenummer): nine digits passing the eleven test."""

from __future__ import annotations

from rasa_secure.core.pii.recognizers.base import Pattern, RegexRecognizer


class NlBsnRecognizer(RegexRecognizer):
    """Nine digits, plain or dotted (``1112.22.333``), with a BSN word near and a valid checksum.

    A number of nine digits is common (a phone number, an order), so a match is reported only
    with context.
    """

    ENTITY_TYPE = "NL_BSN"
    PATTERNS = (
        Pattern("bsn", r"(?<![\d.-])\d{9}(?![\d-]|[.]\d)", 0.6),
        Pattern("bsn dotted", r"(?<![\d.-])\d{4}\.\d{2}\.\d{3}(?![\d-]|[.]\d)", 0.6),
    )
    CONTEXT = ("bsn", "burgerservicenummer", "sofinummer", "citizen service number")
    REQUIRES_CONTEXT = True
    VALIDATOR = "elfproef"
    COUNTRY = "NL"
    MIN_DIGITS = 9
