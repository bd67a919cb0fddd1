"""The hash chain that makes the audit trail tamper-evident.

Each process (a *writer*) numbers its audit records 1, 2, 3... and seals each one with a MAC
(HMAC-SHA256) over the record's canonical content and the MAC of the writer's previous record.
Editing, removing, moving or inserting a record breaks the chain at that place; cutting off
the tail does not, so the writer also emits signed *checkpoints* (writer, sequence number,
head MAC) to a second place (:data:`CHECKPOINT_LOGGER`), against which
:mod:`rasa_secure.core.identity.trail` detects a missing tail. Retention, which deletes the
oldest records, leaves a signed *retention anchor* of the same shape (:func:`signed_point`)
from which the surviving records verify.

The MAC key is derived from ``RASA_SECURE_AUDIT_KEY`` (never the key itself); records name it
by a key id, so ``rasa-secure audit verify`` accepts records sealed before a rotation with the
key in ``RASA_SECURE_AUDIT_KEY_PREVIOUS``. Without ``RASA_SECURE_AUDIT_KEY`` records are sealed
with the process's random key: nobody can verify them later (see :mod:`.audit`).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import secrets
import socket
import time
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional

from rasa_secure.core.identity.envelope import PREVIOUS_SUFFIX

AUDIT_KEY_ENV = "RASA_SECURE_AUDIT_KEY"
"""The audit key: pseudonyms (:mod:`.audit`) and, through a derived key, the chain's MACs."""
CHECKPOINT_LOGGER = "rasa_secure.audit.checkpoint"
"""The logger of checkpoints; configure it to write somewhere else than the records."""
PREVIOUS_KEY_ENV = AUDIT_KEY_ENV + PREVIOUS_SUFFIX
"""The audit key being retired: ``rasa-secure audit verify`` accepts records sealed with it."""
WRITER_ENV = "RASA_SECURE_AUDIT_WRITER"
"""A writer id to use instead of ``<host>-<pid>-<random>`` (one per process: never shared)."""
CHECKPOINT_EVERY_ENV = "RASA_SECURE_AUDIT_CHECKPOINT_EVERY"
"""Emit a checkpoint after this many records (default :data:`DEFAULT_CHECKPOINT_EVERY`)."""
DEFAULT_CHECKPOINT_EVERY = 100
CHECKPOINT_KIND = "checkpoint"
"""The ``kind`` of a checkpoint object (records have none)."""
RETENTION_KIND = "retention"
"""The ``kind`` of a retention anchor: the records up to its ``seq`` were deleted by retention."""

_CHAIN_CONTEXT = b"rasa_secure audit chain v1"
_KEY_ID_CONTEXT = b"rasa_secure audit key id v1"


@dataclass(frozen=True)
class ChainKey:
    """The MAC key derived from one audit key, and its public id.

    Attributes:
        key_id: 12 hex digits naming the key in records (reveals nothing about it).
        secret: the derived MAC key.
    """

    key_id: str
    secret: bytes = b""

    def __repr__(self) -> str:  # never print the secret
        return f"ChainKey(key_id={self.key_id!r})"


@functools.lru_cache(maxsize=8)
def chain_key(audit_key: bytes) -> ChainKey:
    """The chain's MAC key and key id for ``audit_key`` (separate from the pseudonyms' use)."""
    secret = hmac.new(audit_key, _CHAIN_CONTEXT, hashlib.sha256).digest()
    key_id = hmac.new(audit_key, _KEY_ID_CONTEXT, hashlib.sha256).hexdigest()[:12]
    return ChainKey(key_id, secret)


def current_key(
    environ: Optional[Mapping[str, str]] = None, variable: str = AUDIT_KEY_ENV
) -> Optional[ChainKey]:
    """The chain key of ``RASA_SECURE_AUDIT_KEY`` (or of ``variable``); ``None`` when unset."""
    value = (os.environ if environ is None else environ).get(variable, "")
    return chain_key(value.encode("utf-8")) if value else None


def accepted_keys(environ: Optional[Mapping[str, str]] = None) -> Dict[str, ChainKey]:
    """The keys verification accepts, by key id: the current audit key and the retiring one."""
    found = {}
    for variable in (AUDIT_KEY_ENV, PREVIOUS_KEY_ENV):
        key = current_key(environ, variable)
        if key is not None:
            found[key.key_id] = key
    return found


def canonical(fields: Mapping[str, Any]) -> bytes:
    """The bytes a MAC covers: every field but ``mac``, absent and ``None`` alike left out.

    Leaving ``None`` out makes a record verify the same from its plain JSON line (which has
    nulls) and from its ECS event (which drops them).
    """
    content = {name: value for name, value in fields.items() if name != "mac" and value is not None}
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def link(key: ChainKey, previous_mac: str, fields: Mapping[str, Any]) -> str:
    """The MAC of a record: HMAC-SHA256 over the previous record's MAC and the content."""
    message = previous_mac.encode("ascii") + b"\n" + canonical(fields)
    return hmac.new(key.secret, message, hashlib.sha256).hexdigest()


def sign(key: ChainKey, fields: Mapping[str, Any]) -> str:
    """The MAC of a checkpoint or retention anchor (it stands alone: no previous MAC)."""
    return hmac.new(key.secret, canonical(fields), hashlib.sha256).hexdigest()


def signed_point(kind: str, writer_id: str, seq: int, head: str, key: ChainKey) -> Dict[str, Any]:
    """A signed statement that the MAC of ``writer_id``'s record ``seq`` is ``head``.

    Args:
        kind: :data:`CHECKPOINT_KIND` (the chain reached ``seq``) or :data:`RETENTION_KIND`
            (and its records 1 to ``seq`` were deleted by retention).
        writer_id: the writer of the chain.
        seq: the sequence number.
        head: the MAC of record ``seq``.
        key: the key to sign with (its id goes in the object).
    """
    fields: Dict[str, Any] = {
        "kind": kind,
        "writer": writer_id,
        "seq": seq,
        "head": head,
        "key_id": key.key_id,
        "timestamp": time.time(),
    }
    fields["mac"] = sign(key, fields)
    return fields


@dataclass(frozen=True)
class Seal:
    """Where a record sits in its writer's chain.

    Attributes:
        writer: the writer id.
        seq: the record's number in the chain (from 1).
        key_id: the id of the key of ``mac``.
        mac: the record's MAC.
    """

    writer: str
    seq: int
    key_id: str
    mac: str


def default_writer_id() -> str:
    """``RASA_SECURE_AUDIT_WRITER``, else ``<host>-<pid>-<random>``: unique per process."""
    configured = os.environ.get(WRITER_ENV, "")
    if configured:
        return configured
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def checkpoint_every(environ: Optional[Mapping[str, str]] = None) -> int:
    """How many records between checkpoints (a bad value falls back to the default)."""
    value = (os.environ if environ is None else environ).get(CHECKPOINT_EVERY_ENV, "")
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_CHECKPOINT_EVERY


class Writer:
    """One process's chain: its id, the last sequence number and the head MAC.

    Not thread-safe on its own: :func:`rasa_secure.core.identity.audit.emit` seals and writes
    under one lock, so the order of the lines is the order of the chain.
    """

    def __init__(self, writer_id: Optional[str] = None, every: Optional[int] = None) -> None:
        self.writer_id = writer_id or default_writer_id()
        self.every = every or checkpoint_every()
        self.seq = 0
        self.head = ""
        self.key: Optional[ChainKey] = None

    def seal(self, fields: Mapping[str, Any], key: ChainKey) -> Seal:
        """Append a record (its content ``fields``, without chain fields) to the chain."""
        self.seq += 1
        self.key = key
        content = dict(fields, writer=self.writer_id, seq=self.seq, key_id=key.key_id)
        self.head = link(key, self.head, content)
        return Seal(self.writer_id, self.seq, key.key_id, self.head)

    @property
    def checkpoint_due(self) -> bool:
        """Whether the last sealed record should be followed by a checkpoint."""
        return self.seq > 0 and self.seq % self.every == 0

    def checkpoint(self) -> Optional[Dict[str, Any]]:
        """A signed checkpoint of the head, or ``None`` before the first record."""
        if self.key is None:
            return None
        return signed_point(CHECKPOINT_KIND, self.writer_id, self.seq, self.head, self.key)


_writer = Writer()


def writer() -> Writer:
    """This process's writer (a forked child starts a new chain with a new writer id)."""
    return _writer


def reset(writer_id: Optional[str] = None, every: Optional[int] = None) -> Writer:
    """Start a new chain in this process (after a fork; tests)."""
    global _writer
    _writer = Writer(writer_id, every)
    return _writer


os.register_at_fork(after_in_child=reset)
