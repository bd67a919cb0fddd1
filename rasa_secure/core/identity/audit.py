"""An audit trail of security decisions that itself holds no PII.

Every component that allows, flags, blocks, denies or redacts something records an
:class:`AuditRecord` through :func:`record`. Records are emitted as one JSON object per line
on the ``rasa_secure.audit`` logger, so any logging handler (file, syslog, a SIEM shipper)
can take them. They carry *who* as a keyed pseudonym of the subject (HMAC-SHA256 with
``RASA_SECURE_AUDIT_KEY``; investigators holding the key can link records to a user),
*what* (component, action, decision, categories, entity types) and *why* (rule ids,
reasons): never user text, slot values or secrets.

Each record is sealed into its writer's hash chain (:mod:`rasa_secure.core.identity.chain`:
writer id, sequence number, key id, MAC) before it is written, and every record then goes to
the listeners added with :func:`add_listener` (the Prometheus counters of
:mod:`rasa_secure.monitoring.metrics`). The log record carries the sealed
:class:`AuditRecord` as the attribute :data:`RECORD_ATTRIBUTE`, from which
:mod:`rasa_secure.monitoring.ecs` writes Elastic Common Schema events.

Without ``RASA_SECURE_AUDIT_KEY`` nothing is hashed without a key: subjects are keyed with a
random key that lives only in this process,
which nobody can reverse by hashing candidate customer ids, and :func:`check_key` warns
loudly at start-up that records then link within one process only.
"""

from __future__ import annotations

import atexit
import functools
import hmac
import json
import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Callable, Dict, List, Optional, Set, Tuple, Union

from rasa_secure.core.identity import chain

LOGGER_NAME = "rasa_secure.audit"
RECORD_ATTRIBUTE = "rasa_secure_audit"
"""The attribute of a log record holding the sealed :class:`AuditRecord`."""
CHECKPOINT_ATTRIBUTE = "rasa_secure_checkpoint"
"""The attribute of a checkpoint's log record holding the checkpoint object."""
AUDIT_KEY_ENV = chain.AUDIT_KEY_ENV
MIN_KEY_BYTES = 16
"""Shorter keys are accepted with a warning: with enumerable subject ids (customer numbers) a
short key can be brute-forced from the pseudonyms."""

logger = logging.getLogger(LOGGER_NAME)
checkpoint_logger = logging.getLogger(chain.CHECKPOINT_LOGGER)
_log = logging.getLogger(__name__)  # warnings about the trail itself, not audit records

_EPHEMERAL_KEY = secrets.token_bytes(32)
_warned: Set[str] = set()
_warn_lock = threading.Lock()


class KeySource(str, Enum):
    """Where the key of the pseudonyms comes from."""

    ENVIRONMENT = "environment"
    """``RASA_SECURE_AUDIT_KEY``: pseudonyms stable across processes and replicas."""
    EPHEMERAL = "ephemeral"
    """A random key of this process: pseudonyms linkable within it only."""


class AuditDecision(str, Enum):
    """What a component decided; the ``decision`` of an :class:`AuditRecord`.

    A ``str`` enum: the values are the wire strings of the records, and :func:`record`
    also accepts them as plain strings (an unknown string is a ``ValueError``).
    """

    ALLOW = "allow"
    """Let through (also: accepted with a warning, e.g. the retiring shared secret)."""
    FLAG = "flag"
    """Let through, marked as suspicious (the injection screen)."""
    BLOCK = "block"
    """Stopped by a detector (the injection screen)."""
    DENY = "deny"
    """Refused for lack of identity or permission."""
    REJECT = "reject"
    """Refused as invalid input (a slot value, an unknown response)."""
    REDACT = "redact"
    """Personal data masked."""
    ENCRYPT = "encrypt"
    """Sensitive values encrypted at rest (nothing else to mask)."""
    ERROR = "error"
    """A check failed; the component failed safe."""
    DELETE = "delete"
    """Stored data destroyed (an erasure, a retention run); counts in the reasons."""
    EXPORT = "export"
    """Stored data handed out decrypted (a subject's export)."""


_MISSING_KEY = (
    "%s is not set: audit subjects are pseudonymised with a random key of this process, so "
    "audit records link a subject only within this process (not across restarts or replicas) "
    "and investigators cannot look a customer up. Set %s to a random secret shared by every "
    "replica (for example: python -c 'import secrets; print(secrets.token_urlsafe(32))')."
)
_SHORT_KEY = (
    "%s is shorter than %d bytes: with enumerable subject ids (customer numbers) its "
    "pseudonyms can be reversed by brute force. Use a random secret of 32 bytes."
)


def _warn_once(kind: str, message: str, *args: Any) -> None:
    with _warn_lock:
        if kind in _warned:
            return
        _warned.add(kind)
    _log.warning(message, *args)


def audit_key() -> Tuple[bytes, KeySource]:
    """The key of the pseudonyms: ``RASA_SECURE_AUDIT_KEY``, else this process's random key.

    Warns (once per process) when the variable is missing or too short.
    """
    value = os.environ.get(AUDIT_KEY_ENV, "")
    if not value:
        _warn_once("missing", _MISSING_KEY, AUDIT_KEY_ENV, AUDIT_KEY_ENV)
        return _EPHEMERAL_KEY, KeySource.EPHEMERAL
    key = value.encode("utf-8")
    if len(key) < MIN_KEY_BYTES:
        _warn_once("short", _SHORT_KEY, AUDIT_KEY_ENV, MIN_KEY_BYTES)
    return key, KeySource.ENVIRONMENT


def check_key() -> KeySource:
    """Start-up check: where pseudonyms will get their key from, warning loudly if it is not
    ``RASA_SECURE_AUDIT_KEY`` (or if that is too short). Components call it when they load."""
    return audit_key()[1]


def pseudonym(subject: Optional[str], key: Optional[bytes] = None) -> Optional[str]:
    """A stable keyed pseudonym for ``subject`` (``None`` stays ``None``).

    Args:
        subject: the raw subject id.
        key: the key to use; by default :func:`audit_key` (``RASA_SECURE_AUDIT_KEY``, else
            the process's random key, with a warning). Never an empty key.
    """
    if subject is None:
        return None
    if key is None:
        key = audit_key()[0]
    if not key:
        raise ValueError("an audit pseudonym needs a non-empty key")
    return _pseudonym(key, subject)


@functools.lru_cache(maxsize=16_384)
def _pseudonym(key: bytes, subject: str) -> str:
    """The pseudonym of ``subject`` under ``key``, remembered: the gate, the monitor and the
    audit records ask for the same few active ids many times a second."""
    return f"sub_{hmac.digest(key, subject.encode('utf-8'), 'sha256')[:8].hex()}"


def client_pseudonym(address: Optional[str]) -> Optional[str]:
    """A keyed pseudonym of a client address (``cli_<hex>``), like subjects' ``sub_<hex>``."""
    if not address:
        return None
    value = pseudonym(f"client:{address}")
    return None if value is None else "cli_" + value.split("_", 1)[1]


def attested_subject(metadata: Any) -> Optional[str]:
    """The subject of the identity envelope in a message's ``metadata``, if it is attested.

    ``SecureRestInput`` puts the verified identity into the metadata of every message, signed
    with a key derived from ``RASA_SECURE_ACTION_TOKEN`` (see
    :mod:`rasa_secure.core.identity.envelope`). NLU components see the metadata but neither the
    tracker nor the sender id; they record this subject in their audit records. A missing,
    forged or expired envelope (another channel, a client writing metadata) or a missing
    secret gives ``None``: the audit record then names no subject rather than a claimed one.
    """
    from rasa_secure.core.identity.envelope import (
        METADATA_KEY,
        SHARED_SECRET_ENV,
        attestation_key,
        open_envelope,
    )
    from rasa_secure.errors import RasaSecureError

    secret = os.environ.get(SHARED_SECRET_ENV)
    raw = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    if not secret or not isinstance(raw, dict) or not isinstance(raw.get("sender_id"), str):
        return None
    try:
        envelope = open_envelope(metadata, attestation_key(secret), sender_id=raw["sender_id"])
    except (RasaSecureError, ValueError, TypeError):
        return None
    return envelope.subject


@dataclass(frozen=True)
class AuditRecord:
    """One security decision.

    Attributes:
        component: what decided, e.g. ``"InjectionScreen"`` or ``"SecureAction"``.
        decision: what was decided (:class:`AuditDecision`).
        subject: pseudonym of the verified subject (see :func:`pseudonym`), if known.
        client: pseudonym of the client's address (see :func:`client_pseudonym`), if known.
        action: the action, slot or endpoint concerned, if any (a name, never a value).
        categories: threat categories or PII entity types involved.
        reasons: rule ids or short machine-readable reasons.
        score: the detector score, if the decision came from one.
        timestamp: seconds since the epoch.
        writer: the id of the chain the record was sealed into (``None`` until sealed).
        seq: its number in that chain, from 1.
        key_id: the id of the key of ``mac``.
        mac: HMAC-SHA256 over the content and the previous record's MAC.
    """

    component: str
    decision: AuditDecision
    subject: Optional[str] = None
    client: Optional[str] = None
    action: Optional[str] = None
    categories: Tuple[str, ...] = ()
    reasons: Tuple[str, ...] = ()
    score: Optional[float] = None
    timestamp: float = field(default_factory=time.time)
    writer: Optional[str] = None
    seq: Optional[int] = None
    key_id: Optional[str] = None
    mac: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        """The record as JSON-ready values (the decision as its string)."""
        payload = {name: getattr(self, name) for name in self.__dataclass_fields__}
        payload["decision"] = self.decision.value
        payload["categories"] = list(self.categories)
        payload["reasons"] = list(self.reasons)
        return payload

    def to_json(self) -> str:
        """The record as one line of JSON with sorted keys."""
        return json.dumps(self.to_dict(), sort_keys=True)


Listener = Callable[[AuditRecord], None]
"""Called with every sealed record after it was written (metrics, alerting)."""

_listeners: List[Listener] = []
_emit_lock = threading.Lock()


def add_listener(listener: Listener) -> None:
    """Call ``listener`` with every record emitted from now on (once, however often added)."""
    if listener not in _listeners:
        _listeners.append(listener)


def remove_listener(listener: Listener) -> None:
    """Stop calling ``listener`` (nothing happens if it was not added)."""
    if listener in _listeners:
        _listeners.remove(listener)


def emit(entry: AuditRecord) -> AuditRecord:
    """Seal ``entry`` into this process's chain, write it, and tell the listeners.

    Sealing and writing happen under one lock, so the lines come in chain order; every
    ``checkpoint_every`` records a signed checkpoint goes to the checkpoint logger. A failing
    listener is logged (by its exception's type) and never stops the decision.

    Returns:
        the sealed record.
    """
    content = entry.to_dict()
    for name in ("writer", "seq", "key_id", "mac"):
        content.pop(name)
    key = chain.chain_key(audit_key()[0])
    with _emit_lock:
        writer = chain.writer()
        seal = writer.seal(content, key)
        sealed = replace(entry, writer=seal.writer, seq=seal.seq, key_id=seal.key_id, mac=seal.mac)
        logger.info(sealed.to_json(), extra={RECORD_ATTRIBUTE: sealed})
        if writer.checkpoint_due:
            write_checkpoint(writer)
    for listener in list(_listeners):
        try:
            listener(sealed)
        except Exception as error:
            _log.error("audit listener failed (%s)", error.__class__.__name__)
    return sealed


def write_checkpoint(writer: Optional[chain.Writer] = None) -> Optional[Dict[str, Any]]:
    """Write a signed checkpoint of ``writer``'s head (default: this process's) now."""
    point = (writer or chain.writer()).checkpoint()
    if point is not None:
        checkpoint_logger.info(
            json.dumps(point, sort_keys=True), extra={CHECKPOINT_ATTRIBUTE: point}
        )
    return point


atexit.register(write_checkpoint)  # the head at a clean shutdown: nothing after it to cut


def record(
    component: str,
    decision: Union[AuditDecision, str],
    *,
    subject: Optional[str] = None,
    client: Optional[str] = None,
    action: Optional[str] = None,
    categories: Tuple[str, ...] = (),
    reasons: Tuple[str, ...] = (),
    score: Optional[float] = None,
) -> AuditRecord:
    """Emit an audit record; ``subject`` (the raw subject id) and ``client`` (the client's
    address) are pseudonymised here. Returns the sealed record (see :func:`emit`).

    Raises:
        ValueError: ``decision`` is a string that names no :class:`AuditDecision`.
    """
    entry = AuditRecord(
        component=component,
        decision=AuditDecision(decision),
        subject=pseudonym(subject),
        client=client_pseudonym(client),
        action=action,
        categories=tuple(categories),
        reasons=tuple(reasons),
        score=None if score is None else round(float(score), 4),
    )
    return emit(entry)
