"""The audit trail records decisions as JSON without PII."""

from __future__ import annotations

import json
import logging

import pytest

from rasa_secure.core.audit import LOGGER_NAME, pseudonym, record


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
