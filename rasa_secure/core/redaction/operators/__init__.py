"""The redaction operators: one file each, registered here one line each.

To add one, see "How to add an operator" in ``docs/redaction.md``.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping, Optional, Type

from rasa_secure.core.redaction.operators.base import (
    Numbering,
    Operator,
    OperatorName,
    Shared,
    Target,
)
from rasa_secure.core.redaction.operators.drop import Drop
from rasa_secure.core.redaction.operators.encrypt import Encrypt, reveal
from rasa_secure.core.redaction.operators.hash import Hash
from rasa_secure.core.redaction.operators.mask import Mask
from rasa_secure.core.redaction.operators.placeholder import Placeholder

OPERATORS: Mapping[OperatorName, Type[Operator]] = {
    OperatorName.PLACEHOLDER: Placeholder,
    OperatorName.MASK: Mask,
    OperatorName.HASH: Hash,
    OperatorName.ENCRYPT: Encrypt,
    OperatorName.DROP: Drop,
}
"""Every operator, by configuration name."""


def _union(operators: Iterable[Type[Operator]]) -> re.Pattern[str]:
    shapes = [op.OUTPUT.pattern for op in operators if op.OUTPUT is not None]
    return re.compile("|".join(f"(?:{shape})" for shape in shapes))


REPLACEMENT = _union(OPERATORS.values())
"""Any operator's output with a shape of its own; use ``fullmatch`` (see :func:`is_replacement`)."""

PLACEHOLDER = _union((Placeholder, Encrypt))
"""The replacements in angle brackets (placeholders and encrypted values), which can be found
inside a text with ``finditer``: ``password is <PASSWORD_1>`` holds no password."""


def is_replacement(value: Optional[str]) -> bool:
    """Whether ``value`` is, as a whole, something an operator wrote."""
    return value is not None and REPLACEMENT.fullmatch(value) is not None


__all__ = [
    "OPERATORS",
    "PLACEHOLDER",
    "REPLACEMENT",
    "Numbering",
    "Operator",
    "OperatorName",
    "Shared",
    "Target",
    "is_replacement",
    "reveal",
]
