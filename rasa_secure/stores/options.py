"""The options of the store wrappers, declared once for the tracker store and the event broker."""

from __future__ import annotations

from typing import Any, Dict, Mapping

from rasa_secure.config import Option, OptionSpec, list_of
from rasa_secure.core.identity.crypto import ENV_VAR
from rasa_secure.core.redaction import REPLACEMENT


def _opt_in(value: Any) -> str | None:
    for key, names in value.items():
        if key not in ("entities", "slots"):
            return f"unknown key {key!r} (allowed: entities, slots)"
        problem = list_of(str)(names) if isinstance(names, list) else "must be a list of names"
        if problem:
            return f"{key}: {problem}"
    return None


OPTIONS: OptionSpec = {
    "pii": Option(
        {},
        "Sanitizer configuration: {detector: PIIDetector options, redaction: Redactor options};"
        " the detector is pattern-only unless detector.spacy_model is set",
        dict,
    ),
    "sensitive_slots": Option(
        [], "slots whose values are encrypted at rest (needs RASA_SECURE_KEYS)", list, list_of(str)
    ),
    "sensitive_entities": Option(
        None,
        "entities whose values and text spans are always redacted; null means sensitive_slots",
        (list, type(None)),
        lambda value: None if value is None else list_of(str)(value),
    ),
    "opt_in": Option(
        {},
        "what this deployment allows in clear: {entities: [names], slots: [names]}",
        dict,
        _opt_in,
    ),
    "keys_env": Option(ENV_VAR, "environment variable holding the keyring", str),
    "redact_metadata": Option(True, "redact string values in event and message metadata", bool),
    "trust_nlu_findings": Option(
        False,
        "do not run detection again on user texts the PIIDetector NLU component analysed"
        " (parse_data.pii present, pii_failed false); redact its findings only. Faster; safe"
        " when the NLU detector reports at least every type you want redacted at rest",
        bool,
    ),
}
"""Options shared by the secure tracker store and the secure event broker."""


def store_pii_config(pii: Mapping[str, Any]) -> Dict[str, Any]:
    """The Sanitizer configuration used at rest, from the user's ``pii`` option.

    * The detector is pattern-only unless ``detector.spacy_model`` is set: NER findings made
      by the PIIDetector NLU component are reused from the parse data, so NER runs once per
      message, not again for every store and broker (see the benchmarks).
    * Our own replacements are never reported (``password is <PASSWORD_1>`` is not a
      password), so sanitizing stored data again changes nothing.
    """
    config = dict(pii)
    detector = dict(config.get("detector") or {})
    detector.setdefault("spacy_model", None)
    allowed = detector.get("allow_list_regex", [])
    if isinstance(allowed, list) and REPLACEMENT.pattern not in allowed:
        detector["allow_list_regex"] = [*allowed, REPLACEMENT.pattern]
    config["detector"] = detector
    return config
