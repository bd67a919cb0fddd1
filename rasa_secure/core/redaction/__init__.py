"""Redaction: turning findings into placeholders, tokens or ciphertext, failing safe.

* :mod:`.operators`: one file per operator, the registry, and the shapes of their outputs;
* :mod:`.redactor`: the :class:`Redactor` (findings in, :class:`Redaction` out);
* :mod:`.sanitizer`: the :class:`Sanitizer` (detect, redact, fail safe).
"""

from rasa_secure.core.redaction.operators import (
    OPERATORS,
    PLACEHOLDER,
    REPLACEMENT,
    Operator,
    OperatorName,
    Target,
    is_replacement,
)
from rasa_secure.core.redaction.redactor import (
    PSEUDONYM_KEY_ENV,
    RedactedItem,
    Redaction,
    Redactor,
)
from rasa_secure.core.redaction.sanitizer import FAILED_ENTITY, Sanitizer

__all__ = [
    "FAILED_ENTITY",
    "OPERATORS",
    "PLACEHOLDER",
    "PSEUDONYM_KEY_ENV",
    "REPLACEMENT",
    "Operator",
    "OperatorName",
    "RedactedItem",
    "Redaction",
    "Redactor",
    "Sanitizer",
    "Target",
    "is_replacement",
]
