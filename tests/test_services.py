"""Service-backed tests skip on a bare machine and fail in CI, never silently pass."""

from __future__ import annotations

import socket

import pytest

from example_bot.servers import free_port
from tests import conftest


@pytest.mark.parametrize(
    ("required", "outcome"),
    [
        (False, pytest.skip.Exception),  # a developer without PostgreSQL: skipped
        (True, pytest.fail.Exception),  # CI with RASA_SECURE_REQUIRE_SERVICES=1: failed
    ],
)
def test_unreachable_service_skips_or_fails(
    monkeypatch: pytest.MonkeyPatch, required: bool, outcome: type
) -> None:
    """An unreachable service turns into a skip, or into a failure when services are required."""
    monkeypatch.setattr(conftest, "REQUIRE_SERVICES", required)
    with pytest.raises(outcome, match="not reachable"):
        conftest.require_service("Example", "127.0.0.1", free_port())


def test_reachable_service_lets_the_test_run() -> None:
    """A listening port passes the check without skipping."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        conftest.require_service("Example", "127.0.0.1", server.getsockname()[1])
