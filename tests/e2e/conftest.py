"""Fixtures for end-to-end tests: a trained example bot and running servers.

The model is trained once per change of its inputs (see :mod:`example_bot.training`) and
reused across test sessions; servers are real processes talking real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence

import pytest

from example_bot.servers import BotServers
from example_bot.training import ensure_model
from rasa_secure.core.identity import METADATA_KEY, attestation_key, seal

pytestmark = pytest.mark.e2e

StartBot = Callable[..., BotServers]


@pytest.fixture(scope="session")
def bot_model() -> Path:
    """The example bot's trained model archive."""
    return ensure_model()


@pytest.fixture(scope="session")
def bot(bot_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotServers]:
    """The example bot with its default endpoints and credentials, running for the session."""
    with BotServers(model=bot_model, workdir=tmp_path_factory.mktemp("bot")) as servers:
        yield servers


@pytest.fixture
def start_bot(bot_model: Path, tmp_path: Path) -> Iterator[StartBot]:
    """Start the bot with other endpoints, credentials or environment; stopped after the test.

    Call it as ``start_bot(endpoints=path, credentials=path, env={...})``.
    """
    started: List[BotServers] = []

    def start(**kwargs: Any) -> BotServers:
        workdir = kwargs.pop("workdir", tmp_path / f"bot{len(started)}")
        servers = BotServers(model=bot_model, workdir=workdir, **kwargs)
        started.append(servers.__enter__())
        return servers

    yield start
    for servers in reversed(started):
        servers.close()


def run(coroutine: Any, timeout: Optional[float] = 120) -> Any:
    """Run a coroutine to completion from a synchronous test."""
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


@pytest.fixture(scope="module")
def agent(bot_model: Path, bot: BotServers) -> Any:
    """Rasa's own Agent for the trained model, calling the running action server over HTTP."""
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    secret = bot.environment()["RASA_SECURE_ACTION_TOKEN"]
    endpoint = EndpointConfig(url=bot.actions_url, headers={"X-Rasa-Secure-Token": secret})
    return Agent.load(str(bot_model), action_endpoint=endpoint)


def chat(agent: Any, bot: BotServers, subject: str, sender: str, turns: Sequence[str]) -> Any:
    """Send ``turns`` to ``agent`` as ``subject`` (a customer), attested exactly as
    SecureRestInput attests an identity for the action server; the texts of each reply."""
    from rasa.core.channels.channel import UserMessage

    envelope = seal(
        subject=subject,
        roles=["customer"],
        sender_id=sender,
        expires_at=int(time.time()) + 600,
        key=attestation_key(bot.environment()["RASA_SECURE_ACTION_TOKEN"]),
    )
    metadata = {METADATA_KEY: envelope.to_metadata()}

    async def conversation() -> List[List[str]]:
        replies = []
        for text in turns:
            message = UserMessage(text, sender_id=sender, metadata=metadata)
            responses: List[Dict[str, Any]] = await agent.handle_message(message)
            replies.append([response.get("text", "") for response in responses])
        return replies

    return run(conversation())
