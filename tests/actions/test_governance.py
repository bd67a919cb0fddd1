"""The guarded action server runs only the actions the policy governs (issue 17 #8).

A plain ``rasa_sdk.Action`` next to SecureActions ran for a sender with no identity and sent
a card number and an e-mail back unredacted. Plain action *classes* are only loaded in
subprocesses (``ungoverned_actions.py``): rasa-sdk registers every loaded ``Action``
subclass, so one imported here would reach every other test's server. In-process tests
register plain *functions* on one app's executor instead.
"""

from __future__ import annotations

import json
import logging
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest
import requests
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from rasa_secure.actions import ActionGuard
from rasa_secure.actions.governance import (
    Ungoverned,
    UngovernedAction,
    action_executor,
    find_ungoverned,
)
from rasa_secure.actions.server_auth import attach
from rasa_secure.errors import ConfigError
from tests.actions.conftest import (
    CLI,
    GUARD_CONFIG,
    REPO,
    SHARED,
    action_call,
    cli_env,
    cli_server,
    sample_app,
    tracker,
)
from tests.serving import serve

CARD = "4111 1111 1111 1111"
EMAIL = "ada.byron@example.com"
SECRET = {"X-Rasa-Secure-Token": SHARED}
ENVIRON = {"RASA_SECURE_ACTION_TOKEN": SHARED}


async def leaky(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
) -> List[Dict[str, Any]]:
    """A plain action function: replies with a card, an e-mail and a slot value."""
    dispatcher.utter_message(text=f"Card {CARD}, mail {EMAIL}, amount {tracker.get_slot('amount')}")
    return []


def anonymous() -> Tracker:
    """A conversation whose latest message carries no identity at all."""
    return tracker("mallory", metadata={}, slots={"amount": "1234.50"})


def post(url: str, body: Dict[str, Any], headers: Dict[str, str] = SECRET) -> requests.Response:
    """Call the action server's webhook as Rasa does (with the shared secret by default)."""
    return requests.post(f"{url}/webhook", json=body, headers=headers, timeout=10)


@pytest.fixture
def app(guarded: ActionGuard) -> Any:
    return sample_app()


def governance_audit(caplog: pytest.LogCaptureFixture) -> List[Dict[str, Any]]:
    """The audit records of the governance check, in order."""
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "rasa_secure.audit"]
    return [record for record in records if record["component"] == "ActionGovernance"]


def test_the_sample_actions_are_all_governed(app: Any) -> None:
    """The control: every action of the sample package is a granted SecureAction."""
    assert find_ungoverned(action_executor(app).actions) == []


def test_a_plain_action_stops_the_guarded_server_at_start_up(app: Any) -> None:
    action_executor(app).register_function("plain_leaky", leaky)
    with pytest.raises(ConfigError) as caught:
        attach(app, environ=ENVIRON)
    assert caught.value.key == "ActionServerAuth.allow_ungoverned_actions_unsafe"
    assert "plain_leaky (not a SecureAction or SecureFormValidationAction)" in str(caught.value)
    assert not hasattr(app.ctx, "rasa_secure_auth"), "nothing half-installed"


def test_an_action_appearing_after_start_up_is_refused_over_http(
    app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """What --auto-reload can do: the check also runs on every call."""
    attach(app, environ=ENVIRON)
    action_executor(app).register_function("plain_leaky", leaky)
    caplog.set_level(logging.INFO, logger="rasa_secure.audit")
    with serve(app) as url:
        reply = post(url, action_call("plain_leaky", anonymous()))
        governed = post(url, action_call("sample_check_balance", tracker("alice")))
    assert reply.status_code == 400
    assert reply.json()["action_name"] == "plain_leaky"
    assert CARD not in reply.text and EMAIL not in reply.text
    assert governed.status_code == 200, "governed actions still run"
    assert [(r["decision"], r["reasons"]) for r in governance_audit(caplog)] == [
        ("deny", ["ungoverned", "not_secure_action"])
    ]


def test_opted_out_plain_action_runs_with_its_reply_redacted_over_http(
    app: Any, guard: ActionGuard, caplog: pytest.LogCaptureFixture
) -> None:
    action_executor(app).register_function("plain_leaky", leaky)
    attach(app, {"allow_ungoverned_actions_unsafe": True}, environ=ENVIRON, guard=guard)
    caplog.set_level(logging.INFO, logger="rasa_secure.audit")
    with serve(app) as url:
        reply = post(url, action_call("plain_leaky", anonymous()))
    assert reply.status_code == 200
    text = reply.json()["responses"][0]["text"]
    assert CARD not in text and "4111" not in text, text
    assert EMAIL not in text, text
    assert "1234.50" not in text, "no identity: no role reaches the slot value"
    assert text.startswith("Card "), "the rest of the reply is kept"
    assert [r["reasons"] for r in governance_audit(caplog)] == [
        ["allow_ungoverned_actions_unsafe", "not_secure_action"]
    ]


def test_cli_refuses_to_start_and_names_every_ungoverned_action(tmp_path: Path) -> None:
    """The deployment path, with real plain and misconfigured action classes."""
    config = tmp_path / "actions.yml"
    config.write_text(json.dumps({**GUARD_CONFIG, "pii": None}))
    argv = [*CLI, "--actions", "tests.actions.ungoverned_actions", "--config", str(config)]
    result = subprocess.run(
        argv, cwd=REPO, env=cli_env(), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1, result.stderr[-2000:]
    error = result.stderr.strip().splitlines()[-1]
    expected = [
        UngovernedAction("action_probe", Ungoverned.OVERRIDES_RUN),
        UngovernedAction("plain_leaky", Ungoverned.NOT_SECURE),
        UngovernedAction("sample_check_balanse", Ungoverned.NOT_IN_POLICY),
    ]
    assert error.startswith("rasa-secure: error: ActionServerAuth.allow_ungoverned_actions_unsafe")
    assert "; ".join(map(str, expected)) in error
    assert "--allow-ungoverned-actions-unsafe" in error
    assert "Traceback" not in result.stderr


def test_cli_opt_out_serves_plain_actions_with_replies_redacted(tmp_path: Path) -> None:
    """Issue 17 #8 as reported: a plain Action, a caller with no identity, over HTTP."""
    config = tmp_path / "actions.yml"
    config.write_text(json.dumps(GUARD_CONFIG))
    args = ["--actions", "tests.actions.ungoverned_actions", "--config", str(config)]
    args.append("--allow-ungoverned-actions-unsafe")
    with cli_server(args, tmp_path / "server.log") as url:
        body = action_call("plain_leaky", anonymous())
        assert post(url, body, headers={}).status_code == 401
        reply = post(url, body)
    assert reply.status_code == 200
    text = reply.json()["responses"][0]["text"]
    assert text.startswith("Your card ")
    for raw in (CARD, "4111", EMAIL, "1234.50"):
        assert raw not in text, text
    log = (tmp_path / "server.log").read_text()
    assert "plain_leaky (not a SecureAction" in log, "the start-up warning names them"
