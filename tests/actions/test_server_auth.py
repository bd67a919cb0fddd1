"""Action-server authentication over real HTTP: only callers with the shared secret get in."""

from __future__ import annotations

import json
import logging
import os
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

import pluggy
import pytest
import rasa_sdk.plugin
import requests

from rasa_secure.actions import ActionGuard
from rasa_secure.actions.server_auth import ActionServerAuth, attach, init_hooks
from rasa_secure.core.identity import METADATA_KEY, attestation_key
from rasa_secure.errors import AuthenticationError, ConfigError
from tests.actions.conftest import (
    CLI,
    GUARD_CONFIG,
    REPO,
    SHARED,
    action_call,
    cli_server,
    envelope,
    sample_app,
    tracker,
)
from tests.serving import free_port, serve

COMMAND = [*CLI, "--actions", "tests.actions.sample_actions"]


@pytest.fixture
def server(guarded: Any) -> Iterator[str]:
    app = sample_app()
    attach(app, environ={"RASA_SECURE_ACTION_TOKEN": SHARED})
    with serve(app) as url:
        yield url


def webhook(
    url: str, headers: Optional[Dict[str, str]] = None, params: Optional[Dict[str, str]] = None
) -> requests.Response:
    return requests.post(
        f"{url}/webhook",
        json=action_call("sample_check_balance", tracker("alice")),
        headers=headers or {},
        params=params or {},
        timeout=10,
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


def test_query_token_when_enabled(guarded: Any) -> None:
    """Rasa's endpoints.yml `token:` sends ?token=...; accepted only when switched on."""
    app = sample_app()
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


def test_rasa_sdk_plugin_hook_attaches_the_guard_once(
    guarded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a `rasa_sdk_plugins` package importing our init_hooks makes rasa-sdk do."""
    monkeypatch.setenv("RASA_SECURE_ACTION_TOKEN", SHARED)
    manager = pluggy.PluginManager("rasa_sdk")
    manager.add_hookspecs(rasa_sdk.plugin)
    init_hooks(manager)
    app = sample_app()
    manager.hook.attach_sanic_app_extensions(app=app)
    first = app.ctx.rasa_secure_auth
    manager.hook.attach_sanic_app_extensions(app=app)
    assert app.ctx.rasa_secure_auth is first
    assert len(app.request_middleware) == 1


def test_cli_starts_a_guarded_action_server(tmp_path: Path) -> None:
    """`rasa-secure actions` as a deployment runs it: separate process, real HTTP."""
    config = tmp_path / "actions.yml"
    config.write_text(json.dumps({**GUARD_CONFIG, "pii": None}))
    args = ["--actions", "tests.actions.sample_actions", "--config", str(config)]
    log = tmp_path / "server.log"
    with cli_server(args, log) as url:
        assert webhook(url).status_code == 401
        reply = webhook(url, {"X-Rasa-Secure-Token": SHARED})
    assert reply.status_code == 200, log.read_text()[-2000:]
    assert reply.json()["responses"][0]["text"].startswith("Balances: 1000200030")


def test_cli_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "RASA_SECURE_ACTION_TOKEN"}
    env["PYTHONPATH"] = str(REPO)
    argv = [*COMMAND, "--port", str(free_port())]
    result = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, timeout=120)
    assert result.returncode == 1
    assert b"RASA_SECURE_ACTION_TOKEN" in result.stderr


# -- rotating the shared secret ------------------------------------------------------------

OLD = SHARED
NEW = "action-server-shared-secret-2027"
ROTATING = {"RASA_SECURE_ACTION_TOKEN": NEW, "RASA_SECURE_ACTION_TOKEN_PREVIOUS": OLD}


def test_secret_rotation_accepts_old_and_new_until_the_old_one_is_retired(
    guarded: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Action servers first get the new secret with the old one as previous; Rasa servers
    then switch one by one (both secrets arrive meanwhile); then the previous is removed."""
    during = sample_app()
    attach(during, environ=ROTATING)
    caplog.set_level(logging.INFO, logger="rasa_secure.audit")
    with serve(during) as url:
        assert webhook(url, {"X-Rasa-Secure-Token": OLD}).status_code == 200, "not yet switched"
        assert webhook(url, {"X-Rasa-Secure-Token": NEW}).status_code == 200, "switched"
        assert webhook(url, {"X-Rasa-Secure-Token": NEW[:-1]}).status_code == 401
        assert webhook(url, {"X-Rasa-Secure-Token": OLD + NEW}).status_code == 401
    reasons = [
        json.loads(r.getMessage())["reasons"]
        for r in caplog.records
        if r.name == "rasa_secure.audit"
    ]
    assert ["previous_shared_secret"] in reasons, "calls with the retiring secret are audited"
    after = sample_app()
    attach(after, environ={"RASA_SECURE_ACTION_TOKEN": NEW})
    with serve(after) as url:
        assert webhook(url, {"X-Rasa-Secure-Token": OLD}).status_code == 401, "retired"
        assert webhook(url, {"X-Rasa-Secure-Token": NEW}).status_code == 200


def test_identity_attested_with_the_retiring_secret_is_accepted_during_the_overlap() -> None:
    """Conversations whose latest message a not-yet-switched Rasa server attested."""
    old_key = attestation_key(OLD)
    state = tracker(
        "alice", metadata={METADATA_KEY: envelope("alice", ["customer"], "alice", key=old_key)}
    )
    rotating = ActionGuard({**GUARD_CONFIG, "pii": None}, environ=ROTATING)
    assert rotating.identify(state).subject == "alice"
    retired = ActionGuard({**GUARD_CONFIG, "pii": None}, environ={"RASA_SECURE_ACTION_TOKEN": NEW})
    with pytest.raises(AuthenticationError) as caught:
        retired.identify(state)
    assert caught.value.reason == "bad_attestation"


@pytest.mark.parametrize(
    ("why", "previous"),
    [
        ("a previous secret too short to be one", "short"),
        ("the previous secret equal to the current one (a rotation that rotates nothing)", NEW),
    ],
)
def test_bad_previous_secret_is_a_config_error(why: str, previous: str) -> None:
    environ = {"RASA_SECURE_ACTION_TOKEN": NEW, "RASA_SECURE_ACTION_TOKEN_PREVIOUS": previous}
    with pytest.raises(ConfigError) as caught:
        ActionServerAuth(environ=environ)
    assert caught.value.key == "ActionServerAuth.secret_env", why
    assert "RASA_SECURE_ACTION_TOKEN_PREVIOUS" in caught.value.problem, why
    with pytest.raises(ConfigError) as caught:
        ActionGuard({**GUARD_CONFIG, "pii": None}, environ=environ)
    assert caught.value.key == "SecureAction.attestation_secret_env", why


# -- errors answer without echoing the request ---------------------------------------------


def test_server_errors_echo_no_conversation_data(
    guarded: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """rasa-sdk answers a 500 with ``str(exception)`` and the whole request body (the
    tracker, slot values included), which Rasa then logs in its exception chain; and logs
    the traceback itself. The guarded server answers with the status phrase only."""
    card = "4111 1111 1111 1111"
    app = sample_app()
    attach(app, environ={"RASA_SECURE_ACTION_TOKEN": SHARED})
    body = action_call("sample_check_balance", tracker("alice", slots={"card_number": card}))
    del body["tracker"]["sender_id"]  # rasa-sdk's Tracker.from_dict raises KeyError
    headers = {"X-Rasa-Secure-Token": SHARED}
    caplog.set_level(logging.DEBUG)
    with serve(app) as url:
        broken = requests.post(f"{url}/webhook", json=body, headers=headers, timeout=10)
        missing = requests.get(f"{url}/no-such-page", headers=headers, timeout=10)
    assert (broken.status_code, broken.json()) == (500, {"error": "Internal Server Error"})
    assert (missing.status_code, missing.json()) == (404, {"error": "Not Found"})
    logged = "\n".join(caplog.text.splitlines())
    assert "KeyError" in logged, "the failure is still logged, by type and place"
    assert "4111" not in logged
