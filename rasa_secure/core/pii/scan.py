"""Scanning a text only where a pattern can match: the text's features and the gated scan.

:class:`TextView` computes what the gates ask about (digits, lower case, where a rare
character is) at most once per text; :func:`scan` runs one compiled pattern under its
:class:`~rasa_secure.core.regex_analysis.PatternGate`, giving the matches a scan of the whole
text would give.
"""

from __future__ import annotations

import re
from typing import Any, FrozenSet, Iterator, Optional, Tuple

from rasa_secure.core.budget import UNLIMITED, Deadline
from rasa_secure.core.regex_analysis import SEPARATORS, PatternGate

_TOKEN_REST = re.compile("[^" + "".join(sorted(re.escape(char) for char in SEPARATORS)) + "]*")


class TextView:
    """One text and the features pre-gates ask about, each computed at most once.

    Attributes:
        text: the text being analysed.
        lowered: the text in lower case.
        digits: how many characters of the text are digits.
    """

    __slots__ = ("_reversed", "digits", "lowered", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.lowered = text.lower()
        self.digits = sum(map(str.isdigit, text))
        self._reversed = ""

    def has(self, chars: FrozenSet[str], digit: bool) -> bool:
        """Whether the text holds one of ``chars`` or (``digit``) any digit."""
        return bool(digit and self.digits) or any(char in self.text for char in chars)

    def window(self, chars: FrozenSet[str]) -> Optional[Tuple[int, int]]:
        """``(pos, endpos)`` of the token holding the text's only character of ``chars``.

        ``None`` when the text holds several (then one scan of the whole text is cheaper than
        one per token, at about a microsecond a scan). ``endpos`` includes the separator after
        the token, so look-aheads and ``\\b`` at its end see what they see in the whole text.
        """
        text = self.text
        total, at = 0, -1
        for char in chars:
            count = text.count(char)
            if count:
                total += count
                at = text.find(char)
        if total != 1:
            return None
        if not self._reversed:
            self._reversed = text[::-1]
        size = len(text)
        start = size - _TOKEN_REST.match(self._reversed, size - 1 - at).end()  # type: ignore[union-attr]
        end = _TOKEN_REST.match(text, at).end()  # type: ignore[union-attr]
        return start, min(end + 1, size)


def scan(
    gate: PatternGate, regex: Any, view: TextView, deadline: Deadline = UNLIMITED
) -> Iterator[Any]:
    """The matches ``regex.finditer`` finds in ``view.text``, scanning only where they can be.

    ``regex`` is a compiled ``re`` or ``regex`` pattern; the matches are the same as a scan
    of the whole text, in the same order. A ``regex``-module pattern is stopped by a
    timeout when ``deadline`` passes; before an ``re`` pattern, the deadline is checked.

    Raises:
        BudgetExceededError: the deadline passed.
    """
    text = view.text
    if gate.literal and gate.literal not in text:
        return iter(())
    if gate.seed is not None and not view.has(gate.chars, gate.digit):
        return iter(())
    window = view.window(gate.chars) if gate.seed and gate.tokens and not gate.digit else None
    bounds = () if window is None else window
    if isinstance(regex, re.Pattern):
        deadline.check("recognizers")
        return regex.finditer(text, *bounds)
    return deadline.finditer(regex, text, "recognizers", *bounds)
