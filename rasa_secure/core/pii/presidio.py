"""Presidio's predefined recognizers, run directly: precompiled, gated, offline.

The recognizers are filtered to the configured countries (a deployment for the
US does not run the UK NHS recognizer); which countries exist is read off the installed
Presidio (:func:`presidio_countries`). Pattern recognizers are compiled once and run without
Presidio's per-call machinery, each keeping its own validation hooks (Luhn, IBAN mod-97, SSN
sanity). Recognizers that override ``analyze`` (IBAN) are called as they are; the phone
recognizer is given only windows around runs of at least :data:`MIN_PHONE_DIGITS` digits.

Nothing is downloaded at run time: the e-mail recognizer's ``tldextract`` uses the public
suffix list bundled with the package.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import re
import threading
from collections import Counter
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from rasa_secure.core.budget import UNLIMITED, Deadline
from rasa_secure.core.pii.options import PRESIDIO_INSTALL
from rasa_secure.core.pii.recognizers import Candidate
from rasa_secure.core.pii.scan import TextView, scan
from rasa_secure.core.pii.sources import Source
from rasa_secure.core.regex_analysis import pattern_gate
from rasa_secure.errors import DependencyMissingError

ISO_ALIASES: Dict[str, str] = {"UK": "GB"}
"""Entity prefixes that are not ISO 3166-1 alpha-2 codes (Presidio's ``UK_NHS`` is GB's)."""

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


class PresidioPatterns(Source):
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
            for match in scan(gate, compiled, view, deadline):
                start, end = match.span()
                while start < end and text[start].isspace():  # UK_NINO's pattern takes
                    start += 1  # the space before the number
                if start == end:
                    continue
                value = text[start:end]
                verdict = validate(value)
                score = base if verdict is None else (1.0 if verdict else 0.0)
                if score > 0 and invalidate(value):
                    score = 0.0
                if score > 0:
                    yield self._candidate(start, end, score, name, verdict)

    def _candidate(
        self,
        start: int,
        end: int,
        score: float,
        pattern: str,
        validated: Optional[bool] = None,
    ) -> Candidate:
        return Candidate(
            entity_type=self.entity,
            start=start,
            end=end,
            score=score,
            recognizer=self.name,
            pattern=pattern,
            context=self.context,
            country=self.country,
            validated=validated,
        )


class PresidioAnalyze(PresidioPatterns):
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


class PresidioPhone(PresidioAnalyze):
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
    windows: List[Tuple[int, int]] = []
    for match in PHONE_CANDIDATE.finditer(text):
        if sum(map(str.isdecimal, match.group())) < MIN_PHONE_DIGITS:
            continue
        start, end = max(0, match.start() - 1), min(len(text), match.end() + 3)
        if windows and start <= windows[-1][1] + 1:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


_PHONE_PUNCTUATION = (
    "[-x\u2010-\u2015\u2212\u30fc\uff0d-\uff0f \xa0\xad\u200b\u2060\u3000()"
    "\uff08\uff09\uff3b\uff3d.\\[\\]/~\u2053\u223c\uff5e]{0,4}"
)
_PHONE_EXTENSION = (
    ";ext=(\\d{1,20})|[ \xa0\\t,]*(?:e?xt(?:ensi(?:o\u0301?|\xf3))?n?|\uff45?\uff58\uff54\uff4e?"
    "|\u0434\u043e\u0431|anexo)[:\\.\uff0e]?[ \xa0\\t,-]*(\\d{1,20})#?|[ \xa0\\t,]*"
    "(?:[x\uff58#\uff03~\uff5e]|int|\uff49\uff4e\uff54)[:\\.\uff0e]?[ \xa0\\t,-]*(\\d{1,9})#?"
    "|[- ]+(\\d{1,6})#"
)
PHONE_CANDIDATE = re.compile(
    f"(?:[(\\[\uff08\uff3b+\uff0b]{_PHONE_PUNCTUATION}){{0,2}}\\d{{1,20}}"
    f"(?:{_PHONE_PUNCTUATION}\\d{{1,20}}){{0,20}}(?:{_PHONE_EXTENSION})?",
    re.IGNORECASE | re.UNICODE,
)
"""The candidate grammar of libphonenumber's ``PhoneNumberMatcher`` (lead brackets or plus,
digit blocks of up to 20 separated by up to four punctuation marks, an extension), which
``phonenumbers`` keeps private; ``tests/core/test_pii.py`` checks the copy against it."""


def _predefined() -> Any:
    """Presidio's ``predefined_recognizers`` package.

    Raises:
        DependencyMissingError: Presidio is not installed.
    """
    try:
        import presidio_analyzer.predefined_recognizers as predefined
    except ImportError:
        raise DependencyMissingError("presidio_analyzer", PRESIDIO_INSTALL) from None
    return predefined


def _country_package(cls: Any) -> Optional[str]:
    """``us`` for ``...predefined_recognizers.country_specific.us.us_ssn_recognizer``."""
    module = getattr(cls, "__module__", "")
    if ".country_specific." not in module:
        return None
    return module.split(".country_specific.")[1].split(".")[0]


def _default_entity(cls: Any) -> str:
    parameter = inspect.signature(cls.__init__).parameters.get("supported_entity")
    default = parameter.default if parameter is not None else ""
    return default if isinstance(default, str) else ""


@functools.lru_cache(maxsize=None)
def presidio_countries() -> Dict[str, str]:
    """The installed Presidio's ``country_specific`` sub-packages and their ISO 3166 codes.

    Read off the recognizers themselves: a package's code is the two-letter prefix most of its
    entity types share (``us``: ``US_SSN``, ``US_ITIN``... -> ``US``), through
    :data:`ISO_ALIASES`.

    Raises:
        DependencyMissingError: Presidio is not installed.
    """
    predefined = _predefined()
    prefixes: Dict[str, Counter[str]] = {}
    for class_name in predefined.__all__:
        cls = getattr(predefined, class_name)
        package = _country_package(cls)
        prefix = _default_entity(cls).split("_")[0]
        if package is not None and len(prefix) == 2:
            prefixes.setdefault(package, Counter())[prefix] += 1
    return {
        package: ISO_ALIASES.get(prefix, prefix)
        for package, counts in sorted(prefixes.items())
        for prefix, _ in counts.most_common(1)
    }


def presidio_sources(config: Mapping[str, Any]) -> List[Source]:
    """Presidio's predefined recognizers: the generic ones, and the national ones of the
    configured countries whatever the configured languages (a Spanish DNI is typed into
    English chat too); each national one keeps its own language's context words.

    Raises:
        DependencyMissingError: Presidio is not installed.
    """
    predefined = _predefined()
    from presidio_analyzer import PatternRecognizer

    regex = importlib.import_module("regex")
    languages = list(config["languages"])
    countries = {code.upper() for code in config["countries"]}
    packages = presidio_countries()
    sources: List[Source] = []
    for class_name in predefined.__all__:
        cls = getattr(predefined, class_name)
        module = getattr(cls, "__module__", "")
        package = _country_package(cls)
        if ".generic." in module:
            country = None
        elif package is not None and package in packages:
            country = packages[package]
            if country not in countries:
                continue
        else:
            continue
        default_language = _default_language(cls)
        recognizer = _instantiate(
            cls, class_name, default_language if country else languages[0], config
        )
        overrides = type(recognizer).analyze is not PatternRecognizer.analyze
        if isinstance(recognizer, PatternRecognizer) and not overrides:
            sources.append(PresidioPatterns(recognizer, country, regex))
        elif class_name == "PhoneRecognizer":
            sources.append(PresidioPhone(recognizer, country, regex))
        else:
            sources.append(PresidioAnalyze(recognizer, country, regex))
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
