"""The audit trail is tamper-evident: each way of tampering is found, at the right place."""

from __future__ import annotations

import json
import logging
from typing import Callable, Dict, Iterator, List, Optional

import pytest

from rasa_secure.core.identity import AUDIT_KEY_ENV, CHECKPOINT_LOGGER, accepted_keys, audit
from rasa_secure.core.identity import chain as chain_module
from rasa_secure.core.identity.chain import PREVIOUS_KEY_ENV, RETENTION_KIND, chain_key, link
from rasa_secure.core.identity.trail import Problem, parse_line, read, verify

KEY = "audit-key-0123456789abcdef"
OLD_KEY = "older-audit-key-0123456789"
WRITER = "w1"

Lines = List[str]
"""The audit log (records, and checkpoints when they share the file) as written."""


class Capture(logging.Handler):
    """Keeps the formatted lines of the audit and checkpoint loggers, in order."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: Lines = []
        self.checkpoints: Lines = []

    def emit(self, record: logging.LogRecord) -> None:
        lines = self.checkpoints if record.name == CHECKPOINT_LOGGER else self.records
        lines.append(record.getMessage())


@pytest.fixture
def capture(monkeypatch: pytest.MonkeyPatch) -> Iterator[Capture]:
    """Sealed with KEY into a fresh chain of writer ``w1``, a checkpoint every 4 records."""
    monkeypatch.setenv(AUDIT_KEY_ENV, KEY)
    monkeypatch.delenv(PREVIOUS_KEY_ENV, raising=False)
    handler = Capture()
    logger = logging.getLogger(audit.LOGGER_NAME)  # checkpoints propagate to it
    logger.addHandler(handler)
    monkeypatch.setattr(logger, "level", logging.INFO)
    chain_module.reset(WRITER, every=4)
    yield handler
    logger.removeHandler(handler)
    chain_module.reset()


def write(count: int, component: str = "InjectionScreen") -> None:
    for number in range(count):
        audit.record(component, "block", subject=f"cust-{number}", categories=("sqli",), score=0.9)


def check(records: Lines, checkpoints: Lines = ()):  # type: ignore[no-untyped-def]
    """Verify as ``audit verify`` does: records from one file, checkpoints from another."""
    found, _, unsealed = read(records, "audit.json")
    _, points, _ = read(checkpoints, "checkpoints.json")
    return verify(found, points, accepted_keys(), unsealed)


def edit(line: str, **changes: object) -> str:
    payload = json.loads(line)
    payload.update(changes)
    return json.dumps(payload)


Tamper = Callable[[Lines], Lines]


def edit_at(index: int, **changes: object) -> Tamper:
    """Change fields of the record at ``index``."""
    return lambda lines: [*lines[:index], edit(lines[index], **changes), *lines[index + 1 :]]


def swap(a: int, b: int) -> Tamper:
    def tamper(lines: Lines) -> Lines:
        lines = list(lines)
        lines[a], lines[b] = lines[b], lines[a]
        return lines

    return tamper


def renumber_after_deleting(index: int) -> Tamper:
    """Delete a record and close the gap by renumbering the ones after it."""
    return lambda lines: [
        *lines[:index],
        *(edit(line, seq=json.loads(line)["seq"] - 1) for line in lines[index + 1 :]),
    ]


TAMPERING: Dict[str, tuple] = {
    # name: (what is done to the 10 records, problem, line of the finding, why)
    "untouched": (lambda lines: lines, None, None, "an intact chain verifies"),
    "decision edited": (
        edit_at(4, decision="allow"),
        Problem.MODIFIED, 5, "a block rewritten as an allow breaks its own MAC",
    ),
    "subject swapped": (
        edit_at(2, subject="sub_0000000000000000"),
        Problem.MODIFIED, 3, "pinning a decision on someone else",
    ),
    "mac recomputed without the key": (
        edit_at(6, mac="0" * 64),
        Problem.MODIFIED, 7, "a MAC cannot be forged",
    ),
    "one record deleted": (
        lambda lines: lines[:3] + lines[4:], Problem.DELETED, 4,
        "the gap shows at the record after it",
    ),
    "first record deleted": (
        lambda lines: lines[1:], Problem.DELETED, 1, "a chain starts at seq 1",
    ),
    "two records swapped": (
        swap(5, 6), Problem.REORDERED, 6, "moved, not deleted",
    ),
    "record replayed": (
        lambda lines: [*lines[:5], lines[2], *lines[5:]], Problem.REORDERED, 6,
        "a duplicate of an earlier record",
    ),
    "renumbered after a deletion": (
        renumber_after_deleting(3),
        Problem.MODIFIED, 4, "closing the gap by renumbering breaks the MACs",
    ),
    "tail cut after the last checkpoint": (
        lambda lines: lines[:9], None, None,
        "the limit: records after the last checkpoint can go unseen (a clean shutdown "
        "writes a final checkpoint)",
    ),
    "tail cut before the last checkpoint": (
        lambda lines: lines[:6], Problem.TRUNCATED, 6, "the checkpoint at seq 8 anchors it",
    ),
    "everything deleted": (
        lambda lines: [], Problem.TRUNCATED, None, "the checkpoints still name the writer",
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("tamper", "problem", "line"),
    [pytest.param(*case[:3], id=name) for name, case in TAMPERING.items()],
)
def test_tampering_is_found_at_its_first_record(
    capture: Capture, tamper: Tamper, problem: Optional[Problem], line: Optional[int]
) -> None:
    write(10)
    result = check(tamper(capture.records), capture.checkpoints)
    (report,) = result.chains
    if problem is None:
        assert result.ok and report.finding is None
        return
    assert not result.ok and report.finding is not None
    assert report.finding.problem is problem
    found_line = report.finding.position.line if report.finding.position else None
    assert found_line == line


def anchor(seq: int, records: Lines) -> str:
    """A retention anchor of WRITER at ``seq`` (signed with KEY), as retention writes one."""
    head = json.loads(records[seq - 1])["mac"]
    key = chain_key(KEY.encode())
    return json.dumps(chain_module.signed_point(RETENTION_KIND, WRITER, seq, head, key))


ANCHORED: Dict[str, tuple] = {
    # name: (records kept of 10, anchor seq, problem, verified, removed, why)
    "oldest records deleted by retention": (
        slice(4, 10), 4, None, 6, 4, "the chain continues from the anchor's head",
    ),
    "anchor written, files not yet deleted": (
        slice(0, 10), 4, None, 10, 0, "an interrupted run: the records still verify from seq 1",
    ),
    "a gap after the anchor": (
        slice(5, 10), 4, Problem.DELETED, 0, 4, "the anchor covers seq 1..4, not seq 5",
    ),
    "the records under the anchor cut short": (
        slice(0, 3), 6, Problem.TRUNCATED, 3, 0, "records 4..6 are not where retention starts",
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("kept", "seq", "problem", "verified", "removed"),
    [pytest.param(*case[:5], id=name) for name, case in ANCHORED.items()],
)
def test_a_retention_anchor_covers_exactly_what_retention_deleted(
    capture: Capture, kept: slice, seq: int, problem: Optional[Problem], verified: int,
    removed: int,
) -> None:  # fmt: skip
    write(10)
    (report,) = check(capture.records[kept], [anchor(seq, capture.records)]).chains
    assert (report.verified, report.removed) == (verified, removed)
    assert (report.finding.problem if report.finding else None) is problem


def test_each_writer_keeps_its_own_chain(capture: Capture) -> None:
    # Why: replicas write to one stream; a break in one chain does not hide the other's state.
    write(3)
    first = list(capture.records)
    chain_module.reset("w2", every=100)
    write(3)
    second = capture.records[3:]
    interleaved = [line for pair in zip(first, second) for line in pair]
    result = check(interleaved[:2] + interleaved[3:])  # w1's seq 2 removed
    by_writer = {report.writer: report for report in result.chains}
    assert by_writer["w2"].finding is None and by_writer["w2"].verified == 3
    finding = by_writer["w1"].finding
    assert finding is not None and finding.problem is Problem.DELETED and finding.seq == 2


def test_a_forged_checkpoint_is_reported(capture: Capture) -> None:
    # Why: a checkpoint claiming a shorter chain must not make a cut tail look complete.
    write(8)
    forged = [edit(point, seq=2) for point in capture.checkpoints]
    (report,) = check(capture.records, forged).chains
    assert report.finding is not None and report.finding.problem is Problem.FORGED_CHECKPOINT


def test_a_checkpoint_that_disagrees_with_the_chain_is_a_modification(capture: Capture) -> None:
    # Why: a whole chain rewritten from seq 1 by someone with the records but not the key
    # cannot match; this one is valid up to seq 4 but the checkpoint names another head.
    write(4)
    key = chain_key(KEY.encode())
    point = json.loads(capture.checkpoints[0])
    point["head"] = "f" * 64
    point["mac"] = chain_module.sign(key, {k: v for k, v in point.items() if k != "mac"})
    (report,) = check(capture.records, [json.dumps(point)]).chains
    assert report.finding is not None and report.finding.problem is Problem.MODIFIED


def test_records_sealed_before_a_key_rotation_verify_with_the_previous_key(
    capture: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(2)
    monkeypatch.setenv(AUDIT_KEY_ENV, "a-brand-new-audit-key-012345")
    write(2)
    assert check(capture.records).chains[0].finding is not None, "old key unknown"
    monkeypatch.setenv(PREVIOUS_KEY_ENV, KEY)
    result = check(capture.records)
    assert result.ok and result.chains[0].verified == 4


def test_an_unknown_key_is_named(capture: Capture, monkeypatch: pytest.MonkeyPatch) -> None:
    write(2)
    monkeypatch.setenv(AUDIT_KEY_ENV, "some-other-key-0123456789")
    (report,) = check(capture.records).chains
    assert report.finding is not None and report.finding.problem is Problem.UNKNOWN_KEY


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(lambda line: line, id="plain JSON line"),
        pytest.param(lambda line: f"2026-01-01 INFO rasa_secure.audit - {line}", id="log prefix"),
        pytest.param(
            lambda line: json.dumps(
                {"message": "x", "rasa_secure": {"audit": {
                    k: v for k, v in json.loads(line).items() if v is not None}}}
            ),
            id="ECS event without its nulls",
        ),
    ],
)  # fmt: skip
def test_every_shape_of_line_verifies(capture: Capture, shape: Callable[[str], str]) -> None:
    # Why: the same record reaches a file, a console and a SIEM in different shapes.
    write(3, component="SecureRestInput")
    assert check([shape(line) for line in capture.records]).ok


def test_a_record_without_a_seal_is_counted_not_verified() -> None:
    record = {"component": "X", "decision": "deny", "timestamp": 1.0}
    assert parse_line(json.dumps(record))[0] == "unsealed"
    assert parse_line("an unrelated log line")[0] == "other"


def test_the_mac_covers_the_previous_mac() -> None:
    # Why: without it, records could be reordered or deleted with every MAC still valid.
    key = chain_key(KEY.encode())
    fields = {"component": "X", "decision": "deny", "seq": 1}
    assert link(key, "", fields) != link(key, "a" * 64, fields)


def test_the_chain_key_is_not_the_audit_key_and_its_id_reveals_nothing() -> None:
    key = chain_key(KEY.encode())
    assert KEY.encode() not in key.secret and key.key_id not in KEY
    assert KEY not in repr(key) and key.secret.hex() not in repr(key)


def test_a_failing_listener_never_stops_the_decision(
    capture: Capture, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Why: monitoring is a side channel; a broken metrics backend must not turn a block into
    # an exception in the component that decided it.
    seen: List[audit.AuditRecord] = []

    def broken(entry: audit.AuditRecord) -> None:
        raise RuntimeError("backend down")

    monkeypatch.setattr(audit, "_listeners", [broken, seen.append])
    with caplog.at_level(logging.ERROR, logger="rasa_secure.core.identity.audit"):
        sealed = audit.record("InjectionScreen", "block")
    assert seen == [sealed] and len(capture.records) == 1
    assert any("RuntimeError" in r.getMessage() for r in caplog.records)


def test_a_checkpoint_follows_every_nth_record(capture: Capture) -> None:
    write(9)
    points = [json.loads(line) for line in capture.checkpoints]
    assert [point["seq"] for point in points] == [4, 8]
    assert points[-1]["head"] == json.loads(capture.records[7])["mac"]
