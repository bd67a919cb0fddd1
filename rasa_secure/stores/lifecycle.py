"""Data lifecycle of the secure tracker store: pseudonymous ids, erasure, export, retention.

The options (:data:`LIFECYCLE_OPTIONS`) belong to the ``SecureTrackerStore`` entry of
``endpoints.yml`` (:data:`PSEUDONYM_OPTIONS` to the ``SecureEventBroker`` entry too); the
operations run from the command line (``rasa-secure erase``, ``export``, ``retention
apply``) on the stores the secure store can rewrite: SQL (SQLite, PostgreSQL), Redis and
in-memory. Every operation leaves an audit record (never an id in
clear: subjects are audit pseudonyms, counts go in the reasons).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Tuple

from rasa.shared.core.constants import SESSION_START_METADATA_SLOT

from rasa_secure.config import Option, OptionSpec
from rasa_secure.core.identity import METADATA_KEY as IDENTITY_RECORD_KEY
from rasa_secure.core.identity import audit
from rasa_secure.core.redaction import PSEUDONYM_KEY_ENV
from rasa_secure.errors import ConfigError
from rasa_secure.stores.retention import (
    AuditRetention,
    delete_audit_files,
    delete_broker_events,
    delete_rotated_files,
    event_time,
)
from rasa_secure.stores.subject_keys import (
    TABLE,
    KeyTable,
    MemoryKeyTable,
    RedisKeyTable,
    SQLKeyTable,
)

if TYPE_CHECKING:  # the tracker store imports this module
    from rasa_secure.stores.tracker_store import SecureTrackerStore

COMPONENT = "DataLifecycle"
DAY = 86_400.0


class DataClass(str, Enum):
    """What a retention period applies to (the keys of the ``retention`` option)."""

    TRACKER_EVENTS = "tracker_events"
    """Events in the tracker store; a conversation left without events is deleted whole,
    with its subject key."""
    BROKER_EVENTS = "broker_events"
    """Rows of the SQL event broker of the same ``endpoints.yml`` (other brokers: their own
    message TTL)."""
    AUDIT_RECORDS = "audit_records"
    """Rotated audit and checkpoint files (``RASA_SECURE_AUDIT_LOG``,
    ``RASA_SECURE_AUDIT_CHECKPOINTS``), anchored first (``audit verify`` accepts the rest)."""
    LOG_FILES = "log_files"
    """The other rotated files of the shipped ``logging.yml`` (``RASA_SECURE_ANOMALY_SIGNALS``)."""


def _retention(value: Any) -> Optional[str]:
    allowed = [kind.value for kind in DataClass]
    for key, days in value.items():
        if key not in allowed:
            return f"unknown data class {key!r} (allowed: {', '.join(allowed)})"
        if isinstance(days, bool) or not isinstance(days, (int, float)) or days <= 0:
            return f"{key}: a number of days greater than 0"
    return None


PSEUDONYM_OPTIONS: OptionSpec = {
    "pseudonymous_ids": Option(
        False,
        "store and publish keyed pseudonyms (HMAC-SHA256) of sender ids instead of the ids,"
        " without the channel's identity record; the key comes from pseudonym_key_env",
        bool,
    ),
    "pseudonym_key_env": Option(
        PSEUDONYM_KEY_ENV,
        "environment variable holding the key of conversation pseudonyms (same on every"
        " replica and in every store and broker; changing it orphans every stored"
        " conversation)",
        str,
    ),
}
"""Pseudonymous conversation ids, shared by the secure tracker store and event broker."""

LIFECYCLE_OPTIONS: OptionSpec = {
    **PSEUDONYM_OPTIONS,
    "subject_keys": Option(
        False,
        "encrypt each conversation's sensitive data under a data key of its own (wrapped by"
        " the keyring, in a key table of the same database) so that 'rasa-secure erase'"
        " destroys it, backups included",
        bool,
    ),
    "retention": Option(
        {},
        "days each data class is kept, e.g. {tracker_events: 90, broker_events: 30,"
        " audit_records: 365, log_files: 30}; applied by 'rasa-secure retention apply' (Redis"
        " conversations also expire a day after that, idle)",
        dict,
        _retention,
    ),
}
"""Lifecycle options of :class:`~rasa_secure.stores.tracker_store.SecureTrackerStore`."""


def pseudonym_key(settings: Dict[str, Any], component: str) -> Optional[bytes]:
    """The key of conversation pseudonyms, when ``pseudonymous_ids`` is on.

    Raises:
        ConfigError: the option is on and the variable is unset (never a random key: the
            conversations would be lost at the next restart and differ between replicas).
    """
    if not settings["pseudonymous_ids"]:
        return None
    variable = settings["pseudonym_key_env"]
    value = os.environ.get(variable, "")
    if not value:
        raise ConfigError(
            f"{component}.pseudonym_key_env",
            f"pseudonymous_ids needs a secret in {variable}, the same on every replica",
        )
    return value.encode("utf-8")


def conversation_pseudonym(sender_id: str, key: bytes) -> str:
    """The stored id of the conversation ``sender_id``: ``conv_`` and 16 hex digits."""
    value = audit.pseudonym(f"conversation:{sender_id}", key)
    assert value is not None
    return "conv_" + value.split("_", 1)[1]


def without_identity(event: Dict[str, Any]) -> Dict[str, Any]:
    """``event`` without the channel's identity record (``metadata.rasa_secure``: subject and
    sender id in clear) in its metadata, its parse data's metadata or the value of Rasa's
    ``session_started_metadata`` slot; ``event`` itself when it holds none.

    With ``pseudonymous_ids`` the store keeps no such record: the action server reads the
    record of the message being handled, which Rasa sends in the live tracker, never one read
    back from the store.
    """
    safe = dict(event)
    if event.get("event") == "slot" and event.get("name") == SESSION_START_METADATA_SLOT:
        safe["value"] = _without_record(event.get("value"))
    if "metadata" in event:
        safe["metadata"] = _without_record(event["metadata"])
    parse = event.get("parse_data")
    if isinstance(parse, Mapping) and "metadata" in parse:
        safe["parse_data"] = {**parse, "metadata": _without_record(parse["metadata"])}
    return event if safe == event else safe


def _without_record(metadata: Any) -> Any:
    if isinstance(metadata, Mapping) and isinstance(metadata.get(IDENTITY_RECORD_KEY), Mapping):
        return {key: value for key, value in metadata.items() if key != IDENTITY_RECORD_KEY}
    return metadata


# --- what each kind of store holds ------------------------------------------------------


def key_table(store: Any) -> KeyTable:
    """The table of subject keys next to the conversations of ``store`` (an unwrapped store).

    Raises:
        ConfigError: the store type cannot hold one.
    """
    from rasa.core.tracker_store import InMemoryTrackerStore, RedisTrackerStore, SQLTrackerStore

    if isinstance(store, SQLTrackerStore):
        return SQLKeyTable(store.engine)
    if isinstance(store, RedisTrackerStore):
        return RedisKeyTable(store.red, f"{TABLE}:{store.key_prefix}")
    if isinstance(store, InMemoryTrackerStore):
        return MemoryKeyTable()
    raise _unsupported(store)


def delete_conversation(store: Any, stored_id: str) -> int:
    """Delete every event of one conversation; the number of events deleted."""
    return _delete(store, stored_id=stored_id, before=None)[0]


def delete_before(store: Any, cutoff: float) -> Tuple[int, List[str]]:
    """Delete every event older than ``cutoff`` (epoch seconds).

    Returns:
        The number of events deleted, and the conversations left with none (deleted).
    """
    return _delete(store, stored_id=None, before=cutoff)


def count_events(store: Any) -> int:
    """The number of stored events (for reports and benchmarks)."""
    return sum(len(events) for _, events in _conversations(store))


def _unsupported(store: Any) -> ConfigError:
    return ConfigError(
        "SecureTrackerStore.inner.type",
        f"data lifecycle operations are not supported for {type(store).__name__}",
        ("SQL", "in_memory", "redis"),
    )


def _delete(
    store: Any, *, stored_id: Optional[str], before: Optional[float]
) -> Tuple[int, List[str]]:
    from rasa.core.tracker_store import SQLTrackerStore

    if isinstance(store, SQLTrackerStore):
        return _delete_sql(store, stored_id, before)
    deleted, emptied = 0, []
    for name, events in _conversations(store, stored_id):
        kept = [] if before is None else [e for e in events if event_time(e) >= before]
        deleted += len(events) - len(kept)
        if not kept:
            emptied.append(name)
            _write(store, name, None)
        elif len(kept) < len(events):
            _write(store, name, kept)
    return deleted, emptied


def _delete_sql(
    store: Any, stored_id: Optional[str], before: Optional[float]
) -> Tuple[int, List[str]]:
    from sqlalchemy import func

    table = store.SQLEvent
    with store.session_scope() as session:
        if before is None:
            emptied = (
                [stored_id]
                if session.query(table.id).filter(table.sender_id == stored_id).first()
                else []
            )
            query = session.query(table).filter(table.sender_id == stored_id)
        else:
            newest = func.max(table.timestamp)
            rows = session.query(table.sender_id).group_by(table.sender_id).having(newest < before)
            emptied = [row[0] for row in rows]
            query = session.query(table).filter(table.timestamp < before)
        deleted = query.delete(synchronize_session=False)
        session.commit()
    return int(deleted), [str(name) for name in emptied if name is not None]


def _conversations(store: Any, only: Optional[str] = None) -> List[Tuple[str, List[Any]]]:
    """(stored id, events) of every conversation of an in-memory or Redis store."""
    from rasa.core.tracker_store import InMemoryTrackerStore, RedisTrackerStore, SQLTrackerStore

    if isinstance(store, SQLTrackerStore):
        table = store.SQLEvent
        with store.session_scope() as session:
            rows = session.query(table.sender_id, table.timestamp)
            if only is not None:
                rows = rows.filter(table.sender_id == only)
            grouped: Dict[str, List[Any]] = {}
            for sender_id, stamp in rows:
                grouped.setdefault(str(sender_id), []).append({"timestamp": stamp})
        return list(grouped.items())
    if isinstance(store, InMemoryTrackerStore):
        names = list(store.store) if only is None else [only]
        raw = [(name, store.store.get(name)) for name in names]
    elif isinstance(store, RedisTrackerStore):
        prefix = store.key_prefix
        keys = [prefix + only] if only is not None else list(store.red.scan_iter(prefix + "*"))
        raw = [(str(key)[len(prefix) :], store.red.get(key)) for key in keys]
    else:
        raise _unsupported(store)
    found = []
    for name, data in raw:
        if data is not None:
            events = json.loads(data).get("events")
            found.append((name, events if isinstance(events, list) else []))
    return found


def _write(store: Any, name: str, events: Optional[List[Any]]) -> None:
    """Store ``events`` as conversation ``name`` (``None``: delete it)."""
    from rasa.core.tracker_store import InMemoryTrackerStore

    data = None if events is None else json.dumps({"name": name, "events": events})
    if isinstance(store, InMemoryTrackerStore):
        if data is None:
            store.store.pop(name, None)
        else:
            store.store[name] = data
    elif data is None:
        store.red.delete(store.key_prefix + name)
    else:
        store.red.set(store.key_prefix + name, data, keepttl=True)


# --- the operations ---------------------------------------------------------------------


@dataclass(frozen=True)
class Erasure:
    """What ``rasa-secure erase`` did for one subject.

    Attributes:
        subject: the audit pseudonym of the subject (never the id itself).
        events_deleted: events deleted from the tracker store.
        key_destroyed: whether a subject data key existed and was destroyed.
        seconds: time taken.
    """

    subject: str
    events_deleted: int
    key_destroyed: bool
    seconds: float


@dataclass(frozen=True)
class RetentionRun:
    """What one ``rasa-secure retention apply`` did.

    Attributes:
        cutoff: tracker events older than this (epoch seconds) were deleted; ``None``: no
            ``tracker_events`` period set.
        events_deleted: tracker events deleted.
        conversations_deleted: conversations left without events, deleted whole.
        keys_destroyed: subject data keys destroyed with them.
        seconds: time taken.
        broker_events_deleted: rows of the SQL event broker deleted (``broker_events``).
        audit_files_deleted: rotated audit and checkpoint files deleted (``audit_records``).
        log_files_deleted: other rotated log files deleted (``log_files``).
        audit_files_held: rotated audit and checkpoint files past ``audit_records`` kept
            because what they hold is not provably older and intact (records that do not
            verify, no ``RASA_SECURE_AUDIT_KEY``, sealed times within the period; logged).
    """

    cutoff: Optional[float]
    events_deleted: int
    conversations_deleted: int
    keys_destroyed: int
    seconds: float
    broker_events_deleted: int = 0
    audit_files_deleted: int = 0
    log_files_deleted: int = 0
    audit_files_held: int = 0


def erase(store: SecureTrackerStore, subject: str) -> Erasure:
    """Destroy ``subject``'s data key and delete its conversation; audited (``delete``)."""
    started = time.perf_counter()
    stored_id = store.stored_id(subject)
    keys = store.sanitizer.vault.subject_keys
    destroyed = keys.destroy([stored_id]) == 1 if keys is not None else False
    deleted = delete_conversation(store.unwrapped, stored_id)
    entry = audit.record(
        COMPONENT,
        audit.AuditDecision.DELETE,
        subject=subject,
        action="erase",
        reasons=("erasure", f"events={deleted}", f"key_destroyed={str(destroyed).lower()}"),
    )
    return Erasure(str(entry.subject), deleted, destroyed, time.perf_counter() - started)


async def export(store: SecureTrackerStore, subject: str) -> Optional[Dict[str, Any]]:
    """``subject``'s conversation, every session, sensitive slots decrypted; audited.

    Returns:
        Rasa's JSON form of the tracker (``events`` included; ``slots`` holds the latest value
        of every slot set, so no domain is needed), or ``None`` when nothing is stored for
        ``subject``.
    """
    from rasa.shared.core.trackers import EventVerbosity

    tracker = await store.retrieve_full_tracker(subject)
    state = None if tracker is None else tracker.current_state(EventVerbosity.ALL)
    if state is not None:  # the latest value of every slot set, whatever the domain declares
        for event in state["events"]:
            if event.get("event") == "slot":
                state["slots"][event["name"]] = event.get("value")
    count = len(state["events"]) if state else 0
    audit.record(
        COMPONENT,
        audit.AuditDecision.EXPORT,
        subject=subject,
        action="export",
        reasons=("subject_access", f"events={count}"),
    )
    return state


def apply_retention(
    store: SecureTrackerStore, now: Optional[float] = None, broker: Any = None
) -> RetentionRun:
    """Delete what is older than the configured periods; audited (``delete``, counts only).

    Args:
        store: the secure tracker store, whose ``retention`` option sets the periods.
        now: the current time (epoch seconds; tests).
        broker: the Rasa ``SQLEventBroker`` the assistant publishes to (``broker_events``).

    Raises:
        ConfigError: a ``broker_events`` period without a SQL event broker.
    """
    started = time.perf_counter()
    clock = time.time() if now is None else now
    cutoffs = {kind: clock - days * DAY for kind, days in store.retention.items()}
    cutoff = cutoffs.get(DataClass.TRACKER_EVENTS.value)
    deleted, emptied = (0, []) if cutoff is None else delete_before(store.unwrapped, cutoff)
    keys = store.sanitizer.vault.subject_keys
    destroyed = keys.destroy(emptied) if keys is not None else 0
    published = _broker_events(cutoffs.get(DataClass.BROKER_EVENTS.value), broker)
    audit_run = _audit_files(cutoffs.get(DataClass.AUDIT_RECORDS.value))
    log_files = _log_files(cutoffs.get(DataClass.LOG_FILES.value))
    audit.record(
        COMPONENT,
        audit.AuditDecision.DELETE,
        action="retention",
        categories=tuple(sorted(store.retention)) or (DataClass.TRACKER_EVENTS.value,),
        reasons=(
            "retention",
            f"events={deleted}",
            f"conversations={len(emptied)}",
            f"keys_destroyed={destroyed}",
            f"broker_events={published}",
            f"audit_files={audit_run.files_deleted}",
            f"audit_held={audit_run.files_held}",
            f"log_files={log_files}",
        ),
    )
    seconds = time.perf_counter() - started
    return RetentionRun(
        cutoff, deleted, len(emptied), destroyed, seconds, published, audit_run.files_deleted,
        log_files, audit_run.files_held,
    )  # fmt: skip


def _broker_events(cutoff: Optional[float], broker: Any) -> int:
    if cutoff is None:
        return 0
    if broker is None:
        raise ConfigError(
            f"{COMPONENT}.retention.{DataClass.BROKER_EVENTS.value}",
            "needs a SQL event broker (type sql, or a SecureEventBroker around one) in the"
            " same endpoints.yml; RabbitMQ and Kafka expire messages by their own policy"
            " (docs/lifecycle.md#retention-of-the-other-data)",
        )
    return delete_broker_events(broker, cutoff)


def _audit_files(cutoff: Optional[float]) -> AuditRetention:
    from rasa_secure.monitoring.ecs import AUDIT_LOG_ENV, CHECKPOINT_LOG_ENV

    if cutoff is None:
        return AuditRetention()
    records, points = (os.environ.get(name) or None for name in (AUDIT_LOG_ENV, CHECKPOINT_LOG_ENV))
    return delete_audit_files(records, points, cutoff)


def _log_files(cutoff: Optional[float]) -> int:
    from rasa_secure.monitoring.ecs import SIGNAL_LOG_ENV

    path = os.environ.get(SIGNAL_LOG_ENV)
    return 0 if cutoff is None or not path else delete_rotated_files([path], cutoff)
