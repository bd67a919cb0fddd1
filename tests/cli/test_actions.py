"""``rasa-secure actions``: the logging configuration it applies before serving."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import List, Optional

import pytest
import requests

from rasa_secure.cli.actions import configure_logging
from rasa_secure.errors import ConfigError
from rasa_secure.stores.log_filter import logging_config_path
from tests.actions.conftest import SHARED, action_call, cli_env, cli_server, tracker
from tests.serving import free_port


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (None, "the file does not exist"),
        ("version: 1\nhandlers: {h: {class: no.such.Handler}}\n", "dictConfig rejects it"),
        ("version: [1\n", "not YAML"),
    ],
)
def test_a_bad_logging_file_is_a_config_error(tmp_path: Path, content: object, why: str) -> None:
    """The server refuses to start with a logging file it cannot apply (PII could leak)."""
    path = tmp_path / "logging.yml"
    if isinstance(content, str):
        path.write_text(content)
    with pytest.raises(ConfigError) as caught:
        configure_logging(str(path))
    assert caught.value.key == "--logging-config-file"


def test_the_shipped_pii_logging_file_masks_a_card_number() -> None:
    """With the ready logging.yml applied, a logged card number comes out masked."""
    script = (
        "import logging, sys\n"
        "from rasa_secure.cli.actions import configure_logging\n"
        "configure_logging(sys.argv[1])\n"
        "logging.getLogger('rasa_sdk.executor').info('card %s', '4111 1111 1111 1111')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, logging_config_path()],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert "card " in output
    assert "4111" not in output


# -- finding the action package (issue 17 #11) --------------------------------------------------

CONSOLE_SCRIPT = Path(sys.executable).with_name("rasa-secure")
PROJECT_ACTIONS = """
from rasa_secure.actions import SecureAction


class ActionHello(SecureAction):
    def name(self):
        return "action_hello"

    async def run_authorized(self, dispatcher, tracker, domain, context):
        dispatcher.utter_message(text=f"Hello {context.identity.subject}")
        return []
"""
PROJECT_POLICY = "version: 1\nroles: {customer: {}}\nactions: {action_hello: {customer: own}}\n"


def project(folder: Path) -> Path:
    """An ordinary Rasa project folder, as `rasa init` lays it out: ./actions/actions.py."""
    (folder / "actions").mkdir(parents=True)
    (folder / "actions" / "__init__.py").write_text("")
    (folder / "actions" / "actions.py").write_text(PROJECT_ACTIONS)
    (folder / "policy.yml").write_text(PROJECT_POLICY)
    return folder


def console(args: List[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the installed `rasa-secure` console script (not `python -m`, which would put the
    current directory on sys.path by itself) with a start-up error expected."""
    env = cli_env(RASA_SECURE_POLICY="policy.yml")
    return subprocess.run(
        [str(CONSOLE_SCRIPT), "actions", *args, "--port", str(free_port())],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_actions_package_is_found_in_the_project_folder(tmp_path: Path) -> None:
    """`rasa-secure actions --actions actions` from the project folder, as `rasa run actions`."""
    folder = project(tmp_path / "bot")
    state = tracker("alice", ("customer",))
    env = cli_env(RASA_SECURE_POLICY="policy.yml")
    command = [str(CONSOLE_SCRIPT), "actions"]
    for args in (["--actions", "actions"], []):  # `actions` is also the default, as in Rasa
        with cli_server(args, tmp_path / "server.log", cwd=folder, env=env, command=command) as url:
            reply = requests.post(
                f"{url}/webhook",
                json=action_call("action_hello", state),
                headers={"X-Rasa-Secure-Token": SHARED},
                timeout=10,
            )
        assert reply.status_code == 200, (tmp_path / "server.log").read_text()[-2000:]
        assert reply.json()["responses"][0]["text"] == "Hello alice"


@pytest.mark.parametrize(
    ("why", "actions", "setup", "message"),
    [
        (
            "no such package in the folder",
            "actions",
            None,
            "--actions: no action package or module 'actions' in ",
        ),
        (
            "a dotted name whose parent does not exist",
            "my_bot.actions",
            None,
            "--actions: no action package or module 'my_bot.actions' in ",
        ),
        (
            "the package imports a library that is not installed",
            "actions",
            "import no_such_library_xyz\n",
            "--actions: importing actions failed: module no_such_library_xyz cannot be found",
        ),
        (
            "the package's own code fails on import",
            "actions",
            "raise RuntimeError('bank client not configured')\n",
            "--actions: importing actions failed: RuntimeError: bank client not configured",
        ),
    ],
)
def test_a_missing_or_broken_actions_package_is_a_clear_error(
    tmp_path: Path, why: str, actions: str, setup: Optional[str], message: str
) -> None:
    (tmp_path / "policy.yml").write_text(PROJECT_POLICY)
    if setup is not None:
        (tmp_path / "actions").mkdir()
        (tmp_path / "actions" / "__init__.py").write_text(setup)
    result = console(["--actions", actions], tmp_path)
    assert result.returncode == 1, why
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"rasa-secure: error: {message}"), (why, result.stderr[-2000:])
    assert "Traceback" not in result.stderr, why
