"""Reading regular expressions: what every match needs, without running them.

One owner for the analysis of parsed expressions (``sre_parse``), used three ways:

* :func:`pattern_gate`: the character every match of a recognizer pattern contains (``@`` for
  an e-mail, a digit for an account number), whether a match can span whitespace, and the
  longest literal it always contains. The PII analyzer skips text where a pattern cannot match.
* :func:`required_literals`: groups of strings of which every match contains one, so a rule
  whose strings are all absent is not run (the injection screen's literal pre-filter).
* :func:`first_chars`, :func:`sample`, :func:`repeats`, :func:`alternatives`: the pieces the
  growth probe (:mod:`rasa_secure.core.regex_probe`) builds adversarial inputs from.

Everything here is exact or conservative: when the parser does not know a construct
(``regex``-only syntax, back-references), the answer is the one that skips nothing.
"""

from __future__ import annotations

import functools
import re
import sre_constants
import sre_parse
import warnings
from dataclasses import dataclass
from typing import Any, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

SEPARATORS = frozenset(
    char for char in map(chr, range(0x3001)) if char.isspace() and not "\x1c" <= char <= "\x1f"
)
"""Characters both ``re`` and ``regex`` match with ``\\s`` (``re`` alone adds U+001C-U+001F).

Tokens are split on these, so a pattern that cannot match one cannot span two tokens."""

_DIGIT = "\\d"
"""Atom of a seed standing for any decimal digit (``\\d``)."""
_PARSE_FLAGS = re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE | re.ASCII | re.UNICODE
_COMMON_PUNCTUATION = frozenset(".,'!?-:/()")
_ANCHORS_AT_END = frozenset(
    {sre_constants.AT_END, sre_constants.AT_END_STRING, sre_constants.AT_BEGINNING_STRING}
)
_NEVER_SPACE = frozenset(
    {sre_constants.CATEGORY_DIGIT, sre_constants.CATEGORY_WORD, sre_constants.CATEGORY_NOT_SPACE}
)
_MAX_SEED_RANGE = 128
_MAX_SEED_RANK = 3
"""Seeds of lower-case letters (rank 4) are too common in chat to skip anything."""


@dataclass(frozen=True)
class PatternGate:
    """Where a pattern can match, read off its regular expression (see :func:`pattern_gate`).

    Attributes:
        seed: a character class one character of which every match contains; ``None`` when
            no useful one is known (then the gate never skips anything).
        tokens: matches never contain whitespace, so when the text holds a single seed
            character (and no digit is a seed) only its token is scanned.
        chars: the seed's characters.
        digit: any digit is a seed character.
        literal: a case-sensitive substring every match contains (``glpat-``, ``eyJ``), at
            least two characters, checked first; empty when there is none.
    """

    seed: Optional[re.Pattern[str]] = None
    tokens: bool = False
    chars: FrozenSet[str] = frozenset()
    digit: bool = False
    literal: str = ""


@functools.lru_cache(maxsize=1024)
def pattern_gate(regex: str, flags: int = 0) -> PatternGate:
    """What every match of ``regex`` needs, found by parsing it once.

    The seed is a set of characters (or any digit) at least one of which every match contains:
    a literal the pattern always consumes (``@``, ``-``), or a class it always consumes
    (``\\d``, ``[0-9]``); the rarest such set is kept (symbols, then digits, then upper-case
    letters of case-sensitive patterns), never one with lower-case letters (too common to skip
    anything). The pattern is token-scannable when nothing in it, look-aheads included,
    can consume whitespace and it has no end-of-text anchor. Anything the parser does not know
    (``regex``-only syntax, back-references, warnings) gives the gate that skips nothing.
    """
    if flags & ~_PARSE_FLAGS:
        return PatternGate()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            parsed = sre_parse.parse(regex, flags)
    except (re.error, Warning, ValueError, TypeError, OverflowError, RecursionError):
        return PatternGate()
    items = parsed.data
    flags |= parsed.state.flags
    literal = _longest_literal(items, flags)
    literal = literal if len(literal) >= 2 else ""
    needs = _needs(items, flags)
    if needs is None or _rarity(needs)[0] > _MAX_SEED_RANK:
        return PatternGate(literal=literal)
    if all(atom == _DIGIT or atom.isdigit() for atom in needs):
        chars = _DIGIT  # one seed for every digit pattern
    else:
        chars = "".join(sorted(re.escape(atom) if atom != _DIGIT else atom for atom in needs))
    return PatternGate(
        seed=_seed_pattern(chars),
        tokens=not _may_cross(items),
        chars=frozenset(atom for atom in needs if atom != _DIGIT and not atom.isdigit()),
        digit=any(atom == _DIGIT or atom.isdigit() for atom in needs),
        literal=literal,
    )


def _longest_literal(items: Iterable[Tuple[Any, Any]], flags: int) -> str:
    """The longest run of literals every match contains, in order (none under IGNORECASE)."""
    best, run = "", ""
    for op, av in items:
        if op is sre_constants.LITERAL and not flags & re.IGNORECASE:
            run += chr(av)
            continue
        best, run = max(best, run, key=len), ""
        if op is sre_constants.SUBPATTERN:
            inner = _longest_literal(av[3], (flags | av[1]) & ~av[2])
            best = max(best, inner, key=len)
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[0] >= 1:
            best = max(best, _longest_literal(av[2], flags), key=len)
    return max(best, run, key=len)


@functools.lru_cache(maxsize=None)
def _seed_pattern(chars: str) -> re.Pattern[str]:
    """The seed class ``[chars]``, one object per class."""
    return re.compile(f"[{chars}]")


def _rarity(atoms: FrozenSet[str]) -> Tuple[int, int]:
    """How common a seed's characters are in chat (lower is rarer), then how many there are."""

    def rank(atom: str) -> int:
        if atom == _DIGIT or atom.isdigit():
            return 2
        if atom.isalpha():
            return 3 if atom.isupper() else 4
        return 1 if atom in _COMMON_PUNCTUATION else 0

    return max(rank(atom) for atom in atoms), len(atoms)


def _needs(items: Iterable[Tuple[Any, Any]], flags: int) -> Optional[FrozenSet[str]]:
    """The rarest seed among the nodes of a sequence that every match consumes."""
    best: Optional[FrozenSet[str]] = None
    for op, av in items:
        found = _node_needs(op, av, flags)
        if found is not None and (best is None or _rarity(found) < _rarity(best)):
            best = found
    return best


def _node_needs(op: Any, av: Any, flags: int) -> Optional[FrozenSet[str]]:
    if op is sre_constants.LITERAL:
        char = _seed_char(av, flags)
        return None if char is None else frozenset(char)
    if op is sre_constants.IN:
        return _class_needs(av, flags)
    if op is sre_constants.BRANCH:
        union: FrozenSet[str] = frozenset()
        for branch in av[1]:
            found = _needs(branch, flags)
            if found is None:
                return None
            union |= found
        return union
    if op is sre_constants.SUBPATTERN:
        _, add, remove, body = av
        return _needs(body, (flags | add) & ~remove)
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[0] >= 1:
        return _needs(av[2], flags)
    return None


def _seed_char(code: int, flags: int) -> Optional[str]:
    """A literal usable in a seed: not a separator, and unaffected by IGNORECASE."""
    char = chr(code)
    if char in SEPARATORS or (
        flags & re.IGNORECASE and not (char.isascii() and not char.isalpha())
    ):
        return None
    return char


def _class_needs(items: Sequence[Tuple[Any, Any]], flags: int) -> Optional[FrozenSet[str]]:
    atoms: List[str] = []
    for op, av in items:
        if op is sre_constants.LITERAL:
            char = _seed_char(av, flags)
            if char is None:
                return None
            atoms.append(char)
        elif op is sre_constants.RANGE and av[1] - av[0] < _MAX_SEED_RANGE:
            chars = [_seed_char(code, flags) for code in range(av[0], av[1] + 1)]
            if any(char is None for char in chars):
                return None
            atoms += [char for char in chars if char is not None]
        elif op is sre_constants.CATEGORY and av is sre_constants.CATEGORY_DIGIT:
            atoms.append(_DIGIT)
        else:  # NEGATE, wide ranges, other categories
            return None
    return frozenset(atoms) if atoms else None


def _may_cross(items: Iterable[Tuple[Any, Any]]) -> bool:
    """Whether a match (or a look-ahead) could consume a separator, or see past the token."""
    for op, av in items:
        if op is sre_constants.LITERAL:
            if chr(av) in SEPARATORS:
                return True
        elif op is sre_constants.IN:
            if _class_may_cross(av):
                return True
        elif op is sre_constants.BRANCH:
            if any(_may_cross(branch) for branch in av[1]):
                return True
        elif op is sre_constants.SUBPATTERN:
            if _may_cross(av[3]):
                return True
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            if _may_cross(av[2]):
                return True
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            if av[0] >= 0 and _may_cross(av[1]):  # look-behinds read the real text before
                return True
        elif op is sre_constants.AT:
            if av in _ANCHORS_AT_END:
                return True
        else:  # ANY, NOT_LITERAL, back-references, anything unknown
            return True
    return False


def _class_may_cross(items: Sequence[Tuple[Any, Any]]) -> bool:
    if items and items[0][0] is sre_constants.NEGATE:
        return (sre_constants.CATEGORY, sre_constants.CATEGORY_SPACE) not in items
    for op, av in items:
        if op is sre_constants.LITERAL and chr(av) in SEPARATORS:
            return True
        if op is sre_constants.RANGE and any(av[0] <= ord(char) <= av[1] for char in SEPARATORS):
            return True
        if op is sre_constants.CATEGORY and av not in _NEVER_SPACE:
            return True
        if op not in (sre_constants.LITERAL, sre_constants.RANGE, sre_constants.CATEGORY):
            return True
    return False


_MIN_LITERAL = 3
"""Shortest run of literals :func:`required_literals` reports."""


def _required(items: Any) -> List[Tuple[str, ...]]:
    """Groups of strings of which every match of a parsed sequence contains one."""
    groups: List[Tuple[str, ...]] = []
    run: List[str] = []
    for op, value in [*items, (None, None)]:
        if op is sre_constants.LITERAL:
            run.append(chr(value))
            continue
        if len(run) >= _MIN_LITERAL:
            groups.append(("".join(run),))
        run = []
        if op is sre_constants.MAX_REPEAT or op is sre_constants.MIN_REPEAT:
            if value[0] >= 1:
                groups.extend(_required(value[2]))
        elif op is sre_constants.SUBPATTERN and not value[1] & sre_constants.SRE_FLAG_IGNORECASE:
            groups.extend(_required(value[-1]))
        elif op is sre_constants.BRANCH:
            options: Set[str] = set()
            for branch in value[1]:
                inner = _required(branch)
                if not inner:
                    break
                smallest: Tuple[str, ...] = min(inner, key=len)
                options.update(smallest)
            else:
                groups.append(tuple(sorted(options)))
    return groups


def required_literals(pattern: str) -> Tuple[Tuple[str, ...], ...]:
    """Groups of strings of which every match of ``pattern`` contains at least one.

    A run of at least three literal characters that is not optional is a group of one; an
    alternation is a group when each branch has one (the union of the branches' smallest).
    Smallest groups first. Checking them with ``in`` is much cheaper than running the
    expression, and exact: a text lacking every string of some group cannot match. Parts
    matched without regard to case are left out.
    """
    parsed = sre_parse.parse(pattern)
    if parsed.state.flags & sre_constants.SRE_FLAG_IGNORECASE:
        return ()  # the rules read lower-case text; a case-blind expression is not checked
    groups = set(_required(parsed))
    return tuple(sorted(groups, key=lambda group: (len(group), group)))


# --- pieces of adversarial inputs (for the growth probe) ------------------------------------

_POSSESSIVE = getattr(sre_constants, "POSSESSIVE_REPEAT", None)
"""Python 3.11's possessive repeat (``a*+``); ``None`` before."""

_REPRESENTATIVES = {
    sre_constants.CATEGORY_DIGIT: "0",
    sre_constants.CATEGORY_NOT_DIGIT: "a",
    sre_constants.CATEGORY_SPACE: " ",
    sre_constants.CATEGORY_NOT_SPACE: "a",
    sre_constants.CATEGORY_WORD: "a",
    sre_constants.CATEGORY_NOT_WORD: " ",
}


def parse_lenient(source: str, flags: int) -> Optional[Any]:
    """``source`` parsed, warnings ignored; ``None`` for what ``sre_parse`` cannot read."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return sre_parse.parse(source, flags)
    except Exception:  # regex-module-only syntax: probed with the generic shapes only
        return None


def first_chars(op: Any, av: Any) -> List[str]:
    """A few characters one item of a parsed expression can start with."""
    if op is sre_constants.LITERAL:
        return [chr(av)]
    if op is sre_constants.NOT_LITERAL:
        return ["a" if av != ord("a") else "b"]
    if op is sre_constants.ANY:
        return ["a", " "]
    if op is sre_constants.IN:
        chars: List[str] = []
        for kind, value in av:
            if kind is sre_constants.LITERAL:
                chars.append(chr(value))
            elif kind is sre_constants.RANGE:
                chars.append(chr(value[0]))
            elif kind is sre_constants.CATEGORY and value in _REPRESENTATIVES:
                chars.append(_REPRESENTATIVES[value])
                if value in (sre_constants.CATEGORY_WORD,):
                    chars += ["_", "0"]
                if value in (sre_constants.CATEGORY_NOT_WORD, sre_constants.CATEGORY_NOT_DIGIT):
                    chars += ["-", "."]
        return chars[:6]
    if op in (
        sre_constants.MAX_REPEAT,
        sre_constants.MIN_REPEAT,
        _POSSESSIVE,
    ):
        return sequence_first(av[2])
    if op is sre_constants.SUBPATTERN:
        return sequence_first(av[-1])
    if op is sre_constants.BRANCH:
        return [c for branch in av[1][:4] for c in sequence_first(branch)[:2]]
    return []


def sequence_first(items: Any) -> List[str]:
    for op, av in items:
        if op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            continue
        return first_chars(op, av)
    return []


def sample(items: Any, budget: int = 40) -> str:
    """A short string the items match in sequence (best effort: first branches, minimum
    repeats of at least one)."""
    out: List[str] = []
    for op, av in items:
        if sum(map(len, out)) >= budget:
            break
        if op is sre_constants.LITERAL:
            out.append(chr(av))
        elif op in (sre_constants.IN, sre_constants.ANY, sre_constants.NOT_LITERAL):
            out.append((first_chars(op, av) or ["a"])[0])
        elif op in (
            sre_constants.MAX_REPEAT,
            sre_constants.MIN_REPEAT,
            _POSSESSIVE,
        ):
            low = max(1, av[0]) if av[1] else 0
            out.append(sample(av[2], budget) * min(low, 8))
        elif op is sre_constants.SUBPATTERN:
            out.append(sample(av[-1], budget))
        elif op is sre_constants.BRANCH:
            out.append(sample(av[1][0], budget))
    return "".join(out)


def repeats(items: Any, depth: int = 0) -> Iterable[Tuple[int, Any]]:
    """``(position, item)`` of repeated items, at the top level and one group deep."""
    for index, (op, av) in enumerate(items):
        if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and (
            av[1] is sre_constants.MAXREPEAT or av[1] > 1
        ):
            yield index, (op, av)
        if depth < 2 and op is sre_constants.SUBPATTERN:
            for _, inner in repeats(av[-1], depth + 1):
                yield index, inner
        if depth < 2 and op is sre_constants.BRANCH:
            for branch in av[1][:3]:
                for _, inner in repeats(branch, depth + 1):
                    yield index, inner


def alternatives(items: List[Any]) -> List[List[Any]]:
    """The sequences to read shapes off: the expression, and each alternative of a top-level
    alternation (``a|b|c``, also inside one group)."""
    found = [items]
    if len(items) == 1 and items[0][0] is sre_constants.SUBPATTERN:
        items = list(items[0][1][-1])
    if len(items) == 1 and items[0][0] is sre_constants.BRANCH:
        found += [list(branch) for branch in items[0][1][1]]
    return found
