"""Structured values: a message that is one data value (an e-mail address, amount, date,
phone number, IBAN or reference) rather than language."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,6}")
_CURRENCY = r"(?:[€$£¥₩₺₽₹¢]|[a-z]{3}|zł|r\$|kr)"
_VALUE = re.compile(
    "|".join(
        (
            rf"{_CURRENCY}?\s?[+-]?\d[\d .,'\u2019]{{0,24}}\s?{_CURRENCY}?",  # number, amount
            r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2}:\d{2}(?::\d{2})?",  # date, time
            r"\+?[\d() .-]{5,24}",  # phone number
            r"#?\w{1,12}(?:[ /-]\w{1,12}){0,8}",  # IBAN, reference, postcode, date in words
        )
    )
)
_DIGIT = re.compile(r"\d")
_ALNUM = re.compile(r"\w")
STRUCTURED_MAX_CHARS = 80
"""Longest text :func:`is_structured_value` considers."""


def is_structured_value(text: str) -> bool:
    """Whether normalised ``text`` is one data value rather than language.

    A data value is an email address, or a number, amount, date, time, phone number or
    code (IBAN, reference, card number) in which digits make up at least half of the letters
    and digits. Forms ask for such values, and they contain no words of instruction: the
    n-gram model, which reads language, has nothing to judge in them (a mailbox called
    ``admin`` or ``ignore`` is not an instruction). The rules still read them, and every
    decoded variant is still scored by the model.
    """
    value = text.strip()
    if not value or len(value) > STRUCTURED_MAX_CHARS:
        return False
    if _EMAIL.fullmatch(value) is not None:
        return True
    if _VALUE.fullmatch(value) is None:
        return False
    digits = len(_DIGIT.findall(value))
    return digits >= 1 and digits >= 0.5 * len(_ALNUM.findall(value))
