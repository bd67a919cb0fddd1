"""Custom recognizers declared in YAML, inline or in a file, built as :class:`RegexRecognizer`.

::

    recognizers:
      - name: employee_id
        entity_type: EMPLOYEE_ID
        patterns:
          - {name: emp, regex: '\\bEMP-\\d{6}\\b', score: 0.6}
        context: [employee, staff]
        requires_context: false
        validator: none          # a name from VALIDATORS: luhn, iban, aba, entropy, ...

Every invalid declaration raises a :class:`~rasa_secure.errors.ConfigError` naming its key.
"""

from __future__ import annotations

import re
from typing import Any, List, Mapping, Sequence, Tuple

from rasa_secure.config import read_yaml
from rasa_secure.core.pii.recognizers.base import Pattern, RegexRecognizer
from rasa_secure.core.pii.recognizers.validators import VALIDATORS
from rasa_secure.errors import ConfigError

_FLAG_NAMES = {"IGNORECASE": re.IGNORECASE, "MULTILINE": re.MULTILINE, "DOTALL": re.DOTALL}
_RECOGNIZER_KEYS = {
    "name",
    "entity_type",
    "patterns",
    "context",
    "requires_context",
    "negative_context",
    "validator",
    "flags",
    "deny_list",
}


def custom_recognizers(specs: Sequence[Any], *, owner: str) -> Tuple[RegexRecognizer, ...]:
    """Build recognizers from their declarations (already parsed from YAML).

    Raises:
        ConfigError: naming ``owner[index].key`` for any invalid declaration.
    """
    if not isinstance(specs, (list, tuple)):
        raise ConfigError(owner, f"expected a list of recognizers, got {type(specs).__name__}")
    return tuple(_custom(spec, f"{owner}[{index}]") for index, spec in enumerate(specs))


def load_recognizer_file(path: str, *, owner: str) -> Tuple[RegexRecognizer, ...]:
    """Read ``recognizers:`` from a YAML file and build them."""
    data = read_yaml(path, key=owner)
    if not isinstance(data, Mapping) or "recognizers" not in data:
        raise ConfigError(owner, f"{path} must be a mapping with a 'recognizers' list")
    return custom_recognizers(data["recognizers"], owner=f"{owner}({path}).recognizers")


def _custom(spec: Any, path: str) -> RegexRecognizer:
    if not isinstance(spec, Mapping):
        raise ConfigError(path, "expected a mapping")
    unknown = set(spec) - _RECOGNIZER_KEYS
    if unknown:
        raise ConfigError(f"{path}.{sorted(unknown)[0]}", "unknown key", sorted(_RECOGNIZER_KEYS))
    name = _text(spec, "name", path)
    entity = _text(spec, "entity_type", path)
    if not re.fullmatch(r"[A-Z][A-Z0-9_]*", entity):
        raise ConfigError(f"{path}.entity_type", "must be UPPER_SNAKE_CASE, e.g. EMPLOYEE_ID")
    flags = 0
    for flag in _words(spec, "flags", path):
        if flag not in _FLAG_NAMES:
            raise ConfigError(f"{path}.flags", f"unknown flag {flag!r}", sorted(_FLAG_NAMES))
        flags |= _FLAG_NAMES[flag]
    patterns = [
        _custom_pattern(item, f"{path}.patterns[{i}]", flags)
        for i, item in enumerate(spec.get("patterns") or [])
    ]
    deny = _words(spec, "deny_list", path)
    if deny:
        escaped = "|".join(re.escape(word) for word in sorted(deny, key=len, reverse=True))
        patterns.append(Pattern("deny_list", rf"(?<!\w)(?:{escaped})(?!\w)", 1.0, flags=re.I))
    if not patterns:
        raise ConfigError(
            f"{path}.patterns", "a recognizer needs at least one pattern or a deny_list"
        )
    validator_name = spec.get("validator", "none")
    if validator_name not in VALIDATORS:
        raise ConfigError(
            f"{path}.validator", f"unknown validator {validator_name!r}", sorted(VALIDATORS)
        )
    requires = spec.get("requires_context", False)
    if not isinstance(requires, bool):
        raise ConfigError(f"{path}.requires_context", "expected true or false")
    context = tuple(word.lower() for word in _words(spec, "context", path))
    if requires and not context:
        raise ConfigError(
            f"{path}.context", "requires_context is true but no context words are given"
        )
    return RegexRecognizer(
        name=name,
        entity_type=entity,
        patterns=tuple(patterns),
        context=context,
        requires_context=requires,
        negative_context=tuple(word.lower() for word in _words(spec, "negative_context", path)),
        validator=validator_name,
        priority=2,
    )


def _custom_pattern(item: Any, path: str, flags: int) -> Pattern:
    if not isinstance(item, Mapping):
        raise ConfigError(path, "expected a mapping with name, regex and score")
    unknown = set(item) - {"name", "regex", "score", "group"}
    if unknown:
        raise ConfigError(
            f"{path}.{sorted(unknown)[0]}", "unknown key", ["name", "regex", "score", "group"]
        )
    regex = _text(item, "regex", path)
    try:
        compiled = re.compile(regex, flags)
    except re.error as error:
        raise ConfigError(f"{path}.regex", f"invalid regular expression: {error}") from None
    score = item.get("score", 0.5)
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
        raise ConfigError(f"{path}.score", "must be a number between 0 and 1")
    group = item.get("group", "")
    if not isinstance(group, str) or (group and group not in compiled.groupindex):
        raise ConfigError(
            f"{path}.group", "must name a group of the regex", sorted(compiled.groupindex)
        )
    return Pattern(
        name=str(item.get("name", "pattern")),
        regex=regex,
        score=float(score),
        group=group,
        flags=flags,
    )


def _text(spec: Mapping[str, Any], key: str, path: str) -> str:
    value = spec.get(key)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{path}.{key}", "required, a non-empty string")
    return value


def _words(spec: Mapping[str, Any], key: str, path: str) -> List[str]:
    value = spec.get(key) or []
    if not isinstance(value, list) or not all(isinstance(word, str) and word for word in value):
        raise ConfigError(f"{path}.{key}", "expected a list of non-empty strings")
    return list(value)
