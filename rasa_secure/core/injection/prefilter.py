"""The cheap pre-filter in front of the rule expressions.

A rule runs on a variant only if one of its triggers occurs there (a word, matched on its
first four letters; a substring; or any CJK character) and, for each of its first two groups
of :func:`~rasa_secure.core.regex_analysis.required_literals`, one string of the group does:
most messages run no expression at all. ``tests/core/test_rules.py`` checks that neither
skips any rule's examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Sequence, Set, Tuple

from rasa_secure.core.budget import UNLIMITED, Deadline
from rasa_secure.core.contract import Span
from rasa_secure.core.injection.rules import CJK, Rule, rule_index
from rasa_secure.core.normalize import Variant
from rasa_secure.core.regex_analysis import required_literals

_TOKEN = re.compile(r"\w+")
_PATTERN_WORD = re.compile(r"[^\W\d_]{3,}")
_ESCAPE = re.compile(r"\\.")
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff66-\uff9f]")


def _word_key(word: str) -> str:
    return word[:4]


@dataclass(frozen=True)
class RuleHit:
    """A rule that matched a variant."""

    rule: Rule
    variant: Variant
    span: Span


class RuleSet:
    """Compiled rules with a trigger index, so that a message runs only plausible rules."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        rule_index(rules)
        self.rules: Tuple[Rule, ...] = tuple(rules)
        self._patterns = [rule.compile() for rule in self.rules]
        # Cheap literal checks first: a rule whose required strings are absent cannot match.
        self._literals = [required_literals(rule.pattern)[:2] for rule in self.rules]
        by_word: Dict[str, Set[int]] = {}
        by_substring: Dict[str, Set[int]] = {}
        cjk: Set[int] = set()
        for index, rule in enumerate(self.rules):
            for trigger in rule.triggers:
                if trigger == CJK:
                    cjk.add(index)
                elif trigger.isalpha():
                    by_word.setdefault(_word_key(trigger), set()).add(index)
                else:
                    by_substring.setdefault(trigger, set()).add(index)
        self._by_word: Dict[str, FrozenSet[int]] = {k: frozenset(v) for k, v in by_word.items()}
        self._by_substring = tuple((k, frozenset(v)) for k, v in by_substring.items())
        self._cjk = frozenset(cjk)
        self.vocabulary = frozenset(
            _word_key(word)
            for rule in self.rules
            for word in _PATTERN_WORD.findall(_ESCAPE.sub(" ", rule.pattern))
        )
        """First four letters of every word the rule expressions spell out."""

    def compiled(self) -> List[Tuple[Rule, re.Pattern[str]]]:
        """Every rule with its compiled expression, in table order."""
        return list(zip(self.rules, self._patterns))

    def candidates(self, text: str) -> List[int]:
        """Indices of the rules whose triggers occur in ``text``, in table order."""
        selected: Set[int] = set()
        by_word = self._by_word
        for token in set(_TOKEN.findall(text)):
            found = by_word.get(token[:4])
            if found is not None:
                selected.update(found)
        for substring, indices in self._by_substring:
            if substring in text:
                selected.update(indices)
        if self._cjk and not text.isascii() and _CJK_CHAR.search(text):
            selected.update(self._cjk)
        return sorted(selected)

    def spells_rule_word(self, before: str, after: str) -> bool:
        """Whether a length-preserving rewrite of ``before`` into ``after`` (leetspeak,
        look-alike letters) turned some word into one the rule expressions look for (by its
        first four letters). If not, the rules can find nothing new in ``after``."""
        vocabulary = self.vocabulary
        for old, new in zip(before.split(), after.split()):
            if old != new and any(w[:4] in vocabulary for w in _TOKEN.findall(new)):
                return True
        return False

    def scan(self, variant: Variant, deadline: Deadline = UNLIMITED) -> List[RuleHit]:
        """Every rule matching ``variant`` (first match of each), checking ``deadline``
        before each expression.

        Raises:
            BudgetExceededError: the deadline passed.
        """
        hits = []
        text = variant.text
        for index in self.candidates(text):
            if any(not any(s in text for s in group) for group in self._literals[index]):
                continue
            deadline.check("rules")
            match = self._patterns[index].search(text)
            if match is not None:
                hits.append(RuleHit(self.rules[index], variant, Span(*match.span())))
        return hits
