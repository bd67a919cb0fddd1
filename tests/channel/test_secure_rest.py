"""SecureRestInput over real HTTP: every refusal of the issue, and what reaches Rasa."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import socket
import threading
import time
from typing import Any, Dict, Iterator, List, Mapping, Optional
from urllib.parse import urlparse

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from rasa_secure.channel.secure_rest import MAX_HEADER_BYTES, SecureRestInput
from rasa_secure.core.identity import (
    MAX_TOKEN_CHARS,
    METADATA_KEY,
    Keyring,
    attestation_key,
    is_encrypted,
    open_envelope,
)
from rasa_secure.core.json_depth import json_too_deep
from rasa_secure.errors import ConfigError
from tests.channel.conftest import (
    AUDIENCE,
    ENV,
    HS_JWT,
    ISSUER,
    KEYS,
    SECRET,
    SHARED,
    post,
    provider_jwt,
    token,
)
from tests.core.test_tokens import Provider
from tests.serving import serve

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
    """A burst beyond the limit answers 429 with Retry-After; other subjects are unaffected."""
    url, bot, _ = make_server({"jwt": HS_JWT, "rate_limit": "3/minute"})
    statuses = [post(url, {"message": "hi"}, token("alice")).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    limited = post(url, {"message": "hi"}, token("alice"))
    assert limited.json() == {"error": "rate_limited", "reason": "rate_limited"}
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
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
    assert records[0]["subject"].startswith("cli_") and records[1]["subject"].startswith("sub_")
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
            {"jwt": HS_JWT, "rate_limit": {"capacity": 3, "refill_per_second": 1}}, environ=ENV
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


# -- nesting depth, header size ---------------------------------------------------------------


def _nested(levels: int) -> bytes:
    return b'{"message": "hi", "metadata": {"x": ' + b"[" * levels + b"]" * levels + b"}}"


def test_deeply_nested_json_is_refused_before_parsing(make_server: Any) -> None:
    """1,000 levels in 2 KB used to hit the parser's recursion limit (a 500): now a JSON 400."""
    url, bot, _ = make_server()
    body = _nested(1_000)
    assert len(body) < 2_100
    reply = post(url, None, token(), raw=body)
    assert reply.status_code == 400
    assert reply.headers["Content-Type"].startswith("application/json")
    assert reply.json() == {"error": "bad_request", "reason": "json_too_deep"}
    assert post(url, None, token(), raw=_nested(30)).status_code == 200  # within the default 32
    assert len(bot.received) == 1


@pytest.mark.parametrize(
    ("why", "data", "limit", "deep"),
    [
        ("flat object", b'{"a": 1}', 1, False),
        ("exactly the limit", b"[[[]]]", 3, False),
        ("one over", b"[[[[]]]]", 3, True),
        ("brackets inside a string do not count", b'{"a": "[[[[[[[["}', 1, False),
        ("an escaped quote does not end the string", b'{"a": "\\"[[[[["}', 1, False),
        ("an escaped backslash before the closing quote", b'{"a": "\\\\", "b": [[[]]]}', 3, True),
        ("siblings do not add up", b"[[], [], [], []]", 2, False),
    ],
)
def test_json_depth_scan(why: str, data: bytes, limit: int, deep: bool) -> None:
    assert json_too_deep(data, limit) is deep, why


@pytest.fixture
def rasa_server() -> Iterator[Any]:
    """The channel inside the Sanic app Rasa's own ``rasa run`` builds (``configure_app``)."""
    from rasa.core.run import configure_app

    contexts: List[Any] = []

    def start(config: Optional[Mapping[str, Any]] = None) -> str:
        channel = SecureRestInput(dict(config or {"jwt": HS_JWT}), environ=ENV)
        app = configure_app([channel], enable_api=False, port=0)
        type(app).test_mode = True
        context = serve(app)
        contexts.append(context)
        return f"{context.__enter__()}/webhooks/secure_rest/webhook"

    yield start
    for context in contexts:
        context.__exit__(None, None, None)


def test_header_limits_answer_in_json_in_rasas_server(rasa_server: Any) -> None:
    """Tokens up to our cap reach our check; larger headers get our JSON 413.

    Sanic's default header limit (8 KiB for all headers) sat below our token cap
    (``MAX_TOKEN_CHARS``, 8,192 characters): a valid token of 8,127 characters, or a
    7,000-character one next to a browser's cookies, got Sanic's text/plain 413.
    """
    url = rasa_server()
    big = token(padding="x" * 5_900)
    assert 8_000 <= len(big) <= MAX_TOKEN_CHARS
    reply = post(url, {"message": "hi"}, big)
    assert reply.status_code == 200, reply.text[:200]
    usual = token(padding="x" * 5_100)
    assert 7_000 <= len(usual) <= 7_100
    cookies = {"Cookie": "session=" + "c" * 1_500, "Authorization": f"Bearer {usual}"}
    assert requests.post(url, json={"message": "hi"}, headers=cookies, timeout=10).ok
    too_long = token(padding="x" * (MAX_TOKEN_CHARS + 100))
    reply = post(url, {"message": "hi"}, too_long)
    assert (reply.status_code, reply.json()["reason"]) == (401, "invalid_token")
    headers = {"Authorization": f"Bearer {big}", "X-Filler": "y" * MAX_HEADER_BYTES}
    reply = requests.post(url, json={"message": "hi"}, headers=headers, timeout=10)
    assert reply.status_code == 413
    assert reply.headers["Content-Type"].startswith("application/json")
    assert reply.json() == {"error": "too_large", "reason": "headers_too_large"}


def _raw_post(url: str, head: str, body: bytes, timeout: float = 5.0) -> bytes:
    """Send a request by hand (headers that promise more than is sent); the raw answer."""
    parsed = urlparse(url)
    with socket.create_connection((parsed.hostname, parsed.port), timeout=timeout) as connection:
        request = f"POST {parsed.path} HTTP/1.1\r\nHost: {parsed.netloc}\r\n{head}\r\n"
        connection.sendall(request.encode() + body)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer


def test_an_oversized_body_is_refused_without_being_read(make_server: Any) -> None:
    """A declared 50 MB body is answered at once; Sanic used to wait for (and buffer) it."""
    url, bot, _ = make_server()
    head = f"Content-Type: application/json\r\nContent-Length: {50_000_000}\r\n"
    answer = _raw_post(url, head, b'{"message": "')
    status, _, body = answer.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 413")
    assert json.loads(body) == {"error": "too_large", "reason": "body_too_large"}
    chunks = (b"x" * 4096 for _ in range(8))  # chunked, no Content-Length
    reply = requests.post(
        url, data=chunks, headers={"Content-Type": "application/json"}, timeout=10
    )
    assert (reply.status_code, reply.json()["reason"]) == (413, "body_too_large")
    assert bot.received == []


def test_every_audited_refusal_names_a_pseudonym(
    make_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Refusals before authentication carry the client address's pseudonym, later ones the
    subject's; neither appears in clear."""
    url, _, _ = make_server()
    with caplog.at_level(logging.INFO, logger="rasa_secure.audit"):
        post(url, None, None, raw=b"x" * 20_000)  # too large, before authentication
        post(url, {"message": "hi"}, "garbage")  # failed authentication
        post(url, None, token(), raw=_nested(100))  # authenticated, then refused
        post(url, {"message": "/transfer_money"}, token())  # a trigger
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "rasa_secure.audit"]
    assert [r["reasons"][0] for r in records] == [
        "body_too_large",
        "token_malformed",
        "json_too_deep",
        "intent_trigger_not_allowed",
    ]
    subjects = [r["subject"] for r in records]
    assert subjects[0] == subjects[1] and subjects[0].startswith("cli_")
    assert subjects[2] == subjects[3] and subjects[2].startswith("sub_")
    audited = json.dumps(records)
    assert "127.0.0.1" not in audited and "alice" not in audited


def test_a_slow_key_fetch_does_not_stop_the_server(make_server: Any, slow_provider: Any) -> None:
    """The provider takes 2 s to answer the JWKS: the first request waits for it, in a worker
    thread; the server answers another request meanwhile."""
    provider: Provider = slow_provider
    provider.rotate("k1")
    url, bot, _ = make_server({"jwt": provider_jwt(provider)})
    replies: Dict[str, requests.Response] = {}

    def first() -> None:
        replies["first"] = post(url, {"message": "hi"}, provider.sign("k1"))

    worker = threading.Thread(target=first)
    worker.start()
    assert provider.asked.wait(10), "the request asked the provider"
    started = time.monotonic()
    health = requests.get(url.rsplit("/", 1)[0] + "/", timeout=10)
    served_in = time.monotonic() - started
    worker.join(10)

    assert health.json() == {"status": "ok"} and served_in < 1.0, served_in
    assert replies["first"].status_code == 200
    assert [message.sender_id for message in bot.received] == ["alice"]
