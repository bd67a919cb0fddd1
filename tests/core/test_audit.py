"""The audit trail records decisions as JSON without PII."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from typing import Any, Dict

import pytest

from rasa_secure.core.identity import audit
from rasa_secure.core.identity.audit import (
    AUDIT_KEY_ENV,
    LOGGER_NAME,
    AuditDecision,
    KeySource,
    attested_subject,
    check_key,
    pseudonym,
    record,
)
from rasa_secure.core.identity.envelope import (
    METADATA_KEY,
    SHARED_SECRET_ENV,
    attestation_key,
    seal,
)


def test_record_emits_one_json_line_with_a_pseudonymous_subject(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The subject id never appears in clear; the decision and its reasons do."""
    monkeypatch.setenv("RASA_SECURE_AUDIT_KEY", "audit-key")
    with caplog.at_level(logging.INFO, logger=LOGGER_NAME):
        record("SecureAction", "deny", subject="alice@example.com", action="action_transfer",
               reasons=("not_owner",), score=0.912345)  # fmt: skip
    (line,) = [r.getMessage() for r in caplog.records if r.name == LOGGER_NAME]
    payload = json.loads(line)
    assert "alice" not in line
    assert payload["subject"] == pseudonym("alice@example.com", b"audit-key")
    assert payload["decision"] == "deny" and payload["reasons"] == ["not_owner"]
    assert payload["score"] == 0.9123


def test_decisions_are_an_enum_whose_strings_are_still_accepted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Callers pass AuditDecision or its wire string; the record holds the enum and the JSON
    the plain string; a string naming no decision is an error, not a new kind of record."""
    with caplog.at_level(logging.INFO, logger=LOGGER_NAME):
        typed = record("SecureAction", AuditDecision.REDACT)
        plain = record("SecureAction", "redact")
    assert typed.decision is plain.decision is AuditDecision.REDACT
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == LOGGER_NAME]
    assert [line["decision"] for line in lines] == ["redact", "redact"]
    with pytest.raises(ValueError):
        record("SecureAction", "maybe")


@pytest.mark.parametrize(
    ("a", "b", "key_a", "key_b", "equal"),
    [
        ("alice", "alice", b"k", b"k", True),  # stable: the same subject links across records
        ("alice", "bob", b"k", b"k", False),  # distinct subjects stay distinct
        ("alice", "alice", b"k", b"other", False),  # the key matters: no global rainbow table
    ],
)
def test_pseudonym_is_stable_and_keyed(
    a: str, b: str, key_a: bytes, key_b: bytes, equal: bool
) -> None:
    """Pseudonyms are deterministic per key and differ across subjects and keys."""
    assert (pseudonym(a, key_a) == pseudonym(b, key_b)) is equal


def test_no_subject_stays_none() -> None:
    """An anonymous decision has no subject rather than a hash of nothing."""
    assert pseudonym(None) is None


@pytest.fixture
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sees the once-per-process warnings again."""
    monkeypatch.setattr(audit, "_warned", set())


def unkeyed(subject: str) -> str:
    """What an unkeyed hash of ``subject`` would be: anyone can compute it."""
    return hmac.new(b"", subject.encode(), hashlib.sha256).hexdigest()[:16]


def test_without_key_subjects_are_never_hashed_unkeyed_and_it_warns(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, fresh_warnings: None
) -> None:
    # Why: customer ids are enumerable; an unkeyed hash of "1001" is reversed by hashing
    # every candidate. Without the key, the process's random key is used
    # and the deployment is told loudly, once.
    monkeypatch.delenv(AUDIT_KEY_ENV, raising=False)
    with caplog.at_level(logging.WARNING, logger="rasa_secure.core.identity.audit"):
        first, second = pseudonym("1001"), pseudonym("1001")
        assert check_key() is KeySource.EPHEMERAL
    assert first == second and first is not None, "stable within the process"
    assert first.startswith("sub_") and unkeyed("1001") not in first
    warnings = [
        r.getMessage() for r in caplog.records if r.name == "rasa_secure.core.identity.audit"
    ]
    assert len(warnings) == 1 and AUDIT_KEY_ENV in warnings[0]


def test_with_key_subjects_use_it_and_nothing_warns(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, fresh_warnings: None
) -> None:
    monkeypatch.setenv(AUDIT_KEY_ENV, "k" * 32)
    with caplog.at_level(logging.WARNING, logger="rasa_secure.core.identity.audit"):
        assert check_key() is KeySource.ENVIRONMENT
        assert pseudonym("1001") == pseudonym("1001", b"k" * 32)
    assert [r for r in caplog.records if r.name == audit.__name__] == []


def test_a_short_key_warns(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, fresh_warnings: None
) -> None:
    # Why: a few bytes of key and enumerable ids are brute-forced together.
    monkeypatch.setenv(AUDIT_KEY_ENV, "short")
    with caplog.at_level(logging.WARNING, logger="rasa_secure.core.identity.audit"):
        check_key()
    assert any("shorter than" in r.getMessage() for r in caplog.records)


def test_an_empty_explicit_key_is_refused() -> None:
    with pytest.raises(ValueError, match="non-empty key"):
        pseudonym("1001", b"")


SHARED = "s" * 32


def envelope_metadata(subject: str = "cust-7", secret: str = SHARED) -> Dict[str, Any]:
    sealed = seal(
        subject=subject,
        roles=["customer"],
        sender_id=subject,
        expires_at=int(time.time()) + 300,
        key=attestation_key(secret),
    )
    return {METADATA_KEY: sealed.to_metadata()}


@pytest.mark.parametrize(
    ("metadata", "secret", "expected"),
    [
        pytest.param(envelope_metadata(), SHARED, "cust-7", id="attested by the channel"),
        pytest.param(envelope_metadata(secret="x" * 32), SHARED, None, id="forged"),
        pytest.param(envelope_metadata(), None, None, id="no secret to check it with"),
        pytest.param({"rasa_secure": {"subject": "cust-7"}}, SHARED, None, id="malformed"),
        pytest.param(None, SHARED, None, id="no metadata"),
    ],
)
def test_attested_subject(
    monkeypatch: pytest.MonkeyPatch, metadata: Any, secret: Any, expected: Any
) -> None:
    # Why: NLU components see only the message metadata; a client of another channel can
    # write any subject there, so only an envelope the channel attested names one.
    if secret is None:
        monkeypatch.delenv(SHARED_SECRET_ENV, raising=False)
    else:
        monkeypatch.setenv(SHARED_SECRET_ENV, secret)
    assert attested_subject(metadata) == expected
