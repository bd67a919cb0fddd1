"""JSON Lines in, JSON Lines out: the shared loop of ``rasa-secure pii`` and ``rasa-secure scan``.

Every input line is a JSON object with a string ``text``. Each record goes through a handler
that returns the fields to add; the output line is the input object with those fields. A bad
line (not UTF-8, not JSON, not an object, no ``text``), a handler error, or a result that is
not JSON becomes an error object ``{"line": N, "error": "..."}`` in its place; processing goes
on, and the caller exits non-zero at the end. Error objects never echo the input.

Input is read as bytes and decoded line by line (lines end with ``\\n``), so one line that is
not UTF-8 costs that line only. Output lines are strict JSON (no ``NaN``) in UTF-8; a record
holding a lone surrogate (a JSON ``\\ud800`` escape has no UTF-8 form) is written
ASCII-escaped, which reads back to the same text. A write error (full disk, closed pipe) ends
the run with an :class:`~rasa_secure.errors.InputError` naming the output and the OS error.
``-`` means stdin / stdout.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from typing import Any, BinaryIO, Callable, Dict, Iterable, Iterator, Mapping

from rasa_secure.errors import InputError, RasaSecureError

Handler = Callable[[str], Mapping[str, Any]]
"""Takes the record's ``text``, returns the fields to add to the record."""

STDIN, STDOUT = "stdin", "stdout"
"""How ``-`` is named in error messages."""


class Output:
    """Where :func:`process` writes: bytes lines; an OS error becomes an :class:`InputError`
    naming the output (the path, or ``stdout``)."""

    def __init__(self, stream: BinaryIO, name: str, *, standard: bool = False) -> None:
        self.name = name
        self._stream = stream
        self._standard = standard
        self._failed = False

    def write(self, line: bytes) -> None:
        """Write one line.

        Raises:
            InputError: the OS refused the write (full disk, closed pipe...).
        """
        try:
            self._stream.write(line)
        except OSError as error:
            raise self._failure(error) from None

    def close(self) -> None:
        """Flush, and close the file (stdout stays open).

        Raises:
            InputError: the OS refused, and no write error was reported before.
        """
        failed_before = self._failed
        try:
            if self._standard:
                self._stream.flush()
            else:
                self._stream.close()
        except OSError as error:
            failure = self._failure(error)
            if not failed_before:
                raise failure from None

    def _failure(self, error: OSError) -> InputError:
        if self._standard and not self._failed:
            _discard_stdout()
        self._failed = True
        return InputError(self.name, f"cannot write: {_os_problem(error)}")


def _discard_stdout() -> None:
    """Point stdout at the null device once writing to it failed, so that the interpreter's
    flush at exit has somewhere to put the unwritten buffer instead of printing a second
    error (what the Python docs advise for ``BrokenPipeError``)."""
    with contextlib.suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, sys.stdout.fileno())
        finally:
            os.close(null)


def _os_problem(error: OSError) -> str:
    return error.strerror or error.__class__.__name__


@contextlib.contextmanager
def open_input(path: str) -> Iterator[Iterator[bytes]]:
    """The lines of the file at ``path``, or of stdin for ``-``, as bytes (:func:`process`
    decodes each).

    Raises:
        InputError: the file cannot be opened, or read (naming it and the OS error).
    """
    if path == "-":
        yield _read_lines(sys.stdin.buffer, STDIN)
        return
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as error:
        raise InputError(path, f"cannot open: {_os_problem(error)}") from None
    with stream:
        yield _read_lines(stream, path)


def _read_lines(stream: BinaryIO, name: str) -> Iterator[bytes]:
    while True:
        try:
            line = stream.readline()
        except OSError as error:
            raise InputError(name, f"cannot read: {_os_problem(error)}") from None
        if not line:
            return
        yield line


@contextlib.contextmanager
def open_output(path: str) -> Iterator[Output]:
    """The file at ``path`` (truncated), or stdout for ``-``; flushed and closed on exit.

    Raises:
        InputError: the file cannot be created, or written to (naming it and the OS error).
    """
    if path == "-":
        sys.stdout.flush()  # anything written as text before comes first
        output = Output(sys.stdout.buffer, STDOUT, standard=True)
    else:
        try:
            stream = open(path, "wb")  # noqa: SIM115 - closed by Output.close
        except OSError as error:
            raise InputError(path, f"cannot write: {_os_problem(error)}") from None
        output = Output(stream, path)
    try:
        yield output
    except BaseException:
        with contextlib.suppress(InputError):  # the error under way is the one to report
            output.close()
        raise
    output.close()


def decode_line(raw: bytes, number: int) -> str:
    """The text of one input line.

    Raises:
        InputError: the bytes are not UTF-8 (the message gives the reason and the offset in
            the line, never the bytes).
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        problem = f"not valid UTF-8 ({error.reason} at byte {error.start + 1} of the line)"
        raise InputError(f"line {number}", problem) from None


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
    except RecursionError:  # e.g. 100,000 "[": cheap to reject, but no JSONDecodeError
        raise InputError(location, "not valid JSON (nested too deeply)") from None
    if not isinstance(record, dict):
        raise InputError(location, f"expected a JSON object, got {type(record).__name__}")
    if not isinstance(record.get("text"), str):
        raise InputError(location, "missing a string field 'text'")
    return record


def encode_record(record: Mapping[str, Any]) -> bytes:
    """One output line: strict JSON in UTF-8, ending with ``\\n``.

    Text is kept readable (not ``\\u``-escaped) unless it holds a lone surrogate, which UTF-8
    cannot encode; then the whole line is ASCII-escaped, which reads back to the same text.

    Raises:
        ValueError: ``NaN`` or infinity, or a circular structure.
        TypeError: a value JSON has no type for.
    """
    line = json.dumps(record, ensure_ascii=False, allow_nan=False)
    try:
        return line.encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        return json.dumps(record, allow_nan=False).encode("ascii") + b"\n"


def _handle(raw: bytes, number: int, handler: Handler) -> bytes:
    """The output line of input line ``number`` (empty for a blank line)."""
    line = decode_line(raw, number)
    if not line.strip():
        return b""
    record = parse_line(line, number)
    record.update(handler(record["text"]))
    return encode_record(record)


def process(source: Iterable[bytes], sink: Output, handler: Handler) -> int:
    """Run ``handler`` on every line of ``source``; write results to ``sink``.

    Blank lines are skipped. Returns the number of lines that became error objects.

    Raises:
        InputError: ``source`` cannot be read or ``sink`` cannot be written; the lines
            before are written.
    """
    errors = 0
    for number, raw in enumerate(source, start=1):
        try:
            output = _handle(raw, number, handler)
        except RasaSecureError as error:
            errors += 1
            output = encode_record({"line": number, "error": str(error)})
        except Exception as error:  # one bad record must not stop the run
            errors += 1
            problem = f"line {number}: {error.__class__.__name__}"
            output = encode_record({"line": number, "error": problem})
        if output:
            sink.write(output)
    return errors
