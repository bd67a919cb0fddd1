"""Organisations and places that the words around them say are people (person_context)."""

from __future__ import annotations

from typing import List, Optional, Tuple

import pytest

from rasa_secure.core.pii.person_context import as_persons

ORG, LOC, PER = "ORGANIZATION", "LOCATION", "PERSON"


def spans_of(text: str, values: List[str]) -> List[Tuple[int, int]]:
    spans = []
    for value in values:
        start = text.index(value)
        spans.append((start, start + len(value)))
    return spans


@pytest.mark.parametrize(
    ("text", "values", "types", "expected", "why"),
    [
        ("I sent money to my friend Jordan", ["Jordan"], [LOC], [PER], "a relation before"),
        ("please pay our son, Kelsey", ["Kelsey"], [ORG], [PER], "a relation, then a comma"),
        ("a man named Paris", ["Paris"], [LOC], [PER], "a naming word before"),
        ("Jordan's wife called", ["Jordan"], [LOC], [PER], "a possessive relation after"),
        ("Tomas Ruiz lives at 4 Elm Road", ["Tomas Ruiz"], [ORG], [PER], "a person's verb"),
        ("Kenya was born in 1990", ["Kenya"], [LOC], [PER], "only people are born"),
        ("Chase told me no", ["Chase"], [ORG], [ORG], "companies tell customers things too"),
        ("Jordan is very reliable", ["Jordan"], [LOC], [LOC], "a general verb is no cue"),
        ("I moved to Jordan last year", ["Jordan"], [LOC], [LOC], "no cue: a place stays"),
        ("pay Amazon today", ["Amazon"], [ORG], [ORG], "paying a company is no cue"),
        ("my bank Chase said no", ["Chase"], [ORG], [ORG], "'my bank' is no relation"),
        (
            "founded by Kónya, Becker and Vasquez",
            ["Kónya", "Becker", "Vasquez"],
            [ORG, LOC, PER],
            [ORG, LOC, PER],
            "a list with a person is no cue (company names are lists of surnames)",
        ),
        ("my friend Jordan", ["Jordan"], [None], [None], "only organisations and places change"),
    ],
)
def test_a_person_cue_makes_an_organisation_or_place_a_person(
    text: str,
    values: List[str],
    types: List[Optional[str]],
    expected: List[Optional[str]],
    why: str,
) -> None:
    assert as_persons(text, spans_of(text, values), types) == expected, why
