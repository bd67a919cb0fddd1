"""Our recognizers: one per module, listed in :mod:`.registry`, declared in Presidio's shape.

They add what chat needs and Presidio lacks (passwords, PINs and one-time codes stated in
text, API keys and secrets, bank accounts and dates of birth next to their words, card numbers
introduced as a card, loosely formatted phone numbers). They use only the standard library.
Custom recognizers are declared in YAML (:mod:`.yaml_loader`).
"""

from rasa_secure.core.pii.recognizers.base import (
    Candidate,
    CompiledPattern,
    Pattern,
    RegexRecognizer,
    compile_pattern,
)
from rasa_secure.core.pii.recognizers.registry import (
    RECOGNIZERS,
    builtin_recognizers,
)
from rasa_secure.core.pii.recognizers.validators import (
    VALIDATORS,
    Validator,
    aba_valid,
    elfproef_valid,
    iban_valid,
    looks_like_secret,
    luhn_valid,
    plausible_date,
)
from rasa_secure.core.pii.recognizers.yaml_loader import custom_recognizers, load_recognizer_file

__all__ = [
    "RECOGNIZERS",
    "VALIDATORS",
    "Candidate",
    "CompiledPattern",
    "Pattern",
    "RegexRecognizer",
    "Validator",
    "aba_valid",
    "builtin_recognizers",
    "compile_pattern",
    "custom_recognizers",
    "elfproef_valid",
    "iban_valid",
    "load_recognizer_file",
    "looks_like_secret",
    "luhn_valid",
    "plausible_date",
]
