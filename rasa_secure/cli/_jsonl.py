"""JSON Lines in, JSON Lines out: the shared loop of ``rasa-secure pii`` and ``rasa-secure scan``.

Every input line is a JSON object with a string ``text``. Each record goes through a handler
that returns the fields to add; the output line is the input object with those fields. A bad
line (not JSON, not an object, no ``text``) or a handler error becomes an error object
``{"line": N, "error": "..."}`` in its place; processing goes on, and the caller exits
non-zero at the end. Error objects never echo the input text. ``-`` means stdin / stdout.
"""

from __future__ import annotations

import contextlib
import json
import sys
from typing import IO, Any, Callable, ContextManager, Dict, Iterator, Mapping

from rasa_secure.errors import InputError, RasaSecureError

Handler = Callable[[str], Mapping[str, Any]]
"""Takes the record's ``text``, returns the fields to add to the record."""


def open_input(path: str) -> ContextManager[IO[str]]:
    """The file at ``path`` (UTF-8), or stdin for ``-``.

    Raises:
        InputError: the file cannot be opened.
    """
    return _open(path, "r", sys.stdin, "cannot open")


def open_output(path: str) -> ContextManager[IO[str]]:
    """The file at ``path`` (UTF-8, truncated), or stdout for ``-``.

    Raises:
        InputError: the file cannot be created.
    """
    return _open(path, "w", sys.stdout, "cannot write")


@contextlib.contextmanager
def _open(path: str, mode: str, standard: IO[str], problem: str) -> Iterator[IO[str]]:
    if path == "-":
        yield standard
        return
    try:
        handle = open(path, mode, encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as error:
        raise InputError(path, f"{problem}: {error.strerror}") from None
    with handle:
        yield handle


def parse_line(line: str, number: int) -> Dict[str, Any]:
    """The JSON object on ``line``; it must have a string ``text``.

    Raises:
        InputError: naming ``line N`` and what is wrong.
    """
    location = f"line {number}"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(location, f"not valid JSON ({error.msg})") from None
    if not isinstance(record, dict):
        raise InputError(location, f"expected a JSON object, got {type(record).__name__}")
    if not isinstance(record.get("text"), str):
        raise InputError(location, "missing a string field 'text'")
    return record


def process(source: IO[str], sink: IO[str], handler: Handler) -> int:
    """Run ``handler`` on every record of ``source``; write results to ``sink``.

    Blank lines are skipped. Returns the number of lines that became error objects.
    """
    errors = 0
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            record = parse_line(line, number)
            record.update(handler(record["text"]))
        except RasaSecureError as error:
            errors += 1
            record = {"line": number, "error": str(error)}
        except Exception as error:  # one bad record must not stop the run
            errors += 1
            record = {"line": number, "error": f"line {number}: {error.__class__.__name__}"}
        sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    sink.flush()
    return errors
