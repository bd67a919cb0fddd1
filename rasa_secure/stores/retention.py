"""What ``rasa-secure retention apply`` deletes besides tracker events.

* ``broker_events``: the rows of Rasa's SQL event broker (table ``events``: an id, the sender
  id and the event as JSON, whose ``timestamp`` dates it). RabbitMQ and Kafka keep their
  messages by their own policy (a queue's message TTL, a topic's ``retention.ms``).
* ``audit_records`` and ``log_files``: the rotated copies (``FILE.1``, ``FILE.2``, ...) of the
  files the shipped ``logging.yml`` writes, by their last change; the live file, still being
  written, is never deleted. The rotating handlers keep at most a number of files whatever
  their age, so a period longer than they reach deletes nothing.
"""

from __future__ import annotations

import glob
import json
import os
from typing import Any, Iterable, List

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


def delete_rotated_files(paths: Iterable[str], cutoff: float) -> int:
    """Delete the rotated copies of each file of ``paths`` last changed before ``cutoff``;
    the number deleted. A copy the handler renames meanwhile is left for the next run."""
    deleted = 0
    for path in paths:
        for rotated in glob.glob(glob.escape(path) + ".*"):
            if not rotated[len(path) + 1 :].isdigit():
                continue
            try:
                if os.path.getmtime(rotated) < cutoff:
                    os.remove(rotated)
                    deleted += 1
            except FileNotFoundError:
                continue
    return deleted
