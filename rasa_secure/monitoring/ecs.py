"""Audit records and checkpoints as Elastic Common Schema (ECS) events.

:class:`AuditEcsFormatter` is the maintained ``ecs_logging`` formatter with our audit fields
mapped to ECS (:func:`ecs_fields`): ``event.*`` says what was decided, ``user.id`` and
``client.address`` are the pseudonyms, ``rule.name`` the detector rules; the whole sealed
record stays under ``rasa_secure.audit`` so ``rasa-secure audit verify`` can check the
event as written. Nothing else of the record's log line goes out: the ``message`` is
``"<component> <decision>"``. Records that are not audit records keep ecs_logging's format.

In a logging YAML (the one shipped in ``rasa_secure/stores/logging.yml`` does this)::

    formatters:
      ecs: {(): rasa_secure.monitoring.ecs.AuditEcsFormatter}
    handlers:
      audit: {(): rasa_secure.monitoring.ecs.audit_handler, formatter: ecs}
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import sys
from typing import Any, Dict, Iterator, Mapping, Sequence, Tuple

import ecs_logging

from rasa_secure.core.identity import (
    CHECKPOINT_LOGGER,
    AuditDecision,
    AuditRecord,
    AuthReason,
    audit,
)
from rasa_secure.core.identity.chain import RETENTION_KIND

AUDIT_LOG_ENV = "RASA_SECURE_AUDIT_LOG"
"""Path of the rotating audit event file; unset: events go to standard output."""
CHECKPOINT_LOG_ENV = "RASA_SECURE_AUDIT_CHECKPOINTS"
"""Path of the rotating checkpoint file; unset: checkpoints go to standard error."""
SIGNAL_LOG_ENV = "RASA_SECURE_ANOMALY_SIGNALS"
"""Path of the rotating file of anomaly signals (to fit a model); unset: not written."""
MAX_BYTES = 50 * 1024 * 1024
BACKUP_COUNT = 100
"""Rotated files kept: verification needs every file of a chain, so keep many, ship them all."""

_AUTH_REASONS = frozenset(reason.value for reason in AuthReason)

# decision -> (event.category, event.type, event.outcome); a denial for a token reason is
# an authentication event instead of an iam one.
ECS_DECISIONS: Mapping[AuditDecision, Tuple[str, str, str]] = {
    AuditDecision.ALLOW: ("iam", "allowed", "success"),
    AuditDecision.FLAG: ("intrusion_detection", "indicator", "success"),
    AuditDecision.BLOCK: ("intrusion_detection", "denied", "failure"),
    AuditDecision.DENY: ("iam", "denied", "failure"),
    AuditDecision.REJECT: ("web", "denied", "failure"),
    AuditDecision.REDACT: ("web", "change", "success"),
    AuditDecision.ENCRYPT: ("database", "change", "success"),
    AuditDecision.ERROR: ("web", "error", "failure"),
    AuditDecision.DELETE: ("database", "deletion", "success"),
    AuditDecision.EXPORT: ("database", "access", "success"),
}
"""The ECS categorisation of each decision (values from ECS's allowed lists)."""


def ecs_fields(entry: AuditRecord) -> Dict[str, Any]:
    """The ECS fields of an audit record (dotted names; ``None`` values left out)."""
    category, kind, outcome = ECS_DECISIONS[entry.decision]
    if entry.decision is AuditDecision.DENY and _AUTH_REASONS.intersection(entry.reasons):
        category = "authentication"
    detector = entry.decision in (AuditDecision.FLAG, AuditDecision.BLOCK)
    fields: Dict[str, Any] = {
        "event.kind": "alert" if detector else "event",
        "event.category": [category],
        "event.type": [kind],
        "event.outcome": outcome,
        "event.action": entry.decision.value,
        "event.provider": entry.component,
        "event.dataset": "rasa_secure.audit",
        "event.module": "rasa_secure",
        "event.reason": ",".join(entry.reasons) or None,
        "event.risk_score": entry.score,
        "event.sequence": entry.seq,
        "user.id": entry.subject,
        "client.address": entry.client,
        "rule.name": list(entry.reasons) if detector and entry.reasons else None,
        "labels.action": entry.action,
        "labels.categories": ",".join(entry.categories) or None,
        "tags": list(entry.categories) or None,
    }
    return {name: value for name, value in fields.items() if value is not None}


def _put(into: Dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``into["a"]["b"] = value`` for ``"a.b"``, creating the objects on the way."""
    *parents, last = dotted.split(".")
    for name in parents:
        into = into.setdefault(name, {})
    into[last] = value


class AuditEcsFormatter(ecs_logging.StdlibFormatter):
    """ecs_logging's formatter, with audit records and checkpoints mapped to ECS.

    Args:
        exclude_fields: more fields to leave out (the log line's text, ``log.original``, and
            the attributes carrying the record are always left out).
        **kwargs: the other options of ``ecs_logging.StdlibFormatter``.
    """

    def __init__(self, exclude_fields: Sequence[str] = (), **kwargs: Any) -> None:
        hidden = [audit.RECORD_ATTRIBUTE, audit.CHECKPOINT_ATTRIBUTE, "log.original"]
        super().__init__(exclude_fields=[*hidden, *exclude_fields], **kwargs)

    def format_to_ecs(self, record: logging.LogRecord) -> Dict[str, Any]:
        """The ECS object of ``record`` (see the module's docstring)."""
        result: Dict[str, Any] = super().format_to_ecs(record)
        entry = getattr(record, audit.RECORD_ATTRIBUTE, None)
        point = getattr(record, audit.CHECKPOINT_ATTRIBUTE, None)
        if isinstance(entry, AuditRecord):
            for name, value in ecs_fields(entry).items():
                _put(result, name, value)
            result["message"] = f"{entry.component} {entry.decision.value}"
            result["rasa_secure"] = {"audit": entry.to_dict()}
        elif isinstance(point, dict):
            result["event"] = {"kind": "state", "dataset": "rasa_secure.audit_checkpoint"}
            what = "retention anchor" if point.get("kind") == RETENTION_KIND else "checkpoint"
            result["message"] = f"audit {what} {point.get('writer')} {point.get('seq')}"
            result["rasa_secure"] = {"checkpoint": dict(point)}
        return result


def checkpoint_line(point: Mapping[str, Any]) -> str:
    """``point`` (a checkpoint or retention anchor) as the shipped logging YAML writes it to
    the checkpoint file: one ECS event, without the newline."""
    record = logging.LogRecord(
        CHECKPOINT_LOGGER, logging.INFO, __file__, 0, "audit checkpoint", None, None
    )
    setattr(record, audit.CHECKPOINT_ATTRIBUTE, dict(point))
    return AuditEcsFormatter().format(record)


class _StandardStream(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to ``sys.stdout`` or ``sys.stderr`` as they are at each record, not as they
    were when logging was configured (as ``logging.lastResort`` does)."""

    def __init__(self, name: str) -> None:
        logging.Handler.__init__(self)
        self._stream_name = name

    @property
    def stream(self) -> Any:
        return getattr(sys, self._stream_name)


def _handler(variable: str, stream: str) -> logging.Handler:
    path = os.environ.get(variable, "")
    if not path:
        return _StandardStream(stream) if stream else logging.NullHandler()
    return logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=True
    )


def audit_handler() -> logging.Handler:
    """A rotating file at ``RASA_SECURE_AUDIT_LOG``, else standard output."""
    return _handler(AUDIT_LOG_ENV, "stdout")


def checkpoint_handler() -> logging.Handler:
    """A rotating file at ``RASA_SECURE_AUDIT_CHECKPOINTS``, else standard error."""
    return _handler(CHECKPOINT_LOG_ENV, "stderr")


def signal_handler() -> logging.Handler:
    """A rotating file at ``RASA_SECURE_ANOMALY_SIGNALS``, else nothing (a null handler, and
    the anomaly monitor then skips writing its signals)."""
    return _handler(SIGNAL_LOG_ENV, "")


@contextlib.contextmanager
def command_audit() -> Iterator[None]:
    """Route audit records and checkpoints during a ``rasa-secure`` command, as the shipped
    logging YAML routes a server's: records to ``RASA_SECURE_AUDIT_LOG``, else standard error
    (standard output is the command's own), checkpoints to ``RASA_SECURE_AUDIT_CHECKPOINTS``,
    else standard error, both as ECS JSON; a checkpoint at the end. A logger that already has
    handlers of its own (logging configured by the caller) is left as it is."""
    routes = ((audit.logger, AUDIT_LOG_ENV), (audit.checkpoint_logger, CHECKPOINT_LOG_ENV))
    added = []
    for logger, variable in routes:
        if logger.handlers:
            continue
        handler = _handler(variable, "stderr")
        handler.setFormatter(AuditEcsFormatter())
        added.append((logger, handler, logger.level, logger.propagate))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    try:
        yield
    finally:
        audit.write_checkpoint()
        for logger, handler, level, propagate in added:
            logger.removeHandler(handler)
            handler.close()
            logger.setLevel(level)
            logger.propagate = propagate
