"""SecureSocketIOInput over a real socket.io client and server: handshakes, binding, expiry."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple

import jwt
import pytest
import requests
import socketio
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sanic import Sanic

from example_bot.servers import free_port
from rasa_secure.channel.secure_socketio import SecureSocketIOInput
from rasa_secure.core.identity import METADATA_KEY, attestation_key, open_envelope
from rasa_secure.errors import ConfigError
from tests.channel.conftest import (
    AUDIENCE,
    ENV,
    HS_JWT,
    ISSUER,
    SHARED,
    Bot,
    provider_jwt,
    token,
)
from tests.channel.test_secure_rest import AUTH_REFUSALS
from tests.core.test_tokens import Provider
from tests.serving import serve

WAIT = 10.0


class Client:
    """A socket.io client (websocket transport) that records every event the server sends."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sio = socketio.Client(reconnection=False)
        self.events: List[Tuple[str, Any]] = []
        self.refused: Optional[Any] = None
        self.sio.on("connect_error", self._refused)
        self.sio.on("*", self._record)

    def _refused(self, data: Any) -> None:
        self.refused = data

    def _record(self, event: str, *args: Any) -> None:
        self.events.append((event, args[0] if args else None))

    def connect(
        self,
        auth: Any = None,
        *,
        query: str = "",
        headers: Optional[Dict[str, str]] = None,
    ) -> bool:
        """Open the connection; ``False`` when the server refused it (see ``refused``)."""
        try:
            self.sio.connect(
                self.url + query,
                auth=auth,
                headers=headers or {},
                transports=["websocket"],
                wait_timeout=WAIT,
            )
        except socketio.exceptions.ConnectionError:
            return False
        return True

    def next(self, event: str) -> Any:
        """The data of the first ``event`` received (waits for it), removed from ``events``."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            for index, (name, data) in enumerate(self.events):
                if name == event:
                    del self.events[index]
                    return data
            time.sleep(0.02)
        raise AssertionError(f"no {event!r} within {WAIT}s; got {self.events}")

    def say(self, text: Any, **fields: Any) -> None:
        self.sio.emit("user_uttered", {"message": text, **fields})

    def quiet(self, seconds: float = 0.5) -> List[Tuple[str, Any]]:
        """Everything received over the next ``seconds``."""
        time.sleep(seconds)
        return list(self.events)

    def closed(self) -> bool:
        """Whether the server closed the connection (waits for it)."""
        deadline = time.monotonic() + WAIT
        while self.sio.connected and time.monotonic() < deadline:
            time.sleep(0.05)
        return not self.sio.connected

    def close(self) -> None:
        self.sio.disconnect()


@pytest.fixture
def make_server() -> Iterator[Callable[..., Tuple[str, Bot, SecureSocketIOInput]]]:
    """Serve the channel in a Sanic app on a real port; returns (url, bot, channel)."""
    with ExitStack() as servers:

        def start(
            config: Optional[Mapping[str, Any]] = None, env: Optional[Mapping[str, str]] = None
        ) -> Tuple[str, Bot, SecureSocketIOInput]:
            channel = SecureSocketIOInput(dict(config or {"jwt": HS_JWT}), environ=env or ENV)
            bot = Bot()
            app = Sanic(f"secure_socketio_test_{uuid.uuid4().hex[:8]}")
            app.blueprint(channel.blueprint(bot.handle), url_prefix="/webhooks/secure_socketio")
            return servers.enter_context(serve(app)), bot, channel

        yield start


# -- the allowed path -----------------------------------------------------------------------


def test_verified_socket_chats_in_the_subjects_conversation(make_server: Any) -> None:
    """Handshake with the token in ``auth``; the session is the subject's; replies arrive."""
    url, bot, _ = make_server()

    client = Client(url)
    assert client.connect({"token": token("alice")})
    client.sio.emit("session_request", {"session_id": "chosen-by-the-client"})
    assert client.next("session_confirm") == "alice"
    client.say("what is my balance?", session_id="alice", metadata={"locale": "en"})
    assert client.next("bot_uttered") == {"text": "hello"}
    client.close()

    [message] = bot.received
    assert (message.sender_id, message.text, message.input_channel) == (
        "alice",
        "what is my balance?",
        "secure_socketio",
    )
    assert message.metadata["locale"] == "en"
    envelope = open_envelope(message.metadata, attestation_key(SHARED), sender_id="alice")
    assert (envelope.subject, envelope.roles) == ("alice", ("customer",))


def test_forged_identity_metadata_is_dropped(make_server: Any) -> None:
    url, bot, _ = make_server()
    forged = {"roles": ["admin"], "rasa_secure": {"subject": "bob"}, "page": "accounts"}

    client = Client(url)
    assert client.connect({"token": token("alice")})
    client.say("hi", metadata=forged)
    client.next("bot_uttered")
    client.close()

    metadata = bot.received[0].metadata
    assert set(metadata) == {"page", METADATA_KEY}
    assert metadata[METADATA_KEY]["subject"] == "alice"


# -- refused handshakes ---------------------------------------------------------------------

NOW = int(time.time())


def _unsigned(payload: Dict[str, Any], alg: str) -> str:
    def b64(data: Dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': alg, 'typ': 'JWT'})}.{b64(payload)}."


def _hs256_with(key: bytes, payload: Dict[str, Any]) -> str:
    """An HS256 token MACed with ``key`` (the key-confusion attack when it is a public key)."""
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=")
    mac = hmac.new(key, header + b"." + body, hashlib.sha256).digest()
    return b".".join([header, body, base64.urlsafe_b64encode(mac).rstrip(b"=")]).decode()


HANDSHAKE_REFUSALS = [
    # (why, auth payload, query string, error, public reason); the REST channel's table first
    *[(why, {"token": bearer} if bearer else None, "", "unauthorized", reason)
      for why, bearer, reason in AUTH_REFUSALS],
    ("alg none", {"token": _unsigned(jwt.decode(token(), options={"verify_signature": False}),
                                     "none")}, "", "unauthorized", "invalid_token"),
    ("auth that is not an object", "a-token-as-a-string", "", "unauthorized", "token_missing"),  # type: ignore[list-item]
    ("token in the query string only", None, f"?token={token()}", "unauthorized",
     "token_missing"),
    ("someone else's conversation at the handshake", {"token": token("bob"),
     "session_id": "alice"}, "", "forbidden", "conversation_not_owned"),
    ("a session id that is not a string", {"token": token(), "session_id": 7}, "",
     "bad_request", "sender_not_string"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("why", "auth", "query", "error", "reason"),
    HANDSHAKE_REFUSALS,
    ids=[case[0] for case in HANDSHAKE_REFUSALS],
)
def test_refused_handshakes(
    make_server: Any, why: str, auth: Any, query: str, error: str, reason: str
) -> None:
    """Every handshake the REST channel would refuse, refused with connect_error and no socket."""
    url, bot, channel = make_server()

    client = Client(url)
    assert not client.connect(auth, query=query), why
    assert client.refused == {"message": error, "data": {"error": error, "reason": reason}}
    assert not client.sio.connected

    assert channel.connections == {} and bot.received == []


def test_key_confusion_is_refused_at_the_handshake(make_server: Any) -> None:
    """An HS256 token MACed with the RS256 channel's public key is not a valid token."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    jwt_options = {"algorithms": ["RS256"], "public_key_env": "JWT_PUBLIC_KEY",
                   "issuer": ISSUER, "audience": AUDIENCE}  # fmt: skip
    url, _, _ = make_server({"jwt": jwt_options}, {**ENV, "JWT_PUBLIC_KEY": public_pem.decode()})
    payload = jwt.decode(token(), options={"verify_signature": False})

    confused = Client(url)
    assert not confused.connect({"token": _hs256_with(public_pem, payload)})
    assert confused.refused["data"] == {"error": "unauthorized", "reason": "invalid_token"}
    genuine = Client(url)
    assert genuine.connect({"token": token(key=private, alg="RS256")})
    genuine.close()


def test_query_string_token_only_with_the_unsafe_option(make_server: Any) -> None:
    url, _, _ = make_server({"jwt": HS_JWT, "allow_query_token_unsafe": True})

    client = Client(url)
    assert client.connect(None, query=f"?token={token()}")
    client.sio.emit("session_request", {})
    assert client.next("session_confirm") == "alice"
    client.close()


@pytest.mark.parametrize(
    ("why", "allowed", "origin", "connects"),
    [
        ("no allow-list: a foreign page is refused", [], "https://evil.example", False),
        ("listed origin", ["https://bank.example"], "https://bank.example", True),
        ("unlisted origin", ["https://bank.example"], "https://evil.example", False),
        ("a look-alike origin", ["https://bank.example"], "https://bank.example.evil", False),
    ],
)
def test_cors_allow_list(
    make_server: Any, why: str, allowed: List[str], origin: str, connects: bool
) -> None:
    """The engine.io handshake a browser page makes, with its Origin header."""
    url, _, _ = make_server({"jwt": HS_JWT, "cors_allowed_origins": allowed})
    reply = requests.get(
        f"{url}/socket.io/?EIO=4&transport=polling", headers={"Origin": origin}, timeout=10
    )
    assert (reply.status_code == 200) is connects, why
    assert (reply.headers.get("Access-Control-Allow-Origin") == origin) is connects, why


# -- binding and replays ----------------------------------------------------------------------


def test_another_subject_can_neither_read_nor_write_the_conversation(make_server: Any) -> None:
    """Bob's socket: his messages into alice's session are refused; alice's replies skip him."""
    url, bot, _ = make_server()

    alice, bob = Client(url), Client(url)
    assert alice.connect({"token": token("alice")})
    assert bob.connect({"token": token("bob")})
    bob.sio.emit("session_request", {"session_id": "alice"})
    assert bob.next("session_confirm") == "bob"
    bob.say("transfer everything", session_id="alice")
    assert bob.next("refused") == {"error": "forbidden",
                                          "reason": "conversation_not_owned"}  # fmt: skip
    alice.say("what is my balance?")
    assert alice.next("bot_uttered") == {"text": "hello"}
    assert [event for event, _ in bob.quiet()] == []
    assert bob.sio.connected, "a refused message does not end a valid connection"
    for client in (alice, bob):
        client.close()

    assert [message.sender_id for message in bot.received] == ["alice"]


def test_a_replayed_message_and_token_cannot_move_to_another_session(make_server: Any) -> None:
    """A captured user_uttered payload replayed on a socket of another subject is refused."""
    url, bot, _ = make_server({"jwt": HS_JWT, "sender_binding": "subject_prefix"})
    captured = {"message": "pay 100 to 2000300040", "session_id": "alice:web"}

    alice = Client(url)
    assert alice.connect({"token": token("alice"), "session_id": "alice:web"})
    alice.sio.emit("user_uttered", captured)
    alice.next("bot_uttered")
    alice.say("and in my other conversation?", session_id="alice:mobile")
    assert alice.next("bot_uttered") == {"text": "hello"}, "replies of another own conversation"
    mallory = Client(url)
    assert mallory.connect({"token": token("mallory")})
    mallory.sio.emit("user_uttered", captured)
    assert (mallory.next("refused"))["reason"] == "conversation_not_owned"
    alice.close()
    mallory.close()

    assert [message.sender_id for message in bot.received] == ["alice:web", "alice:mobile"]


# -- expiry and re-authentication -------------------------------------------------------------

SHORT_LIVED = {**HS_JWT, "leeway_seconds": 0}


def test_expiry_is_announced_by_a_timer_and_reauthentication_keeps_the_conversation(
    make_server: Any,
) -> None:
    """token_expired arrives at exp on its own; messages are refused until authenticate;
    then the same conversation goes on, and the new token's expiry is announced in turn."""
    url, bot, _ = make_server({"jwt": SHORT_LIVED})

    client = Client(url)
    connected = time.time()
    assert client.connect({"token": token("alice", iat=int(connected), exp=int(connected) + 2)})
    client.say("first")
    client.next("bot_uttered")
    assert client.next("token_expired") == {"reason": "token_expired"}, "sent unprompted"
    announced = time.time()
    assert int(connected) + 2 <= announced < int(connected) + 3.5, "at (about) exp"
    client.say("second")
    assert client.next("token_expired") == {"reason": "token_expired"}, "not accepted"
    assert client.sio.connected
    renewed = int(time.time())
    client.sio.emit("authenticate", {"token": token("alice", iat=renewed, exp=renewed + 2)})
    assert client.next("authenticated") == {"session_id": "alice"}
    client.say("second")
    client.next("bot_uttered")
    assert client.next("token_expired") == {"reason": "token_expired"}, "the new token's timer"
    client.close()

    assert [(m.sender_id, m.text) for m in bot.received] == [
        ("alice", "first"),
        ("alice", "second"),
    ]


def test_a_closed_connection_gets_no_expiry_notice(make_server: Any) -> None:
    """Disconnection stops the timer (nothing is emitted to a socket that is gone)."""
    url, _, channel = make_server({"jwt": SHORT_LIVED})

    client = Client(url)
    now = int(time.time())
    assert client.connect({"token": token("alice", iat=now, exp=now + 1)})
    [connection] = channel.connections.values()
    timer = connection.expiry
    client.close()
    time.sleep(0.3)

    assert timer is not None and timer.cancelled() and channel.connections == {}


@pytest.mark.parametrize(
    ("why", "new_token", "reason"),
    [
        ("another subject's token", token("bob"), "conversation_not_owned"),
        ("an invalid token", token("alice", key="z" * 40), "invalid_token"),
        ("no token", None, "token_missing"),
    ],
)
def test_reauthentication_refused(
    make_server: Any, why: str, new_token: Optional[str], reason: str
) -> None:
    url, bot, channel = make_server()

    client = Client(url)
    assert client.connect({"token": token("alice")})
    client.sio.emit("authenticate", {"token": new_token})
    assert (client.next("refused"))["reason"] == reason, why
    assert client.closed(), "a refused re-authentication closes the connection"

    assert channel.connections == {} and bot.received == []


# -- the shared refusal table ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("why", "message", "error", "reason"),
    [
        ("over max_message_chars", "a" * 5_000, "too_large", "message_too_long"),
        ("not a string", {"text": "hi"}, "bad_request", "message_not_string"),
        ("an intent trigger nobody allowed", "/transfer", "forbidden",
         "intent_trigger_not_allowed"),
    ],
)  # fmt: skip
def test_message_refusals_keep_the_connection(
    make_server: Any, why: str, message: Any, error: str, reason: str
) -> None:
    url, bot, _ = make_server()

    client = Client(url)
    assert client.connect({"token": token()})
    client.sio.emit("user_uttered", {"message": message})
    assert client.next("refused") == {"error": error, "reason": reason}, why
    assert client.sio.connected
    client.close()

    assert bot.received == []


def test_oversized_packet_is_dropped_with_the_connection(make_server: Any) -> None:
    """A frame over max_body_bytes never reaches the gate: engine.io closes the socket."""
    url, bot, _ = make_server({"jwt": HS_JWT, "max_body_bytes": 1_024})

    client = Client(url)
    assert client.connect({"token": token()})
    client.say("a" * 2_000)
    assert client.closed()

    assert bot.received == []


def test_rate_limits_count_handshakes_and_messages(make_server: Any) -> None:
    """The subject's limit counts the handshake and each message; failures count per address."""
    url, bot, _ = make_server(
        {"jwt": HS_JWT, "rate_limit": "3/minute", "auth_failure_limit": "2/minute"}
    )

    client = Client(url)
    assert client.connect({"token": token("alice")})
    for text in ("one", "two"):
        client.say(text)
        client.next("bot_uttered")
    client.say("three")
    refused = client.next("refused")
    assert (refused["error"], refused["reason"]) == ("rate_limited", "rate_limited")
    assert refused["retry_after"] > 0
    client.close()
    for _ in range(2):
        assert not Client(url).connect({"token": token("bob", key="w" * 40)})
    locked_out = Client(url)
    assert not locked_out.connect({"token": token("bob")})
    assert locked_out.refused["data"]["reason"] == "rate_limited"

    assert [message.text for message in bot.received] == ["one", "two"]


# -- the event loop and the deployment ----------------------------------------------------------


def test_a_slow_key_fetch_does_not_stop_the_server(
    make_server: Any, slow_provider: Provider
) -> None:
    """The provider takes 2 s to answer the JWKS: the handshake waits for it, in a worker
    thread; the server answers another request meanwhile."""
    provider = slow_provider
    provider.rotate("k1")
    url, _, _ = make_server({"jwt": provider_jwt(provider)})
    client, outcome = Client(url), {}

    def handshake() -> None:
        started = time.monotonic()
        outcome["connected"] = client.connect({"token": provider.sign("k1")})
        outcome["seconds"] = time.monotonic() - started

    worker = threading.Thread(target=handshake)
    worker.start()
    assert provider.asked.wait(WAIT), "the handshake asked the provider"
    started = time.monotonic()
    health = requests.get(f"{url}/webhooks/secure_socketio/", timeout=WAIT)
    served_in = time.monotonic() - started
    worker.join(WAIT)
    client.close()

    assert health.json() == {"status": "ok"} and served_in < 1.0, served_in
    assert outcome == {"connected": True, "seconds": pytest.approx(2.0, abs=1.0)}
    assert provider.requests == ["/jwks"]


def _rogue(_: Any) -> Any:
    from sanic import response

    return response.text("")


@pytest.mark.parametrize(
    ("why", "with_rest"),
    [("a deployment with the socket.io channel only", False),
     ("both channels: the check runs once", True)],
)  # fmt: skip
def test_the_deployment_check_runs_once_the_server_started(
    caplog: pytest.LogCaptureFixture, why: str, with_rest: bool
) -> None:
    """An open channel beside ours is reported by check_server, which the socket.io channel
    registers on the app like the REST channel does."""
    from rasa_secure.channel.secure_rest import SecureRestInput

    bot = Bot()
    app = Sanic(f"secure_socketio_check_{uuid.uuid4().hex[:8]}")
    channels: List[Any] = [SecureSocketIOInput({"jwt": HS_JWT}, environ=ENV)]
    if with_rest:
        channels.append(SecureRestInput({"jwt": HS_JWT}, environ=ENV))
    for channel in channels:
        app.blueprint(channel.blueprint(bot.handle), url_prefix=f"/webhooks/{channel.name()}")
    app.add_route(_rogue, "/webhooks/rest/webhook", methods=["POST"])

    async def start_and_stop() -> None:
        server = await app.create_server(
            host="127.0.0.1", port=free_port(), return_asyncio_server=True
        )
        await server.startup()
        await server.after_start()
        server.close()
        await server.wait_closed()

    type(app).test_mode = True
    with caplog.at_level(logging.WARNING, logger="rasa_secure.startup"):
        asyncio.run(start_and_stop())

    warnings = [
        r.getMessage() for r in caplog.records if "/webhooks/rest/webhook" in r.getMessage()
    ]
    assert len(warnings) == 1, (why, warnings)


# -- configuration and Rasa ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("why", "options", "key"),
    [
        ("'*' is not an allow-list", {"cors_allowed_origins": ["*"]},
         "SecureSocketIOInput.cors_allowed_origins"),
        ("an origin with a path", {"cors_allowed_origins": ["https://bank.example/chat"]},
         "SecureSocketIOInput.cors_allowed_origins"),
        ("a gate option, checked by the gate", {"sender_binding": "anyone"},
         "SecureSocketIOInput.sender_binding"),
        ("a typo", {"cors_origins": []}, "SecureSocketIOInput.cors_origins"),
    ],
)  # fmt: skip
def test_configuration_errors_name_the_key(why: str, options: Dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        SecureSocketIOInput({"jwt": HS_JWT, **options}, environ=ENV)
    assert caught.value.key == key, why


def test_rasa_serves_the_channel_from_credentials(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Built by Rasa from a credentials.yml and served by the app ``rasa run`` makes."""
    from rasa.core.run import configure_app, create_http_input_channels

    credentials = tmp_path / "credentials.yml"
    credentials.write_text(
        json.dumps({"rasa_secure.channel.secure_socketio.SecureSocketIOInput": {"jwt": HS_JWT}})
    )
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    [channel] = create_http_input_channels(None, str(credentials))
    assert isinstance(channel, SecureSocketIOInput)
    app = configure_app([channel], enable_api=False, port=0)
    type(app).test_mode = True
    with serve(app) as url:
        refused, accepted = Client(url), Client(url)
        assert not refused.connect(None)
        assert accepted.connect({"token": token()})
        accepted.sio.emit("session_request", None)
        assert accepted.next("session_confirm") == "alice"
        accepted.close()
