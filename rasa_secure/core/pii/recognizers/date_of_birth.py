"""Dates of birth: a date next to a birth word (``born on 14/07/1988``, ``DOB May 3, 1990``)."""

from __future__ import annotations

import re

from rasa_secure.core.pii.recognizers.base import Pattern, RegexRecognizer

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_NUMERIC = r"\b(?:\d{1,2}[./-]\d{1,2}[./-](?:19|20)?\d{2}|(?:19|20)\d{2}[./-]\d{1,2}[./-]\d{1,2})\b"
_DAY_FIRST = rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\.?,?\s+(?:19|20)\d{{2}}\b"
_MONTH_FIRST = rf"\b{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}\b"


class DateOfBirthRecognizer(RegexRecognizer):
    """Numeric and written dates with a plausible day, month and year, next to a birth word."""

    ENTITY_TYPE = "DATE_OF_BIRTH"
    PATTERNS = (
        Pattern("numeric date", _NUMERIC, 0.6),
        Pattern("day month year", _DAY_FIRST, 0.6, flags=re.I),
        Pattern("month day year", _MONTH_FIRST, 0.6, flags=re.I),
    )
    CONTEXT = ("born", "birth", "dob", "d.o.b", "birthday", "birthdate", "bday")
    LANGUAGE_CONTEXT = {
        "de": ("geboren", "geburt", "geb."),
        "es": ("nacimiento", "nací", "naci", "nacido", "nacida", "cumpleaños"),
        "fr": ("né", "née", "naissance", "anniversaire"),
        "it": ("nato", "nata", "nascita", "compleanno"),
        "pt": ("nascimento", "nasci", "nascido", "nascida", "aniversário"),
        "nl": ("geboren", "geboortedatum", "verjaardag"),
    }
    REQUIRES_CONTEXT = True
    VALIDATOR = "date"
    MIN_DIGITS = 2
    KEYWORDS = ("born", "birth", "dob", "d.o.b", "bday")
    PRIORITY = 3
