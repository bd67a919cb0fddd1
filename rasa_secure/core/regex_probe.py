"""A growth probe for regular expressions: does matching time grow faster than the input?

A backtracking engine (Python's ``re`` and the ``regex`` module alike) can take exponential
or quadratic time on some inputs of an expression that is fine on ordinary text. Such inputs
have a shape: something that brings the matcher into the expression (a *prefix*), a piece it
can consume in more than one way, repeated (the *pump*), and a character that makes the
match fail at the end (the *suffix*), so that every way is tried.

:func:`attack_shapes` reads those shapes off the expression itself (a sample of what each
leading part of it matches, the characters each repeated part consumes) plus a few generic
ones, and :func:`probe` times the expression on each shape at growing lengths and fits the
growth. The test suite runs it over every expression the detectors load (ours and
Presidio's, see :meth:`InjectionDetector.expressions` and :meth:`PIIAnalyzer.expressions`);
``benchmarks/length_sweep.py`` times the whole detectors on the shapes it found.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable, List, Sequence, Set, Tuple

from rasa_secure.core.regex_analysis import (
    alternatives,
    first_chars,
    parse_lenient,
    repeats,
    sample,
    sequence_first,
)

GENERIC_PUMPS: Tuple[str, ...] = (
    " ",
    "_",
    "-",
    ".",
    "a",
    "0",
    "(",
    "'",
    "\n",
    "/",
    "*",
    "a ",
    "a_",
    "a.",
    "0 ",
    "\\x41",
    "ab ",
    "a-",
)
"""Pumps tried on every expression: the runs of separators, letters and digits that chat,
Markdown, forms and encodings are made of."""

LENGTHS: Tuple[int, ...] = (16, 24, 32, 48, 64, 128, 256, 1024)
"""Input lengths timed: small steps first, so that exponential growth passes the cap long
before it costs seconds."""

SUFFIXES: Tuple[str, ...] = ("\x01", "ab", "!", "")
r"""What ends each probe: a control character nothing expects, two letters (which defeat a
closing ``\w(?!\w)``), a punctuation mark, nothing."""


@dataclass(frozen=True)
class Shape:
    """One adversarial input family: ``prefix + pump * n + suffix``."""

    prefix: str
    pump: str
    suffix: str

    def text(self, length: int) -> str:
        """The member of this family about ``length`` characters long."""
        count = max(1, (length - len(self.prefix) - len(self.suffix)) // len(self.pump))
        return self.prefix + self.pump * count + self.suffix

    def describe(self) -> str:
        """The shape in Python notation, e.g. ``'ignore' + '_'*n + '\\x01'``."""
        return f"{self.prefix!r} + {self.pump!r}*n + {self.suffix!r}"


@dataclass(frozen=True)
class Growth:
    """How the time of one expression grew on one shape.

    Attributes:
        name: the expression's name (where it comes from).
        shape: the input family.
        lengths: the input lengths timed, in characters.
        seconds: the fastest of the repeats at each length.
        exponent: the fitted growth between the last two lengths (1: linear, 2: quadratic);
            ``math.inf`` when a length took longer than the probe's cap before the longest
            length was reached.
    """

    name: str
    shape: Shape
    lengths: Tuple[int, ...]
    seconds: Tuple[float, ...]
    exponent: float

    def seconds_at(self, length: int) -> float:
        """The time at ``length`` characters (``inf`` if the probe stopped before it)."""
        if length in self.lengths:
            return self.seconds[self.lengths.index(length)]
        return math.inf if length > self.lengths[-1] else 0.0

    def extrapolate(self, length: int) -> float:
        """The time this growth predicts at ``length`` characters (``inf`` if unbounded)."""
        if math.isinf(self.exponent):
            return math.inf
        ratio = length / self.lengths[-1]
        return float(self.seconds[-1] * ratio ** max(1.0, self.exponent))


def attack_shapes(source: str, flags: int = 0, limit: int = 120) -> List[Shape]:
    """Candidate adversarial shapes for one expression, the most specific first."""
    shapes: List[Shape] = []
    seen: Set[Tuple[str, str, str]] = set()

    def add(prefix: str, pump: str, suffix: str) -> None:
        key = (prefix, pump, suffix)
        if pump and key not in seen:
            seen.add(key)
            shapes.append(Shape(prefix, pump, suffix))

    parsed = parse_lenient(source, flags)
    prefixes = [""]
    for items in alternatives(list(parsed.data) if parsed is not None else []):
        for index, (op, av) in repeats(items):
            prefix = sample(items[:index])
            chars = first_chars(op, av)
            nxt = sequence_first(items[index + 1 :])
            for char in chars[:4]:
                for suffix in SUFFIXES[:3]:
                    add(prefix, char, suffix)
                for follow in nxt[:2]:
                    if follow != char:
                        add(prefix, char + follow, SUFFIXES[0])
        prefixes += [sample(items[:i]) for i in range(1, min(len(items), 4) + 1)]
    for prefix in dict.fromkeys(prefixes):
        for pump in GENERIC_PUMPS:
            for suffix in SUFFIXES[:3]:
                add(prefix, pump, suffix)
    return shapes[:limit]


def _time(call: Callable[[str], Any], text: str, repeats: int) -> float:
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        call(text)
        best = min(best, time.perf_counter() - start)
    return best


def scan_all(compiled: Any) -> Callable[[str], Any]:
    """A call that runs ``compiled`` over a whole text (every match, as a detector scans)."""

    def scan(text: str) -> None:
        for _match in compiled.finditer(text):
            pass

    return scan


def growth(
    name: str,
    call: Callable[[str], Any],
    shape: Shape,
    lengths: Sequence[int] = LENGTHS,
    cap: float = 0.02,
    repeats: int = 3,
) -> Growth:
    """Time ``call`` on ``shape`` at each length, stopping once a length takes over ``cap``
    seconds (then the growth is unbounded: ``exponent`` is ``inf``)."""
    timed: List[int] = []
    seconds: List[float] = []
    for length in lengths:
        seconds.append(_time(call, shape.text(length), repeats))
        timed.append(length)
        if seconds[-1] > cap:
            break
    if len(timed) < len(lengths):
        exponent = math.inf
    elif seconds[-2] <= 0:
        exponent = 1.0
    else:
        exponent = math.log(seconds[-1] / seconds[-2]) / math.log(timed[-1] / timed[-2])
    return Growth(name, shape, tuple(timed), tuple(seconds), exponent)


def probe(
    name: str,
    compiled: Any,
    *,
    lengths: Sequence[int] = LENGTHS,
    cap: float = 0.02,
    limit: int = 120,
) -> Growth:
    """The worst growth of ``compiled`` over its :func:`attack_shapes`: the shape predicted
    slowest at 4,000 characters."""
    call = scan_all(compiled)
    worst = growth(name, call, Shape("", "a", ""), lengths, cap, repeats=1)
    for shape in attack_shapes(compiled.pattern, compiled.flags, limit):
        found = growth(name, call, shape, lengths, cap, repeats=1)
        if found.extrapolate(4000) > worst.extrapolate(4000):
            worst = found
    # Confirm the worst one with repeats, so a scheduling hiccup does not decide.
    return growth(name, call, worst.shape, lengths, cap, repeats=3)


def module_expressions(module: ModuleType) -> List[Tuple[str, Any]]:
    """The compiled expressions a module keeps at its top level, named ``module.NAME``."""
    short = module.__name__.rsplit(".", 1)[-1]
    return [
        (f"{short}.{name}", value)
        for name, value in sorted(vars(module).items())
        if isinstance(value, re.Pattern) or type(value).__name__ == "Pattern"
    ]
