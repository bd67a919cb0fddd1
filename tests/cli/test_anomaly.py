"""``rasa-secure anomaly``: fit a model from logs, list and lift the locks in Redis."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Iterator

import pytest

from rasa_secure.cli.main import main
from rasa_secure.core.identity import audit
from rasa_secure.monitoring.anomaly import Forest, ResponseKind, Signal, SignalKind
from rasa_secure.monitoring.anomaly.settings import Per, ResponseSpec
from rasa_secure.monitoring.anomaly.state import ActiveResponse, RedisState


def test_fit_reads_signal_and_audit_logs_and_writes_a_loadable_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(5)
    signals = tmp_path / "signals.log"
    lines = []
    for user in range(40):
        at = 1000.0 + user * 7
        for _ in range(rng.randint(2, 8)):
            at += rng.uniform(5, 90)
            lines.append(
                Signal(
                    SignalKind.MESSAGE, f"sub_{user:016x}", at=at, length=rng.randint(5, 80)
                ).to_json()
            )
    signals.write_text("\n".join(lines) + "\n")
    audit_log = tmp_path / "audit.json"
    audit_log.write_text(
        audit.emit(
            audit.AuditRecord("Test", audit.AuditDecision.FLAG, subject="sub_" + "0" * 16)
        ).to_json()
        + "\n"
    )
    model = tmp_path / "model.json"
    status = main(
        [
            "anomaly",
            "fit",
            "--events",
            str(signals),
            str(audit_log),
            "--out",
            str(model),
            "--trees",
            "20",
        ]
    )
    assert status == 0
    out = capsys.readouterr().out
    assert f"from {len(lines) + 1} signals" in out and "thresholds subject 0." in out
    # the signals name no client address: only the subjects' forest is fitted
    assert list(Forest.load(model).thresholds) == [Per.SUBJECT]


def test_fit_without_data_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.log"
    empty.write_text("")
    assert main(["anomaly", "fit", "--events", str(empty), "--out", str(tmp_path / "m.json")]) == 1
    assert "at least 10" in capsys.readouterr().err


@pytest.fixture
def redis_state(redis_url: str) -> Iterator[RedisState]:
    state = RedisState(redis_url, namespace="cli-test")
    state._redis.flushdb()
    yield state
    state._redis.flushdb()


def test_locks_are_listed_and_lifted(
    redis_url: str, redis_state: RedisState, capsys: pytest.CaptureFixture[str]
) -> None:
    import time

    key = audit.pseudonym("carol")
    assert key is not None
    now = time.time()
    lock = ResponseSpec("lock", ResponseKind.LOCK_OUT, 600, 1, ())
    redis_state.put(ActiveResponse(key, "repeated_blocks", now + 600, lock), now)
    common = ["--storage", redis_url, "--namespace", "cli-test"]
    assert main(["anomaly", "locks", *common]) == 0
    listing = capsys.readouterr().out
    assert f"{key} lock_out until" in listing and "1 responses in force" in listing
    assert main(["anomaly", "lift", *common, "--subject", "carol"]) == 0
    lifted = capsys.readouterr()
    assert "1 responses lifted" in lifted.out
    [event] = [json.loads(line) for line in lifted.err.splitlines() if '"lift"' in line]
    assert event["rasa_secure"]["audit"]["subject"] == key, "the operator's lift is audited"
    assert event["rasa_secure"]["audit"]["reasons"] == ["all", "removed=1"]
    assert redis_state.active([key], time.time()) == []
    assert main(["anomaly", "lift", *common, "--subject", "carol"]) == 1, "nothing left to lift"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["locks", "--storage", "memory://"], "--storage"),  # Why: memory state lives in the server
        (
            ["lift", "--storage", "redis://127.0.0.1:1/0", "--key", "alice"],
            "--key",
        ),  # raw id as key
        (["locks", "--storage", "redis://127.0.0.1:1/0"], "cannot reach"),
    ],
)
def test_bad_arguments_are_errors(
    args: list, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["anomaly", *args]) == 1
    assert message in capsys.readouterr().err
