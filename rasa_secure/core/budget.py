"""A per-message time budget: the backstop behind linear-time expressions.

Every expression a detector runs on untrusted text is kept linear in its input (the growth
probe in ``tests/core/test_regex_growth.py`` times each one on adversarial shapes and fails
on super-linear growth), so a message of the longest allowed length costs milliseconds. A
detector still carries a :class:`Deadline` for each message and checks it between steps
(each variant, each rule, each recognizer); past it, the detector stops and answers safely:
the injection screen blocks or flags with a ``budget`` reason, the PII detector raises
:class:`~rasa_secure.errors.BudgetExceededError` and the redaction around it masks the
whole text.

Expressions from outside this package (Presidio's recognizers) run on the ``regex`` module,
which also takes a ``timeout`` per match: :meth:`Deadline.finditer` passes the time left, so
even a catastrophic third-party expression cannot run past the budget. Our own rules run on
``re``, which has no timeout but is measured faster on them (see the length-sweep page).
"""

from __future__ import annotations

import time
from typing import Any, Iterator, Optional

from rasa_secure.errors import BudgetExceededError


class Deadline:
    """The end of one message's budget.

    Args:
        detector: the detector's name (named in the error).
        budget_ms: the budget in milliseconds; ``None`` means unlimited.
    """

    __slots__ = ("_end", "budget_ms", "detector")

    def __init__(self, detector: str, budget_ms: Optional[float]) -> None:
        self.detector = detector
        self.budget_ms = budget_ms
        self._end = None if budget_ms is None else time.monotonic() + budget_ms / 1000.0

    def remaining(self, stage: str) -> Optional[float]:
        """Seconds left (``None``: unlimited).

        Raises:
            BudgetExceededError: none are left; ``stage`` says what was about to run.
        """
        if self._end is None:
            return None
        left = self._end - time.monotonic()
        if left <= 0:
            raise self._exceeded(stage)
        return left

    def check(self, stage: str) -> None:
        """Raise :class:`~rasa_secure.errors.BudgetExceededError` if the budget is spent."""
        self.remaining(stage)

    def finditer(self, pattern: Any, text: str, stage: str, *window: int) -> Iterator[Any]:
        """``pattern.finditer(text, *window)`` of a ``regex``-module pattern, stopped by a
        timeout when the budget runs out."""
        try:
            yield from pattern.finditer(text, *window, timeout=self.remaining(stage))
        except TimeoutError:
            raise self._exceeded(stage) from None

    def _exceeded(self, stage: str) -> BudgetExceededError:
        return BudgetExceededError(self.detector, stage, self.budget_ms or 0.0)


UNLIMITED = Deadline("unlimited", None)
"""A deadline that never expires."""
