"""PII detection: our recognizers, Presidio's predefined recognizers and spaCy NER.

The public surface: :class:`PIIAnalyzer` (text in, :class:`PIIFinding` s out), its
:data:`OPTIONS`, the finding's explanation and wire form, and the recognizer contract.
"""

from rasa_secure.core.pii.analyzer import PIIAnalyzer
from rasa_secure.core.pii.finding import PIIExplanation, PIIFinding, PIIWire, from_wire
from rasa_secure.core.pii.options import DEFAULT_NER_LABELS, NER_IGNORE, OPTIONS
from rasa_secure.core.pii.presidio import offline_tld_extractor, presidio_countries
from rasa_secure.core.pii.recognizers import (
    RECOGNIZERS,
    VALIDATORS,
    Pattern,
    RegexRecognizer,
    builtin_recognizers,
    custom_recognizers,
)

__all__ = [
    "DEFAULT_NER_LABELS",
    "NER_IGNORE",
    "OPTIONS",
    "RECOGNIZERS",
    "VALIDATORS",
    "PIIAnalyzer",
    "PIIExplanation",
    "PIIFinding",
    "PIIWire",
    "Pattern",
    "RegexRecognizer",
    "builtin_recognizers",
    "custom_recognizers",
    "from_wire",
    "offline_tld_extractor",
    "presidio_countries",
]
