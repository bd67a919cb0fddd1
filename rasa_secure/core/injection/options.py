"""The options of the injection screen, declared once: :class:`InjectionDetector`, the NLU
component and the CLI merge a user's configuration over these defaults and validate it."""

from __future__ import annotations

from typing import Any, Mapping, Optional

from rasa_secure.config import Option, OptionSpec, in_range, list_of, positive, regex_list
from rasa_secure.core.injection.rules import CATEGORIES


def _threshold_check(value: Any) -> Optional[str]:
    for category, pair in value.items():
        if category not in CATEGORIES:
            return f"unknown category {category!r} (allowed: {', '.join(CATEGORIES)})"
        if not isinstance(pair, Mapping):
            return f"{category}: expected a mapping with 'flag' and/or 'block'"
        for key, number in pair.items():
            if key not in ("flag", "block"):
                return f"{category}.{key}: unknown key (allowed: flag, block)"
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                return f"{category}.{key}: expected a number, got {type(number).__name__}"
            if not 0.0 <= number <= 1.0:
                return f"{category}.{key}: must be between 0 and 1, got {number}"
    return None


OPTIONS: OptionSpec = {
    "flag_threshold": Option(
        0.5, "score from which a category flags the message", (int, float), in_range(0.0, 1.0)
    ),
    "block_threshold": Option(
        0.8, "score from which a category blocks the message", (int, float), in_range(0.0, 1.0)
    ),
    "thresholds": Option(
        {},
        "per-category overrides, e.g. {xss: {block: 0.9, flag: 0.6}}",
        dict,
        _threshold_check,
    ),
    "harmful_request": Option(
        "flag",
        "most a harmful request (weapons, drugs) that does not attack the assistant may do: "
        "it is not an injection, so by default it is only flagged",
        str,
        choices=("allow", "flag", "block"),
    ),
    "allow_list": Option(
        [],
        "regular expressions; a message that fully matches one (case-insensitive) is allowed",
        list,
        regex_list,
    ),
    "disabled_rules": Option(
        [], "rule ids (or id prefixes ending in '.') to switch off", list, list_of(str)
    ),
    "max_length": Option(
        16000, "longest message scanned, in characters; longer ones are not scanned", int, positive
    ),
    "over_length_decision": Option(
        "block",
        "verdict for a message longer than max_length",
        str,
        choices=("flag", "block"),
    ),
    "time_budget_ms": Option(
        250,
        "most milliseconds spent screening one message; past it the screen stops and gives "
        "budget_decision (a backstop: hostile input of 4,000 characters takes under 50 ms)",
        (int, float),
        positive,
    ),
    "budget_decision": Option(
        "block",
        "verdict for a message whose screening ran out of time_budget_ms",
        str,
        choices=("flag", "block"),
    ),
    "use_model": Option(True, "score with the shipped n-gram model as well as the rules", bool),
    "use_semantic": Option(
        True,
        "send uncertain messages to the multilingual sentence-encoder stage (it reads the "
        "n-gram model's logit, so use_model: false turns it off)",
        bool,
    ),
    "semantic_gate": Option(
        0.02,
        "score from which a message that does not block goes to the semantic stage",
        (int, float),
        in_range(0.0, 1.0),
    ),
    "max_variants": Option(
        12, "most variants (normalised, de-obfuscated, decoded) scanned per message", int, positive
    ),
    "max_decoded_chars": Option(4096, "longest decoded text scanned per variant", int, positive),
    "max_decode_depth": Option(2, "most nested decoding steps", int, in_range(0, 4)),
}
"""Configuration of :class:`InjectionDetector` (and of the NLU component and CLI)."""
