"""The distress detector's configuration, declared once: :data:`OPTIONS` and their defaults."""

from __future__ import annotations

from typing import Any, Callable, Optional

from rasa_secure.config import Option, OptionSpec, in_range
from rasa_secure.core.distress.results import DistressCategory, Priority

CATEGORY_NAMES = tuple(category.value for category in DistressCategory)
PRIORITY_NAMES = tuple(priority.value for priority in Priority)

DEFAULT_THRESHOLD = 0.6
"""A strong or a medium cue alone reaches it, a weak cue needs a second cue of its category."""

DEFAULT_PRIORITIES = {
    DistressCategory.COERCION.value: Priority.URGENT.value,
    DistressCategory.SELF_HARM.value: Priority.URGENT.value,
    DistressCategory.FRAUD_VICTIM.value: Priority.HIGH.value,
    DistressCategory.FINANCIAL_HARDSHIP.value: Priority.HIGH.value,
    DistressCategory.BEREAVEMENT.value: Priority.HIGH.value,
    DistressCategory.ABUSE.value: Priority.NORMAL.value,
}


def per_category(check: Callable[[str, Any], Optional[str]]) -> Callable[[Any], Optional[str]]:
    """The validator of a mapping from category names to values: every key a category, every
    value passing ``check(category, value)`` (which returns the problem, or ``None``)."""

    def validate(value: Any) -> Optional[str]:
        for key, item in value.items():
            if key not in CATEGORY_NAMES:
                return f"unknown category {key!r}; expected one of {', '.join(CATEGORY_NAMES)}"
            problem = check(key, item)
            if problem is not None:
                return problem
        return None

    return validate


def _threshold(key: str, threshold: Any) -> Optional[str]:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        return f"{key}: expected a number in [0, 1]"
    if not 0.0 < threshold <= 1.0:
        return f"{key}: expected a number in (0, 1]"
    return None


def _priority(key: str, priority: Any) -> Optional[str]:
    if priority not in PRIORITY_NAMES:
        return f"{key}: {priority!r} is not one of {', '.join(PRIORITY_NAMES)}"
    return None


OPTIONS: OptionSpec = {
    "thresholds": Option(
        {},
        "category -> score at or above which it is detected (default 0.6 for each)",
        dict,
        per_category(_threshold),
    ),
    "priorities": Option(
        dict(DEFAULT_PRIORITIES),
        "category -> priority (normal, high, urgent) a detection of it asks for",
        dict,
        per_category(_priority),
    ),
    "negative_priority": Option(
        -0.9,
        "a sentiment at or below this raises the priority to high (-1 turns it off)",
        float,
        in_range(-1.0, 0.0),
    ),
    "max_length": Option(
        2000,
        "characters of a message read (a longer message is read up to this length)",
        int,
        in_range(1, 100_000),
    ),
}
"""Configuration of :class:`~rasa_secure.core.distress.DistressDetector`."""
