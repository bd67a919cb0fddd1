"""Names introduced as names in chat, in any case: ``this is priya sharma``, ``me llamo Ana``.

A small NER model misses lower-case names and calls some names places or organisations
("my name is Jordan Miles" -> GPE). After a cue that says a name follows ("my name is",
"this is", "I'm", a title such as "Mr."; "ich heiße", "me llamo", "je m'appelle", "mi chiamo",
"meu nome é", "mijn naam is"), one to three words are a name. Words that cannot be a name
end it (``my name is john carter and I lost my card``: ``john carter``); a line break or a
digit ends it too. The weak English cues ("this is", "I'm") need the name to end the clause
(a comma, a full stop, the end of the message): "this is my card" and "I'm locked out" are no
names. The finding scores above the NER model's, so it wins where the model read a place.
"""

from __future__ import annotations

import re
from typing import Iterator, Optional

from rasa_secure.core.budget import UNLIMITED, Deadline
from rasa_secure.core.pii.recognizers.base import Candidate, Pattern, RegexRecognizer
from rasa_secure.core.pii.scan import TextView

_WORD = r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*(?!\w)"  # not part of an identifier (action_listen)
_CAPITALISED = r"[A-ZÀ-Þ][^\W\d_]*(?:['\u2019-][^\W\d_]+)*"
_PARTICLE = r"(?:de|da|di|do|dos|das|del|della|van|von|der|den|ter|le|la|du|y|e|bin|al)"
_NAME = rf"(?P<value>{_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+){{0,2}}{_WORD}){{0,2}})"
_CLAUSE_END = r"(?=[ \t]*(?:[,.;:!?)]|\n|$|[ \t]+(?:and|from|here|speaking)\b))"

_STRONG = {
    "en": r"my\s+name\s+is|my\s+name['\u2019]s|name\s*:|i\s+am\s+called",
    "de": r"ich\s+hei(?:ß|ss)e|mein\s+name\s+ist|name\s*:",
    "es": r"me\s+llamo|mi\s+nombre\s+es|nombre\s*:",
    "fr": r"je\s+m['\u2019]appelle|mon\s+nom\s+est|nom\s*:",
    "it": r"mi\s+chiamo|il\s+mio\s+nome\s+(?:è|e')|nome\s*:",
    "pt": r"(?:o\s+)?meu\s+nome\s+(?:é|e)|me\s+chamo|chamo-me|nome\s*:",
    "nl": r"mijn\s+naam\s+is|ik\s+heet|naam\s*:",
}
"""Per language: cues after which a name follows, whatever comes after it."""
_KEYWORDS = {
    "en": ("name", "called"),
    "de": ("hei", "name"),
    "es": ("llamo", "nombre"),
    "fr": ("appelle", "nom"),
    "it": ("chiamo", "nome"),
    "pt": ("nome", "chamo"),
    "nl": ("naam", "heet"),
}

_PARTICLES = frozenset(_PARTICLE[3:-1].split("|"))
_NOT_NAME_WORDS = """
    a an the my your his her our their this that these those it its i me you he she we
    they not no yes so very just also still now here there then and or but if because about
    from with for to of in on at by as is am are was were be been being have has had do does
    did will would can could should may might must shall going trying looking calling
    writing having getting waiting sorry fine good ok okay sure glad happy new unable able
    interested afraid locked stuck worried concerned confused late back done ready really
    already currently always never again please thanks thank hello hi hey what why how where
    when who which whose card account money bank transfer payment balance customer client
    user member calling regarding order password pin number phone email address one
    der die das ein eine mein meine und nicht ist bin ich el la los las un una mi y no es
    soy le les un une mon ma et pas est suis il lo gli uno mio mia non sono o os um uma meu
    minha não sou de het een mijn en niet is ben urgent important ridiculous terrible
    annoying frustrating frustrated weird strange wrong correct right true false crazy great
    amazing bad unacceptable possible impossible free expensive cheap abroad outside home
    away busy tired sick ill lost stolen broken missing gone over fixed pending declined
    frozen blocked closed open empty available suite apt apartment unit flat street avenue
    road lane"""
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())
"""Words that end a name, or show that what follows a cue is no name."""


_TOKEN = re.compile(r"\S+")
_VERB_FORM = re.compile(r"(?:ing|ed|ly)$")
"""A first word like these follows "I'm" as a verb or an adverb, not as a name."""
_WEAK = "name after a weak cue"


def _strong(code: str) -> Pattern:
    regex = rf"(?i:\b(?:{_STRONG[code]}))[ \t]*{_NAME}"
    return Pattern(f"name after a cue ({code})", regex, 0.9, "value", 0, _KEYWORDS[code], 0, code)


class NameCueRecognizer(RegexRecognizer):
    """One to three words after a cue that introduces a name, in the configured languages."""

    ENTITY_TYPE = "PERSON"
    PATTERNS = (
        Pattern(
            _WEAK,
            rf"(?i:\b(?:this\s+is|it['\u2019]s|i['\u2019]m|i\s+am))[ \t]+{_NAME}{_CLAUSE_END}",
            0.9,
            group="value",
            keywords=("this is", "it's", "i'm", "i am", "it\u2019s", "i\u2019m"),
        ),
        Pattern(
            "name after a title",
            r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Madam|Herr|Frau|Sr|Sra|Srta|Dona|Dom|Mme|Mlle"
            r"|Monsieur|Madame|Sig|Sig\.ra|Signor|Signora|Dhr|Mevr)\.?[ \t]+"
            rf"(?P<value>{_CAPITALISED}(?:[ \t]+{_CAPITALISED}){{0,2}})",
            0.9,
            group="value",
        ),
        *map(_strong, _STRONG),
    )
    PRIORITY = 2

    def find(
        self, text: str, view: Optional[TextView] = None, deadline: Deadline = UNLIMITED
    ) -> Iterator[Candidate]:
        """Each match without the words that cannot be part of a name."""
        for candidate in super().find(text, view, deadline):
            words = list(_TOKEN.finditer(text, candidate.start, candidate.end))
            kept = 0
            for index, word in enumerate(words):
                lowered = word.group().lower()
                if lowered in _PARTICLES and 0 < index < len(words) - 1:
                    continue  # "pieter de vries"
                if lowered in _NOT_NAMES or (index == 0 and _VERB_FORM.search(lowered)):
                    break
                kept = index + 1
            if kept == 0:
                continue
            if kept < len(words) and candidate.pattern == _WEAK:
                continue  # after "this is", the whole clause must be a name
            yield Candidate(**{**candidate.__dict__, "end": words[kept - 1].end()})
