"""What produces candidates for the analyzer: a cheap gate plus a finder."""

from __future__ import annotations

from typing import Iterable, Tuple

from rasa_secure.core.budget import UNLIMITED, Deadline
from rasa_secure.core.pii.recognizers import Candidate, RegexRecognizer
from rasa_secure.core.pii.scan import TextView


class Source:
    """Anything that produces candidates: a gate plus a finder."""

    entities: Tuple[str, ...]

    def applies(self, view: TextView) -> bool:
        """Whether :meth:`find` could find anything in a text with these features."""
        raise NotImplementedError

    def find(self, view: TextView, deadline: Deadline = UNLIMITED) -> Iterable[Candidate]:
        """The candidates in ``view.text``."""
        raise NotImplementedError


class OursSource(Source):
    """One of our :class:`RegexRecognizer` s."""

    def __init__(self, recognizer: RegexRecognizer) -> None:
        self.recognizer = recognizer
        self.entities = (recognizer.entity_type,)
        self.country = recognizer.country

    def applies(self, view: TextView) -> bool:
        return self.recognizer.applies(view.digits, view.lowered)

    def find(self, view: TextView, deadline: Deadline = UNLIMITED) -> Iterable[Candidate]:
        return self.recognizer.find(view.text, view, deadline)
