"""The ``rasa-secure`` console script."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

from rasa_secure.cli.main import main
from rasa_secure.core.identity.crypto import Keyring


def test_console_script_help_lists_subcommands() -> None:
    """The installed entry point answers --help and names its commands."""
    result = subprocess.run(
        [sys.executable, "-m", "rasa_secure.cli.main", "--help"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert "usage: rasa-secure" in result.stdout
    assert "keygen" in result.stdout


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    """Running without a subcommand is a usage error, not a silent success."""
    assert main([]) == 2
    assert "usage: rasa-secure" in capsys.readouterr().out


def test_keygen_prints_a_key_the_keyring_accepts(capsys: pytest.CaptureFixture[str]) -> None:
    """The generated entry is valid input for RASA_SECURE_KEYS."""
    assert main(["keygen", "--id", "2026-11"]) == 0
    entry = capsys.readouterr().out.strip()
    ring = Keyring.parse(entry)
    assert ring.current_id == "2026-11"


def test_keygen_rejects_an_id_the_keyring_cannot_hold(capsys: pytest.CaptureFixture[str]) -> None:
    """An id with a separator in it is refused with an error naming the problem."""
    assert main(["keygen", "--id", "a:b"]) == 1
    assert "invalid key id" in capsys.readouterr().err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_that_cannot_be_written_is_a_clear_error_not_a_traceback() -> None:
    """A full disk on standard output gives one error line and status 1, and the key is not
    echoed anywhere (a traceback would show the failing line)."""
    with open("/dev/full", "w", encoding="utf-8") as full:
        result = subprocess.run(
            [sys.executable, "-m", "rasa_secure.cli.main", "keygen"],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == "rasa-secure: error: No space left on device\n"


# --- The JSON Lines loop shared by `scan` and `pii` (rasa_secure/cli/_jsonl.py) ---------------

SECRET = "jane@example.org"


@pytest.fixture
def command_args(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Dict[str, List[str]]:
    """The arguments of each JSON Lines command, minus --input/--output (pii pattern-only)."""
    monkeypatch.setenv("RASA_SECURE_PSEUDONYM_KEY", "cli-test-key")
    config = tmp_path / "pii.yml"
    config.write_text("detector:\n  spacy_model: null\n", encoding="utf-8")
    return {"scan": ["scan"], "pii": ["pii", "--config", str(config)]}


def jsonl(*records: Dict[str, Any]) -> bytes:
    return b"".join(json.dumps(record).encode("ascii") + b"\n" for record in records)


def strict_records(data: bytes) -> List[Dict[str, Any]]:
    """Parse output lines as strict JSON in UTF-8 (NaN and Infinity are not JSON)."""

    def reject(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return [json.loads(line, parse_constant=reject) for line in data.decode("utf-8").splitlines()]


INVALID_UTF8_INPUT = (
    jsonl({"id": 1, "text": "What is my balance?"})
    # a Latin-1 é inside the text: one byte that is not UTF-8
    + b'{"id": 2, "text": "caf\xe9 '
    + SECRET.encode()
    + b'"}\n'
    # a surrogate encoded as UTF-8 bytes (CESU-8): not valid UTF-8 either
    + b'{"id": 3, "text": "\xed\xa0\x80 '
    + SECRET.encode()
    + b'"}\n'
    # a line cut in the middle of a two-byte character
    + b'{"id": 4, "text": "\xc3\n'
    + jsonl({"id": 5, "text": "Thank you"})
)


@pytest.mark.parametrize("command", ["scan", "pii"])
@pytest.mark.parametrize("via", ["file", "stdin"])
def test_invalid_utf8_line_becomes_an_error_and_every_valid_line_is_written(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command_args: Dict[str, List[str]],
    command: str,
    via: str,
) -> None:
    """Why: one byte that is not UTF-8 made the command crash with an empty output file.

    Each undecodable line is reported by number without echoing its bytes; the lines before
    and after it are processed; the exit status says something was wrong.
    """
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(INVALID_UTF8_INPUT)
    if via == "stdin":
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(INVALID_UTF8_INPUT)))
    path = "-" if via == "stdin" else str(source)
    assert main([*command_args[command], "--input", path, "--output", str(target)]) == 1
    records = strict_records(target.read_bytes())
    assert [r.get("id", r.get("line")) for r in records] == [1, 2, 3, 4, 5]
    for number, record in zip((2, 3, 4), records[1:4]):
        assert record == {"line": number, "error": record["error"]}
        assert record["error"].startswith(f"line {number}: not valid UTF-8 (")
        for echo in ("caf", SECRET, "xe9", "0xe9", "\\x", "\ufffd"):
            assert echo not in record["error"]
    added = {"scan": "security", "pii": "pii"}[command]
    assert added in records[0] and added in records[4]


def test_lone_surrogate_in_text_is_written_and_round_trips(
    tmp_path: Path, command_args: Dict[str, List[str]]
) -> None:
    """Why: a JSON "\\ud800" escape decodes to a lone surrogate, which has no UTF-8 form;
    writing the record crashed the run and left an empty output file. The record is now
    written ASCII-escaped, and reading it back gives the same text."""
    text = f"mail {SECRET} \ud800 end"
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(jsonl({"id": 1, "text": text}, {"id": 2, "text": "bye"}))
    args = [*command_args["pii"], "--input", str(source), "--output", str(target)]
    assert main(args) == 0
    first, second = strict_records(target.read_bytes())
    assert first["text"] == text and first["pii"][0]["type"] == "EMAIL_ADDRESS"
    assert SECRET not in first["redacted"] and first["redacted"].endswith("\ud800 end")
    assert second["redacted"] == "bye"


class _Returns:
    """A stand-in verdict whose ``to_dict()`` returns ``value``."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def to_dict(self) -> Any:
        return self.value


def _circular() -> Dict[str, Any]:
    loop: Dict[str, Any] = {}
    loop["self"] = loop
    return loop


class _Broken:
    def to_dict(self) -> Any:
        raise KeyError(SECRET)


def stub_detector(monkeypatch: pytest.MonkeyPatch, outcome: Any) -> None:
    """Make `rasa-secure scan` use a detector that allows every text but "bad", on which it
    returns ``outcome`` (or raises it, if it is an exception)."""

    class StubDetector:
        def __init__(self, config: Any, owner: str) -> None:
            pass

        def detect(self, text: str) -> Any:
            if text != "bad":
                return _Returns({"verdict": "allow"})
            if isinstance(outcome, BaseException):
                raise outcome
            return outcome

    monkeypatch.setattr("rasa_secure.core.injection.InjectionDetector", StubDetector)


# What a detector may hand back (or raise) on the record "bad", and what the output line
# must then be. "written" means the record is written whole and reads back equal.
HANDLER_OUTCOMES = [
    pytest.param(_Returns({"why": "lone surrogate \ud800"}), "written", id="surrogate-in-result"),
    pytest.param(_Returns({"score": float("nan")}), "error", id="nan-is-not-json"),
    pytest.param(_Returns({"score": float("inf")}), "error", id="infinity-is-not-json"),
    pytest.param(_Returns({"categories": {"xss"}}), "error", id="set-is-not-json"),
    pytest.param(_Returns({"object": object()}), "error", id="object-is-not-json"),
    pytest.param(_Returns(_circular()), "error", id="circular-result"),
    pytest.param(_Broken(), "error", id="to-dict-raises"),
    pytest.param(ValueError(SECRET), "error", id="detect-raises"),
    pytest.param(RecursionError(), "error", id="detect-recursion"),
]


@pytest.mark.parametrize(("outcome", "expected"), HANDLER_OUTCOMES)
def test_whatever_the_detector_returns_or_raises_every_line_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, outcome: Any, expected: str
) -> None:
    """Why: the loop must never crash or lose lines, whatever the handler returns or raises;
    output lines are always strict JSON in UTF-8, and errors never echo the input."""

    stub_detector(monkeypatch, outcome)
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(jsonl({"text": "ok"}, {"text": "bad"}, {"text": "ok"}))
    status = main(["scan", "--input", str(source), "--output", str(target)])
    first, middle, last = strict_records(target.read_bytes())
    assert first["security"] == last["security"] == {"verdict": "allow"}
    if expected == "written":
        assert status == 0
        assert middle == {"text": "bad", "security": outcome.to_dict()}
    else:
        assert status == 1
        assert set(middle) == {"line", "error"} and middle["line"] == 2
        assert middle["error"].startswith("line 2: ") and SECRET not in middle["error"]


# Where the output goes, how many input lines (2: the error comes when the output is closed;
# 400: from a write in the middle of the run, the output buffer being 8 KiB), and the one
# line the user must see.
WRITE_FAILURES = [
    pytest.param("file", 2, "/dev/full: cannot write: No space left on device", id="file-full"),
    pytest.param(
        "file", 400, "/dev/full: cannot write: No space left on device", id="file-full-mid-run"
    ),
    pytest.param(
        "stdout-full", 2, "stdout: cannot write: No space left on device", id="stdout-full"
    ),
    pytest.param(
        "stdout-closed", 400, "stdout: cannot write: Broken pipe", id="stdout-closed-pipe-mid-run"
    ),
]


@pytest.mark.parametrize(("target", "lines", "message"), WRITE_FAILURES)
def test_write_error_is_one_clear_line_without_traceback(
    tmp_path: Path, target: str, lines: int, message: str
) -> None:
    """Why: a full disk or a closed pipe ended the run with a traceback (two, chained)."""
    source = tmp_path / "in.jsonl"
    texts = ["What is my balance?", "{{7*7}}"] * (lines // 2)
    source.write_bytes(jsonl(*({"text": text} for text in texts)))
    command = [sys.executable, "-m", "rasa_secure.cli.main", "scan", "--input", str(source)]
    reader, writer = os.pipe()
    os.close(reader)  # a pipe nobody reads: writing to it fails with EPIPE
    try:
        with open("/dev/full", "wb") as full:
            if target == "file":
                command += ["--output", "/dev/full"]
                stdout: Any = subprocess.DEVNULL
            else:
                command += ["--output", "-"]
                stdout = full if target == "stdout-full" else writer
            result = subprocess.run(
                command, stdout=stdout, stderr=subprocess.PIPE, timeout=300, check=False
            )
    finally:
        os.close(writer)
    assert result.returncode == 1
    assert result.stderr.decode() == f"rasa-secure: error: {message}\n"


def test_line_endings_and_numbers_survive_reading_bytes(
    tmp_path: Path, command_args: Dict[str, List[str]]
) -> None:
    """Why: input is now split on b"\\n" by hand; Windows line endings, blank lines and a
    last line without a newline must still work, and error line numbers count every line."""
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(b'{"text": "one"}\r\n\r\n\n{"text": \r\n{"text": "last"}')
    args = [*command_args["pii"], "--input", str(source), "--output", str(target)]
    assert main(args) == 1
    records = strict_records(target.read_bytes())
    assert [r.get("text", r.get("line")) for r in records] == ["one", 4, "last"]
    assert records[1]["error"].startswith("line 4: not valid JSON")


# Each kind of bad line and the start of the error that must replace it.
BAD_LINES = [
    pytest.param(b"not json", "not valid JSON (Expecting value)", id="not-json"),
    pytest.param(b"[1, 2]", "expected a JSON object, got list", id="not-an-object"),
    pytest.param(b'{"text": 7}', "missing a string field 'text'", id="text-not-a-string"),
    pytest.param(b"[" * 100_000, "not valid JSON (nested too deeply)", id="deeply-nested"),
    pytest.param(b"\xff{}", "not valid UTF-8 (invalid start byte at byte 1", id="not-utf8"),
]


@pytest.mark.parametrize(("line", "error"), BAD_LINES)
def test_each_kind_of_bad_line_has_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: bytes, error: str
) -> None:
    """Why: a bad line is reported by number and kind, and the lines around it go on."""
    stub_detector(monkeypatch, _Returns({"verdict": "block"}))
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(jsonl({"text": "ok"}) + line + b"\n" + jsonl({"text": "ok"}))
    assert main(["scan", "--input", str(source), "--output", str(target)]) == 1
    first, middle, last = strict_records(target.read_bytes())
    assert first["security"] == last["security"] == {"verdict": "allow"}
    assert set(middle) == {"line", "error"} and middle["error"].startswith(f"line 2: {error}")
