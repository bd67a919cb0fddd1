"""Shared pieces of the channel tests: tokens, a recording bot, channels served over HTTP."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

import jwt
import pytest
import requests
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from rasa_secure.channel.secure_rest import SecureRestInput
from rasa_secure.core.identity import generate_key
from tests.core.test_tokens import Provider
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
def slow_provider() -> Iterator[Provider]:
    """A local OpenID Connect provider (issuer and JWKS) that takes 2 s to answer."""
    provider = Provider()
    provider.delay = 2.0
    yield provider
    provider.close()


def provider_jwt(provider: Provider) -> Dict[str, Any]:
    """Channel ``jwt`` options for tokens signed by ``provider`` (keys from its JWKS URL)."""
    return {"algorithms": ["RS256"], "jwks_url": f"{provider.base}/jwks",
            "issuer": provider.base, "audience": AUDIENCE}  # fmt: skip


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
