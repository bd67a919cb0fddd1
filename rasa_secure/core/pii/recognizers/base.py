"""The recognizer contract: declared patterns and context, one ``validate_result`` hook.

A recognizer is a class in Presidio's shape: class-level :attr:`RegexRecognizer.PATTERNS`
(:class:`Pattern` declarations), :attr:`~RegexRecognizer.CONTEXT` words (which raise the
score, or are required), optional negative context (which vetoes a match: "balance" next to
a number shaped like an account number), a validator named from
:mod:`~rasa_secure.core.pii.recognizers.validators`, a ``country`` (``None``: everywhere)
and cheap pre-gates (a minimum number of digits, keywords one of which must occur).

Every pattern also gets its own :class:`~rasa_secure.core.regex_analysis.PatternGate`, read
off the regular expression once: a text without the character every match contains is never
scanned, and a pattern whose matches cannot span whitespace runs only over the token holding
it. A pattern may add its own ``min_digits``: the gate of that pattern alone, never of its
recognizer's other patterns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar, Iterator, Mapping, Optional, Sequence, Tuple

from rasa_secure.core.budget import UNLIMITED, Deadline
from rasa_secure.core.pii.recognizers.validators import VALIDATORS, Validator
from rasa_secure.core.pii.scan import TextView, scan
from rasa_secure.core.regex_analysis import PatternGate, pattern_gate


@dataclass(frozen=True)
class Candidate:
    """A raw match before context scoring, allow-lists and overlap resolution.

    Attributes:
        entity_type: the entity type reported.
        start: start offset in the analysed text.
        end: end offset (exclusive).
        score: score before context (after validation).
        recognizer: name of the recognizer.
        pattern: name of the pattern (or NER label) that fired.
        context: words that raise the score when found near the match.
        requires_context: drop the match unless a context word is near.
        negative_context: words that veto the match when found near it.
        country: ISO 3166 code for country-specific recognizers, else ``None``.
        priority: tie-breaker between equal scores (higher wins).
        validated: ``True`` when a checksum or plausibility test passed, ``None`` when the
            recognizer has none.
    """

    entity_type: str
    start: int
    end: int
    score: float
    recognizer: str
    pattern: str = ""
    context: Tuple[str, ...] = ()
    requires_context: bool = False
    negative_context: Tuple[str, ...] = ()
    country: Optional[str] = None
    priority: int = 0
    validated: Optional[bool] = None


@dataclass(frozen=True)
class Pattern:
    """One pattern as declared: a regular expression and the score of its matches.

    Attributes:
        name: reported in the finding's explanation.
        regex: the expression (``re`` syntax).
        score: score of a match before context.
        group: the named group that is the value (``""``: the whole match).
        flags: ``re`` flags.
        keywords: the pattern runs only on texts whose lower-cased form contains one (for
            case-insensitive patterns, whose letters make no gate).
        min_digits: the pattern runs only on texts with at least this many digits.
        language: ISO 639-1 code of the words the pattern is made of: it is compiled only
            when the analyzer's ``languages`` lists it (``""``: always).
    """

    name: str
    regex: str
    score: float
    group: str = ""
    flags: int = 0
    keywords: Tuple[str, ...] = ()
    min_digits: int = 0
    language: str = ""


@dataclass(frozen=True)
class CompiledPattern:
    """A :class:`Pattern` compiled, with its gate (see :func:`compile_pattern`)."""

    name: str
    regex: re.Pattern[str]
    score: float
    group: str = ""
    gate: PatternGate = field(default_factory=PatternGate)
    keywords: Tuple[str, ...] = ()
    min_digits: int = 0

    def runs_on(self, view: TextView) -> bool:
        """The pattern's own pre-gates: enough digits, and one of its keywords."""
        if view.digits < self.min_digits:
            return False
        return not self.keywords or any(word in view.lowered for word in self.keywords)


def compile_pattern(pattern: Pattern) -> CompiledPattern:
    """``pattern`` compiled, with its :func:`~rasa_secure.core.regex_analysis.pattern_gate`."""
    return CompiledPattern(
        name=pattern.name,
        regex=re.compile(pattern.regex, pattern.flags),
        score=pattern.score,
        group=pattern.group,
        gate=pattern_gate(pattern.regex, pattern.flags),
        keywords=pattern.keywords,
        min_digits=pattern.min_digits,
    )


class RegexRecognizer:
    """A pattern recognizer with context, validation and pre-gates.

    Subclasses declare the class attributes; :meth:`validate_result` is the one hook.
    Recognizers declared in YAML are instances given the same values as keywords.

    Attributes:
        name: reported as :attr:`Candidate.recognizer` (default: the class name).
        entity_type: what it finds.
        patterns: compiled, tried in order; overlapping matches of later patterns are kept
            too and resolved by the analyzer.
        context: words near the match that raise its score.
        requires_context: only report a match with a context word near it.
        negative_context: words near the match that discard it.
        validator: checksum or plausibility test on the value (``None``: none).
        country: ISO 3166 code whose configuration runs it; ``None``: every deployment.
        min_digits: skip the recognizer when the text has fewer digits.
        keywords: skip the recognizer unless one of these occurs in the lower-cased text
            (with the keywords of its patterns and its context words in the selected
            languages); empty: no keyword gate.
        priority: tie-breaker between equal scores.

    ``LANGUAGE_CONTEXT`` maps a language to more context words; the ``languages`` given to
    the constructor select them, and the patterns of those languages (``None``: every one).
    """

    ENTITY_TYPE: ClassVar[str] = ""
    PATTERNS: ClassVar[Tuple[Pattern, ...]] = ()
    CONTEXT: ClassVar[Tuple[str, ...]] = ()
    LANGUAGE_CONTEXT: ClassVar[Mapping[str, Tuple[str, ...]]] = {}
    REQUIRES_CONTEXT: ClassVar[bool] = False
    NEGATIVE_CONTEXT: ClassVar[Tuple[str, ...]] = ()
    VALIDATOR: ClassVar[str] = "none"
    COUNTRY: ClassVar[Optional[str]] = None
    MIN_DIGITS: ClassVar[int] = 0
    KEYWORDS: ClassVar[Tuple[str, ...]] = ()
    PRIORITY: ClassVar[int] = 1

    def __init__(
        self,
        *,
        name: Optional[str] = None,
        entity_type: Optional[str] = None,
        patterns: Optional[Sequence[Pattern]] = None,
        context: Optional[Sequence[str]] = None,
        requires_context: Optional[bool] = None,
        negative_context: Optional[Sequence[str]] = None,
        validator: Optional[str] = None,
        priority: Optional[int] = None,
        languages: Optional[Sequence[str]] = None,
    ) -> None:
        """Compile the patterns; every keyword left out takes the class attribute."""
        self.name = name or type(self).__name__
        self.entity_type = entity_type or self.ENTITY_TYPE
        declared = self.PATTERNS if patterns is None else tuple(patterns)
        chosen = None if languages is None else frozenset(languages)
        declared = tuple(p for p in declared if chosen is None or p.language in {"", *chosen})
        self.patterns: Tuple[CompiledPattern, ...] = tuple(map(compile_pattern, declared))
        spoken = tuple(
            word
            for code, words in self.LANGUAGE_CONTEXT.items()
            if chosen is None or code in chosen
            for word in words
        )
        self.context = tuple(self.CONTEXT if context is None else context) + spoken
        self.requires_context = (
            self.REQUIRES_CONTEXT if requires_context is None else requires_context
        )
        self.negative_context = tuple(
            self.NEGATIVE_CONTEXT if negative_context is None else negative_context
        )
        self.validator: Optional[Validator] = VALIDATORS[validator or self.VALIDATOR]
        self.country = self.COUNTRY
        self.min_digits = self.MIN_DIGITS
        own = tuple(word for p in declared if p.language for word in p.keywords)
        self.keywords = (*self.KEYWORDS, *own, *spoken) if self.KEYWORDS else ()
        self.priority = self.PRIORITY if priority is None else priority

    def validate_result(self, value: str) -> Optional[bool]:
        """``False`` discards the match; ``True``: a check passed; ``None``: nothing to check."""
        return None if self.validator is None else self.validator(value)

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
            view: the analyzer's :class:`TextView` of ``text``, shared by all recognizers.
            deadline: checked before each pattern.
        """
        view = view if view is not None else TextView(text)
        for pattern in self.patterns:
            if not pattern.runs_on(view):
                continue
            for match in scan(pattern.gate, pattern.regex, view, deadline):
                start, end = match.span(pattern.group) if pattern.group else match.span()
                if start < 0 or end <= start:
                    continue
                verdict = self.validate_result(text[start:end])
                if verdict is False:
                    continue
                yield Candidate(
                    entity_type=self.entity_type,
                    start=start,
                    end=end,
                    score=pattern.score,
                    recognizer=self.name,
                    pattern=pattern.name,
                    context=self.context,
                    requires_context=self.requires_context,
                    negative_context=self.negative_context,
                    country=self.country,
                    priority=self.priority,
                    validated=verdict,
                )
