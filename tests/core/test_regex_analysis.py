"""Reading regular expressions: the literals every match contains (the injection pre-filter)."""

from __future__ import annotations

import re
from typing import Tuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rasa_secure.core.regex_analysis import required_literals

CASES = [
    (
        r"ignore (?:all )?previous instructions",
        (("ignore ",), ("previous instructions",)),
        "runs around an optional group are both required; the optional one is not",
    ),
    (
        r"(?:union|select)\s+from",
        (("from",), ("select", "union")),
        "an alternation whose every branch has a literal is one group of alternatives",
    ),
    (
        r"(?:drop|delete)\s+table|truncate",
        (("table", "truncate"),),
        "a top-level alternation: the smallest group of each branch, united",
    ),
    (r"<script\b", (("<script",),), "an anchor ends a run without adding to it"),
    (r"(?:abc)?def", (("def",),), "an optional group requires nothing"),
    (r"(?i)system prompt", (), "a case-blind expression is not checked (the text is lower case)"),
    (r"ab", (), "runs shorter than three characters are too common to check"),
    (r"(?:foo|x)bar+", (), "one branch without a literal of three makes no group"),
]


@pytest.mark.parametrize(("pattern", "groups", "why"), CASES, ids=[c[0] for c in CASES])
def test_required_literals(pattern: str, groups: Tuple[Tuple[str, ...], ...], why: str) -> None:
    """Groups of strings of which every match contains one, smallest groups first."""
    assert required_literals(pattern) == groups, why


SAMPLES = st.text(alphabet="abcdefghilnoprstuvy <>\n", max_size=40)


@pytest.mark.parametrize("pattern", [c[0] for c in CASES])
@given(text=SAMPLES)
def test_a_text_lacking_a_group_cannot_match(pattern: str, text: str) -> None:
    """Property: the check is exact, a text missing every string of a group never matches."""
    if any(not any(literal in text for literal in group) for group in required_literals(pattern)):
        assert re.search(pattern, text) is None
