"""SecureHandoffInput's admission of helpdesk callbacks: every refusal, and what passes.

Storing the reply in a paused conversation and handing back run end to end through the
example bot (tests/e2e/test_handoff_e2e.py).
"""

from __future__ import annotations

import json
from typing import Any, Dict, Mapping

import pytest

from rasa_secure.channel.secure_handoff import (
    CallbackKind,
    CallbackRefused,
    SecureHandoffInput,
)
from rasa_secure.core.handoff import SECRET_ENV, seal_conversation
from rasa_secure.core.identity import Keyring, generate_key
from rasa_secure.core.signing import sign
from rasa_secure.errors import ConfigError

SECRET = "callback-secret-" + "z" * 32
KEYS = f"k1:{generate_key()}"
ENV = {SECRET_ENV: SECRET, "RASA_SECURE_KEYS": KEYS}
REFERENCE = seal_conversation(Keyring.parse(KEYS), "alice")
FOREIGN = seal_conversation(Keyring.parse(f"k1:{generate_key()}"), "alice")


def channel() -> SecureHandoffInput:
    return SecureHandoffInput({"max_text_chars": 50}, environ=ENV)


def signed(data: Any, secret: str = SECRET) -> Dict[str, Any]:
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    return {"headers": sign(secret.encode(), body), "body": body}


def reply(**changes: Any) -> Dict[str, Any]:
    return {
        "kind": "reply",
        "conversation": REFERENCE,
        "text": "Hello, Sam here.",
        "agent": "a-7",
        **changes,
    }


def test_a_signed_reply_is_admitted() -> None:
    request = signed(reply())
    assert channel().admit(**request) == (CallbackKind.REPLY, "alice", "Hello, Sam here.", "a-7")


def test_since_pause_is_what_the_customer_said_after_the_latest_pause_masked() -> None:
    """Only user messages, only after the latest pause (an earlier handoff's are not sent
    again), PII masked by the pattern-only default."""
    from rasa.shared.core.events import (
        BotUttered,
        ConversationPaused,
        ConversationResumed,
        UserUttered,
    )

    events = [
        UserUttered("the first handoff"),
        ConversationPaused(),
        UserUttered("said during the first handoff"),
        ConversationResumed(),
        UserUttered("I want a person"),
        BotUttered("connecting"),
        ConversationPaused(),
        UserUttered("my card is 4111 1111 1111 1111"),
        BotUttered("an agent's reply"),
        UserUttered("hello?"),
    ]
    said = [message["text"] for message in channel().since_pause(events, "alice")]
    assert len(said) == 2 and said[1] == "hello?"
    assert said[0].startswith("my card is ") and "4111 1111 1111 1111" not in said[0]


def test_a_handback_needs_no_text() -> None:
    request = signed({"kind": "handback", "conversation": REFERENCE, "agent": "a-7"})
    assert channel().admit(**request) == (CallbackKind.HANDBACK, "alice", "", "a-7")
    request = signed({"kind": "messages", "conversation": REFERENCE, "agent": "a-7"})
    assert channel().admit(**request) == (CallbackKind.MESSAGES, "alice", "", "a-7")


REFUSALS = [
    # (why, request, status, reason)
    ("signed with another secret", signed(reply(), "q" * 40), 401, "signature_invalid"),
    ("not signed", {"headers": {}, "body": json.dumps(reply()).encode()}, 401, "signature_missing"),
    ("unknown kind", signed(reply(kind="close")), 400, "malformed_callback"),
    ("not an object", signed(["reply"]), 400, "malformed_callback"),
    ("text not a string", signed(reply(text=5)), 400, "malformed_callback"),
    (
        "no agent",
        signed({k: v for k, v in reply().items() if k != "agent"}),
        400,
        "malformed_callback",
    ),
    ("reply too long", signed(reply(text="x" * 51)), 400, "field_too_long"),
    ("empty reply", signed(reply(text="  ")), 400, "empty_reply"),
    (
        "reference of another deployment",
        signed(reply(conversation=FOREIGN)),
        403,
        "unknown_conversation",
    ),
    (
        "reference that is a raw id",
        signed(reply(conversation="alice")),
        403,
        "unknown_conversation",
    ),
    (
        "nested deep (parsing would recurse)",
        signed(b"[" * 5000 + b"]" * 5000),
        400,
        "malformed_callback",
    ),
    ("not JSON", signed(b"kind=reply"), 400, "malformed_callback"),
    ("body over the limit", {"headers": {}, "body": b"x" * 20_000}, 413, "body_too_large"),
]


@pytest.mark.parametrize(
    ("request_", "status", "reason"), [c[1:] for c in REFUSALS], ids=[c[0] for c in REFUSALS]
)
def test_refusals(request_: Mapping[str, Any], status: int, reason: str) -> None:
    with pytest.raises(CallbackRefused) as caught:
        channel().admit(**request_)
    assert (caught.value.status, caught.value.reason) == (status, reason)


def test_a_replayed_callback_is_refused() -> None:
    """The same signed reply twice: the second is refused (an agent's message once)."""
    gate = channel()
    request = signed(reply())
    gate.admit(**request)
    with pytest.raises(CallbackRefused) as caught:
        gate.admit(**request)
    assert (caught.value.status, caught.value.reason) == (401, "nonce_replayed")


def test_a_callback_replayed_to_another_replica_is_refused(redis_url: str) -> None:
    """Two replicas sharing nonce_storage in Redis: a request accepted by one is a replay to
    the other (with memory:// each would accept it once)."""
    config = {"nonce_storage": redis_url}
    first, second = (SecureHandoffInput(config, environ=ENV) for _ in range(2))
    request = signed(reply())
    first.admit(**request)
    with pytest.raises(CallbackRefused) as caught:
        second.admit(**request)
    assert (caught.value.status, caught.value.reason) == (401, "nonce_replayed")


def test_an_unreachable_nonce_store_refuses_the_callback() -> None:
    """Fail closed: a request that cannot be checked for replay is refused with 503."""
    gate = SecureHandoffInput({"nonce_storage": "redis://127.0.0.1:1/0"}, environ=ENV)
    with pytest.raises(CallbackRefused) as caught:
        gate.admit(**signed(reply()))
    assert (caught.value.status, caught.value.reason) == (503, "nonce_store_unavailable")


def test_a_nonce_storage_that_is_no_store_is_refused_at_start() -> None:
    with pytest.raises(ConfigError) as caught:
        SecureHandoffInput({"nonce_storage": "postgres://db/x"}, environ=ENV)
    assert caught.value.key == "SecureHandoffInput.nonce_storage"


@pytest.mark.parametrize(
    ("environ", "key"),
    [
        ({"RASA_SECURE_KEYS": KEYS}, f"SecureHandoffInput.secret_env ({SECRET_ENV})"),
        ({SECRET_ENV: SECRET}, "SecureHandoffInput.keys_env"),
    ],
    ids=["no secret", "no keyring"],
)
def test_the_channel_does_not_start_without_its_secrets(environ: Dict[str, str], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        SecureHandoffInput({}, environ=environ)
    assert caught.value.key == key
