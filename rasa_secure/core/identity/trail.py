"""Verify audit chains: find the first record modified, deleted, reordered or cut off.

:func:`parse_line` reads one line of an audit log in any of the shapes the trail is written
in (the plain JSON line, the same after a text log prefix, or an ECS event from
:mod:`rasa_secure.monitoring.ecs`). :func:`verify` walks each writer's chain in the order its
records were read and stops at the first break; checkpoints (from the same files or a second
place) reveal a chain that ends before its last checkpoint, and retention anchors let a chain
whose oldest records retention deleted start after seq 1. :func:`heads` gives retention the
verified heads to anchor before it deletes.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from enum import Enum
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from rasa_secure.core.identity.chain import (
    CHECKPOINT_KIND,
    RETENTION_KIND,
    ChainKey,
    link,
    sign,
)


class Problem(str, Enum):
    """What is wrong with a chain (the values are the words ``audit verify`` prints)."""

    MODIFIED = "modified"
    """A record's content or MAC is not what was sealed."""
    DELETED = "deleted"
    """Records are missing before this one (a gap in the sequence numbers, or a chain that
    starts after seq 1 where no retention anchor covers the records before)."""
    REORDERED = "reordered"
    """A record sits elsewhere than its sequence number says (moved or duplicated)."""
    TRUNCATED = "truncated"
    """The chain ends before the last checkpoint (or retention anchor) of its writer."""
    UNKNOWN_KEY = "unknown_key"
    """Sealed with a key that is neither the audit key nor the previous one."""
    FORGED_CHECKPOINT = "forged_checkpoint"
    """A checkpoint or retention anchor whose own MAC does not verify."""


@dataclass(frozen=True)
class Position:
    """Where a line was read: the source (a file name) and its line number (from 1)."""

    source: str
    line: int

    def __str__(self) -> str:
        return f"{self.source}:{self.line}"


@dataclass(frozen=True)
class Entry:
    """A sealed record or a checkpoint as read, with where it was read."""

    position: Position
    fields: Mapping[str, Any]

    @property
    def writer(self) -> Optional[str]:
        writer = self.fields.get("writer")
        return writer if isinstance(writer, str) else None

    @property
    def seq(self) -> Optional[int]:
        seq = self.fields.get("seq")
        return seq if isinstance(seq, int) and not isinstance(seq, bool) else None


@dataclass(frozen=True)
class Finding:
    """The first thing wrong with one writer's chain.

    Attributes:
        writer: the writer id.
        problem: what is wrong.
        position: the line where it shows (``None``: the whole chain is missing).
        seq: the sequence number concerned (the one expected there, or the checkpoint's).
        detail: one sentence for people.
    """

    writer: str
    problem: Problem
    position: Optional[Position]
    seq: Optional[int]
    detail: str

    def __str__(self) -> str:
        where = f" at {self.position}" if self.position else ""
        return f"writer {self.writer}: {self.problem.value}{where}: {self.detail}"


@dataclass(frozen=True)
class ChainReport:
    """One writer's chain.

    Attributes:
        writer: the writer id.
        verified: how many of its records verified.
        finding: its first problem, if any.
        removed: how many records (seq 1 to this) retention deleted, as the signed retention
            anchor the chain continues from says.
    """

    writer: str
    verified: int
    finding: Optional[Finding] = None
    removed: int = 0


@dataclass(frozen=True)
class Head:
    """Where a writer's verified chain ends: the sequence number and MAC of its last record."""

    writer: str
    seq: int
    mac: str


@dataclass(frozen=True)
class Verification:
    """The result of :func:`verify`: one report per writer, plus lines that were not sealed."""

    chains: Tuple[ChainReport, ...]
    unsealed: int = 0

    @property
    def ok(self) -> bool:
        """Every chain verified, and there was at least one."""
        return bool(self.chains) and all(chain.finding is None for chain in self.chains)


def parse_line(line: str) -> Tuple[str, Optional[Dict[str, Any]]]:
    """Classify one log line: ``("record" | "checkpoint", fields)`` (a retention anchor is a
    ``"checkpoint"`` too), ``("unsealed", fields)`` for an audit record without chain fields,
    or ``("other", None)``."""
    start = line.find("{")
    if start < 0:
        return "other", None
    try:
        payload = json.loads(line[start:])
    except ValueError:
        return "other", None
    if not isinstance(payload, dict):
        return "other", None
    nested = payload.get("rasa_secure")
    if isinstance(nested, dict):  # an ECS event
        if isinstance(nested.get("checkpoint"), dict):
            return "checkpoint", nested["checkpoint"]
        payload = nested.get("audit") if isinstance(nested.get("audit"), dict) else {}
    if payload.get("kind") in (CHECKPOINT_KIND, RETENTION_KIND):
        return "checkpoint", payload
    if "mac" in payload and "writer" in payload:
        return "record", payload
    if "component" in payload and "decision" in payload:
        return "unsealed", payload
    return "other", None


def read(lines: Iterable[str], source: str) -> Tuple[List[Entry], List[Entry], int]:
    """The records, checkpoints and number of unsealed audit records in ``lines``."""
    records: List[Entry] = []
    checkpoints: List[Entry] = []
    unsealed = 0
    for number, line in enumerate(lines, start=1):
        kind, fields = parse_line(line)
        if fields is None:
            continue
        entry = Entry(Position(source, number), fields)
        if kind == "record":
            records.append(entry)
        elif kind == "checkpoint":
            checkpoints.append(entry)
        else:
            unsealed += 1
    return records, checkpoints, unsealed


def _mac_matches(fields: Mapping[str, Any], expected: str) -> bool:
    mac = fields.get("mac")
    return isinstance(mac, str) and hmac.compare_digest(mac, expected)


def _signed_points(
    points: Sequence[Entry], keys: Mapping[str, ChainKey]
) -> Tuple[Dict[str, List[Entry]], Dict[str, Finding]]:
    """The checkpoints and retention anchors whose MAC verifies, by writer; the first one of
    each writer that does not."""
    valid: Dict[str, List[Entry]] = {}
    forged: Dict[str, Finding] = {}
    for point in points:
        writer = point.writer or "?"
        key = keys.get(str(point.fields.get("key_id")))
        if key is None or not _mac_matches(point.fields, sign(key, point.fields)):
            problem = Problem.UNKNOWN_KEY if key is None else Problem.FORGED_CHECKPOINT
            detail = f"the {_name(point)} cannot be verified"
            forged.setdefault(writer, Finding(writer, problem, point.position, point.seq, detail))
        elif point.seq is not None and isinstance(point.fields.get("head"), str):
            valid.setdefault(writer, []).append(point)
    return valid, forged


def _name(point: Entry) -> str:
    return "retention anchor" if point.fields.get("kind") == RETENTION_KIND else "checkpoint"


def _start(entries: Sequence[Entry], points: Sequence[Entry]) -> Optional[Entry]:
    """The retention anchor a chain continues from: the latest before its first record (any
    latest one when no record is left), ``None`` when the chain must start at seq 1."""
    first = entries[0].seq if entries else None
    if entries and first is None:
        return None
    anchors = [
        point
        for point in points
        if point.fields.get("kind") == RETENTION_KIND
        and (first is None or (point.seq or 0) < first)
    ]
    return max(anchors, key=lambda point: point.seq or 0, default=None)


def _removed(start: Optional[Entry]) -> int:
    """How many records the retention anchor ``start`` says were deleted (0: none)."""
    return (start.seq or 0) if start else 0


def _walk(
    writer: str, entries: Sequence[Entry], keys: Mapping[str, ChainKey], start: Optional[Entry]
) -> Tuple[List[str], Optional[Finding]]:
    """The MACs of the chain's verified prefix (index = seq - 1 - the anchor's seq) and its
    first problem; the chain continues from the retention anchor ``start``, if any."""
    removed = _removed(start)
    previous = str(start.fields["head"]) if start else ""
    macs: List[str] = []
    for index, entry in enumerate(entries):
        expected = removed + len(macs) + 1
        key = keys.get(str(entry.fields.get("key_id")))
        if key is None:
            detail = f"key id {entry.fields.get('key_id')!r} is not a key given to verify"
            return macs, Finding(writer, Problem.UNKNOWN_KEY, entry.position, entry.seq, detail)
        seq = entry.seq
        if seq != expected:
            later = {other.seq for other in entries[index + 1 :]}
            if seq is not None and seq < expected:
                problem, detail = Problem.REORDERED, f"seq {seq} again after seq {expected - 1}"
            elif expected in later:
                problem, detail = Problem.REORDERED, f"seq {seq} before seq {expected}"
            else:
                missing = f"{expected}..{seq - 1}" if seq and seq > expected + 1 else str(expected)
                problem, detail = Problem.DELETED, f"records seq {missing} are missing before it"
            return macs, Finding(writer, problem, entry.position, expected, detail)
        mac = link(key, macs[-1] if macs else previous, entry.fields)
        if not _mac_matches(entry.fields, mac):
            detail = f"seq {expected} is not the record that was sealed"
            return macs, Finding(writer, Problem.MODIFIED, entry.position, expected, detail)
        macs.append(mac)
    return macs, None


def _check_head(
    writer: str, start: Optional[Entry], macs: Sequence[str], last: Optional[Entry], point: Entry
) -> Optional[Finding]:
    """Compare a verified chain with its writer's latest checkpoint or retention anchor."""
    removed = _removed(start)
    seq, head, end = point.seq or 0, point.fields.get("head"), removed + len(macs)
    if end < seq:
        detail = f"the chain ends at seq {end}; a {_name(point)} ({point.position}) has seq {seq}"
        position = last.position if last else None
        return Finding(writer, Problem.TRUNCATED, position, seq, detail)
    if seq > removed:
        known: Optional[str] = macs[seq - removed - 1]
    else:  # deleted by retention: only the anchor's own head is known
        known = str(start.fields["head"]) if start and seq == removed else None
    if known is not None and not (isinstance(head, str) and hmac.compare_digest(known, head)):
        detail = f"seq {seq} differs from the {_name(point)} at {point.position}"
        return Finding(writer, Problem.MODIFIED, None, seq, detail)
    return None


def _by_writer(records: Sequence[Entry]) -> Dict[str, List[Entry]]:
    chains: Dict[str, List[Entry]] = {}
    for entry in records:
        chains.setdefault(entry.writer or "?", []).append(entry)
    return chains


def verify(
    records: Sequence[Entry], checkpoints: Sequence[Entry], keys: Mapping[str, ChainKey],
    unsealed: int = 0,
) -> Verification:  # fmt: skip
    """Check every writer's chain in ``records`` (in reading order) against ``checkpoints``.

    A chain may start after seq 1 only where a retention anchor says retention deleted the
    records before, and its first record must link to the anchor's head.

    Args:
        records: sealed records, in the order they were read (files oldest first).
        checkpoints: checkpoints and retention anchors from anywhere; a forged one is a
            finding of its writer.
        keys: the accepted keys by key id (:func:`~rasa_secure.core.identity.chain.accepted_keys`).
        unsealed: how many audit records without chain fields were seen (reported as such).
    """
    chains = _by_writer(records)
    points, forged = _signed_points(checkpoints, keys)
    reports = []
    for writer in sorted(set(chains) | set(points) | set(forged)):
        entries, signed = chains.get(writer, []), points.get(writer, [])
        start = _start(entries, signed)
        macs, finding = _walk(writer, entries, keys, start)
        if finding is None and signed:
            latest = max(signed, key=lambda point: point.seq or 0)
            last = entries[-1] if entries else None
            finding = _check_head(writer, start, macs, last, latest)
        report = ChainReport(writer, len(macs), finding or forged.get(writer), _removed(start))
        reports.append(report)
    return Verification(tuple(reports), unsealed)


def heads(
    records: Sequence[Entry], checkpoints: Sequence[Entry], keys: Mapping[str, ChainKey]
) -> Tuple[Tuple[Head, ...], Tuple[Finding, ...]]:
    """Where each writer's chain in ``records`` ends, for retention to anchor before it deletes
    them: verified from seq 1 or from a retention anchor among ``checkpoints``.

    Returns:
        The head of each chain that verified, and the first problem of each that did not.
    """
    points, _ = _signed_points(checkpoints, keys)
    found: List[Head] = []
    findings: List[Finding] = []
    for writer, entries in sorted(_by_writer(records).items()):
        start = _start(entries, points.get(writer, []))
        macs, finding = _walk(writer, entries, keys, start)
        if finding is not None:
            findings.append(finding)
        elif macs:
            found.append(Head(writer, _removed(start) + len(macs), macs[-1]))
    return tuple(found), tuple(findings)


def valid_points(checkpoints: Sequence[Entry], keys: Mapping[str, ChainKey]) -> List[Entry]:
    """The checkpoints and retention anchors among ``checkpoints`` whose MAC verifies."""
    points, _ = _signed_points(checkpoints, keys)
    return [point for signed in points.values() for point in signed]
