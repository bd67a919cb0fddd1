"""``drop``: remove the value, leaving nothing in its place."""

from __future__ import annotations

from rasa_secure.core.redaction.operators.base import Operator, OperatorName, Target


class Drop(Operator):
    """Replace a value by the empty string (the most protective operator)."""

    NAME = OperatorName.DROP
    PROTECTION = 4

    def apply(self, value: str, target: Target) -> str:
        return ""
