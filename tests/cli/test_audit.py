"""``rasa-secure audit verify``: ECS files written as shipped, verified, tampered with."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest
import redis

from rasa_secure.cli.main import main
from rasa_secure.core.identity import AUDIT_KEY_ENV, CHECKPOINT_LOGGER, audit
from rasa_secure.core.identity import chain as chain_module
from rasa_secure.monitoring.checkpoints import RedisCheckpointHandler
from rasa_secure.monitoring.ecs import (
    AUDIT_LOG_ENV,
    CHECKPOINT_LOG_ENV,
    AuditEcsFormatter,
    audit_handler,
    checkpoint_handler,
)

KEY = "audit-key-0123456789abcdef"


@pytest.fixture
def logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Tuple[Path, Path]]:
    """Audit events and checkpoints in two ECS files, as the shipped logging YAML writes them."""
    events, points = tmp_path / "audit.json", tmp_path / "checkpoints.json"
    monkeypatch.setenv(AUDIT_KEY_ENV, KEY)
    monkeypatch.setenv(AUDIT_LOG_ENV, str(events))
    monkeypatch.setenv(CHECKPOINT_LOG_ENV, str(points))
    pairs = [(audit.LOGGER_NAME, audit_handler()), (CHECKPOINT_LOGGER, checkpoint_handler())]
    for name, handler in pairs:
        handler.setFormatter(AuditEcsFormatter())
        logging.getLogger(name).addHandler(handler)
        monkeypatch.setattr(logging.getLogger(name), "level", logging.INFO)
    chain_module.reset("replica-1", every=3)
    for number in range(7):
        audit.record("SecureRestInput", "deny", client=f"10.0.0.{number}", reasons=("expired",))
    for name, handler in pairs:
        logging.getLogger(name).removeHandler(handler)
        handler.close()
    chain_module.reset()
    yield events, points


def lines(path: Path) -> List[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def test_an_intact_trail_exits_0(
    logs: Tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    events, points = logs
    assert main(["audit", "verify", str(events), "--checkpoints", str(points)]) == 0
    assert "writer replica-1: ok (7 records verified)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("keep", "expected"),
    [
        pytest.param(
            [0, 1, 2, 3, 4], "truncated at", id="tail cut: the checkpoint at seq 6 says so"
        ),
        pytest.param([0, 1, 3, 4, 5, 6], "deleted at", id="a record removed"),
        pytest.param([0, 2, 1, 3, 4, 5, 6], "reordered at", id="two records swapped"),
    ],
)
def test_tampering_exits_1_and_names_the_place(
    logs: Tuple[Path, Path], capsys: pytest.CaptureFixture[str], keep: List[int], expected: str
) -> None:
    events, points = logs
    original = lines(events)
    events.write_text("".join(original[index] for index in keep), encoding="utf-8")
    assert main(["audit", "verify", str(events), "--checkpoints", str(points)]) == 1
    output = capsys.readouterr().out
    assert expected in output and f"{events}:" in output


def test_an_edited_event_exits_1(
    logs: Tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # Why: the SIEM copy is what investigators read; an edit there must show too.
    events, _ = logs
    edited = lines(events)
    edited[2] = edited[2].replace('"deny"', '"allow"')
    events.write_text("".join(edited), encoding="utf-8")
    assert main(["audit", "verify", str(events)]) == 1
    assert f"modified at {events}:3" in capsys.readouterr().out


def test_without_the_key_it_is_an_error_not_a_pass(
    logs: Tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(AUDIT_KEY_ENV)
    assert main(["audit", "verify", str(logs[0])]) == 1
    assert AUDIT_KEY_ENV in capsys.readouterr().err


def test_a_file_without_records_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Why: an emptied log must not pass as "nothing wrong".
    monkeypatch.setenv(AUDIT_KEY_ENV, KEY)
    empty = tmp_path / "empty.json"
    empty.write_text("", encoding="utf-8")
    assert main(["audit", "verify", str(empty)]) == 1
    assert "no sealed audit records" in capsys.readouterr().out


def test_an_unreadable_file_is_an_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(AUDIT_KEY_ENV, KEY)
    assert main(["audit", "verify", str(tmp_path / "missing.json")]) == 1
    assert "missing.json" in capsys.readouterr().err


def test_checkpoints_kept_in_redis_reveal_a_cut_tail(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    # Why: a replica's log cut on its own host still shows against the shared store.
    monkeypatch.setenv(AUDIT_KEY_ENV, KEY)
    key = f"rasa_secure:test:{uuid.uuid4().hex}"
    store = RedisCheckpointHandler(redis_url, key=key)
    events = tmp_path / "audit.json"
    plain = logging.FileHandler(events, encoding="utf-8")
    logging.getLogger(audit.LOGGER_NAME).addHandler(plain)
    logging.getLogger(CHECKPOINT_LOGGER).addHandler(store)
    for name in (audit.LOGGER_NAME, CHECKPOINT_LOGGER):
        monkeypatch.setattr(logging.getLogger(name), "level", logging.INFO)
    chain_module.reset("replica-2", every=2)
    try:
        for _ in range(5):
            audit.record("InjectionScreen", "block", categories=("xss",))
    finally:
        logging.getLogger(audit.LOGGER_NAME).removeHandler(plain)
        logging.getLogger(CHECKPOINT_LOGGER).removeHandler(store)
        plain.close()
        chain_module.reset()
    command = ["audit", "verify", str(events), "--checkpoints-redis", redis_url, "--redis-key", key]
    try:
        assert main(command) == 0
        events.write_text("".join(lines(events)[:3]), encoding="utf-8")
        assert main(command) == 1
    finally:
        redis.Redis.from_url(redis_url).delete(key)
    assert "truncated at" in capsys.readouterr().out


def test_an_unreachable_redis_is_an_error(
    logs: Tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    command = ["audit", "verify", str(logs[0]), "--checkpoints-redis", "redis://127.0.0.1:1/0"]
    assert main(command) == 1
    assert "--checkpoints-redis" in capsys.readouterr().err
