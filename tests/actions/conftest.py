"""Shared helpers for the action-server tests: a guard on the golden bank policy, trackers."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence

import pytest
import requests
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from rasa_secure.actions import ActionGuard, SecureAction
from rasa_secure.actions.secure_form import SecureFormValidationAction
from rasa_secure.core.identity import METADATA_KEY, attestation_key, seal

REPO = Path(__file__).resolve().parents[2]
POLICIES = REPO / "tests" / "data" / "policies"
CLI = [sys.executable, "-m", "rasa_secure.cli.main", "actions"]
SHARED = "action-server-shared-secret"
ENV = {"RASA_SECURE_ACTION_TOKEN": SHARED}
KEY = attestation_key(SHARED)
GUARD_CONFIG: Dict[str, Any] = {
    "policy": str(POLICIES / "bank.yml"),
    "domain": str(POLICIES / "domain.yml"),
    "screen": {"use_model": False},
}
DOMAIN: Dict[str, Any] = {
    "slots": {
        name: {"type": "text", "mappings": [{"type": "custom"}]}
        for name in ("amount", "recipient_account", "email", "card_number")
    },
    "forms": {"sample_form": {"required_slots": ["amount", "recipient_account"]}},
    "actions": [
        "sample_check_balance",
        "sample_transfer_money",
        "sample_update_email",
        "validate_sample_form",
    ],
}


@pytest.fixture(scope="session")
def guard() -> ActionGuard:
    """One guard for the session (loading the pattern-only PII detector takes about a second)."""
    return ActionGuard(GUARD_CONFIG, environ=ENV)


@pytest.fixture
def guarded(guard: ActionGuard, monkeypatch: pytest.MonkeyPatch) -> ActionGuard:
    """Every SecureAction and secure form of the test process uses the session ``guard``.

    The guarded server checks each registered action against its guard's policy at start-up.
    """
    monkeypatch.setattr(SecureAction, "guard", guard)
    monkeypatch.setattr(SecureFormValidationAction, "guard", guard)
    return guard


def envelope(
    subject: str, roles: Sequence[str], sender: str, *, key: bytes = KEY, expires_in: int = 300
) -> Dict[str, Any]:
    return seal(
        subject=subject,
        roles=roles,
        sender_id=sender,
        expires_at=int(time.time()) + expires_in,
        key=key,
    ).to_metadata()


def tracker(
    subject: str = "alice",
    roles: Sequence[str] = ("customer",),
    *,
    sender: Optional[str] = None,
    slots: Optional[Mapping[str, Any]] = None,
    metadata: Optional[Mapping[str, Any]] = None,
    entities: Iterable[Mapping[str, Any]] = (),
    candidates: Optional[Mapping[str, Any]] = None,
    history: Sequence[Mapping[str, Any]] = (),
) -> Tracker:
    """A tracker as Rasa sends it: the latest user event carries ``metadata``.

    Without ``metadata`` the channel's attested envelope for ``subject``/``roles`` is used.
    ``candidates`` become trailing slot events (what a form validation action receives).
    """
    sender = sender or subject
    meta = (
        dict(metadata) if metadata is not None else {METADATA_KEY: envelope(subject, roles, sender)}
    )
    parse = {
        "text": "hi",
        "intent": {"name": "inform", "confidence": 1.0},
        "entities": list(entities),
    }
    events: List[Dict[str, Any]] = [dict(event) for event in history]
    events += [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "hi", "parse_data": parse, "metadata": meta},
    ]
    all_slots = dict(slots or {})
    for name, value in (candidates or {}).items():
        events.append({"event": "slot", "name": name, "value": value})
        all_slots[name] = value
    return Tracker(sender, all_slots, parse, events, False, None, {}, "action_listen")


def call(action: Any, state: Tracker, domain: Optional[Dict[str, Any]] = None) -> Any:
    """Run ``action`` like the rasa-sdk executor does; returns (events, messages)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, state, domain or DOMAIN))
    return events, dispatcher.messages


def cli_env(**extra: str) -> Dict[str, str]:
    """The environment of a ``rasa-secure actions`` subprocess: the secret, this checkout."""
    return {**os.environ, "RASA_SECURE_ACTION_TOKEN": SHARED, "PYTHONPATH": str(REPO), **extra}


@contextmanager
def cli_server(
    args: Sequence[str],
    log: Path,
    *,
    cwd: Path = REPO,
    env: Optional[Mapping[str, str]] = None,
    command: Sequence[str] = CLI,
) -> Iterator[str]:
    """Run ``rasa-secure actions ARGS`` as a deployment does (own process, real HTTP).

    ``command`` is how the server is started (default ``python -m rasa_secure.cli.main
    actions``). Yields the base URL once ``/health`` answers; fails with the end of the log
    otherwise.
    """
    from tests.serving import free_port

    port = free_port()
    argv = [*command, *args, "--port", str(port), "--host", "127.0.0.1"]
    with open(log, "wb") as output:
        process = subprocess.Popen(
            argv, cwd=cwd, env=dict(env or cli_env()), stdout=output, stderr=subprocess.STDOUT
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"action server exited:\n{log.read_text()[-2000:]}")
            try:
                if requests.get(f"{url}/health", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        else:
            pytest.fail(f"action server did not start:\n{log.read_text()[-2000:]}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def action_call(
    name: str, state: Tracker, domain: Optional[Dict[str, Any]] = None
) -> Dict[str, Any]:
    """The body Rasa posts to the action server's /webhook."""
    return {
        "next_action": name,
        "sender_id": state.sender_id,
        "tracker": state.current_state(),
        "domain": domain or DOMAIN,
        "version": "3.6.21",
    }


def sample_app() -> Any:
    """rasa-sdk's app for ``tests.actions.sample_actions``, with only the actions a fresh
    action-server process of that package would register.

    rasa-sdk registers every ``Action`` subclass loaded in the process; in the whole suite
    other test modules have loaded the example bot's actions too, whose guards read secrets
    from the environment and which no test policy governs.
    """
    from rasa_sdk.endpoint import create_app
    from sanic import Sanic

    from rasa_secure.actions.governance import action_executor

    Sanic.test_mode = True  # several apps named rasa_sdk in one process, as serve() allows
    app = create_app("tests.actions.sample_actions", cors_origins="")
    executor = action_executor(app)
    executor.actions = {
        name: run
        for name, run in executor.actions.items()
        if type(getattr(run, "__self__", None)).__module__.startswith("tests.actions.")
    }
    return app
