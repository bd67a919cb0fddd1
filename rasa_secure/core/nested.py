"""The one walker over nested values (slot values, entities, metadata, JSON bodies).

Rasa and rasa-sdk hand us values of any shape: strings, numbers, ``None``, and dicts and lists
of those to any depth. Everything that must look at or change the strings inside such a value
goes through :func:`leaves` or :func:`map_strings`, so the depth bound and the handling of
objects we cannot inspect are decided here once.
"""

from __future__ import annotations

from typing import AbstractSet, Any, Callable, Iterator, Mapping, Optional

MAX_DEPTH = 16
"""Containers nested deeper than this are not descended into (see each function)."""


def leaves(value: Any, max_depth: int = MAX_DEPTH) -> Iterator[str]:
    """The string leaves of ``value``, depth first; containers below ``max_depth`` are skipped.

    Mapping keys are not leaves (they are names chosen by the bot, not by the user).
    """
    yield from _leaves(value, max_depth, 0)


def _leaves(value: Any, max_depth: int, depth: int) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif depth >= max_depth:
        return
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _leaves(item, max_depth, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item, max_depth, depth + 1)


def map_strings(
    value: Any,
    change: Callable[[str], str],
    *,
    max_depth: int = MAX_DEPTH,
    too_deep: Callable[[Any], Any] = lambda _value: None,
    opaque: Optional[Callable[[Any], Any]] = None,
    keep_key: Callable[[Any], bool] = lambda _key: True,
    convert: Optional[Callable[[Any], Any]] = None,
    masked_keys: AbstractSet[Any] = frozenset(),
    mask: Any = None,
) -> Any:
    """``value`` with every string leaf replaced by ``change(leaf)``; the input is not mutated.

    Dicts become dicts, lists and tuples become lists; ``None``, booleans and numbers are kept.

    Args:
        change: applied to every string leaf.
        max_depth: a container nested deeper than this is replaced by ``too_deep(container)``
            (default ``None``), so a hostile value cannot exhaust the stack.
        too_deep: what replaces a container below ``max_depth``.
        opaque: what replaces any other object (default: the object, unchanged).
        keep_key: mapping entries whose key this refuses are dropped.
        convert: turns any other object into a value walked in its place, at the same depth
            (a set into a list, an event into its dict); what it returns that is still not a
            string, scalar or container goes to ``opaque``.
        masked_keys: mapping entries with one of these keys have their value replaced by
            ``mask`` whole (a ``None`` value is kept).
        mask: the replacement of a masked entry's value.
    """

    def walk(item: Any, depth: int, converted: bool = False) -> Any:
        if isinstance(item, str):
            return change(item)
        if item is None or isinstance(item, (bool, int, float)):
            return item
        if isinstance(item, (Mapping, list, tuple)) and depth >= max_depth:
            return too_deep(item)
        if isinstance(item, Mapping):
            return {
                k: mask if k in masked_keys and v is not None else walk(v, depth + 1)
                for k, v in item.items()
                if keep_key(k)
            }
        if isinstance(item, (list, tuple)):
            return [walk(v, depth + 1) for v in item]
        if convert is not None and not converted:
            return walk(convert(item), depth, True)
        return item if opaque is None else opaque(item)

    return walk(value, 0)
