"""An audit trail of security decisions that itself holds no PII.

Every component that allows, flags, blocks, denies or redacts something records an
:class:`AuditRecord` through :func:`record`. Records are emitted as one JSON object per line
on the ``rasa_secure.audit`` logger, so any logging handler (file, syslog, a SIEM shipper)
can take them. They carry *who* as a keyed pseudonym of the subject (HMAC-SHA256 with
``RASA_SECURE_AUDIT_KEY``; investigators holding the key can link records to a user),
*what* (component, action, decision, categories, entity types) and *why* (rule ids,
reasons): never user text, slot values or secrets.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from typing import Optional, Tuple

LOGGER_NAME = "rasa_secure.audit"
AUDIT_KEY_ENV = "RASA_SECURE_AUDIT_KEY"

logger = logging.getLogger(LOGGER_NAME)


def pseudonym(subject: Optional[str], key: Optional[bytes] = None) -> Optional[str]:
    """A stable keyed pseudonym for ``subject`` (``None`` stays ``None``).

    Without ``RASA_SECURE_AUDIT_KEY`` the hash is unkeyed: still no clear text in the log,
    but guessable for small subject spaces; production deployments set the key.
    """
    if subject is None:
        return None
    secret = key if key is not None else os.environ.get(AUDIT_KEY_ENV, "").encode("utf-8")
    digest = hmac.new(secret, subject.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"sub_{digest[:16]}"


@dataclass(frozen=True)
class AuditRecord:
    """One security decision.

    Attributes:
        component: what decided, e.g. ``"InjectionScreen"`` or ``"SecureAction"``.
        decision: ``allow``, ``flag``, ``block``, ``deny``, ``redact``, ``error``...
        subject: pseudonym of the verified subject (see :func:`pseudonym`), if known.
        action: the action, slot or endpoint concerned, if any (a name, never a value).
        categories: threat categories or PII entity types involved.
        reasons: rule ids or short machine-readable reasons.
        score: the detector score, if the decision came from one.
        timestamp: seconds since the epoch.
    """

    component: str
    decision: str
    subject: Optional[str] = None
    action: Optional[str] = None
    categories: Tuple[str, ...] = ()
    reasons: Tuple[str, ...] = ()
    score: Optional[float] = None
    timestamp: float = field(default_factory=time.time)

    def to_json(self) -> str:
        """The record as one line of JSON with sorted keys."""
        payload = asdict(self)
        payload["categories"] = list(self.categories)
        payload["reasons"] = list(self.reasons)
        return json.dumps(payload, sort_keys=True)


def record(
    component: str,
    decision: str,
    *,
    subject: Optional[str] = None,
    action: Optional[str] = None,
    categories: Tuple[str, ...] = (),
    reasons: Tuple[str, ...] = (),
    score: Optional[float] = None,
) -> AuditRecord:
    """Emit an audit record; ``subject`` is the raw subject id and is pseudonymised here."""
    entry = AuditRecord(
        component=component,
        decision=decision,
        subject=pseudonym(subject),
        action=action,
        categories=tuple(categories),
        reasons=tuple(reasons),
        score=None if score is None else round(float(score), 4),
    )
    logger.info(entry.to_json())
    return entry
