"""The detector contract: one call, text in, an explained result out.

A detector knows nothing about Rasa. It is constructed once from a validated configuration
(heavy models load lazily on first use) and then answers :meth:`Detector.detect` for any
number of texts, from any thread. Results are frozen dataclasses that explain themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar

ResultT_co = TypeVar("ResultT_co", covariant=True)


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` into the text that was analysed."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"invalid span [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start


class Detector(Protocol[ResultT_co]):
    """What every detector implements.

    Attributes:
        name: stable identifier used in results, audit records and errors.
    """

    name: str

    def detect(self, text: str) -> ResultT_co:
        """Analyse ``text``; never log it, never mutate shared state visible to callers."""
        ...
