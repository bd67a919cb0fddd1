"""``rasa-secure pii``: JSON Lines in and out, per-line errors, configuration."""

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

EMAIL = "jane@example.org"


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASA_SECURE_PSEUDONYM_KEY", "cli-test-key")


def write_lines(path: Path, lines: List[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_lines(path: Path) -> List[Dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def pattern_only_config(tmp_path: Path, extra: str = "") -> Path:
    config = tmp_path / "pii.yml"
    config.write_text("detector:\n  spacy_model: null\n" + extra, encoding="utf-8")
    return config


def test_each_record_comes_back_with_pii_and_redacted(tmp_path: Path) -> None:
    """Offsets point into the original text; other fields are kept."""
    source = write_lines(tmp_path / "in.jsonl", [json.dumps({"id": 7, "text": f"mail {EMAIL}"})])
    out = tmp_path / "out.jsonl"
    args = ["pii", "--input", str(source), "--output", str(out)]
    assert main([*args, "--config", str(pattern_only_config(tmp_path))]) == 0
    [record] = read_lines(out)
    assert record["id"] == 7
    assert record["pii"] == [
        {
            "type": "EMAIL_ADDRESS",
            "start": 5,
            "end": 5 + len(EMAIL),
            "score": 1.0,
            "recognizer": "EmailRecognizer",
        }
    ]
    assert record["redacted"].startswith("mail <EMAIL_ADDRESS_") and EMAIL not in record["redacted"]


def test_bad_lines_become_error_objects_and_the_exit_status_is_one(tmp_path: Path) -> None:
    """One bad line must not stop the run; errors never echo the input text."""
    lines = [
        json.dumps({"text": "my pin is 4921"}),
        "{not json " + EMAIL,
        json.dumps({"message": EMAIL}),
        json.dumps([EMAIL]),
        json.dumps({"text": 42}),
        "",
        json.dumps({"text": "no personal data here"}),
    ]
    source = write_lines(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    config = pattern_only_config(tmp_path)
    assert main(["pii", "--input", str(source), "--output", str(out), "--config", str(config)]) == 1
    records = read_lines(out)
    assert [r.get("line") for r in records] == [None, 2, 3, 4, 5, None]
    assert records[0]["pii"][0]["type"] == "PIN"
    assert records[-1]["pii"] == [] and records[-1]["redacted"] == "no personal data here"
    assert all(EMAIL not in json.dumps(r) for r in records[1:5])
    assert "not valid JSON" in records[1]["error"] and "'text'" in records[2]["error"]


def test_config_file_selects_operators(tmp_path: Path) -> None:
    """The redaction section chooses the operator per entity type."""
    config = pattern_only_config(
        tmp_path, "redaction:\n  entities:\n    CREDIT_CARD: {operator: mask, keep_last: 4}\n"
    )
    source = write_lines(tmp_path / "in.jsonl", [json.dumps({"text": "card 4111 1111 1111 1111"})])
    out = tmp_path / "out.jsonl"
    assert main(["pii", "--input", str(source), "--output", str(out), "--config", str(config)]) == 0
    assert read_lines(out)[0]["redacted"] == "card **** **** **** 1111"


def test_dash_reads_stdin_and_writes_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pipes work: `cat in.jsonl | rasa-secure pii --input - --output -`."""
    line = json.dumps({"text": f"to {EMAIL}"}) + "\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(line.encode("utf-8"))))
    config = pattern_only_config(tmp_path)
    assert main(["pii", "--input", "-", "--output", "-", "--config", str(config)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["pii"][0]["type"] == "EMAIL_ADDRESS"


@pytest.mark.parametrize(
    ("config_text", "message"),
    [
        ("detector: [", "not valid YAML"),
        ("detectr: {}\n", "unknown option"),
        ("detector:\n  spacy_model: null\n  countries: US\n", "countries"),
    ],
)
def test_bad_configuration_exits_one_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config_text: str, message: str
) -> None:
    """Configuration errors are reported before any line is processed."""
    config = tmp_path / "bad.yml"
    config.write_text(config_text, encoding="utf-8")
    source = write_lines(tmp_path / "in.jsonl", [json.dumps({"text": "x"})])
    out = tmp_path / "out.jsonl"
    assert main(["pii", "--input", str(source), "--output", str(out), "--config", str(config)]) == 1
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_missing_input_file_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A wrong path is an input error naming the path, not a traceback."""
    config = pattern_only_config(tmp_path)
    missing = tmp_path / "missing.jsonl"
    assert main(["pii", "--input", str(missing), "--output", "-", "--config", str(config)]) == 1
    assert "missing.jsonl" in capsys.readouterr().err


def run_with_hash_seed(args: List[str], seed: str) -> bytes:
    """What `rasa-secure ARGS` writes to stdout in a new process with PYTHONHASHSEED=seed."""
    command = [sys.executable, "-m", "rasa_secure.cli.main", *args]
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run(command, env=env, capture_output=True, timeout=300, check=True).stdout


def test_output_is_byte_identical_whatever_the_hash_seed(tmp_path: Path) -> None:
    """Reruns of the same file agree byte for byte (findings that overlap or tie keep one
    order; placeholders do not depend on the process)."""
    texts = [
        f"mail {EMAIL} or jane.doe@example.org, card 4111 1111 1111 1111",
        "IBAN DE89 3704 0044 0532 0130 00, call +1 212 555 0100",
        "no personal data here",
    ]
    source = write_lines(tmp_path / "in.jsonl", [json.dumps({"text": t}) for t in texts])
    args = ["pii", "--input", str(source), "--output", "-"]
    args += ["--config", str(pattern_only_config(tmp_path))]
    first, second = (run_with_hash_seed(args, seed) for seed in ("1", "3"))
    assert first == second
    assert [bool(json.loads(line)["pii"]) for line in first.splitlines()] == [True, True, False]
