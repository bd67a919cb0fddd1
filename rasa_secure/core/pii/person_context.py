"""A name the NER model called an organisation or a place, read as a person from its context.

A small model tags many names as ``ORG`` or ``GPE`` ("Tomomi Nishiyama lives at...",
"my friend Jordan"). An organisation or place span becomes a person only when the words
around it say so; its own spelling and a general verb ("Jordan is very reliable") never do:

* **before it**: a relation ("my friend", "his wife", "our son") or a naming word ("named",
  "called", "calls me", "dear");
* **after it**: a possessive relation ("Jordan's wife") or what only people do ("lives",
  "was born", "is married"; not "said": "Chase said my card is blocked").

A list with a person in it ("Kónya, Becker and Vasquez") is no cue: on pii_synth it turned
more company and place names into people (22) than it found names (13).

The cues are English: the NER model runs only on text in its own language.
"""

from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple

_RELATIONS = (
    r"wife|husband|son|daughter|kids?|child|children|mother|mom|mum|father|dad|brother|sister"
    r"|friend|partner|colleague|co-?worker|boss|grand(?:ma|pa|mother|father|son|daughter)"
    r"|aunt|uncle|cousin|niece|nephew|fianc[ée]e?|girlfriend|boyfriend|landlord|neighbou?r"
)
_BEFORE = re.compile(
    rf"(?i:\b(?:(?:my|our|his|her|their|your)[ \t]{{1,3}}(?:{_RELATIONS})|named|called"
    r"|calls[ \t]{1,3}me|dear))[ \t]{0,3}(?:,[ \t]{0,3})?$"
)
"""Words right before a span that say a person follows ("my friend Jordan")."""
_AFTER = re.compile(
    rf"(?i:['\u2019]s[ \t]{{1,3}}(?:{_RELATIONS})\b"
    r"|[ \t]{1,3}(?:lives|lived|was[ \t]{1,3}born|is[ \t]{1,3}married|got[ \t]{1,3}married)\b)"
)
"""Words right after a span that say it names a person ("Jordan's wife", "X lives at").
Runs of spaces are bounded, so that no search backtracks over a long one."""
_LOOK = 40
"""Characters read before and after a span for cues."""

RECONSIDERED = frozenset({"ORGANIZATION", "LOCATION"})
"""The entity types a person cue turns into ``PERSON``."""


def as_persons(
    text: str, spans: Sequence[Tuple[int, int]], types: Sequence[Optional[str]]
) -> List[Optional[str]]:
    """``types`` with each organisation or place that its context says is a person turned
    into ``PERSON``; ``spans`` are the entities' character offsets."""
    result = list(types)
    for index, (start, end) in enumerate(spans):
        if result[index] in RECONSIDERED and (
            _BEFORE.search(text, max(0, start - _LOOK), start)
            or _AFTER.match(text[end : end + _LOOK])
        ):
            result[index] = "PERSON"
    return result
