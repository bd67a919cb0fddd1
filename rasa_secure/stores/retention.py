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
  file, from which ``rasa-secure audit verify`` verifies the records left.
"""

from __future__ import annotations

import glob
import json
import logging
import os
from dataclasses import dataclass
from typing import Any, Iterable, List, Optional, Set, Tuple

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
        unanchored: writers whose deleted records no anchor covers, because they did not
            verify (each is logged with its finding) or no audit key was set to sign with:
            ``rasa-secure audit verify`` reports the records left of these as deleted.
    """

    files_deleted: int = 0
    anchored: int = 0
    unanchored: int = 0


def delete_audit_files(
    audit_log: Optional[str], checkpoints: Optional[str], cutoff: float
) -> AuditRetention:
    """Delete the rotated audit and checkpoint files last changed before ``cutoff``, each
    audit file after anchoring its records.

    One audit file at a time, oldest first, its records are verified (from seq 1, or from
    their writer's latest retention anchor) with the keys of ``rasa-secure audit verify``;
    for each writer whose records verify, a retention anchor signed with
    ``RASA_SECURE_AUDIT_KEY`` (the last seq in the file and its MAC) is appended to the live
    checkpoint file (the live audit file without one), and only then is the file deleted. A
    writer's latest anchor in a file about to be deleted is written again first, so that one
    outlives its writer's checkpoints (in Redis they stay for ever).

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
    old_records = _older(audit_log, cutoff) if audit_log else []
    old_points = _older(checkpoints, cutoff) if checkpoints and checkpoints != audit_log else []
    condemned = {rotated for rotated, _ in [*old_records, *old_points]}
    target = checkpoints or lives[0]  # where the anchors are: read them all
    points: List[trail.Entry] = []
    for rotated in [*(name for name, _ in _copies(target)), target]:
        points.extend(trail.read(_lines(rotated, whole=False), rotated)[1])
    keys, signing = chain.accepted_keys(), chain.current_key()
    if signing is None and old_records:
        _log.warning("%s is not set: the audit records deleted are not anchored", AUDIT_KEY_ENV)
    kept = [
        trail.Head(writer, point.seq or 0, str(point.fields["head"]))
        for writer, point in sorted(trail.latest_anchors(points, keys).items())
        if point.position.source in condemned
    ]
    points.extend(_append_anchors(target, signing, kept))
    anchored: Set[str] = set()
    unanchored: Set[str] = set()
    deleted = 0
    for rotated, inode in old_records:
        heads, findings = trail.heads(
            trail.read(_lines(rotated, whole=True), rotated)[0], points, keys
        )
        for finding in findings:
            _log.warning("retention deletes audit records it cannot anchor: %s", finding)
        points.extend(_append_anchors(target, signing, heads))
        (anchored if signing else unanchored).update(head.writer for head in heads)
        unanchored.update(finding.writer for finding in findings)
        if not _delete([(rotated, inode)]):
            old_points = []  # renamed meanwhile: the rest waits for the next run
            break
        deleted += 1
    deleted += _delete(old_points)
    return AuditRetention(deleted, len(anchored - unanchored), len(unanchored))


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
