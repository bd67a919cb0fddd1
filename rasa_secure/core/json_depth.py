"""A bound on JSON nesting, checked before parsing (request bodies, intent-trigger entities, NLG
requests): the one owner of this check, shared by the channel and the action server."""

from __future__ import annotations

import re


def json_too_deep(data: bytes, limit: int) -> bool:
    """Whether the JSON text ``data`` nests arrays/objects deeper than ``limit``.

    A linear scan run *before* parsing: Python's parser recurses once per level and would hit
    the recursion limit (a 500) on a couple of kilobytes of brackets. String literals (with
    their escapes) are skipped, then the brackets are counted in order. Malformed JSON is left
    to the parser.
    """
    if data.count(b"[") + data.count(b"{") <= limit:  # too few openings to be too deep
        return False
    depth = 0
    for bracket in _BRACKETS.finditer(_STRINGS.sub(b"", data)):
        depth += 1 if bracket.group() in b"[{" else -1
        if depth > limit:
            return True
    return False


_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
"""A JSON string literal, written so that matching stays linear (no nested repetition)."""
_BRACKETS = re.compile(rb"[\[\]{}]")
