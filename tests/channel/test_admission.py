"""The admission gate without a transport: what any channel adapter gets back from ``admit``."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from typing import Any, Optional

import pytest

from rasa_secure.channel import AdmissionGate, Admitted, Refusal, RefusalReason, Status
from rasa_secure.channel.refusal import STATUS
from rasa_secure.core.identity import METADATA_KEY, AuthReason, attestation_key, open_envelope
from tests.channel.conftest import ENV, HS_JWT, SHARED, token

CLIENT = "203.0.113.7"


@pytest.fixture(scope="module")
def gate() -> AdmissionGate:
    return AdmissionGate({"jwt": HS_JWT, "max_message_chars": 20}, owner="TestAdapter", environ=ENV)


# (why, bearer, sender, text, metadata, reason, status, public reason)
REFUSALS = [
    ("no token", None, None, "hi", None, AuthReason.TOKEN_MISSING, Status.UNAUTHORIZED,
     "token_missing"),
    ("a token signed with another key", token(key="other-" + "y" * 32), None, "hi", None,
     AuthReason.BAD_SIGNATURE, Status.UNAUTHORIZED, "invalid_token"),
    ("text that is not a string", token(), None, 42, None, RefusalReason.MESSAGE_NOT_STRING,
     Status.BAD_REQUEST, "message_not_string"),
    ("text over max_message_chars", token(), None, "x" * 21, None,
     RefusalReason.MESSAGE_TOO_LONG, Status.TOO_LARGE, "message_too_long"),
    ("a sender that is not a string", token(), 7, "hi", None, RefusalReason.SENDER_NOT_STRING,
     Status.BAD_REQUEST, "sender_not_string"),
    ("metadata that is not an object", token(), None, "hi", ["x"],
     RefusalReason.METADATA_NOT_OBJECT, Status.BAD_REQUEST, "metadata_not_object"),
    ("someone else's conversation", token(), "bob", "hi", None,
     RefusalReason.CONVERSATION_NOT_OWNED, Status.FORBIDDEN, "conversation_not_owned"),
    ("an intent trigger nobody allowed", token(), None, "/transfer", None,
     RefusalReason.INTENT_TRIGGER_NOT_ALLOWED, Status.FORBIDDEN, "intent_trigger_not_allowed"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("why", "bearer", "sender", "text", "metadata", "reason", "status", "public"),
    REFUSALS,
    ids=[case[0] for case in REFUSALS],
)
def test_refusals_are_typed_and_audited(
    gate: AdmissionGate,
    caplog: pytest.LogCaptureFixture,
    why: str,
    bearer: Optional[str],
    sender: Any,
    text: Any,
    metadata: Any,
    reason: Any,
    status: Status,
    public: str,
) -> None:
    with caplog.at_level(logging.INFO, logger="rasa_secure.audit"):
        refusal = gate.admit(bearer, sender, text, metadata, client=CLIENT)
    assert isinstance(refusal, Refusal), why
    assert (refusal.reason, refusal.status, refusal.public_reason) == (reason, status, public), why
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "rasa_secure.audit"]
    assert [(r["component"], r["decision"], r["reasons"]) for r in records] == [
        ("TestAdapter", "deny", [reason.value])
    ], "the gate audits every refusal itself, once"


def test_an_admitted_message_carries_identity_binding_and_envelope(gate: AdmissionGate) -> None:
    metadata = {"locale": "en", "context": {"roles": ["admin"], "page": 1}}
    admitted = gate.admit(token(), "alice", "hello", metadata, client=CLIENT)
    assert isinstance(admitted, Admitted)
    assert (admitted.identity.subject, admitted.sender_id, admitted.text) == (
        "alice",
        "alice",
        "hello",
    )
    assert admitted.parse_data is None
    assert admitted.metadata["context"] == {"page": 1}, "identity-looking keys are dropped"
    opened = open_envelope(admitted.metadata, attestation_key(SHARED), sender_id="alice")
    assert opened == admitted.envelope
    assert admitted.metadata[METADATA_KEY] == admitted.envelope.to_metadata()


def test_admit_json_checks_size_before_the_token(gate: AdmissionGate) -> None:
    """An unauthenticated body over the cap is refused for its size, never parsed."""
    refusal = gate.admit_json(None, b"{" * 20_000, client=CLIENT)
    assert isinstance(refusal, Refusal)
    assert refusal.reason is RefusalReason.BODY_TOO_LARGE and refusal.subject is None
    unauthenticated = gate.admit_json(None, b"not json", client=CLIENT)
    assert isinstance(unauthenticated, Refusal)
    assert unauthenticated.reason is AuthReason.TOKEN_MISSING, "the token is checked first"


def test_every_reason_has_a_status() -> None:
    """A new RefusalReason without a status would fail at the first refusal."""
    assert set(STATUS) == set(RefusalReason)


def test_the_gate_imports_no_web_framework() -> None:
    """The gate is transport-independent: a second adapter must not pull Sanic in."""
    code = (
        "import sys, rasa_secure.channel.admission, rasa_secure.channel.refusal\n"
        "print(sorted(m for m in ('sanic', 'rasa', 'aiohttp') if m in sys.modules))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert found == "[]"
