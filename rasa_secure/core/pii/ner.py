"""Names, places and nationalities: a spaCy pipeline reduced to its NER component."""

from __future__ import annotations

import re
from typing import Iterable, Iterator, Mapping, Set, Tuple

from rasa_secure.core.pii.person_context import RECONSIDERED, as_persons
from rasa_secure.core.pii.recognizers import Candidate
from rasa_secure.errors import ConfigError, DependencyMissingError

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
_NO_DIGITS = frozenset({"PERSON", "NRP"})
"""NER types whose spans end before a word with a digit (spaCy tags A-20931 PERSON)."""
_SPAN_WORD = re.compile(r"\S+")
_OFFICIAL_MODEL = re.compile(r"[a-z]{2,3}_core_(?:web|news)_(?:sm|md|lg|trf)")
_LONG_TOKEN = re.compile(r"\S{64,}")
"""A run of 64 or more characters without a space: no name, place or organisation, and the
input on which spaCy's tokenizer takes quadratic time (``"(" * 4000``)."""


def _blank(match: re.Match[str]) -> str:
    """Spaces in place of a long token: the NER model reads a text of the same length, so
    the offsets of its entities are those of the original text."""
    return " " * (match.end() - match.start())


def _first_line(text: str, start: int, end: int) -> Tuple[int, int]:
    """The span cut at its first line break: a name does not run into the next line
    ("Jane Roe\nPhone" is tagged as one person)."""
    cut = text.find("\n", start, end)
    if cut < 0:
        return start, end
    head_end = cut
    while head_end > start and text[head_end - 1].isspace():
        head_end -= 1
    return start, head_end


def _before_digits(text: str, start: int, end: int) -> int:
    """The end of the span before its first word with a digit (names hold none: spaCy tags
    references like A-20931 as persons); ``start`` when the first word has one."""
    for word in _SPAN_WORD.finditer(text, start, end):
        if any(char.isdigit() for char in word.group()):
            cut = word.start()
            while cut > start and text[cut - 1].isspace():
                cut -= 1
            return cut
    return end


_REGION_NAMES = """
    us usa u.s. u.s.a. uk u.k. eu europe european britain british england english america
    american americans canada canadian china chinese india indian australia australian germany
    german france french spain spanish italy italian mexico mexican japan japanese ireland
    irish scotland scottish switzerland swiss netherlands dutch asia asian africa african"""
_REGIONS = frozenset(_REGION_NAMES.split())
"""Countries, regions and their adjectives that banking chat names as a card's, an account's
or a transfer's origin ("a European card", "a US transfer", "British pounds")."""
_BANKING_WORDS = re.compile(
    r"\b(?:card|cards|transfer|transfers|account|bank|pounds?|dollars?|euros?|express|atm"
    r"|top[- ]?up|fees?|charges?|currency|exchange|withdraw\w*|deliver\w*|pay|payments?)\b",
    re.IGNORECASE,
)
_PLACE_TYPES = frozenset({"LOCATION", "NRP"})


_BARE_STREET = re.compile(
    r"(?<![\w'.-])(?:the\s+)?(?:[A-Z][\w'.-]*\s+){1,3}(?:Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Lane"
    r"|Boulevard|Blvd\.?|Square|High\s+Street)"
)
"""A street named without a house number ("my branch is on Main Street"): a place everyone
shares, not where someone lives; a street address has a number (the address recognizer)."""


def _banking_region(text: str, span: str, entity: str) -> bool:
    """A country or region named in a banking request (not where a person lives or is)."""
    if entity not in _PLACE_TYPES:
        return False
    name = span.casefold().removeprefix("the ").strip()
    return name in _REGIONS and _BANKING_WORDS.search(text) is not None


def _relabelled(entity: str, labelled: str) -> str:
    """How a pattern name shows a model label read as another type (``ner:GPE->PERSON``)."""
    return "" if entity == labelled else f"->{entity}"


class Ner:
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
            if "/" in model or "\\" in model:
                raise ConfigError(
                    "PIIAnalyzer.spacy_model", "no spaCy model directory at this path"
                ) from None
            install = (
                f"python -m spacy download {model}"
                if _OFFICIAL_MODEL.fullmatch(model)
                else f"pip install {model}"
            )
            raise DependencyMissingError(model, install) from None
        if "ner" not in nlp.pipe_names:
            raise ConfigError("PIIAnalyzer.spacy_model", f"model {model} has no 'ner' component")
        for shared in ("tok2vec", "transformer"):
            if shared in nlp.pipe_names and "ner" not in getattr(
                nlp.get_pipe(shared), "listening_components", ()
            ):
                nlp.remove_pipe(shared)
        self.nlp = nlp
        self.language: str = nlp.lang
        """The language the model was trained on (ISO 639-1)."""
        self.labels = {label: entity for label, entity in labels.items() if entity in wanted}
        if "PERSON" in wanted:  # organisations and places a person cue makes people
            self.labels.update(
                (label, entity) for label, entity in labels.items() if entity in RECONSIDERED
            )
        self.wanted = frozenset(wanted)
        self.score = score
        self.ignore = frozenset(word.casefold() for word in ignore)
        self.name = f"SpacyRecognizer({model})"

    def find(self, text: str) -> Iterator[Candidate]:
        ents = self.nlp(_LONG_TOKEN.sub(_blank, text)).ents
        types = [self.labels.get(ent.label_) for ent in ents]
        if "PERSON" in self.wanted:
            types = as_persons(text, [(ent.start_char, ent.end_char) for ent in ents], types)
        for ent, entity in zip(ents, types):
            if entity not in self.wanted or not any(char.isalpha() for char in ent.text):
                continue
            if ent.text.casefold() in self.ignore or _banking_region(text, ent.text, entity):
                continue
            if entity == "LOCATION" and _BARE_STREET.fullmatch(ent.text):
                continue
            start, end = _first_line(text, ent.start_char, ent.end_char)
            if entity in _NO_DIGITS:
                end = _before_digits(text, start, end)
            if not any(char.isalpha() for char in text[start:end]):
                continue
            yield Candidate(
                entity_type=entity,
                start=start,
                end=end,
                score=self.score,
                recognizer=self.name,
                pattern=f"ner:{ent.label_}" + _relabelled(entity, self.labels[ent.label_]),
            )
