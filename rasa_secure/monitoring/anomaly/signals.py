"""What the anomaly monitor watches: one :class:`Signal` per security event, without PII.

Signals come from two places. Every audit record (a block, a flag, a refused token, a policy
denial, a redaction) becomes a signal through :func:`from_record`, the audit listener of the
monitor. The admission gate adds one :data:`SignalKind.MESSAGE` per admitted message, with
the text's length and the pseudonyms of the account numbers it names (:func:`message`);
the text itself never leaves the gate. A signal names who it is about by the audit
pseudonyms only (``sub_...`` for a subject, ``cli_...`` for a client address).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from enum import Enum
from typing import Any, Dict, Iterable, Iterator, Optional, Tuple

from rasa_secure.channel.refusal import RefusalReason
from rasa_secure.core.distress import COMPONENT_NAME as DISTRESS_COMPONENT
from rasa_secure.core.identity import AuditDecision, AuditRecord, AuthReason, audit, trail
from rasa_secure.core.pii.recognizers.bank_account import BankAccountRecognizer

MONITOR_COMPONENT = "AnomalyMonitor"
"""The component name of the monitor's own audit records (never fed back as signals)."""

_ACCOUNT = re.compile(BankAccountRecognizer.PATTERNS[0].regex)
_AUTH_REASONS = frozenset(reason.value for reason in AuthReason)
_RESPONSE_REASONS = frozenset(
    reason.value
    for reason in (
        RefusalReason.LOCKED_OUT,
        RefusalReason.THROTTLED,
        RefusalReason.STEP_UP_REQUIRED,
    )
)
"""The gate's refusals that carry out a response: not fed back as signals."""
_NOT_SECURITY = frozenset({MONITOR_COMPONENT, DISTRESS_COMPONENT})
"""Components whose records are no signal: the monitor's own, and the distress detector's (a
customer in distress or under coercion is not suspicious, and must never be locked out for
it)."""


class SignalKind(str, Enum):
    """What happened (a ``str`` enum: the wire values of the signal log)."""

    MESSAGE = "message"
    """A message passed the admission gate."""
    BLOCKED = "blocked"
    """A detector blocked a message (injection screen, a blocked trigger value)."""
    FLAGGED = "flagged"
    """A detector let a message through as suspicious."""
    AUTH_FAILURE = "auth_failure"
    """A token or identity was refused."""
    DENIED = "denied"
    """Any other refusal: a policy denial, a rate limit, a conversation not owned."""
    PII = "pii"
    """Personal data was redacted; ``count`` is the number of types found."""


@dataclass(frozen=True)
class Signal:
    """One security event as the monitor sees it.

    Attributes:
        kind: what happened.
        subject: the subject's pseudonym (``sub_...``), if known.
        client: the client address's pseudonym (``cli_...``), if known.
        at: seconds since the epoch.
        length: the message length in characters (``MESSAGE`` only).
        count: how many (PII types found; 1 otherwise).
        accounts: pseudonyms of the account numbers the message names (``MESSAGE`` only).
    """

    kind: SignalKind
    subject: Optional[str] = None
    client: Optional[str] = None
    at: float = 0.0
    length: int = 0
    count: int = 1
    accounts: Tuple[str, ...] = ()

    def window_keys(self) -> Tuple[str, ...]:
        """The window keys this signal counts for: its subject and its client address."""
        return tuple(key for key in (self.subject, self.client) if key)

    def to_json(self) -> str:
        """One compact JSON line (the signal log, the shared window store)."""
        data: Dict[str, Any] = {"kind": self.kind.value, "at": round(self.at, 3)}
        for name in ("subject", "client"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        if self.length:
            data["length"] = self.length
        if self.count != 1:
            data["count"] = self.count
        if self.accounts:
            data["accounts"] = list(self.accounts)
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> Signal:
        """Read a line of :meth:`to_json`.

        Raises:
            ValueError: not such a line.
        """
        data = json.loads(line)
        if not isinstance(data, dict):
            raise ValueError("a signal is a JSON object")
        return cls(
            kind=SignalKind(data["kind"]),
            subject=_optional_str(data.get("subject")),
            client=_optional_str(data.get("client")),
            at=float(data["at"]),
            length=int(data.get("length", 0)),
            count=int(data.get("count", 1)),
            accounts=tuple(str(item) for item in data.get("accounts", ())),
        )


def _optional_str(value: Any) -> Optional[str]:
    if value is None or isinstance(value, str):
        return value
    raise ValueError("subject and client are strings")


def account_pseudonyms(text: str) -> Tuple[str, ...]:
    """Keyed pseudonyms (``acc_...``) of the account-like numbers in ``text``, distinct."""
    found = dict.fromkeys(match.group(0) for match in _ACCOUNT.finditer(text))
    return tuple("acc_" + str(audit.pseudonym(f"account:{n}")).split("_", 1)[1] for n in found)


def message(
    subject: Optional[str], client: Optional[str], text: str, at: Optional[float] = None
) -> Signal:
    """The signal of an admitted message (raw ``subject`` and ``client``, pseudonymised here)."""
    return Signal(
        SignalKind.MESSAGE,
        subject=audit.pseudonym(subject),
        client=audit.client_pseudonym(client),
        at=time.time() if at is None else at,
        length=len(text),
        accounts=account_pseudonyms(text),
    )


def _kind(entry: AuditRecord) -> Optional[SignalKind]:
    if entry.decision is AuditDecision.BLOCK:
        return SignalKind.BLOCKED
    if entry.decision is AuditDecision.FLAG:
        return SignalKind.FLAGGED
    if entry.decision is AuditDecision.REDACT and entry.categories:
        return SignalKind.PII
    if entry.decision is AuditDecision.DENY:
        if _AUTH_REASONS.intersection(entry.reasons):
            return SignalKind.AUTH_FAILURE
        if RefusalReason.TRIGGER_VALUE_BLOCKED.value in entry.reasons:
            return SignalKind.BLOCKED
        return SignalKind.DENIED
    return None


def from_record(entry: AuditRecord) -> Optional[Signal]:
    """The signal of an audit record, or ``None`` when it is none (an allow, an encryption,
    the monitor's own records, the distress detector's)."""
    ours = entry.component in _NOT_SECURITY or _RESPONSE_REASONS.intersection(entry.reasons)
    kind = None if ours else _kind(entry)
    if kind is None:
        return None
    subject = entry.subject if entry.subject and entry.subject.startswith("sub_") else None
    return Signal(
        kind,
        subject=subject,
        client=entry.client,
        at=entry.timestamp,
        count=max(1, len(entry.categories)) if kind is SignalKind.PII else 1,
    )


def _audit_record(fields: Dict[str, Any]) -> Optional[AuditRecord]:
    try:
        return AuditRecord(
            component=str(fields["component"]),
            decision=AuditDecision(fields["decision"]),
            subject=_optional_str(fields.get("subject")),
            client=_optional_str(fields.get("client")),
            categories=tuple(str(item) for item in fields.get("categories") or ()),
            reasons=tuple(str(item) for item in fields.get("reasons") or ()),
            timestamp=float(fields["timestamp"]),
        )
    except (KeyError, ValueError, TypeError):
        return None


def read(lines: Iterable[str]) -> Iterator[Signal]:
    """Signals from lines of the signal log and of audit logs (plain, prefixed or ECS);
    other lines are skipped."""
    for line in lines:
        stripped = line.strip()
        if stripped.startswith('{"') and '"kind"' in stripped:
            try:
                yield Signal.from_json(stripped)
                continue
            except (ValueError, KeyError, TypeError):
                pass  # a checkpoint or an audit record that names a kind
        kind, fields = trail.parse_line(stripped)
        entry = _audit_record(fields) if fields is not None and kind != "checkpoint" else None
        signal = None if entry is None else from_record(entry)
        if signal is not None:
            yield signal
