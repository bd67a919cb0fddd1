"""Recognizers that chat needs and Presidio lacks, and custom recognizers declared in YAML.

Every recognizer here is a :class:`RegexRecognizer`: compiled patterns, optional context
words (which raise the score, or are required), optional negative context (which vetoes a
match, e.g. "balance" next to a number that looks like an account number), an optional
validator (a checksum or a plausibility test) and cheap pre-gates (a minimum number of
digits, or keywords one of which must occur) so that a chat message without a digit never
pays for the card patterns. They use only the standard library.

Every pattern also gets a :class:`PatternGate`, read off the regular expression once (see
:func:`pattern_gate`): a character every match must contain (``@`` for an e-mail, a digit for
an account number) and whether a match can span whitespace. A text without that character is
never scanned; a pattern whose matches cannot span whitespace is run only over the
whitespace-separated tokens holding it. Both are exact: they skip only text where the pattern
cannot match. The detector applies the same gates to Presidio's patterns.

Built in (see :func:`builtin_recognizers`): passwords, PINs and one-time codes stated in
text, API keys / tokens / private keys / high-entropy secrets, bank account numbers next to
account words, dates of birth next to birth words, card numbers that fail the Luhn check but
are introduced as a card, and phone numbers in international formats next to phone words.

Custom recognizers use the same shape, declared in YAML (see :func:`custom_recognizers`)::

    recognizers:
      - name: employee_id
        entity_type: EMPLOYEE_ID
        patterns:
          - {name: emp, regex: '\\bEMP-\\d{6}\\b', score: 0.6}
        context: [employee, staff]
        requires_context: false
        validator: none          # luhn | iban | aba | entropy | none
"""

from __future__ import annotations

import functools
import math
import re
import sre_constants
import sre_parse
import warnings
from dataclasses import dataclass, field
from typing import (
    Any,
    Callable,
    Dict,
    FrozenSet,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)

from rasa_secure.config import read_yaml
from rasa_secure.core.budget import UNLIMITED, Deadline
from rasa_secure.errors import ConfigError

Validator = Callable[[str], bool]
"""Takes the matched value, returns ``False`` to discard the match."""


@dataclass(frozen=True)
class Candidate:
    """A raw match before context scoring, allow-lists and overlap resolution.

    Attributes:
        entity_type: the entity type reported.
        start: start offset in the analysed text.
        end: end offset (exclusive).
        score: score before context.
        recognizer: name of the recognizer.
        explanation: pattern name or NER label that fired.
        context: words that raise the score when found near the match.
        requires_context: drop the match unless a context word is near.
        negative_context: words that veto the match when found near it.
        country: ISO 3166 code for country-specific recognizers, else ``None``.
        priority: tie-breaker between equal scores (higher wins).
    """

    entity_type: str
    start: int
    end: int
    score: float
    recognizer: str
    explanation: str = ""
    context: Tuple[str, ...] = ()
    requires_context: bool = False
    negative_context: Tuple[str, ...] = ()
    country: Optional[str] = None
    priority: int = 0


# --- pre-gates ----------------------------------------------------------------------------

SEPARATORS = frozenset(
    char for char in map(chr, range(0x3001)) if char.isspace() and not "\x1c" <= char <= "\x1f"
)
"""Characters both ``re`` and ``regex`` match with ``\\s`` (``re`` alone adds U+001C-U+001F).

Tokens are split on these, so a pattern that cannot match one cannot span two tokens."""

_TOKEN_REST = re.compile("[^" + "".join(sorted(re.escape(char) for char in SEPARATORS)) + "]*")
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

    def scan(self, regex: Any, view: TextView, deadline: Deadline = UNLIMITED) -> Iterator[Any]:
        """The matches ``regex.finditer`` finds in ``view.text``, scanning only where they can be.

        ``regex`` is a compiled ``re`` or ``regex`` pattern; the matches are the same as a scan
        of the whole text, in the same order. A ``regex``-module pattern is stopped by a
        timeout when ``deadline`` passes; before an ``re`` pattern, the deadline is checked.

        Raises:
            BudgetExceededError: the deadline passed.
        """
        text = view.text
        if self.literal and self.literal not in text:
            return iter(())
        if self.seed is not None and not view.has(self.chars, self.digit):
            return iter(())
        window = view.window(self.chars) if self.seed and self.tokens and not self.digit else None
        bounds = () if window is None else window
        if isinstance(regex, re.Pattern):
            deadline.check("recognizers")
            return regex.finditer(text, *bounds)
        return deadline.finditer(regex, text, "recognizers", *bounds)


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
    literal = _required_literal(items, flags)
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


def _required_literal(items: Iterable[Tuple[Any, Any]], flags: int) -> str:
    """The longest run of literals every match contains, in order (none under IGNORECASE)."""
    best, run = "", ""
    for op, av in items:
        if op is sre_constants.LITERAL and not flags & re.IGNORECASE:
            run += chr(av)
            continue
        best, run = max(best, run, key=len), ""
        if op is sre_constants.SUBPATTERN:
            inner = _required_literal(av[3], (flags | av[1]) & ~av[2])
            best = max(best, inner, key=len)
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[0] >= 1:
            best = max(best, _required_literal(av[2], flags), key=len)
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


@dataclass(frozen=True)
class RegexPattern:
    """One compiled pattern; ``group`` names the part of the match that is the value.

    ``gate`` says where the pattern can match (:func:`pattern_gate`); the default gate skips
    nothing. ``keywords``: the pattern runs only on texts whose lower-cased form contains one
    of them (for case-insensitive patterns, whose letters make no seed).
    """

    name: str
    regex: re.Pattern[str]
    score: float
    group: str = ""
    gate: PatternGate = field(default_factory=PatternGate)
    keywords: Tuple[str, ...] = ()


@dataclass(frozen=True)
class RegexRecognizer:
    """A pattern recognizer with context, validation and pre-gates.

    Attributes:
        name: reported as :attr:`Candidate.recognizer`.
        entity_type: what it finds.
        patterns: tried in order; overlapping matches of later patterns are kept too and
            resolved by the detector.
        context: words near the match that raise its score.
        requires_context: only report a match with a context word near it.
        negative_context: words near the match that discard it.
        validator: checksum or plausibility test on the value.
        min_digits: skip the recognizer when the text has fewer digits.
        keywords: skip the recognizer unless one of these occurs in the lower-cased text.
        priority: tie-breaker between equal scores.
    """

    name: str
    entity_type: str
    patterns: Tuple[RegexPattern, ...]
    context: Tuple[str, ...] = ()
    requires_context: bool = False
    negative_context: Tuple[str, ...] = ()
    validator: Optional[Validator] = None
    min_digits: int = 0
    keywords: Tuple[str, ...] = ()
    priority: int = 1

    def applies(self, digits: int, lowered: str) -> bool:
        """The cheap pre-gate: could this recognizer match a text with these features?"""
        if digits < self.min_digits:
            return False
        return not self.keywords or any(word in lowered for word in self.keywords)

    def find(
        self, text: str, view: Optional[TextView] = None, deadline: Deadline = UNLIMITED
    ) -> Iterator[Candidate]:
        """Yield the validated matches of every pattern.

        Args:
            text: the text.
            view: the detector's :class:`TextView` of ``text``, shared by all recognizers.
            deadline: checked before each pattern.
        """
        view = view if view is not None else TextView(text)
        for pattern in self.patterns:
            if pattern.keywords and not any(word in view.lowered for word in pattern.keywords):
                continue
            for match in pattern.gate.scan(pattern.regex, view, deadline):
                start, end = match.span(pattern.group) if pattern.group else match.span()
                if start < 0 or end <= start:
                    continue
                value = text[start:end]
                if self.validator is not None and not self.validator(value):
                    continue
                yield Candidate(
                    entity_type=self.entity_type,
                    start=start,
                    end=end,
                    score=pattern.score,
                    recognizer=self.name,
                    explanation=pattern.name,
                    context=self.context,
                    requires_context=self.requires_context,
                    negative_context=self.negative_context,
                    priority=self.priority,
                )


# --- validators -------------------------------------------------------------------------


def luhn_valid(value: str) -> bool:
    """Whether the digits of ``value`` pass the Luhn checksum (cards, some IDs)."""
    digits = [int(char) for char in value if char.isdigit()]
    if len(digits) < 2:
        return False
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def iban_valid(value: str) -> bool:
    """Whether ``value`` is an IBAN with a valid ISO 7064 mod-97 check."""
    compact = re.sub(r"[\s-]", "", value).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def aba_valid(value: str) -> bool:
    """Whether ``value`` is a US ABA routing number with a valid checksum."""
    digits = [int(char) for char in value if char.isdigit()]
    if len(digits) != 9:
        return False
    weights = (3, 7, 1) * 3
    return sum(d * w for d, w in zip(digits, weights)) % 10 == 0


def shannon_entropy(value: str) -> float:
    """Bits of entropy per character of ``value``."""
    if not value:
        return 0.0
    counts: Dict[str, int] = {}
    for char in value:
        counts[char] = counts.get(char, 0) + 1
    size = len(value)
    return -sum(n / size * math.log2(n / size) for n in counts.values())


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_HEX = re.compile(r"[0-9a-f]+", re.I)


def looks_like_secret(value: str) -> bool:
    """A high-entropy token: letters and digits mixed, not a UUID, not a plain word run.

    Thresholds: at least 3.5 bits per character (3.0 for hex strings of 32+ characters,
    whose alphabet caps the entropy at 4), and both letters and digits present.
    """
    if _UUID.fullmatch(value):
        return False
    has_digit = any(char.isdigit() for char in value)
    has_alpha = any(char.isalpha() for char in value)
    if not (has_digit and has_alpha):
        return False
    if _HEX.fullmatch(value):
        return len(value) >= 32 and shannon_entropy(value) >= 3.0
    return shannon_entropy(value) >= 3.5


_MONTH_DAY = re.compile(r"\d+")


def plausible_date(value: str) -> bool:
    """Numeric dates: day 1-31, month 1-12 in some order, a plausible birth year."""
    numbers = [int(n) for n in _MONTH_DAY.findall(value)]
    years = [n for n in numbers if n >= 1000]
    if any(not 1900 <= year <= 2100 for year in years):
        return False
    small = [n for n in numbers if n < 1000]
    if len(small) < 2:
        return bool(years)
    return all(1 <= n <= 31 for n in small[:2]) and min(small[:2]) <= 12


_PASSWORD_NON_VALUES = frozenset(
    (
        "a",
        "an",
        "the",
        "my",
        "your",
        "his",
        "her",
        "our",
        "their",
        "it",
        "this",
        "that",
        "not",
        "no",
        "yes",
        "too",
        "very",
        "so",
        "also",
        "still",
        "now",
        "just",
        "being",
        "been",
        "is",
        "was",
        "be",
        "wrong",
        "incorrect",
        "invalid",
        "expired",
        "locked",
        "blocked",
        "correct",
        "right",
        "same",
        "different",
        "working",
        "broken",
        "reset",
        "changed",
        "forgotten",
        "forgot",
        "lost",
        "stolen",
        "compromised",
        "weak",
        "strong",
        "long",
        "short",
        "required",
        "needed",
        "case",
        "sensitive",
        "empty",
        "missing",
        "new",
        "old",
        "temporary",
        "please",
        "and",
        "or",
        "but",
        "when",
        "what",
        "why",
        "how",
        "where",
        "which",
        "who",
        "if",
        "because",
        "for",
        "to",
        "of",
        "in",
        "on",
        "at",
        "with",
        "from",
        "by",
        "about",
        "as",
        "again",
        "already",
        "never",
        "always",
    )
)


def _password_value(value: str) -> bool:
    stripped = value.strip("\"'`")
    return bool(stripped) and stripped.lower().rstrip(".,;!?") not in _PASSWORD_NON_VALUES


_DATE_LIKE = re.compile(
    r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})(?:\s|$)"
)


def _phone_shape(value: str) -> bool:
    digits = sum(char.isdigit() for char in value.split("x")[0].split("ext")[0])
    if not 7 <= digits <= 15:
        return False
    return not _DATE_LIKE.fullmatch(value + " ")


def _card_shape(value: str) -> bool:
    digits = sum(char.isdigit() for char in value)
    return 12 <= digits <= 19


VALIDATORS: Dict[str, Optional[Validator]] = {
    "none": None,
    "luhn": luhn_valid,
    "iban": iban_valid,
    "aba": aba_valid,
    "entropy": looks_like_secret,
}
"""Validators a YAML recognizer may name."""


# --- built-in recognizers -----------------------------------------------------------------


def compile_pattern(
    name: str,
    regex: str,
    score: float,
    *,
    group: str = "",
    flags: int = 0,
    keywords: Tuple[str, ...] = (),
) -> RegexPattern:
    """A :class:`RegexPattern` with its :func:`pattern_gate`."""
    return RegexPattern(
        name=name,
        regex=re.compile(regex, flags),
        score=score,
        group=group,
        gate=pattern_gate(regex, flags),
        keywords=keywords,
    )


_I = re.IGNORECASE
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)


def _password() -> RegexRecognizer:
    lead = r"\b(?:password|passwd|passphrase|pass\s?word|pwd|pw)\b"
    link = r"(?:\s*[:=]\s*|\s+(?:is|was|will\s+be|should\s+be|to\s+be|is\s+now|=)\s*[:=]?\s*)"
    value = r"(?P<value>\"[^\"\n]{1,128}\"|'[^'\n]{1,128}'|`[^`\n]{1,128}`|[^\s\"'`]{1,128}?)"
    # a closing quote or bracket may follow: 'he wrote "my password is hunter2".'
    end = r"(?=[.,;!?]?[\"'`)\]]*[.,;:!?]?(?:\s|$))"
    return RegexRecognizer(
        name="PasswordRecognizer",
        entity_type="PASSWORD",
        patterns=(
            compile_pattern(
                "password stated", lead + link + value + end, 0.8, group="value", flags=_I
            ),
        ),
        validator=_password_value,
        keywords=("pass", "pwd", "pw"),
        priority=3,
    )


def _pin() -> RegexRecognizer:
    word = (
        r"(?:pin(?:\s?(?:code|number|no\.?))?|otp|one[- ]time\s+(?:pass(?:word|code)|code|pin)"
        r"|(?:verification|security|sms|login|access|auth(?:entication)?|2fa|mfa)\s+code"
        r"|passcode|cvv2?|cvc2?|csc)"
    )
    value = r"(?P<value>\d{3,8})"
    return RegexRecognizer(
        name="PinRecognizer",
        entity_type="PIN",
        patterns=(
            compile_pattern(
                "code stated",
                rf"\b{word}\b(?:\s*(?:is|was|=|:|-)\s*|\s+){value}\b",
                0.8,
                group="value",
                flags=_I,
            ),
            compile_pattern(
                "code stated after",
                rf"\b{value}\s+is\s+(?:my|the|your)\s+{word}\b",
                0.8,
                group="value",
                flags=_I,
            ),
        ),
        min_digits=3,
        keywords=("pin", "otp", "code", "cvv", "cvc", "csc"),
        priority=3,
    )


def _secrets() -> RegexRecognizer:
    return RegexRecognizer(
        name="SecretRecognizer",
        entity_type="SECRET",
        patterns=(
            compile_pattern(
                "private key block",
                r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:(?!-----END)[\s\S])*"
                r"(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)?",
                1.0,
            ),
            compile_pattern(
                "aws access key id",
                r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{16}\b",
                0.95,
            ),
            compile_pattern(
                "aws secret access key",
                r"(?i:aws[\w .-]{0,20}(?:secret|key)[\w .-]{0,20}?)[\s:=\"']+"
                r"(?P<value>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])",
                0.9,
                group="value",
                keywords=("aws",),
            ),
            compile_pattern(
                "github token",
                r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b",
                0.95,
            ),
            compile_pattern("gitlab token", r"\bglpat-[A-Za-z0-9_-]{20,}", 0.95),
            compile_pattern("slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}", 0.95),
            compile_pattern(
                "slack webhook", r"https://hooks\.slack\.com/services/[A-Za-z0-9/_-]{20,}", 0.95
            ),
            compile_pattern(
                "stripe secret key", r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,247}\b", 0.95
            ),
            compile_pattern("google api key", r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])", 0.95),
            compile_pattern("google oauth token", r"\bya29\.[0-9A-Za-z_-]{20,}", 0.9),
            compile_pattern(
                "sendgrid key", r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])", 0.95
            ),
            compile_pattern("openai-style key", r"\bsk-(?:[a-z]+-)?[A-Za-z0-9_-]{20,}", 0.85),
            compile_pattern(
                "jwt", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", 0.95
            ),
            compile_pattern(
                "credentials in url",
                r"\b[a-z][a-z0-9+.-]{1,15}://[^\s:/@]{1,64}:(?P<value>[^\s@/]{1,128})@",
                1.0,
                group="value",
                flags=_I,
            ),
            compile_pattern(
                "bearer token",
                r"\bbearer\s+(?P<value>[A-Za-z0-9._~+/-]{16,}=*)",
                0.85,
                group="value",
                flags=_I,
                keywords=("bearer",),
            ),
            compile_pattern(
                "key assignment",
                r"\b(?:api[_ -]?key|apikey|access[_ -]?(?:token|key)|auth[_ -]?token"
                r"|secret[_ -]?key|client[_ -]?secret|private[_ -]?key|secret|token)\b"
                r"\s*(?:is|=|:)\s*[\"']?"
                r"(?P<value>[A-Za-z0-9_\-./+=]{12,256})",
                0.8,
                group="value",
                flags=_I,
                keywords=("key", "token", "secret"),
            ),
        ),
        min_digits=1,
        priority=2,
    )


def _high_entropy() -> RegexRecognizer:
    return RegexRecognizer(
        name="HighEntropySecretRecognizer",
        entity_type="SECRET",
        patterns=(
            compile_pattern(
                "high-entropy token",
                r"(?<![A-Za-z0-9_\-+/=@.])[A-Za-z0-9_\-+/]{24,512}={0,2}(?![A-Za-z0-9_\-+/=@])",
                0.5,
            ),
        ),
        context=("key", "token", "secret", "credential", "password", "bearer", "api"),
        validator=looks_like_secret,
        min_digits=2,
        priority=0,
    )


_BANK_KEYWORDS = (
    "acc",
    "a/c",
    "checking",
    "savings",
    "sort code",
    "routing",
    "bsb",
    "konto",
    "rekening",
    "compte",
    "conto",
    "cuenta",
)


def _iban() -> RegexRecognizer:
    return RegexRecognizer(
        name="IbanAnyCaseRecognizer",
        entity_type="IBAN_CODE",
        patterns=(
            compile_pattern("iban compact", r"\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b", 1.0, flags=_I),
            compile_pattern(
                "iban grouped",
                r"\b[A-Z]{2}\d{2}(?:[ -][A-Z0-9]{4}){2,7}(?:[ -][A-Z0-9]{1,4})?\b",
                1.0,
                flags=_I,
            ),
        ),
        validator=iban_valid,
        min_digits=8,
        priority=1,
    )


def _bank_account() -> RegexRecognizer:
    return RegexRecognizer(
        name="BankAccountRecognizer",
        entity_type="BANK_ACCOUNT",
        patterns=(
            compile_pattern("account number", r"(?<![\d$€£.,])\d{6,17}(?![\d]|[.,]\d)", 0.6),
            compile_pattern("sort code and account", r"\b\d{2}-\d{2}-\d{2}\s+\d{8}\b", 0.7),
        ),
        context=(
            "account",
            "acct",
            "a/c",
            "acc no",
            "acc.",
            "checking",
            "savings",
            "sort code",
            "routing",
            "bsb",
            "konto",
            "rekening",
            "compte",
            "conto",
            "cuenta",
        ),
        requires_context=True,
        negative_context=(
            "balance",
            "amount",
            "total",
            "limit",
            "fee",
            "paid",
            "pay ",
            "payment of",
            "dollar",
            "euro",
            "pound",
            "usd",
            "eur",
            "gbp",
            "$",
            "€",
            "£",
            "card",
            "order",
            "reference",
            "ticket",
            "tracking",
            "phone",
            "mobile",
            "call",
        ),
        min_digits=6,
        keywords=_BANK_KEYWORDS,
        priority=1,
    )


def _id_shape(value: str) -> bool:
    """At least five digits: an identifier, not a word."""
    return sum(char.isdigit() for char in value) >= 5


def _id_number() -> RegexRecognizer:
    """An identity-document or national number introduced as one, in any country's format.

    The national recognizers check formats and checksums for the configured countries; this
    one catches what they cannot (another country's number, a format without a recognizer)
    when the customer says what it is: "my national ID number is 123456789"."""
    return RegexRecognizer(
        name="IdNumberContextRecognizer",
        entity_type="ID_NUMBER",
        patterns=(
            compile_pattern(
                "identifier next to an ID word",
                r"(?<![\w-])[A-Za-z0-9][A-Za-z0-9-]{4,18}[A-Za-z0-9](?![\w-])",
                0.6,
            ),
        ),
        context=(
            "national id",
            "id number",
            "id no",
            "id card",
            "identity",
            "identification",
            "personal number",
            "national insurance",
            "social security",
            "tax id",
            "tax number",
            "passport",
            "driver",
            "licence",
            "license",
            "ausweis",
            "steuer",
            "dni",
            "nie",
            "nif",
            "codice fiscale",
            "bsn",
            "cpr",
            "cpf",
            "aadhaar",
        ),
        requires_context=True,
        validator=_id_shape,
        min_digits=5,
        priority=0,
    )


def _date_of_birth() -> RegexRecognizer:
    numeric = (
        r"\b(?:\d{1,2}[./-]\d{1,2}[./-](?:19|20)?\d{2}|(?:19|20)\d{2}[./-]\d{1,2}[./-]\d{1,2})\b"
    )
    day_first = rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\.?,?\s+(?:19|20)\d{{2}}\b"
    month_first = rf"\b{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}\b"
    return RegexRecognizer(
        name="DateOfBirthRecognizer",
        entity_type="DATE_OF_BIRTH",
        patterns=(
            compile_pattern("numeric date", numeric, 0.6),
            compile_pattern("day month year", day_first, 0.6, flags=_I),
            compile_pattern("month day year", month_first, 0.6, flags=_I),
        ),
        context=("born", "birth", "dob", "d.o.b", "birthday", "birthdate", "bday"),
        requires_context=True,
        validator=plausible_date,
        min_digits=2,
        keywords=("born", "birth", "dob", "d.o.b", "bday"),
        priority=3,
    )


def _card_with_context() -> RegexRecognizer:
    return RegexRecognizer(
        name="CardNumberContextRecognizer",
        entity_type="CREDIT_CARD",
        patterns=(
            compile_pattern(
                "card-shaped number",
                r"(?<![\d-])\d{4}(?:[ -]?\d{2,4}){2,4}(?:[ -]?\d{1,3})?(?![\d-])",
                0.5,
            ),
        ),
        context=("card", "credit", "debit", "visa", "mastercard", "amex", "cc", "maestro"),
        requires_context=True,
        validator=_card_shape,
        min_digits=12,
        keywords=("card", "credit", "debit", "visa", "mastercard", "amex", "cc", "maestro"),
        priority=0,
    )


PHONE_CONTEXT = (
    "phone",
    "telephone",
    "tel",
    "mobile",
    "cell",
    "call",
    "fax",
    "desk",
    "office",
    "contact",
    "reach",
    "text me",
    "sms",
    "whatsapp",
    "dial",
    "ring",
    "answering",
    "message",
    "landline",
    "hotline",
    "extension",
)


def _phone() -> RegexRecognizer:
    body = (
        r"(?<![\w+@.\-/])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?(?:\(0\)[ .-]?)?"
        r"\d{1,10}(?:[ .-]\d{1,8}){0,5}(?:\s?(?:x|ext\.?)\s?\d{1,6})?(?![\w@]|[.-]\d)"
    )
    return RegexRecognizer(
        name="ContextPhoneRecognizer",
        entity_type="PHONE_NUMBER",
        patterns=(
            compile_pattern(
                "international with plus",
                # One digit at a time, each after at most one separator (or "(0)"), so a
                # run of digits is read one way only: groups of optional length split it in
                # thousands of ways (16 ms for one "+" and 60 digits).
                r"(?<![\w+])\+\d(?:[ .-]?(?:\(0\)[ .-]?)?\d){5,24}(?![\w@]|[.-]\d)",
                0.5,
            ),
            compile_pattern("phone-shaped number", body, 0.35),
        ),
        context=PHONE_CONTEXT,
        validator=_phone_shape,
        min_digits=7,
        priority=0,
    )


@functools.lru_cache(maxsize=None)
def builtin_recognizers() -> Tuple[RegexRecognizer, ...]:
    """Our recognizers for what Presidio lacks (see the module docstring); built once."""
    return (
        _password(),
        _pin(),
        _secrets(),
        _high_entropy(),
        _iban(),
        _bank_account(),
        _id_number(),
        _date_of_birth(),
        _card_with_context(),
        _phone(),
    )


BUILTIN_ENTITIES = ("PASSWORD", "PIN", "SECRET", "BANK_ACCOUNT", "ID_NUMBER", "DATE_OF_BIRTH")
"""Entity types only our recognizers produce."""


# --- YAML custom recognizers ----------------------------------------------------------------

_FLAG_NAMES = {"IGNORECASE": re.IGNORECASE, "MULTILINE": re.MULTILINE, "DOTALL": re.DOTALL}
_RECOGNIZER_KEYS = {
    "name",
    "entity_type",
    "patterns",
    "context",
    "requires_context",
    "negative_context",
    "validator",
    "flags",
    "deny_list",
}


def custom_recognizers(specs: Sequence[Any], *, owner: str) -> Tuple[RegexRecognizer, ...]:
    """Build recognizers from their declarations (already parsed from YAML).

    Raises:
        ConfigError: naming ``owner[index].key`` for any invalid declaration.
    """
    if not isinstance(specs, (list, tuple)):
        raise ConfigError(owner, f"expected a list of recognizers, got {type(specs).__name__}")
    return tuple(_custom(spec, f"{owner}[{index}]") for index, spec in enumerate(specs))


def load_recognizer_file(path: str, *, owner: str) -> Tuple[RegexRecognizer, ...]:
    """Read ``recognizers:`` from a YAML file and build them."""
    data = read_yaml(path, key=owner)
    if not isinstance(data, Mapping) or "recognizers" not in data:
        raise ConfigError(owner, f"{path} must be a mapping with a 'recognizers' list")
    return custom_recognizers(data["recognizers"], owner=f"{owner}({path}).recognizers")


def _custom(spec: Any, path: str) -> RegexRecognizer:
    if not isinstance(spec, Mapping):
        raise ConfigError(path, "expected a mapping")
    unknown = set(spec) - _RECOGNIZER_KEYS
    if unknown:
        raise ConfigError(f"{path}.{sorted(unknown)[0]}", "unknown key", sorted(_RECOGNIZER_KEYS))
    name = _text(spec, "name", path)
    entity = _text(spec, "entity_type", path)
    if not re.fullmatch(r"[A-Z][A-Z0-9_]*", entity):
        raise ConfigError(f"{path}.entity_type", "must be UPPER_SNAKE_CASE, e.g. EMPLOYEE_ID")
    flags = 0
    for flag in _words(spec, "flags", path):
        if flag not in _FLAG_NAMES:
            raise ConfigError(f"{path}.flags", f"unknown flag {flag!r}", sorted(_FLAG_NAMES))
        flags |= _FLAG_NAMES[flag]
    patterns = [
        _custom_pattern(item, f"{path}.patterns[{i}]", flags)
        for i, item in enumerate(spec.get("patterns") or [])
    ]
    deny = _words(spec, "deny_list", path)
    if deny:
        escaped = "|".join(re.escape(word) for word in sorted(deny, key=len, reverse=True))
        patterns.append(
            compile_pattern("deny_list", rf"(?<!\w)(?:{escaped})(?!\w)", 1.0, flags=re.I)
        )
    if not patterns:
        raise ConfigError(
            f"{path}.patterns", "a recognizer needs at least one pattern or a deny_list"
        )
    validator_name = spec.get("validator", "none")
    if validator_name not in VALIDATORS:
        raise ConfigError(
            f"{path}.validator", f"unknown validator {validator_name!r}", sorted(VALIDATORS)
        )
    requires = spec.get("requires_context", False)
    if not isinstance(requires, bool):
        raise ConfigError(f"{path}.requires_context", "expected true or false")
    context = tuple(word.lower() for word in _words(spec, "context", path))
    if requires and not context:
        raise ConfigError(
            f"{path}.context", "requires_context is true but no context words are given"
        )
    return RegexRecognizer(
        name=name,
        entity_type=entity,
        patterns=tuple(patterns),
        context=context,
        requires_context=requires,
        negative_context=tuple(word.lower() for word in _words(spec, "negative_context", path)),
        validator=VALIDATORS[validator_name],
        priority=2,
    )


def _custom_pattern(item: Any, path: str, flags: int) -> RegexPattern:
    if not isinstance(item, Mapping):
        raise ConfigError(path, "expected a mapping with name, regex and score")
    unknown = set(item) - {"name", "regex", "score", "group"}
    if unknown:
        raise ConfigError(
            f"{path}.{sorted(unknown)[0]}", "unknown key", ["name", "regex", "score", "group"]
        )
    regex = _text(item, "regex", path)
    try:
        compiled = re.compile(regex, flags)
    except re.error as error:
        raise ConfigError(f"{path}.regex", f"invalid regular expression: {error}") from None
    score = item.get("score", 0.5)
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
        raise ConfigError(f"{path}.score", "must be a number between 0 and 1")
    group = item.get("group", "")
    if not isinstance(group, str) or (group and group not in compiled.groupindex):
        raise ConfigError(
            f"{path}.group", "must name a group of the regex", sorted(compiled.groupindex)
        )
    return RegexPattern(
        name=str(item.get("name", "pattern")),
        regex=compiled,
        score=float(score),
        group=group,
        gate=pattern_gate(regex, flags),
    )


def _text(spec: Mapping[str, Any], key: str, path: str) -> str:
    value = spec.get(key)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{path}.{key}", "required, a non-empty string")
    return value


def _words(spec: Mapping[str, Any], key: str, path: str) -> List[str]:
    value = spec.get(key) or []
    if not isinstance(value, list) or not all(isinstance(word, str) and word for word in value):
        raise ConfigError(f"{path}.{key}", "expected a list of non-empty strings")
    return list(value)
