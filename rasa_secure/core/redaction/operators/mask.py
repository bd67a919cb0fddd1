"""``mask``: keep a few characters, hide the rest (``**** **** **** 1111``)."""

from __future__ import annotations

from rasa_secure.config import Option, in_range
from rasa_secure.core.redaction.operators.base import Operator, OperatorName, Target


class Mask(Operator):
    """Replace characters by a masking character, leaving some visible at either end.

    A value too short to show what is asked (fewer than twice the visible characters) is
    masked whole: never half of a short value.
    """

    NAME = OperatorName.MASK
    PARAMS = {
        "keep_last": Option(4, "characters left visible at the end", int, in_range(0, 64)),
        "keep_first": Option(0, "characters left visible at the start", int, in_range(0, 64)),
        "char": Option(
            "*",
            "masking character",
            str,
            lambda v: None if len(v) == 1 else "must be one character",
        ),
        "keep_separators": Option(True, "leave spaces, dashes and dots in place", bool),
    }
    PROTECTION = 0

    def apply(self, value: str, target: Target) -> str:
        params = self.params
        keep_first, keep_last, char = params["keep_first"], params["keep_last"], params["char"]
        positions = [i for i, c in enumerate(value) if c.isalnum() or not params["keep_separators"]]
        if 2 * (keep_first + keep_last) > len(positions):
            keep_first = keep_last = 0
        visible = set(positions[:keep_first]) | set(
            positions[len(positions) - keep_last :] if keep_last else []
        )
        return "".join(
            c if i in visible or i not in positions else char for i, c in enumerate(value)
        )
