"""``rasa-secure audit verify``: ECS files written as shipped, verified, tampered with, and
verified after ``retention apply`` deleted the oldest of them."""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

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
    checkpoint_line,
)
from rasa_secure.stores.retention import AuditRetention, delete_audit_files

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


# --- retention: the oldest files deleted, the rest still verifies -------------------------

DAY = 86_400.0
NOW = time.time() + 40 * DAY
"""Retention runs 40 days from now: checkpoints (and anchors) sealed now are 40 days old."""
SHIPPED = "replica-1"
"""Writes 12 records (a checkpoint every 3) into four audit files, the oldest two past 30 days."""
GONE = "replica-0"
"""A writer that stopped long ago: its 4 records are all in the oldest file."""


@dataclass(frozen=True)
class Trail:
    """The files as rotated before ``retention apply`` ran; ``macs`` of SHIPPED by seq."""

    directory: Path
    macs: Dict[int, str]

    def path(self, name: str) -> Path:
        return self.directory / name

    def verify(self, *files: str, checkpoints: Sequence[str] = ("checkpoints.json",)) -> int:
        command = ["audit", "verify", *(str(self.path(name)) for name in files)]
        return main([*command, "--checkpoints", *(str(self.path(n)) for n in checkpoints)])


def _written(writer: str, every: int, ages: Sequence[int]) -> Tuple[List[str], List[str]]:
    """The ECS lines of records of ``writer`` sealed ``ages`` days before NOW, and of its
    checkpoints."""
    formatter, handlers = AuditEcsFormatter(), [_Lines(), _Lines()]
    names = (audit.LOGGER_NAME, CHECKPOINT_LOGGER)
    for name, handler in zip(names, handlers):
        handler.setFormatter(formatter)
        logging.getLogger(name).addHandler(handler)
    chain_module.reset(writer, every=every)
    try:
        for number, age in enumerate(ages):
            audit.emit(audit.AuditRecord(
                "SecureAction", audit.AuditDecision.DENY, subject=audit.pseudonym(f"c{number}"),
                reasons=("policy",), timestamp=NOW - age * DAY - number,
            ))  # fmt: skip
    finally:
        for name, handler in zip(names, handlers):
            logging.getLogger(name).removeHandler(handler)
        chain_module.reset()
    return handlers[0].lines, handlers[1].lines


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record) + "\n")


def _rotated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Trail:
    monkeypatch.setenv(AUDIT_KEY_ENV, KEY)
    for name in (audit.LOGGER_NAME, CHECKPOINT_LOGGER):
        monkeypatch.setattr(logging.getLogger(name), "level", logging.INFO)
    monkeypatch.setattr(logging.getLogger(CHECKPOINT_LOGGER), "propagate", False)
    gone, gone_points = _written(GONE, 2, [50] * 4)
    events, points = _written(SHIPPED, 3, [50] * 3 + [40] * 3 + [10] * 3 + [0] * 3)
    files = {  # name: (lines, age in days)
        "audit.json.3": (gone + events[:3], 50),
        "audit.json.2": (events[3:6], 40),
        "audit.json.1": (events[6:9], 10),
        "audit.json": (events[9:], 0),
        "checkpoints.json.1": (gone_points + points[:2], 40),
        "checkpoints.json": (points[2:], 0),
    }
    for name, (lines, age) in files.items():
        (tmp_path / name).write_text("".join(lines), encoding="utf-8")
        os.utime(tmp_path / name, (NOW - age * DAY, NOW - age * DAY))
    monkeypatch.setenv(AUDIT_LOG_ENV, str(tmp_path / "audit.json"))
    monkeypatch.setenv(CHECKPOINT_LOG_ENV, str(tmp_path / "checkpoints.json"))
    macs = {seq: json.loads(line)["rasa_secure"]["audit"]["mac"] for seq, line in
            enumerate(events, start=1)}  # fmt: skip
    return Trail(tmp_path, macs)


def _retain(trail: Trail) -> AuditRetention:
    return delete_audit_files(
        str(trail.path("audit.json")), str(trail.path("checkpoints.json")), NOW - 30 * DAY
    )


@pytest.fixture
def retained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Trail:
    """The trail after retention deleted the files older than 30 days (seq 1..6 of SHIPPED)."""
    trail = _rotated(tmp_path, monkeypatch)
    assert _retain(trail) == AuditRetention(files_deleted=3, anchored=2, files_held=0)
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "audit.json", "audit.json.1", "checkpoints.json"]  # fmt: skip
    return trail


def _rewrite(path: Path, change: Callable[[List[str]], List[str]]) -> None:
    path.write_text("".join(change(lines(path))), encoding="utf-8")


def _anchor_of(line: str) -> Optional[Dict[str, object]]:
    point = json.loads(line)["rasa_secure"]["checkpoint"]
    return point if point["kind"] == chain_module.RETENTION_KIND else None


def _replace_anchor(seq: int, head: Callable[[Trail], str]) -> Callable[[Trail], None]:
    """Put a validly signed anchor of SHIPPED at ``seq`` in place of its anchor at seq 6."""

    def tamper(trail: Trail) -> None:
        key = chain_module.chain_key(KEY.encode())
        point = chain_module.signed_point(
            chain_module.RETENTION_KIND, SHIPPED, seq, head(trail), key
        )
        _rewrite(trail.path("checkpoints.json"), lambda found: [
            line for line in found if (_anchor_of(line) or {}).get("seq") != 6
        ] + [checkpoint_line(point) + "\n"])  # fmt: skip

    return tamper


def _stretch_anchor_over_7_to_9(trail: Trail) -> None:
    """Without the key: make SHIPPED's anchor at seq 6 say 9 (its MAC is in the records), and
    delete seq 7..9."""

    def edit(line: str) -> str:
        event = json.loads(line)
        if (_anchor_of(line) or {}).get("seq") == 6:
            event["rasa_secure"]["checkpoint"].update(seq=9, head=trail.macs[9])
        return json.dumps(event) + "\n"

    _rewrite(trail.path("checkpoints.json"), lambda found: [edit(line) for line in found])
    trail.path("audit.json.1").unlink()


def _relabel_checkpoint_9(trail: Trail) -> None:
    """Call the checkpoint at seq 9 a retention anchor (without the key) and delete 7..9."""

    def relabel(line: str) -> str:
        event = json.loads(line)
        point = event["rasa_secure"]["checkpoint"]
        if point["kind"] == chain_module.CHECKPOINT_KIND and point["seq"] == 9:
            point["kind"] = chain_module.RETENTION_KIND
        return json.dumps(event) + "\n"

    _rewrite(trail.path("checkpoints.json"), lambda found: [relabel(x) for x in found])
    trail.path("audit.json.1").unlink()


AFTER_RETENTION: Dict[str, tuple] = {
    # name: (what is done after retention, exit status, expected in the output, why)
    "untouched": (
        lambda trail: None, 0, f"writer {SHIPPED}: ok (6 records verified, 6 removed by retention)",
        "the records retention deleted are told apart from a deletion",
    ),
    "a writer wholly deleted": (
        lambda trail: None, 0, f"writer {GONE}: ok (0 records verified, 4 removed by retention)",
        "its anchor stands for its chain, so its checkpoints elsewhere still agree",
    ),
    "anchor removed": (
        lambda trail: _rewrite(trail.path("checkpoints.json"), lambda found: [
            line for line in found if (_anchor_of(line) or {}).get("seq") != 6]),
        1, "records seq 4..6 are missing", "without its anchor, a gap like any other",
    ),
    "anchor edited without the key": (
        _stretch_anchor_over_7_to_9, 1, "records seq 4..9 are missing",
        "a forged anchor covers nothing, not even its own seq 4..6",
    ),
    "anchor with another head": (
        _replace_anchor(6, lambda trail: "f" * 64), 1, "modified at",
        "seq 7 must link to the head the anchor names",
    ),
    "anchor covering fewer records than missing": (
        _replace_anchor(5, lambda trail: trail.macs[5]), 1, "records seq 6 are missing",
        "an anchor of seq 1..5 does not excuse the absence of seq 6",
    ),
    "a file after the retained prefix deleted": (
        lambda trail: trail.path("audit.json.1").unlink(), 1, "records seq 7..9 are missing",
        "retention deleted seq 1..6, not 7..9",
    ),
    "a checkpoint relabelled as an anchor": (
        _relabel_checkpoint_9, 1, "deleted at", "the kind is signed: a checkpoint is no anchor",
    ),
    "tail cut": (
        lambda trail: _rewrite(trail.path("audit.json"), lambda found: found[:1]), 1,
        "truncated at", "the checkpoint at seq 12 still reveals a cut tail",
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("tamper", "status", "expected"),
    [pytest.param(*case[:3], id=name) for name, case in AFTER_RETENTION.items()],
)
def test_after_retention_only_what_retention_deleted_is_accepted(
    retained: Trail, capsys: pytest.CaptureFixture[str],
    tamper: Callable[[Trail], None], status: int, expected: str,
) -> None:  # fmt: skip
    tamper(retained)
    files = [name for name in ("audit.json.1", "audit.json") if retained.path(name).exists()]
    assert retained.verify(*files) == status
    output = capsys.readouterr().out
    assert expected in output, output


def test_a_second_run_keeps_the_anchors_of_the_checkpoint_file_it_deletes(
    retained: Trail, capsys: pytest.CaptureFixture[str]
) -> None:
    # Why: the checkpoints kept in Redis outlive every file; without its anchor, GONE's
    # checkpoint there would read as a chain cut off.
    last_of_gone = lines(retained.path("checkpoints.json"))  # a copy "in Redis"
    retained.path("redis.json").write_text(last_of_gone[0], encoding="utf-8")
    retained.path("checkpoints.json").rename(retained.path("checkpoints.json.1"))
    os.utime(retained.path("checkpoints.json.1"), (NOW - 40 * DAY, NOW - 40 * DAY))
    assert _retain(retained).files_deleted == 1
    checkpoints = ("checkpoints.json", "redis.json")
    assert retained.verify("audit.json.1", "audit.json", checkpoints=checkpoints) == 0
    assert f"writer {GONE}: ok (0 records verified, 4 removed by retention)" in (
        capsys.readouterr().out)  # fmt: skip


def _backdate(trail: Trail, monkeypatch: pytest.MonkeyPatch) -> None:
    os.utime(trail.path("audit.json.1"), (NOW - 40 * DAY, NOW - 40 * DAY))


RETENTION_RUNS: Dict[str, tuple] = {
    # name: (change before retention, expected AuditRetention, verify's verdict, why)
    "intact": (
        lambda trail, monkeypatch: None, AuditRetention(3, 2, 0), "ok (6 records verified",
        "both chains anchored, three files deleted",
    ),
    "a record edited in a file it would delete": (
        lambda trail, monkeypatch: _rewrite(trail.path("audit.json.2"), lambda found: [
            found[0].replace('"deny"', '"allow"'), *found[1:]]),
        AuditRetention(1, 2, 2), "modified at",
        "retention never vouches for a chain that does not verify: the evidence stays",
    ),
    "no audit key": (
        lambda trail, monkeypatch: monkeypatch.delenv(AUDIT_KEY_ENV), AuditRetention(0, 0, 3),
        "ok (12 records verified)", "nothing to verify and sign with: nothing deleted",
    ),
    "a recent file dated back": (
        _backdate, AuditRetention(2, 2, 2), "ok (6 records verified",
        "a file's date can be changed, the sealed times of its records cannot",
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "expected", "verdict"),
    [pytest.param(*case[:3], id=name) for name, case in RETENTION_RUNS.items()],
)
def test_retention_deletes_only_what_it_can_prove_old_and_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    change: Callable[[Trail, pytest.MonkeyPatch], None], expected: AuditRetention, verdict: str,
) -> None:  # fmt: skip
    trail = _rotated(tmp_path, monkeypatch)
    change(trail, monkeypatch)
    assert _retain(trail) == expected
    monkeypatch.setenv(AUDIT_KEY_ENV, KEY)
    names = ["audit.json.3", "audit.json.2", "audit.json.1", "audit.json"]
    left = [name for name in names if trail.path(name).exists()]
    checkpoints = [name for name in ("checkpoints.json.1", "checkpoints.json")
                   if trail.path(name).exists()]  # fmt: skip
    status = trail.verify(*left, checkpoints=checkpoints)
    assert status == (1 if verdict.endswith(" at") else 0)
    assert f"writer {SHIPPED}: {verdict}" in capsys.readouterr().out
