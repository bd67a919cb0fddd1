"""Names, places and nationalities: a spaCy pipeline reduced to its NER component."""

from __future__ import annotations

import re
from typing import Iterable, Iterator, Mapping, Set

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
"""NER types whose spans never contain digits (spaCy tags references like A-20931 PERSON)."""
_OFFICIAL_MODEL = re.compile(r"[a-z]{2,3}_core_(?:web|news)_(?:sm|md|lg|trf)")
_LONG_TOKEN = re.compile(r"\S{64,}")
"""A run of 64 or more characters without a space: no name, place or organisation, and the
input on which spaCy's tokenizer takes quadratic time (``"(" * 4000``)."""


def _blank(match: re.Match[str]) -> str:
    """Spaces in place of a long token: the NER model reads a text of the same length, so
    the offsets of its entities are those of the original text."""
    return " " * (match.end() - match.start())


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
                pattern=f"ner:{ent.label_}",
            )
