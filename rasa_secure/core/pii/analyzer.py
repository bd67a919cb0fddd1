"""PII detection: Presidio's recognizers, ours, and a spaCy NER model, fast and offline.

:class:`PIIAnalyzer` answers one question, "where is personal data in this text?", with
:class:`~rasa_secure.core.pii.finding.PIIFinding` s: entity type, character span, score and
an explanation, never the value itself. It is built from a validated configuration
(:data:`~rasa_secure.core.pii.options.OPTIONS`); Presidio and spaCy are imported on first use,
so importing this module is cheap.

How it runs (see ``docs/components/pii-detector.md``):

0. The text is cleaned as the injection screen cleans it (:func:`normalize.clean`: NFKC, so
   full-width digits are digits; invisible characters removed, so ``4012\u200b8888...`` is
   a card; a lone surrogate read as U+FFFD); findings are mapped back to the original text.
1. Presidio's predefined recognizers for the configured languages and countries
   (:mod:`~rasa_secure.core.pii.presidio`); the phone recognizer runs last, skipping runs
   inside a finding that wins anyway (:func:`_settled`).
2. Our recognizers (:mod:`rasa_secure.core.pii.recognizers`) add what chat needs: passwords,
   PINs, API keys and secrets, bank accounts, dates of birth, loosely formatted phone numbers.
3. A spaCy NER model, loaded with only its ``ner`` pipe, finds names, places and
   nationalities, in texts of its own language only
   (:func:`~rasa_secure.core.pii.language.guess_language`: elsewhere it tags ordinary nouns).
   ``spacy_model: null`` gives a pattern-only analyzer without spaCy.
4. Context words near a match raise its score; required context and negative context are
   enforced; allow-lists drop values, deny-lists add them; overlaps are resolved so findings
   never overlap, highest score first. The redactor's own placeholders are never findings
   (:data:`PLACEHOLDER`).
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import functools
import importlib
import re
import threading
from typing import Any, List, Mapping, Optional, Sequence, Tuple

from rasa_secure.config import resolve
from rasa_secure.core.budget import UNLIMITED, Deadline
from rasa_secure.core.normalize import clean
from rasa_secure.core.pii.finding import PIIExplanation, PIIFinding
from rasa_secure.core.pii.language import guess_language
from rasa_secure.core.pii.ner import Ner
from rasa_secure.core.pii.options import OPTIONS
from rasa_secure.core.pii.presidio import (
    PresidioPatterns,
    PresidioPhone,
    presidio_countries,
    presidio_sources,
)
from rasa_secure.core.pii.recognizers import (
    Candidate,
    RegexRecognizer,
    builtin_recognizers,
    custom_recognizers,
    load_recognizer_file,
)
from rasa_secure.core.pii.scan import TextView
from rasa_secure.core.pii.sources import OursSource
from rasa_secure.core.redaction import PLACEHOLDER
from rasa_secure.core.regex_probe import module_expressions
from rasa_secure.errors import (
    BudgetExceededError,
    ConfigError,
    DetectionError,
    InputError,
)

_WARM_UP = "Jane Doe, jane@example.org, +1 202 555 0143, card 4111 1111 1111 1111, 10 Main St"

_MODULES_WITH_EXPRESSIONS = (
    __name__,
    "rasa_secure.core.pii.ner",
    "rasa_secure.core.pii.person_context",
    "rasa_secure.core.pii.presidio",
    "rasa_secure.core.pii.scan",
    "rasa_secure.core.pii.recognizers.validators",
    "rasa_secure.core.pii.language",
    "rasa_secure.core.pii.recognizers.street_address",
)
"""Modules whose top-level compiled expressions run on text (for the growth probe)."""

_HOUSE_NUMBER = re.compile(
    r"(?<![ \t])[ \t]+(?:(?:[A-Z][\w'.-]*[ \t]+){0,3}(?:St|Street|Ave|Avenue|Rd|Road|Lane|Ln"
    r"|Blvd|Boulevard|Drive|Dr|Way|Court|Ct|Place|Pl|Square|Sq|Terrace|Crescent|Highway|Hwy)"
    r"\b\.?|(?:Rue|Via|Calle|Avenida|Rua|Strasse|Straße|Gasse)\b)",
)
"""A number followed by a street name is a house number, not a phone number."""
ASKED_FOR = "(asked for)"
"""The context of a finding of the type the dialogue asked for (:meth:`PIIAnalyzer.detect`)."""
_ESCAPED_BREAK = re.compile(r"(?<!\\)\\[nrt]")
"""A literal ``\\n`` (``\\r``, ``\\t``) escape, not itself escaped (``\\\\n``)."""


def unescape_breaks(text: str) -> str:
    """``text`` with each literal line-break escape read as a space and a line break: the same
    length, so offsets need no mapping, and ``Phone:\\n295-211-1114`` holds a phone number."""
    return _ESCAPED_BREAK.sub(" \n", text)


_WORD = re.compile(r"\S+")
CONTEXT_CHARS_PER_WORD = 24
"""A context window reaches at most this many characters per context word on each side, so
that text without spaces (one long "word") gives short windows, not the whole text each."""
_CONTEXT_NOISE = re.compile(r"[^\w/$€£.+]+")
_UPPER = re.compile(r"[A-Z]")
_LETTER = re.compile(r"[^\W\d_]")
_QUOTES = "\"'`"


class _Context:
    """Lazily computed word windows around matches, lower-cased, for context words."""

    def __init__(self, text: str, before: int, after: int) -> None:
        self.text = text
        self.before = before
        self.after = after
        self._starts: Optional[List[int]] = None
        self._ends: List[int] = []

    def window(self, start: int, end: int) -> str:
        if self._starts is None:
            spans = [m.span() for m in _WORD.finditer(self.text)]
            self._starts = [s for s, _ in spans]
            self._ends = [e for _, e in spans]
        first = bisect.bisect_left(self._ends, start)
        left = (
            self._starts[max(0, first - self.before)]
            if first - self.before < len(self._starts)
            else start
        )
        left = min(left, start)
        last = bisect.bisect_right(self._starts, end)
        right = (
            self._ends[min(len(self._ends), last + self.after) - 1]
            if last + self.after > 0
            else end
        )
        right = max(right, end)
        reach_before = self.before * CONTEXT_CHARS_PER_WORD
        reach_after = self.after * CONTEXT_CHARS_PER_WORD
        left = max(left, start - reach_before)
        right = min(right, end + reach_after)
        around = f"{self.text[left:start]} {self.text[end:right]}".lower()
        return f" {_CONTEXT_NOISE.sub(' ', around)} "

    @staticmethod
    def hit(window: str, words: Sequence[str]) -> str:
        """The first of ``words`` that starts a word of ``window``, or ``""``."""
        for word in words:
            if " " + word in window:
                return word
        return ""


class _Engine:
    """Everything :class:`PIIAnalyzer` needs, built once by :meth:`PIIAnalyzer.load`."""

    def __init__(self, config: Mapping[str, Any], extra: Sequence[RegexRecognizer]) -> None:
        self.config = config
        wanted_spec = set(config["entities"])
        excluded = set(config["exclude_entities"])
        presidio = presidio_sources(config)
        countries = {code.upper() for code in config["countries"]}
        recognizers = (*builtin_recognizers(tuple(config["languages"])), *extra)
        known = {*presidio_countries().values(), *(r.country for r in recognizers if r.country)}
        if countries - known:
            raise ConfigError(
                "PIIAnalyzer.countries",
                f"no national recognizers for {sorted(countries - known)}",
                sorted(known),
            )
        ours = [OursSource(r) for r in recognizers if r.country in (None, *countries)]
        supported = {e for s in (*presidio, *ours) for e in s.entities}
        self.ner: Optional[Ner] = None
        if config["spacy_model"] is not None:
            supported |= set(config["ner_labels"].values())
        wanted = (wanted_spec or supported) - excluded
        unknown = wanted_spec - supported
        if unknown:
            raise ConfigError(
                "PIIAnalyzer.entities", f"no recognizer for {sorted(unknown)}", sorted(supported)
            )
        sources = [s for s in (*presidio, *ours) if set(s.entities) & wanted]
        self.sources = sources
        self.wanted = wanted
        if config["spacy_model"] is not None:
            self.ner = Ner(
                config["spacy_model"],
                config["ner_labels"],
                config["ner_score"],
                wanted,
                config["ner_ignore"],
            )
            if not self.ner.labels:
                self.ner = None
        self.require_context = frozenset(config["require_context_for"])
        phone_score = max(
            (getattr(s.recognizer, "SCORE", 1.0) for s in sources if isinstance(s, PresidioPhone)),
            default=1.0,
        )
        self.phone_ceiling = min(1.0, max(phone_score + config["context_boost"], 0.4))
        """The highest score a finding of Presidio's phone recognizer can reach."""
        self.allow = {value.casefold() for value in config["allow_list"]}
        self.allow_regex = [re.compile(item) for item in config["allow_list_regex"]]

    def detect(
        self, text: str, deadline: Deadline = UNLIMITED, expected: Optional[str] = None
    ) -> Tuple[PIIFinding, ...]:
        config = self.config
        view = TextView(text)
        candidates: List[Candidate] = []
        phones: List[PresidioPhone] = []
        for source in self.sources:
            if not source.applies(view) and expected not in source.entities:
                continue  # the type asked for needs no context word to open the gate
            if isinstance(source, PresidioPhone):
                phones.append(source)  # runs last: it skips what others settled
            else:
                deadline.check("recognizers")
                found = source.find(view, deadline)
                candidates.extend(c for c in found if c.entity_type in self.wanted)
        if self.ner is not None and self._runs_ner(text):
            deadline.check("ner")
            candidates.extend(self.ner.find(text))
        if "<" in text:
            candidates = _outside_placeholders(candidates, text)
        if not candidates and not phones:
            return ()
        context = _Context(text, config["context_words_before"], config["context_words_after"])
        score = functools.partial(self._score, context=context, text=text, expected=expected)
        scored = [s for s in map(score, candidates) if s]
        if phones:
            settled = _settled(scored, self.phone_ceiling)
            deadline.check("phone numbers")
            late = [c for phone in phones for c in phone.find(view, deadline, settled)]
            if "<" in text:
                late = _outside_placeholders(late, text)
            candidates += late
            scored += [s for s in map(score, late) if s]
        if self.allow or self.allow_regex:
            kept = {id(c) for c in self._without_allowed(candidates, text)}
            scored = [item for item in scored if id(item[0]) in kept]
        return tuple(sorted(_resolve(scored), key=lambda f: f.start))

    def _runs_ner(self, text: str) -> bool:
        """Whether the NER model reads ``text``: only text in the model's own language."""
        assert self.ner is not None
        if not _LETTER.search(text):
            return False  # NER keeps no entity without a letter: skip the model
        if self.config["ner_only_if_capitalised"] and not _UPPER.search(text):
            return False
        return guess_language(text) in (None, self.ner.language)

    def _without_allowed(self, candidates: List[Candidate], text: str) -> List[Candidate]:
        """Drop allow-listed values and every candidate inside one (the domain of an e-mail)."""
        allowed = []
        for candidate in candidates:
            value = text[candidate.start : candidate.end]
            if value.strip().casefold() in self.allow or any(
                r.fullmatch(value) for r in self.allow_regex
            ):
                allowed.append((candidate.start, candidate.end))
        return [c for c in candidates if not any(s <= c.start and c.end <= e for s, e in allowed)]

    def _score(
        self, candidate: Candidate, context: _Context, text: str, expected: Optional[str]
    ) -> Optional[Tuple[Candidate, float, str]]:
        if candidate.entity_type == "PHONE_NUMBER" and (
            _inside_token(text, candidate) or _HOUSE_NUMBER.match(text, candidate.end)
        ):
            return None
        window = ""
        if candidate.context or candidate.negative_context:
            window = context.window(candidate.start, candidate.end)
        if candidate.negative_context and _Context.hit(window, candidate.negative_context):
            return None
        supported_by = _Context.hit(window, candidate.context) if candidate.context else ""
        if candidate.entity_type == expected:
            supported_by = ASKED_FOR  # the dialogue's question is the context
        requires = candidate.requires_context or candidate.entity_type in self.require_context
        if requires and not supported_by:
            return None
        score = candidate.score
        if supported_by:
            score = min(1.0, max(score + self.config["context_boost"], 0.4))
        if score < self.config["score_threshold"]:
            return None
        return candidate, score, supported_by


def _settled(
    scored: Sequence[Tuple[Candidate, float, str]], ceiling: float
) -> List[Tuple[int, int]]:
    """Spans the phone matcher need not look into: its findings there would change nothing.

    A span is settled when its finding scores above ``ceiling`` (the best a phone finding can
    score), strictly above every other finding overlapping it, and is not a country-specific
    one. Overlap resolution then keeps it and drops any phone number inside it; and any
    national ID a phone number there would veto overlaps the settled span, scores lower, and
    is dropped by it all the same.
    """
    spans = []
    for candidate, score, _ in scored:
        if score <= ceiling or candidate.country is not None:
            continue
        start, end = candidate.start, candidate.end
        if all(
            other is candidate or other.end <= start or end <= other.start or other_score < score
            for other, other_score, _ in scored
        ):
            spans.append((start, end))
    return spans


def _outside_placeholders(candidates: List[Candidate], text: str) -> List[Candidate]:
    """``candidates`` without those that are one of our placeholders (see :data:`PLACEHOLDER`)."""
    spans = [match.span() for match in PLACEHOLDER.finditer(text)]
    if not spans:
        return candidates
    kept = []
    for candidate in candidates:
        start, end = candidate.start, candidate.end
        while start < end and text[start] in _QUOTES:
            start += 1
        while end > start and text[end - 1] in _QUOTES:
            end -= 1
        if not any(left <= start and end <= right for left, right in spans):
            kept.append(candidate)
    return kept


def _inside_token(text: str, candidate: Candidate) -> bool:
    """Whether a match continues a larger token, like 2024-000123 in INV-2024-000123."""
    before = text[candidate.start - 1] if candidate.start > 0 else " "
    after = text[candidate.end] if candidate.end < len(text) else " "
    return before.isalnum() or before in "-_#/" or after.isalnum() or after in "_#/"


def _resolve(scored: List[Tuple[Candidate, float, str]]) -> List[PIIFinding]:
    """Drop ambiguous national IDs that are really phone numbers, then keep the best of overlaps."""
    phones = [(c.start, c.end) for c, _, _ in scored if c.entity_type == "PHONE_NUMBER"]
    kept: List[PIIFinding] = []
    taken: List[Tuple[int, int]] = []
    order = sorted(
        scored, key=lambda item: (-item[1], -item[0].priority, item[0].start - item[0].end)
    )
    for candidate, score, supported_by in order:
        ambiguous = candidate.country is not None and not supported_by
        if ambiguous and any(candidate.start < e and s < candidate.end for s, e in phones):
            continue
        if any(candidate.start < e and s < candidate.end for s, e in taken):
            continue
        taken.append((candidate.start, candidate.end))
        kept.append(
            PIIFinding(
                entity_type=candidate.entity_type,
                start=candidate.start,
                end=candidate.end,
                score=round(score, 4),
                recognizer=candidate.recognizer,
                explanation=PIIExplanation(
                    recognizer=candidate.recognizer,
                    pattern=candidate.pattern,
                    base_score=candidate.score,
                    context_word=supported_by or None,
                    validated=candidate.validated,
                ),
            )
        )
    return kept


class PIIAnalyzer:
    """Find personal data in text; ``Detector[tuple[PIIFinding, ...]]``.

    Thread-safe once loaded; loading happens on the first :meth:`detect` (or an explicit
    :meth:`load`) and imports Presidio and spaCy then.

    Attributes:
        name: ``"pii"``.
        config: the validated configuration (see :data:`OPTIONS`).
    """

    name = "pii"

    def __init__(self, config: Optional[Mapping[str, Any]] = None) -> None:
        """Validate ``config`` and custom recognizers now; load models later.

        Raises:
            ConfigError: an unknown key, a wrong type, an invalid regex or recognizer.
        """
        self.config = resolve(OPTIONS, config, owner="PIIAnalyzer")
        extra = list(
            custom_recognizers(
                self.config["custom_recognizers"], owner="PIIAnalyzer.custom_recognizers"
            )
        )
        if self.config["custom_recognizers_file"]:
            extra += load_recognizer_file(
                self.config["custom_recognizers_file"], owner="PIIAnalyzer.custom_recognizers_file"
            )
        for entity, words in self.config["deny_list"].items():
            spec = {"name": "DenyListRecognizer", "entity_type": entity, "deny_list": words}
            extra += custom_recognizers([spec], owner=f"PIIAnalyzer.deny_list.{entity}")
        if not self.config["languages"]:
            raise ConfigError("PIIAnalyzer.languages", "at least one language is required")
        self._extra = tuple(extra)
        self._engine: Optional[_Engine] = None
        self._lock = threading.Lock()

    @property
    def pattern_only(self) -> bool:
        """Whether this detector runs without an NER model."""
        return self.config["spacy_model"] is None

    def load(self) -> None:
        """Import Presidio (and spaCy), build the recognizers; idempotent.

        Raises:
            DependencyMissingError: Presidio, spaCy or the configured model is not installed.
            ConfigError: ``entities`` names a type no recognizer produces.
        """
        with self._lock:
            if self._engine is not None:
                return
            self._engine = _Engine(self.config, self._extra)
        # The first detection compiles expressions and fills caches (tens of milliseconds);
        # pay for it here, not inside the time budget of a customer's first message. Only a
        # warm-up: a real text that fails is handled by the caller.
        with contextlib.suppress(DetectionError):
            self.detect(_WARM_UP)

    def supported_entities(self) -> Tuple[str, ...]:
        """The entity types this detector reports, sorted (loads the detector)."""
        self.load()
        assert self._engine is not None
        return tuple(sorted(self._engine.wanted))

    def detect(self, text: str, expected: Optional[str] = None) -> Tuple[PIIFinding, ...]:
        """Find personal data in ``text``; findings are sorted by start and never overlap.

        ``expected`` is the entity type the dialogue asked for (a form's requested slot and
        its declared type): the question is the context, so its matches need no context word
        in the text and score as if one were near. "8000000000" typed into the transfer
        form's account slot is then an account number, not a phone number (a Luhn-valid card
        still wins: its checksum scores higher).

        Raises:
            InputError: ``text`` is not a string.
            DetectionError: the text is longer than ``max_length`` or a recognizer failed;
                callers must fail safe (the ``Sanitizer`` does).
        """
        if not isinstance(text, str):
            raise InputError("text", f"expected str, got {type(text).__name__}")
        if len(text) > self.config["max_length"]:
            raise DetectionError(self.name, f"text of {len(text)} characters exceeds max_length")
        if self._engine is None:
            self.load()
        assert self._engine is not None
        deadline = Deadline(self.name, self.config["time_budget_ms"])
        cleaned = clean(text)
        if "\\" in cleaned.text:  # "Phone:\\n295-211-1114" typed or pasted with escapes
            cleaned = dataclasses.replace(cleaned, text=unescape_breaks(cleaned.text))
        try:
            findings = self._engine.detect(cleaned.text, deadline, expected)
        except BudgetExceededError:
            raise
        except Exception as error:  # a recognizer bug must not pass raw text through
            raise DetectionError(self.name, f"{type(error).__name__} in a recognizer") from error
        if cleaned.offsets is None:
            return findings
        return tuple(finding.moved(cleaned.offsets) for finding in findings)

    def expressions(self) -> List[Tuple[str, Any]]:
        """Every compiled expression this detector runs on text, named: Presidio's patterns
        as loaded, ours, and the module-level ones (for the growth probe of
        ``tests/core/test_regex_growth.py``). Loads the detector."""
        self.load()
        assert self._engine is not None
        named: List[Tuple[str, Any]] = []
        for source in self._engine.sources:
            if isinstance(source, PresidioPatterns):
                named += [(f"{source.name}:{p[0]}", p[1]) for p in source.patterns]
            elif isinstance(source, OursSource):
                named += [
                    (f"{source.recognizer.name}:{p.name}", p.regex)
                    for p in source.recognizer.patterns
                ]
        for module in _MODULES_WITH_EXPRESSIONS:
            named += module_expressions(importlib.import_module(module))
        return named
