"""How slot values appear in outgoing messages: found as whole words, rendered as disclosed.

:class:`~rasa_secure.actions.guard.ActionGuard` (action replies) and
:mod:`rasa_secure.actions.nlg` (rendered responses) both find the caller's slot values in a
text with :func:`values_pattern` and render each as its
:class:`~rasa_secure.core.identity.Disclosure` allows with :func:`show_values`; the spans
returned are spared by the PII pass that follows.
"""

from __future__ import annotations

import re
from typing import Any, List, Mapping, Optional, Sequence, Tuple

from rasa_secure.core.identity import Disclosure

MIN_MASKED_CHARS = 3
"""Slot values shorter than this are not searched for in messages (too common to mask)."""


def scalar_texts(value: Any) -> List[str]:
    """The texts a slot value shows as in a message: scalars (and lists of them) of at least
    :data:`MIN_MASKED_CHARS` characters, stripped."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, (str, int, float)):
        text = str(value).strip()
        return [text] if len(text) >= MIN_MASKED_CHARS else []
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in scalar_texts(item)]
    return []


def show_values(
    text: str, pattern: Optional[re.Pattern[str]], levels: Mapping[str, Disclosure]
) -> Tuple[str, List[Tuple[int, int]]]:
    """``text`` with the slot values ``pattern`` finds rendered as ``levels`` disclose them.

    Returns the new text and the spans of the rendered values (spared by the PII pass).
    """
    pieces: List[str] = []
    shown: List[Tuple[int, int]] = []
    position = length = 0
    for match in pattern.finditer(text) if pattern is not None else ():
        rendered = levels[match.group(0)].render(match.group(0))
        pieces += [text[position : match.start()], rendered]
        length += match.start() - position
        shown.append((length, length + len(rendered)))
        length += len(rendered)
        position = match.end()
    pieces.append(text[position:])
    return "".join(pieces), shown


def values_pattern(values: Sequence[str]) -> Optional[re.Pattern[str]]:
    """A pattern finding any of ``values`` as a whole word (``None`` for no values)."""
    if not values:
        return None
    alternatives = "|".join(re.escape(value) for value in values)
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])")
