"""Tests for core.nested: the one walker over nested values."""

from __future__ import annotations

from typing import Any, List

import pytest

from rasa_secure.core.nested import leaves, map_strings


def _deep(levels: int) -> Any:
    value: Any = "bottom"
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("value", "expected", "why"),
    [
        ("a", ["a"], "a string is its own leaf"),
        ({"k": ["a", {"x": "b"}], "n": 3}, ["a", "b"], "dict values and list items, in order"),
        (("a", None, True, 1.5), ["a"], "tuples walk like lists; scalars are not leaves"),
        ({"key": 1}, [], "mapping keys are not leaves"),
        (_deep(3), ["bottom"], "within the depth bound"),
        (_deep(40), [], "below the depth bound: skipped, no RecursionError"),
    ],
)
def test_leaves(value: Any, expected: List[str], why: str) -> None:
    assert list(leaves(value)) == expected, why


def test_map_strings_changes_every_leaf_and_keeps_the_rest() -> None:
    value = {"a": ["x", 1, None, False], "b": ("y",), "c": {"d": "z"}}
    assert map_strings(value, str.upper) == {
        "a": ["X", 1, None, False],
        "b": ["Y"],
        "c": {"d": "Z"},
    }
    assert value["a"] == ["x", 1, None, False], "the input is not mutated"


def test_map_strings_bounds_depth_and_handles_opaque_objects() -> None:
    shallow = map_strings(_deep(40), str.upper, max_depth=2, too_deep=lambda _v: "<deep>")
    assert shallow == [["<deep>"]]
    assert map_strings({"o": object()}, str.upper, opaque=lambda o: "<obj>") == {"o": "<obj>"}
    assert map_strings({"drop": "a", "keep": "b"}, str.upper, keep_key=lambda k: k != "drop") == {
        "keep": "B"
    }


class _Event:
    def as_dict(self) -> Any:
        return {"text": "secret", "name": "utter"}


@pytest.mark.parametrize(
    ("value", "expected", "why"),
    [
        ({"s": {"a"}}, {"s": ["A"]}, "a set converted to a list is walked"),
        ([_Event()], [{"text": "<m>", "name": "UTTER"}], "converted at the same depth, masked"),
        ({"o": object()}, {"o": "<opaque>"}, "a conversion that is still opaque goes to opaque"),
        ({"text": None, "value": 3}, {"text": None, "value": "<m>"}, "None is kept, not masked"),
    ],
)
def test_map_strings_converts_objects_and_masks_keys(value: Any, expected: Any, why: str) -> None:
    """What the log filter needs: Rasa events and sets walked, user-text keys masked whole."""

    def convert(item: Any) -> Any:
        if isinstance(item, set):
            return sorted(item)
        return item.as_dict() if isinstance(item, _Event) else item

    changed = map_strings(
        value,
        str.upper,
        convert=convert,
        opaque=lambda _item: "<opaque>",
        masked_keys=frozenset({"text", "value"}),
        mask="<m>",
    )
    assert changed == expected, why
