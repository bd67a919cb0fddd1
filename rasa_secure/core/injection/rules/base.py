"""What every rule family builds on: :class:`Rule`, :class:`Strength`, the categories and the
gaps used between the words of a phrase."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Tuple


class Strength(float, Enum):
    """How sure a hit of a rule alone makes us, in three bands (at the default thresholds:
    flag 0.5, block 0.8).

    *Blocks alone*: the phrase has no benign reading in a customer chat.
    *Flags alone*: with another signal (a second rule, the n-gram model) it blocks; the
    value says how much of one (noisy-or: 0.75 and 0.2 make 0.8).
    *Corroborates*: only adds to other evidence.

    The ten values are those the rules were tuned with: merging any two of them changed the
    score of some message of the public test split (measured when the table was split into
    families), so each keeps a name.
    """

    CERTAIN = 0.99
    """Blocks alone: an exploit signature with no other reading (Log4Shell, Shellshock)."""
    STRONG = 0.95
    """Blocks alone: the phrase is an attack in any context."""
    HIGH = 0.9
    """Blocks alone: a payload shape (a quote-breaking tautology, a script element)."""
    FIRM = 0.85
    """Blocks alone: an attack phrase with rare benign look-alikes."""
    BLOCKING = 0.8
    """Blocks alone, just: at the default block threshold."""
    MEDIUM = 0.75
    """Flags alone; blocks with a second signal of 0.2."""
    MODERATE = 0.7
    """Flags alone; blocks with a second signal of 0.34."""
    FAIR = 0.65
    """Flags alone; blocks with a second signal of 0.43."""
    FLAGGING = 0.6
    """Flags alone; blocks with a second signal of 0.5 (customers say it too)."""
    WEAK = 0.45
    """Corroborates only: below the flag threshold on its own."""


PROMPT_INJECTION = "prompt_injection"
JAILBREAK = "jailbreak"
PROMPT_LEAK = "prompt_leak"
SQL_INJECTION = "sql_injection"
NOSQL_INJECTION = "nosql_injection"
COMMAND_INJECTION = "command_injection"
CODE_INJECTION = "code_injection"
TEMPLATE_INJECTION = "template_injection"
XSS = "xss"
PATH_TRAVERSAL = "path_traversal"
LDAP_INJECTION = "ldap_injection"
XML_INJECTION = "xml_injection"
SSRF = "ssrf"
HEADER_INJECTION = "header_injection"
ENCODED_DATA = "encoded_data"
HARMFUL_REQUEST = "harmful_request"
"""Not an injection: a request for harmful content (weapons, drugs) that does not attack the
assistant. The ``harmful_request`` option caps its decision (default ``flag``)."""

CATEGORIES: Tuple[str, ...] = (
    PROMPT_INJECTION,
    JAILBREAK,
    PROMPT_LEAK,
    SQL_INJECTION,
    NOSQL_INJECTION,
    COMMAND_INJECTION,
    CODE_INJECTION,
    TEMPLATE_INJECTION,
    XSS,
    PATH_TRAVERSAL,
    LDAP_INJECTION,
    XML_INJECTION,
    SSRF,
    HEADER_INJECTION,
    ENCODED_DATA,
    HARMFUL_REQUEST,
)
"""Every category a verdict can name."""

CJK = "cjk"
"""Trigger meaning: the text contains Chinese, Japanese or Korean characters."""


@dataclass(frozen=True)
class Rule:
    """One detection rule.

    Attributes:
        id: stable identifier, ``<family>.<name>`` (e.g. ``"sql.union_select"``); appears
            in verdicts and audit records.
        category: the threat category a hit indicates (one of :data:`CATEGORIES`).
        pattern: regular expression source, applied to lower-case normalised text.
        score: confidence of a hit on its own, in [0, 1] (a :class:`Strength` in the
            built-in table).
        triggers: the rule is tried only if one is present: a word (matched on its first
            four letters), a string starting with a non-letter (matched as a substring), or
            :data:`CJK`.
        note: why the rule exists, in words.
        examples: messages the rule must match (as the screen reads them: normalised).
        counterexamples: benign messages near the rule that it must not match.
    """

    id: str
    category: str
    pattern: str
    score: float
    triggers: Tuple[str, ...]
    note: str = ""
    examples: Tuple[str, ...] = ()
    counterexamples: Tuple[str, ...] = ()

    def compile(self) -> re.Pattern[str]:
        """The compiled expression."""
        return re.compile(self.pattern, re.DOTALL)


def define(
    rule_id: str,
    category: str,
    pattern: str,
    strength: Strength,
    triggers: str,
    note: str,
    *,
    examples: Tuple[str, ...],
    counterexamples: Tuple[str, ...] = (),
) -> Rule:
    """A rule of the built-in table; ``triggers`` is one string, split on whitespace."""
    return Rule(
        rule_id,
        category,
        pattern,
        strength,
        tuple(triggers.split()),
        note,
        examples,
        counterexamples,
    )


# Gaps used between the words of a phrase: a separator, or a separator plus up to N words.
SEP = r"[\W_]{1,6}"
WORD = r"[^\W_]{1,20}(?:['’-][^\W_]{1,20}){0,3}"  # noqa: RUF001  (the typographic apostrophe)
"""A word of a gap: letters or digits, with apostrophes or hyphens inside (``don't``,
``e-mail``). It neither starts nor ends with a character a separator can take, so a run of
separators is read one way only (no backtracking over how to split it)."""
GAP1 = rf"[\W_]{{1,6}}(?:{WORD}[\W_]{{1,6}}){{0,1}}"
GAP2 = rf"[\W_]{{1,6}}(?:{WORD}[\W_]{{1,6}}){{0,2}}"
