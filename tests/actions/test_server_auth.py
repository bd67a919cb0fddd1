"""Action-server authentication over real HTTP: only callers with the shared secret get in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

import pluggy
import pytest
import rasa_sdk.plugin
import requests
from rasa_sdk.endpoint import create_app

from rasa_secure.actions.secure_action import SecureAction
from rasa_secure.actions.server_auth import ActionServerAuth, attach, init_hooks
from rasa_secure.errors import ConfigError
from tests.actions.conftest import GUARD_CONFIG, SHARED, tracker
from tests.serving import free_port, serve

REPO = Path(__file__).resolve().parents[2]
COMMAND = [sys.executable, "-m", "rasa_secure.cli.main", "actions"]
COMMAND += ["--actions", "tests.actions.sample_actions"]


def action_call(name: str = "sample_check_balance") -> Dict[str, Any]:
    state = tracker("alice")
    return {
        "next_action": name,
        "sender_id": "alice",
        "tracker": state.current_state(),
        "version": "3.6.21",
    }


@pytest.fixture
def server(guard: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(SecureAction, "guard", guard)
    app = create_app("tests.actions.sample_actions", cors_origins="")
    attach(app, environ={"RASA_SECURE_ACTION_TOKEN": SHARED})
    with serve(app) as url:
        yield url


def webhook(
    url: str, headers: Optional[Dict[str, str]] = None, params: Optional[Dict[str, str]] = None
) -> requests.Response:
    return requests.post(
        f"{url}/webhook", json=action_call(), headers=headers or {}, params=params or {}, timeout=10
    )


def test_rasa_server_with_the_secret_is_served(server: str) -> None:
    reply = webhook(server, {"X-Rasa-Secure-Token": SHARED})
    assert reply.status_code == 200
    assert reply.json()["responses"][0]["text"].startswith("Balances: 1000200030")


@pytest.mark.parametrize(
    ("why", "headers", "params"),
    [
        ("no secret at all", {}, {}),
        ("wrong secret", {"X-Rasa-Secure-Token": "guess"}, {}),
        ("secret with a suffix", {"X-Rasa-Secure-Token": SHARED + "x"}, {}),
        ("secret in another header", {"Authorization": f"Bearer {SHARED}"}, {}),
        ("query token when not enabled (it would end up in access logs)", {}, {"token": SHARED}),
    ],
)
def test_calls_without_the_secret_are_refused(
    server: str, why: str, headers: Dict[str, str], params: Dict[str, str]
) -> None:
    reply = webhook(server, headers, params)
    assert reply.status_code == 401, why
    assert reply.json() == {"error": "unauthorized"}


def test_action_list_is_protected_health_is_not(server: str) -> None:
    assert requests.get(f"{server}/actions", timeout=10).status_code == 401
    assert requests.get(f"{server}/health", timeout=10).status_code == 200


def test_query_token_when_enabled(guard: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rasa's endpoints.yml `token:` sends ?token=...; accepted only when switched on."""
    monkeypatch.setattr(SecureAction, "guard", guard)
    app = create_app("tests.actions.sample_actions", cors_origins="")
    attach(app, {"accept_query_token": True}, environ={"RASA_SECURE_ACTION_TOKEN": SHARED})
    with serve(app) as url:
        assert webhook(url, params={"token": SHARED}).status_code == 200
        assert webhook(url, params={"token": "nope"}).status_code == 401


def test_refuses_to_start_without_a_secret() -> None:
    """Fail closed: no secret configured means no server, never an open one."""
    with pytest.raises(ConfigError) as caught:
        ActionServerAuth(environ={})
    assert caught.value.key == "ActionServerAuth.secret_env"
    with pytest.raises(ConfigError):
        ActionServerAuth(environ={"RASA_SECURE_ACTION_TOKEN": "short"})


def test_rasa_sdk_plugin_hook_attaches_the_guard_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a `rasa_sdk_plugins` package importing our init_hooks makes rasa-sdk do."""
    monkeypatch.setenv("RASA_SECURE_ACTION_TOKEN", SHARED)
    manager = pluggy.PluginManager("rasa_sdk")
    manager.add_hookspecs(rasa_sdk.plugin)
    init_hooks(manager)
    app = create_app("tests.actions.sample_actions", cors_origins="")
    manager.hook.attach_sanic_app_extensions(app=app)
    first = app.ctx.rasa_secure_auth
    manager.hook.attach_sanic_app_extensions(app=app)
    assert app.ctx.rasa_secure_auth is first
    assert len(app.request_middleware) == 1


def test_cli_starts_a_guarded_action_server(tmp_path: Path) -> None:
    """`rasa-secure actions` as a deployment runs it: separate process, real HTTP."""
    config = tmp_path / "actions.yml"
    config.write_text(json.dumps({**GUARD_CONFIG, "pii": None}))
    port = free_port()
    env = {**os.environ, "RASA_SECURE_ACTION_TOKEN": SHARED, "PYTHONPATH": str(REPO)}
    argv = [*COMMAND, "--port", str(port), "--host", "127.0.0.1", "--config", str(config)]
    log = tmp_path / "server.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(argv, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{url}/health", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        else:
            pytest.fail(f"action server did not start:\n{log.read_text()[-2000:]}")
        assert webhook(url).status_code == 401
        reply = webhook(url, {"X-Rasa-Secure-Token": SHARED})
        assert reply.status_code == 200, log.read_text()[-2000:]
        assert reply.json()["responses"][0]["text"].startswith("Balances: 1000200030")
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_cli_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "RASA_SECURE_ACTION_TOKEN"}
    env["PYTHONPATH"] = str(REPO)
    argv = [*COMMAND, "--port", str(free_port())]
    result = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, timeout=120)
    assert result.returncode == 1
    assert b"RASA_SECURE_ACTION_TOKEN" in result.stderr
