"""SecureRestInput over real HTTP: every refusal of the issue, and what reaches Rasa."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import uuid
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from rasa_secure.channel.secure_rest import SecureRestInput, TokenBucketLimiter
from rasa_secure.core.crypto import Keyring, generate_key, is_encrypted
from rasa_secure.core.envelope import METADATA_KEY, attestation_key, open_envelope
from rasa_secure.errors import ConfigError
from tests.serving import serve

SECRET = "jwt-secret-" + "x" * 32
SHARED = "action-server-shared-secret"
ISSUER = "https://idp.example"
AUDIENCE = "bank-assistant"
KEYS = f"k1:{generate_key()}"
ENV = {"JWT_SECRET": SECRET, "RASA_SECURE_ACTION_TOKEN": SHARED, "RASA_SECURE_KEYS": KEYS}
HS_JWT = {
    "algorithms": ["HS256"],
    "secret_env": "JWT_SECRET",
    "issuer": ISSUER,
    "audience": AUDIENCE,
}


def token(
    subject: str = "alice",
    roles: Tuple[str, ...] = ("customer",),
    key: Any = SECRET,
    alg: str = "HS256",
    **claims: Any,
) -> str:
    now = int(time.time())
    payload: Dict[str, Any] = {
        "sub": subject,
        "roles": list(roles),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 300,
    }
    payload.update(claims)
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, key, algorithm=alg)


class Bot:
    """A stand-in for Rasa's agent: records what it is handed, answers one message."""

    def __init__(self) -> None:
        self.received: List[UserMessage] = []

    async def handle(self, message: UserMessage) -> None:
        self.received.append(message)
        await message.output_channel.send_text_message(message.sender_id, "hello")


@pytest.fixture
def make_server() -> Iterator[Any]:
    contexts: List[Any] = []

    def start(
        config: Optional[Mapping[str, Any]] = None, env: Optional[Mapping[str, str]] = None
    ) -> Tuple[str, Bot, SecureRestInput]:
        channel = SecureRestInput(dict(config or {"jwt": HS_JWT}), environ=env or ENV)
        bot = Bot()
        app = Sanic(f"secure_rest_test_{uuid.uuid4().hex[:8]}")
        app.blueprint(channel.blueprint(bot.handle), url_prefix="/webhooks/secure_rest")
        context = serve(app)
        base = context.__enter__()
        contexts.append(context)
        return f"{base}/webhooks/secure_rest/webhook", bot, channel

    yield start
    for context in contexts:
        context.__exit__(None, None, None)


def post(
    url: str, body: Any, bearer: Optional[str] = None, raw: Optional[bytes] = None
) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    data = raw if raw is not None else json.dumps(body).encode()
    return requests.post(url, data=data, headers=headers, timeout=10)


# -- allowed path -------------------------------------------------------------------------


def test_verified_message_reaches_rasa_with_attested_identity(make_server: Any) -> None:
    """The happy path: the conversation is the subject, the envelope verifies on the other side."""
    url, bot, _ = make_server()
    reply = post(url, {"message": "what is my balance?"}, token())
    assert reply.status_code == 200
    assert reply.json() == [{"recipient_id": "alice", "text": "hello"}]
    [message] = bot.received
    assert message.sender_id == "alice"
    assert message.input_channel == "secure_rest"
    envelope = open_envelope(message.metadata, attestation_key(SHARED), sender_id="alice")
    assert (envelope.subject, envelope.roles, envelope.token) == ("alice", ("customer",), None)


def test_streaming_answers_only_after_the_same_checks(make_server: Any) -> None:
    """?stream=true takes the same admission path; replies come as JSON lines."""
    url, bot, _ = make_server()
    refused = requests.post(f"{url}?stream=true", json={"message": "hi"}, timeout=10)
    assert refused.status_code == 401 and bot.received == []
    headers = {"Authorization": f"Bearer {token()}"}
    reply = requests.post(f"{url}?stream=true", json={"message": "hi"}, headers=headers, timeout=10)
    assert reply.status_code == 200
    assert [json.loads(line) for line in reply.text.splitlines()] == [
        {"recipient_id": "alice", "text": "hello"}
    ]
    assert bot.received[0].metadata[METADATA_KEY]["subject"] == "alice"


def test_forged_identity_metadata_is_replaced(make_server: Any) -> None:
    """Forged metadata roles: identity-looking keys vanish at any depth, harmless keys stay."""
    url, bot, _ = make_server()
    forged = {
        "roles": ["admin"],
        "User_ID": "bob",
        "rasa_secure": {"subject": "bob", "roles": ["admin"]},
        "context": {
            "page": "accounts",
            "auth": {"role": "admin"},
            "list": [{"isAdmin": True, "x": 1}],
        },
        "locale": "en-GB",
    }
    assert post(url, {"message": "hi", "metadata": forged}, token()).status_code == 200
    metadata = bot.received[0].metadata
    assert set(metadata) == {"context", "locale", METADATA_KEY}
    assert metadata["context"] == {"page": "accounts", "list": [{"x": 1}]}
    assert metadata[METADATA_KEY]["subject"] == "alice"
    assert metadata[METADATA_KEY]["roles"] == ["customer"]


def test_forwarded_token_is_encrypted_not_stored_in_clear(make_server: Any) -> None:
    """forward_token: the tracker only ever sees ciphertext bound to the conversation."""
    url, bot, _ = make_server({"jwt": HS_JWT, "forward_token": True})
    bearer = token()
    assert post(url, {"message": "hi"}, bearer).status_code == 200
    metadata = bot.received[0].metadata
    assert bearer not in json.dumps(metadata)
    envelope = open_envelope(metadata, attestation_key(SHARED), sender_id="alice")
    assert envelope.token is not None and is_encrypted(envelope.token)
    assert envelope.decrypt_token(Keyring.parse(KEYS)) == bearer


# -- refusals -------------------------------------------------------------------------------

NOW = int(time.time())
AUTH_REFUSALS = [
    # (why, bearer token or None, public reason)
    ("missing token", None, "token_missing"),
    ("expired token", token(iat=NOW - 4000, exp=NOW - 3600), "token_expired"),
    ("not yet valid", token(nbf=NOW + 3600), "token_not_yet_valid"),
    ("wrong issuer", token(iss="https://evil.example"), "invalid_token"),
    ("wrong audience", token(aud="other-app"), "invalid_token"),
    ("wrong signature", token(key="y" * 40), "invalid_token"),
    ("garbage", "abc.def", "invalid_token"),
]


@pytest.mark.parametrize(
    ("why", "bearer", "reason"), AUTH_REFUSALS, ids=[case[0] for case in AUTH_REFUSALS]
)
def test_authentication_refusals(
    make_server: Any, why: str, bearer: Optional[str], reason: str
) -> None:
    url, bot, _ = make_server()
    reply = post(url, {"message": "hi"}, bearer)
    assert reply.status_code == 401, why
    assert reply.json() == {"error": "unauthorized", "reason": reason}
    assert reply.headers["WWW-Authenticate"].startswith("Bearer ")
    assert bot.received == [], "a refused request must never be processed"


def _unsigned(payload: Dict[str, Any], alg: str) -> str:
    def b64(data: Dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': alg, 'typ': 'JWT'})}.{b64(payload)}."


def test_alg_none_and_key_confusion_are_refused(make_server: Any) -> None:
    """alg none, and an HS256 token MACed with the RS public key, against an RS256 channel."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    env = {**ENV, "JWT_PUBLIC_KEY": public_pem.decode()}
    config = {
        "jwt": {
            "algorithms": ["RS256"],
            "public_key_env": "JWT_PUBLIC_KEY",
            "issuer": ISSUER,
            "audience": AUDIENCE,
        }
    }
    url, bot, _ = make_server(config, env)
    payload = jwt.decode(token(), options={"verify_signature": False})
    assert post(url, {"message": "hi"}, _unsigned(payload, "none")).status_code == 401
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=")
    mac = hmac.new(public_pem, header + b"." + body, hashlib.sha256).digest()
    confused = b".".join([header, body, base64.urlsafe_b64encode(mac).rstrip(b"=")]).decode()
    assert post(url, {"message": "hi"}, confused).status_code == 401
    assert post(url, {"message": "hi"}, token(key=private, alg="RS256")).status_code == 200
    assert len(bot.received) == 1


def test_token_for_a_cannot_post_into_b_conversation(make_server: Any) -> None:
    url, bot, _ = make_server()
    reply = post(url, {"message": "transfer everything", "sender": "bob"}, token("alice"))
    assert reply.status_code == 403
    assert reply.json() == {"error": "forbidden", "reason": "conversation_not_owned"}
    assert bot.received == []


@pytest.mark.parametrize(
    ("subject", "sender", "status"),
    [
        ("alice", "alice", 200),  # the subject's main conversation
        ("alice", "alice:mobile-2", 200),  # a derived conversation
        ("alice", "alice2", 403),  # a prefix of another subject's id is not ownership
        ("alice", "bob:mobile", 403),  # another subject's derived conversation
        ("alice", "alice:x:y", 403),  # suffixes cannot contain the separator
        ("alice", "alice:", 403),  # empty suffix
        ("a:b", "a:b", 403),  # a subject with ':' could collide with a derived id
    ],
)
def test_subject_prefix_binding(make_server: Any, subject: str, sender: str, status: int) -> None:
    url, bot, _ = make_server({"jwt": HS_JWT, "sender_binding": "subject_prefix"})
    reply = post(url, {"message": "hi", "sender": sender}, token(subject))
    assert reply.status_code == status
    assert len(bot.received) == (1 if status == 200 else 0)


@pytest.mark.parametrize(
    ("why", "raw", "status", "reason"),
    [
        ("oversized body", json.dumps({"message": "a" * 20_000}).encode(), 413, "body_too_large"),
        (
            "message over max_message_chars",
            json.dumps({"message": "a" * 5_000}).encode(),
            413,
            "message_too_long",
        ),
        ("not JSON", b"message=hi", 400, "invalid_json"),
        ("JSON but not an object", b'["hi"]', 400, "body_not_object"),
        ("message missing", b'{"text": "hi"}', 400, "message_not_string"),
        (
            "metadata not an object",
            b'{"message": "hi", "metadata": "x"}',
            400,
            "metadata_not_object",
        ),
        ("sender not a string", b'{"message": "hi", "sender": 7}', 400, "sender_not_string"),
    ],
)
def test_malformed_and_oversized_bodies(
    make_server: Any, why: str, raw: bytes, status: int, reason: str
) -> None:
    url, bot, _ = make_server()
    reply = post(url, None, token(), raw=raw)
    assert (reply.status_code, reply.json()["reason"]) == (status, reason), why
    assert bot.received == []


def test_oversized_body_refused_before_authentication(make_server: Any) -> None:
    """Size is checked first: an anonymous client cannot make us parse a huge body."""
    url, _, _ = make_server()
    assert post(url, None, None, raw=b"x" * 20_000).status_code == 413


def test_rate_limit_per_subject(make_server: Any) -> None:
    """A burst beyond capacity answers 429 with Retry-After; other subjects are unaffected."""
    url, bot, _ = make_server(
        {"jwt": HS_JWT, "rate_limit": {"capacity": 3, "refill_per_second": 0.01}}
    )
    statuses = [post(url, {"message": "hi"}, token("alice")).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    limited = post(url, {"message": "hi"}, token("alice"))
    assert limited.json() == {"error": "rate_limited", "reason": "rate_limited"}
    assert int(limited.headers["Retry-After"]) >= 1
    assert post(url, {"message": "hi"}, token("bob")).status_code == 200
    assert len(bot.received) == 4


def test_refusals_are_audited_without_secrets(
    make_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    url, _, _ = make_server()
    expired = token(iat=NOW - 4000, exp=NOW - 3600)
    with caplog.at_level(logging.INFO, logger="rasa_secure.audit"):
        post(url, {"message": "my card is 4111111111111111"}, expired)
        post(url, {"message": "hi", "sender": "bob"}, token("alice"))
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "rasa_secure.audit"]
    assert [(r["decision"], r["reasons"]) for r in records] == [
        ("deny", ["token_expired"]),
        ("deny", ["conversation_not_owned"]),
    ]
    assert records[0]["subject"] is None and records[1]["subject"].startswith("sub_")
    logged = caplog.text
    assert expired not in logged and "4111111111111111" not in logged and "alice" not in logged


# -- configuration and Rasa integration ------------------------------------------------------


def test_configuration_errors_name_the_key() -> None:
    with pytest.raises(ConfigError) as caught:
        SecureRestInput({"jwt": HS_JWT}, environ={"JWT_SECRET": SECRET})
    assert caught.value.key == "SecureRestInput.attestation_secret_env"
    with pytest.raises(ConfigError) as caught:
        SecureRestInput({"jwt": {**HS_JWT, "issuer": None}}, environ=ENV)
    assert caught.value.key == "SecureRestInput.jwt.issuer"
    with pytest.raises(ConfigError) as caught:
        SecureRestInput({"jwt": HS_JWT, "sender_binding": "anything"}, environ=ENV)
    assert caught.value.key == "SecureRestInput.sender_binding"
    with pytest.raises(ConfigError) as caught:
        SecureRestInput(
            {"jwt": HS_JWT, "forward_token": True}, environ={**ENV, "RASA_SECURE_KEYS": ""}
        )
    assert caught.value.key == "SecureRestInput.token_keys_env"
    with pytest.raises(ConfigError) as caught:
        SecureRestInput(
            {"jwt": HS_JWT, "rate_limit": {"capacity": 0, "refill_per_second": 1}}, environ=ENV
        )
    assert caught.value.key == "SecureRestInput.rate_limit"


def test_rasa_loads_the_channel_from_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """credentials.yml names the class by module path; Rasa builds it with from_credentials."""
    from rasa.core.run import _create_single_channel

    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    channel = _create_single_channel(
        "rasa_secure.channel.secure_rest.SecureRestInput", {"jwt": HS_JWT}
    )
    assert isinstance(channel, SecureRestInput)
    assert channel.url_prefix() == "secure_rest"


def test_token_bucket_refills() -> None:
    """The limiter in isolation, with a fake clock: capacity, refill, eviction bound."""
    now = [0.0]
    limiter = TokenBucketLimiter(2, 1.0, max_keys=2, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(3)] == [True, True, False]
    now[0] += 1.0
    assert limiter.allow("a") and not limiter.allow("a")
    limiter.allow("b")
    limiter.allow("c")
    assert len(limiter._buckets) == 2
