"""Declare a component's configuration once, merge it with user values, validate it.

Every configurable piece of rasa_secure declares an :data:`OptionSpec`: a mapping from key
to :class:`Option` (default, documentation, accepted type, optional check). Rasa components
return :func:`defaults` from ``get_default_config()``; everything calls :func:`resolve` at
construction, which merges *before* validating and raises :class:`ConfigError` naming the
key, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, Optional, Set, Tuple, Type, Union

from rasa_secure.errors import ConfigError

Check = Callable[[Any], Optional[str]]
"""A check returns ``None`` when the value is fine, or a sentence saying what is wrong."""


@dataclass(frozen=True)
class Option:
    """One configuration key.

    Attributes:
        default: value used when the user gives none (deep-copied on use).
        doc: one line saying what the key does; rendered in the docs.
        types: accepted Python type(s) of the value. ``bool`` is never accepted for ``int``.
        check: extra validation run after the type check.
        choices: the only values accepted, if the set is closed.
    """

    default: Any
    doc: str
    types: Union[Type[Any], Tuple[Type[Any], ...]] = object
    check: Optional[Check] = None
    choices: Optional[Tuple[Any, ...]] = field(default=None)


OptionSpec = Mapping[str, Option]


def defaults(spec: OptionSpec) -> Dict[str, Any]:
    """The default value of every key of ``spec``."""
    return {key: copy.deepcopy(option.default) for key, option in spec.items()}


def resolve(
    spec: OptionSpec,
    given: Optional[Mapping[str, Any]],
    *,
    owner: str,
    ignore: Tuple[str, ...] = (),
) -> Dict[str, Any]:
    """Merge ``given`` over the defaults of ``spec`` and validate the result.

    Args:
        spec: the declared options.
        given: user configuration (may be ``None`` or partial).
        owner: name used as the first part of key paths in errors (e.g. the component).
        ignore: keys the host framework adds that are not ours (dropped silently).

    Raises:
        ConfigError: an unknown key, a value of the wrong type, or a failed check.
    """
    if given is not None and not isinstance(given, Mapping):
        raise ConfigError(owner, f"expected a mapping of options, got {type(given).__name__}")
    merged = defaults(spec)
    for key, value in (given or {}).items():
        if key in ignore:
            continue
        if key not in spec:
            raise ConfigError(f"{owner}.{key}", "unknown option", sorted(spec))
        merged[key] = value
    for key, option in spec.items():
        check_value(f"{owner}.{key}", merged[key], option)
    return merged


def check_value(path: str, value: Any, option: Option) -> None:
    """Validate one value against its option; raise :class:`ConfigError` naming ``path``."""
    types = option.types if isinstance(option.types, tuple) else (option.types,)
    wrong_bool = isinstance(value, bool) and bool not in types and object not in types
    if wrong_bool or not isinstance(value, types):
        names = ", ".join(t.__name__ for t in types)
        raise ConfigError(path, f"expected {names}, got {type(value).__name__}")
    if option.choices is not None and value not in option.choices:
        raise ConfigError(path, f"{value!r} is not a valid choice", option.choices)
    if option.check is not None:
        problem = option.check(value)
        if problem is not None:
            raise ConfigError(path, problem)


def in_range(low: float, high: float) -> Check:
    """A check accepting numbers in ``[low, high]``."""

    def check(value: Any) -> Optional[str]:
        return None if low <= value <= high else f"must be between {low} and {high}, got {value}"

    return check


def positive(value: Any) -> Optional[str]:
    """A check accepting numbers greater than zero."""
    return None if value > 0 else f"must be greater than 0, got {value}"


def list_of(item_type: Type[Any]) -> Check:
    """A check accepting a list whose items are all ``item_type``."""

    def check(value: Any) -> Optional[str]:
        for index, item in enumerate(value):
            if not isinstance(item, item_type) or isinstance(item, bool) is not (item_type is bool):
                return f"item {index} must be {item_type.__name__}, got {type(item).__name__}"
        return None

    return check


def regex_list(value: Any) -> Optional[str]:
    """A check accepting a list of strings that all compile as regular expressions."""
    problem = list_of(str)(value)
    if problem is not None:
        return problem
    for index, pattern in enumerate(value):
        try:
            re.compile(pattern)
        except re.error as error:
            return f"item {index} is not a valid regular expression: {error}"
    return None


def read_yaml(path: Union[str, Path], *, key: str, error: Type[ConfigError] = ConfigError) -> Any:
    """The parsed content of the YAML file at ``path`` (``None`` for an empty file).

    Args:
        path: the file.
        key: the setting that named the file; errors carry it as their key.
        error: the :class:`ConfigError` subclass to raise (e.g. ``PolicyError``).

    Raises:
        ConfigError: the file cannot be read or is not valid YAML. A syntax error is reported
            by its line, never by quoting the file.
    """
    import yaml

    try:
        return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_strict_loader())  # noqa: S506
    except OSError as problem:
        raise error(key, f"cannot read {path}: {problem.strerror}") from None
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise error(key, f"{path} is not valid YAML{where}{_duplicate(problem)}") from None


_DUPLICATE = "duplicate key"


def _duplicate(problem: Exception) -> str:
    return f": {_DUPLICATE}" if _DUPLICATE in str(getattr(problem, "problem", "")) else ""


@functools.lru_cache(maxsize=1)
def _strict_loader() -> Any:
    """PyYAML's SafeLoader, refusing a mapping that names a key twice.

    Plain YAML keeps the last of two equal keys, so a second entry for an action or a slot
    in a policy file would silently replace the first; a security file must not be read that
    way.
    """
    import yaml

    class StrictSafeLoader(yaml.SafeLoader):
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: Set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # `<<: *defaults` may be overridden by the keys beside it
                name = self.construct_object(key_node, deep=deep)
                if isinstance(name, (str, int, float, bool)) or name is None:
                    if name in seen:
                        raise yaml.constructor.ConstructorError(
                            None, None, _DUPLICATE, key_node.start_mark
                        )
                    seen.add(name)
            return super().construct_mapping(node, deep=deep)

    return StrictSafeLoader
