"""What ``rasa-secure retention apply`` deletes besides tracker events.

* ``broker_events``: the rows of Rasa's SQL event broker (table ``events``: an id, the sender
  id and the event as JSON, whose ``timestamp`` dates it). RabbitMQ and Kafka keep their
  messages by their own policy (a queue's message TTL, a topic's ``retention.ms``).
* ``audit_records`` and ``log_files``: the rotated copies (``FILE.1``, ``FILE.2``, ...) of the
  files the shipped ``logging.yml`` writes, by their last change, oldest first; the live file,
  still being written, is never deleted. The rotating handlers keep at most a number of files
  whatever their age, so a period longer than they reach deletes nothing.
* Before it deletes audit records, :func:`delete_audit_files` verifies them and appends a
  signed retention anchor per writer (its last deleted seq and MAC) to the live checkpoint
  file, from which ``rasa-secure audit verify`` verifies the records left; what it cannot
  prove old and intact it keeps.
"""

from __future__ import annotations

import glob
import json
import logging
import os
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from rasa_secure.core.identity import chain, trail
from rasa_secure.core.identity.chain import AUDIT_KEY_ENV

BATCH = 500
"""Rows deleted per statement (SQLite accepts at most 999 parameters)."""


def event_time(event: Any) -> float:
    """The ``timestamp`` of a Rasa event dict; 0 (older than any cutoff) when it has none."""
    stamp = event.get("timestamp") if isinstance(event, dict) else None
    return float(stamp) if isinstance(stamp, (int, float)) else 0.0


def delete_broker_events(broker: Any, cutoff: float) -> int:
    """Delete the rows of ``broker`` (a Rasa ``SQLEventBroker``) whose event is older than
    ``cutoff`` (epoch seconds), or that hold no readable event; the number deleted."""
    table = broker.SQLBrokerEvent
    with broker.session_scope() as session:
        rows = session.query(table.id, table.data).yield_per(1000)
        old: List[int] = [row_id for row_id, data in rows if event_time(_event(data)) < cutoff]
        for start in range(0, len(old), BATCH):
            chosen = table.id.in_(old[start : start + BATCH])
            session.query(table).filter(chosen).delete(synchronize_session=False)
        session.commit()
    return len(old)


def _event(data: Any) -> Any:
    try:
        return json.loads(data)
    except (TypeError, ValueError):
        return None


_log = logging.getLogger(__name__)

Copy = Tuple[str, int]
"""A rotated copy: its path and inode (a copy renamed by the handler is another file)."""


def _copies(path: str) -> List[Copy]:
    """The rotated copies of ``path`` (``path.1``, ``path.2``, ...), oldest first."""
    numbered = []
    for rotated in glob.glob(glob.escape(path) + ".*"):
        suffix = rotated[len(path) + 1 :]
        if suffix.isdigit():
            try:
                numbered.append((int(suffix), rotated, os.stat(rotated).st_ino))
            except FileNotFoundError:
                continue
    return [(rotated, inode) for _, rotated, inode in sorted(numbered, reverse=True)]


def _older(path: str, cutoff: float) -> List[Copy]:
    """The rotated copies of ``path`` last changed before ``cutoff``, oldest first."""
    found = []
    for rotated, inode in _copies(path):
        try:
            if os.path.getmtime(rotated) < cutoff:
                found.append((rotated, inode))
        except FileNotFoundError:
            continue
    return found


def _delete(copies: Iterable[Copy]) -> int:
    """Delete ``copies`` in order, stopping at one the handler renamed meanwhile (left for the
    next run, with every newer one); the number deleted."""
    deleted = 0
    for rotated, inode in copies:
        try:
            if os.stat(rotated).st_ino != inode:
                break
            os.remove(rotated)
        except FileNotFoundError:
            break
        deleted += 1
    return deleted


def delete_rotated_files(paths: Iterable[str], cutoff: float) -> int:
    """Delete the rotated copies of each file of ``paths`` last changed before ``cutoff``,
    oldest first; the number deleted."""
    return sum(_delete(_older(path, cutoff)) for path in paths)


@dataclass(frozen=True)
class AuditRetention:
    """What :func:`delete_audit_files` did.

    Attributes:
        files_deleted: rotated audit and checkpoint files deleted.
        anchored: writers whose deleted records a new retention anchor covers.
        files_held: rotated files past the period kept (with every one after) because what
            they hold is not provably older than the period: records that do not verify, no
            audit key to verify and sign with, or sealed records or checkpoints written after
            the cutoff (a file's date can be changed, a sealed timestamp cannot). Logged.
    """

    files_deleted: int = 0
    anchored: int = 0
    files_held: int = 0


def delete_audit_files(
    audit_log: Optional[str], checkpoints: Optional[str], cutoff: float
) -> AuditRetention:
    """Delete the rotated audit and checkpoint files last changed before ``cutoff``, each
    after anchoring the audit records in it.

    One file at a time, audit files first, oldest first: its records are verified (from seq 1,
    or from their writer's latest retention anchor) with the keys of ``rasa-secure audit
    verify`` and must all be older than ``cutoff``, like its valid checkpoints; then for each
    writer a retention anchor signed with ``RASA_SECURE_AUDIT_KEY`` (the last seq in the file
    and its MAC) is appended to the live checkpoint file (the live audit file without one),
    with every writer's latest anchor that the file itself holds, and only then is the file
    deleted. The first file that fails is kept, with every one after it.

    Args:
        audit_log: the live audit file (``RASA_SECURE_AUDIT_LOG``), if any.
        checkpoints: the live checkpoint file (``RASA_SECURE_AUDIT_CHECKPOINTS``), if any.
        cutoff: epoch seconds.

    Raises:
        OSError: an anchor cannot be written (its file is not deleted then).
    """
    lives = list(dict.fromkeys(path for path in (audit_log, checkpoints) if path))
    if not lives:
        return AuditRetention()
    target = checkpoints or lives[0]  # where the anchors go
    anchors: List[trail.Entry] = []
    for rotated in [*(name for name, _ in _copies(target)), target]:
        anchors.extend(trail.read(_lines(rotated, whole=False), rotated)[1])
    old = _older(audit_log, cutoff) if audit_log else []
    old += _older(checkpoints, cutoff) if checkpoints and checkpoints != audit_log else []
    keys, signing = chain.accepted_keys(), chain.current_key()
    anchored: Set[str] = set()
    deleted = 0
    for number, (rotated, inode) in enumerate(old):
        records, points, _ = trail.read(_lines(rotated, whole=True), rotated)
        heads, findings = trail.heads(records, anchors, keys)
        renewed = {head.writer for head in heads}
        carried = [h for h in _latest_in(rotated, anchors, keys) if h.writer not in renewed]
        sealed = [*records, *trail.valid_points(points, keys)]
        reason = _unproven(findings, signing is None and bool(records or carried), sealed, cutoff)
        if reason is not None:
            _log.warning("retention keeps %s and the newer files: %s", rotated, reason)
            return AuditRetention(deleted, len(anchored), len(old) - number)
        anchors.extend(_append_anchors(target, signing, [*heads, *carried]))
        anchored |= renewed
        if not _delete([(rotated, inode)]):
            break  # renamed by the handler meanwhile: the rest waits for the next run
        deleted += 1
    return AuditRetention(deleted, len(anchored))


def _unproven(
    findings: Sequence[trail.Finding], unsigned: bool, sealed: List[trail.Entry], cutoff: float
) -> Optional[str]:
    """Why a file may not be deleted yet (``None``: it may).

    Args:
        findings: the problems of its records' chains.
        unsigned: it needs anchors and there is no audit key to sign them with.
        sealed: its records and valid checkpoints (their timestamps cannot be changed).
        cutoff: the end of the period.
    """
    if unsigned:
        return f"{AUDIT_KEY_ENV} is not set: nothing to sign its retention anchors with"
    if findings:
        return f"its records do not verify ({findings[0]})"
    stamps = [entry.fields.get("timestamp") for entry in sealed]
    if any(isinstance(stamp, (int, float)) and stamp >= cutoff for stamp in stamps):
        return "it holds records or checkpoints sealed within the period"
    return None


def _latest_in(
    path: str, anchors: List[trail.Entry], keys: Mapping[str, chain.ChainKey]
) -> List[trail.Head]:
    """The writers whose latest valid retention anchor is in ``path``, as heads."""
    latest: Dict[str, trail.Entry] = {}
    for point in trail.valid_points(anchors, keys):
        if point.fields.get("kind") == chain.RETENTION_KIND:
            writer = point.writer or "?"
            if writer not in latest or (point.seq or 0) > (latest[writer].seq or 0):
                latest[writer] = point
    return [
        trail.Head(writer, point.seq or 0, str(point.fields["head"]))
        for writer, point in sorted(latest.items())
        if point.position.source == path
    ]


def _append_anchors(
    path: str, key: Optional[chain.ChainKey], heads: Iterable[trail.Head]
) -> List[trail.Entry]:
    """Append a retention anchor of each head to ``path``, signed with ``key`` (none without
    one); the anchors written."""
    from rasa_secure.monitoring.ecs import checkpoint_line

    if key is None:
        return []
    points = [chain.signed_point(chain.RETENTION_KIND, h.writer, h.seq, h.mac, key) for h in heads]
    if points:
        with open(path, "a", encoding="utf-8") as handle:
            handle.writelines(checkpoint_line(point) + "\n" for point in points)
    return [trail.Entry(trail.Position(path, 0), point) for point in points]


def _lines(path: str, whole: bool) -> List[str]:
    """The lines of ``path`` (``whole``: every one; else those that may be a retention
    anchor, for speed); none when it is gone."""
    marker = f'"{chain.RETENTION_KIND}"'
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return [line for line in handle if whole or marker in line]
    except FileNotFoundError:
        return []
