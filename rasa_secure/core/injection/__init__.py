"""Injection screening: normalisation variants, rules, the n-gram model and the semantic stage.

Code outside this package imports from here, not from the modules inside it.
"""

from rasa_secure.core.injection.detector import InjectionDetector
from rasa_secure.core.injection.ngram import (
    HASH_BITS,
    MODEL_PATH,
    NgramHasher,
    NgramModel,
    model_text,
)
from rasa_secure.core.injection.options import OPTIONS
from rasa_secure.core.injection.prefilter import RuleSet
from rasa_secure.core.injection.results import Reason, ScreenDecision, Verdict
from rasa_secure.core.injection.rules import (
    CATEGORIES,
    HARMFUL_REQUEST,
    Rule,
    Strength,
    all_rules,
)
from rasa_secure.core.injection.structured import is_structured_value

__all__ = [
    "CATEGORIES",
    "HARMFUL_REQUEST",
    "HASH_BITS",
    "MODEL_PATH",
    "OPTIONS",
    "InjectionDetector",
    "NgramHasher",
    "NgramModel",
    "Reason",
    "Rule",
    "RuleSet",
    "ScreenDecision",
    "Strength",
    "Verdict",
    "all_rules",
    "is_structured_value",
    "model_text",
]
