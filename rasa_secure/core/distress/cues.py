"""The cue table of the distress detector (``cues.yml``): what each category sounds like.

A :class:`Cue` is a regular expression over the folded message (:func:`fold`: lower case,
Latin diacritics dropped), a category, a named strength, and the examples it must match and
the look-alikes it must not (``tests/core/test_distress.py`` runs every one). A cue preceded,
within :data:`NEGATION_WINDOW` words, by a negation of one of the four languages is kept
as negated and counts for nothing ("nobody is forcing me", "je ne suis pas victime").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Tuple

from rasa_secure.config import read_yaml
from rasa_secure.core.distress.results import CueMatch, DistressCategory, Strength
from rasa_secure.core.normalize import clean, fold_case, fold_homoglyphs
from rasa_secure.errors import ConfigError

CUES_PATH = Path(__file__).parent / "cues.yml"

RELATIVES = (
    # en
    "husband|wife|partner|mother|mum|mom|mummy|father|dad|daddy|son|daughter|brother|sister|"
    "grandmother|grandfather|grandma|grandpa|granny|child|baby|spouse|aunt|uncle|parents?|"
    "friend|fiance|fiancee|boyfriend|girlfriend|"
    # es
    "esposo|esposa|marido|mujer|madre|mama|padre|papa|hijo|hija|hermano|hermana|abuela|"
    "abuelo|pareja|novio|novia|tio|tia|amigo|amiga|bebe|"
    # de
    "mann|frau|ehemann|ehefrau|partnerin|mutter|vater|sohn|tochter|bruder|schwester|oma|opa|"
    "grossmutter|grossvater|großmutter|großvater|kind|freundin|freund|eltern|"
    # fr
    "mari|femme|epouse|epoux|compagnon|compagne|mere|maman|pere|fils|fille|frere|soeur|"
    "grand-mere|grand-pere|enfant|ami|amie|conjoint|conjointe"
)
"""The words for close relatives in the four languages, folded (``{REL}`` in a pattern)."""

NEGATION_WINDOW = 3
"""Words before a cue searched for a negation."""

_NEGATION = re.compile(
    r"\b(?:not|no|never|nobody|nothing|without|\w+n't|nunca|nadie|jamas|tampoco|sin|ni|"
    r"nicht|kein\w*|nie|niemals|niemand|ohne|pas|ne|n'|jamais|personne|sans|aucun\w*)\b|n'"
)
_WORD = re.compile(r"\S+")


def fold(text: str) -> str:
    """The text cues read: NFKC, invisible characters removed, lower case, Latin diacritics
    and look-alike letters folded, typographic apostrophes straightened; one character per
    character of the cleaned text."""
    return fold_homoglyphs(fold_case(clean(text).text)).replace("\u2019", "'")


@dataclass(frozen=True)
class Cue:
    """One entry of the cue table.

    Attributes:
        name: ``<category>.<idea>[.<language>]``, unique.
        category: the category it speaks for.
        strength: the score its category gets from it alone.
        pattern: the compiled expression, over folded text.
        examples: messages it must match.
        counterexamples: look-alike messages it must not match.
    """

    name: str
    category: DistressCategory
    strength: Strength
    pattern: re.Pattern[str]
    examples: Tuple[str, ...]
    counterexamples: Tuple[str, ...]

    def matches(self, folded: str) -> Iterator[CueMatch]:
        """Every match of the cue in ``folded`` text, each marked negated or not."""
        for match in self.pattern.finditer(folded):
            before = _WORD.findall(folded[max(0, match.start() - 60) : match.start()])
            window = " ".join(before[-NEGATION_WINDOW:])
            yield CueMatch(
                self.category,
                self.name,
                self.strength,
                match.start(),
                match.end(),
                negated=bool(_NEGATION.search(window)),
            )


def _cue(entry: Any, path: Path) -> Cue:
    try:
        name = str(entry["name"])
        pattern = str(entry["pattern"]).replace("{REL}", f"(?:{RELATIVES})")
        return Cue(
            name=name,
            category=DistressCategory(entry["category"]),
            strength=Strength[str(entry["strength"]).upper()],
            pattern=re.compile(pattern),
            examples=tuple(entry.get("examples") or ()),
            counterexamples=tuple(entry.get("counterexamples") or ()),
        )
    except (KeyError, TypeError, ValueError, re.error) as error:
        raise ConfigError(f"{path.name}: cue {entry!r:.60}", str(error)) from error


def load_cues(path: Path = CUES_PATH) -> Tuple[Cue, ...]:
    """The cue table in ``path``.

    Raises:
        ConfigError: the file is unreadable, or an entry has an unknown category or
            strength, a bad pattern or a duplicate name.
    """
    document = read_yaml(path, key="cues")
    entries = document.get("cues") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ConfigError(f"{path.name}: cues", "must be a list")
    cues = tuple(_cue(entry, path) for entry in entries)
    names = [cue.name for cue in cues]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ConfigError(f"{path.name}: cues", f"duplicate names {duplicates}")
    return cues
