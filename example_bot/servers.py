"""Start the example bot's action server and Rasa server on localhost, and talk to them.

Used by the demo (``python -m example_bot.demo``) and by the end-to-end tests, so both run
the bot exactly the way a deployment would: two processes, real HTTP between them.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Dict, List, Mapping, Optional, Tuple, Type, Union

import requests
import yaml

from example_bot.identity import SECRET_ENV, issue_token
from example_bot.training import BOT_DIR
from rasa_secure.core.identity import generate_key
from rasa_secure.stores.lifecycle import conversation_pseudonym
from rasa_secure.stores.log_filter import logging_config_path

REPO_DIR = BOT_DIR.parent
START_TIMEOUT = 240.0


class ServerFailed(RuntimeError):
    """A server did not come up; the message includes the tail of its log."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class _Process:
    name: str
    argv: List[str]
    cwd: Path
    log: Path
    health_url: str
    verify: Union[bool, str] = True
    popen: Optional[subprocess.Popen[bytes]] = None

    def start(self, env: Mapping[str, str], *, append: bool = False) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab" if append else "wb") as output:
            self.popen = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                self.argv, cwd=self.cwd, env=dict(env), stdout=output, stderr=subprocess.STDOUT
            )

    def wait_healthy(self, deadline: float) -> None:
        assert self.popen is not None
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise ServerFailed(
                    f"{self.name} exited with {self.popen.returncode}:\n{self.tail()}"
                )
            try:
                if requests.get(self.health_url, timeout=2, verify=self.verify).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise ServerFailed(
            f"{self.name} did not answer within {START_TIMEOUT:.0f}s:\n{self.tail()}"
        )

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGINT)
        try:
            self.popen.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=10)

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def generate_secrets() -> Dict[str, str]:
    """Fresh secrets for one launch of the bot (a deployment keeps its own in a vault)."""
    return {
        SECRET_ENV: secrets.token_urlsafe(48),
        "RASA_SECURE_ACTION_TOKEN": secrets.token_urlsafe(32),
        "RASA_SECURE_KEYS": f"k1:{generate_key()}",
        "RASA_SECURE_PSEUDONYM_KEY": secrets.token_urlsafe(32),
        "RASA_SECURE_AUDIT_KEY": secrets.token_urlsafe(32),
        "RASA_SECURE_HANDOFF_SECRET": secrets.token_urlsafe(32),
    }


@dataclass(frozen=True)
class ActionServerTls:
    """PEM files for serving the action server over HTTPS.

    Attributes:
        certificate: the server certificate (for ``127.0.0.1``).
        key: its private key, unencrypted.
        ca: the CA that signed it; the health check trusts only this CA (the Rasa servers
            are told about it by ``cafile`` in their ``endpoints.yml``).
    """

    certificate: Path
    key: Path
    ca: Path


@dataclass
class BotServers:
    """The action server and the Rasa server(s) of the example bot, as a context manager.

    Secrets (JWT signing secret, action-server token, storage keys) are generated for each
    launch unless ``env`` or the process environment provides them.

    Attributes:
        model: the trained model archive to serve.
        workdir: where databases and server logs go.
        endpoints: the endpoints file (default: the bot's own).
        credentials: the credentials file (default: the bot's own).
        env: extra environment variables for both servers.
        secrets: the generated secrets (used where ``env`` and the environment have none).
        rasa_args: extra arguments for ``rasa run`` (e.g. ``("--debug",)``).
        replicas: how many Rasa server processes serve the same model (each on its own port,
            logging to ``rasa-server.log``, ``rasa-server-2.log``, ...); they share what the
            endpoints file makes them share (tracker store, lock store, broker).
        action_tls: serve the action server over HTTPS with these files (default: HTTP).
        logging_config: the logging configuration of every server (default: rasa_secure's
            ``logging.yml``).
        helpdesk_port: where the local helpdesk (:mod:`example_bot.helpdesk`) listens; it
            receives the handoffs and posts agents' answers to the first Rasa server.
    """

    model: Path
    workdir: Path
    endpoints: Path = BOT_DIR / "endpoints.yml"
    credentials: Path = BOT_DIR / "credentials.yml"
    env: Dict[str, str] = field(default_factory=dict)
    secrets: Dict[str, str] = field(default_factory=generate_secrets)
    rasa_args: Tuple[str, ...] = ()
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    replicas: int = 1
    action_tls: Optional[ActionServerTls] = None
    logging_config: Optional[Path] = None
    helpdesk_port: int = field(default_factory=free_port)

    def __post_init__(self) -> None:
        if self.replicas < 1:
            raise ValueError(f"replicas must be 1 or more, got {self.replicas}")
        self.workdir.mkdir(parents=True, exist_ok=True)
        logging_config = str(self.logging_config or logging_config_path())
        tls: List[str] = []
        if self.action_tls is not None:
            tls = ["--ssl-certificate", str(self.action_tls.certificate),
                   "--ssl-keyfile", str(self.action_tls.key)]  # fmt: skip
        self.actions = _Process(
            name="action server",
            argv=[sys.executable, "-m", "rasa_secure.cli.main", "actions",
                  "--actions", "example_bot.actions", "--host", "127.0.0.1",
                  "--port", str(self.actions_port), "--logging-config-file", logging_config,
                  *tls],
            cwd=REPO_DIR,
            log=self.workdir / "action-server.log",
            health_url=f"{self._actions_base}/health",
            verify=str(self.action_tls.ca) if self.action_tls else True,
        )  # fmt: skip
        callback = f"{self.url_of(self.rasa_port)}/webhooks/secure_handoff/callback"
        self.helpdesk = _Process(
            name="helpdesk",
            argv=[sys.executable, "-m", "example_bot.helpdesk", "--port", str(self.helpdesk_port),
                  "--callback-url", callback],
            cwd=REPO_DIR,
            log=self.workdir / "helpdesk.log",
            health_url=f"{self.helpdesk_url}/health",
        )  # fmt: skip
        self.ports = [self.rasa_port, *(free_port() for _ in range(self.replicas - 1))]
        self.rasa_servers = [
            self._rasa_process(index, port, logging_config) for index, port in enumerate(self.ports)
        ]
        self.rasa = self.rasa_servers[0]

    def _rasa_process(self, index: int, port: int, logging_config: str) -> _Process:
        suffix = "" if index == 0 else f"-{index + 1}"
        return _Process(
            name=f"rasa server{suffix.replace('-', ' ')}",
            argv=[sys.executable, "-m", "rasa", "run", "--model", str(self.model),
                  "--endpoints", str(self.endpoints), "--credentials", str(self.credentials),
                  "--interface", "127.0.0.1", "--port", str(port),
                  "--logging-config-file", logging_config, *self.rasa_args],
            cwd=BOT_DIR,
            log=self.workdir / f"rasa-server{suffix}.log",
            health_url=f"http://127.0.0.1:{port}/",
        )  # fmt: skip

    @staticmethod
    def url_of(port: int) -> str:
        """Base URL of a server on ``port`` of 127.0.0.1."""
        return f"http://127.0.0.1:{port}"

    @property
    def helpdesk_url(self) -> str:
        """Base URL of the local helpdesk."""
        return self.url_of(self.helpdesk_port)

    @property
    def url(self) -> str:
        """Base URL of the (first) Rasa server."""
        return self.replica_url(0)

    def replica_url(self, replica: int) -> str:
        """Base URL of Rasa server number ``replica`` (from 0)."""
        return self.url_of(self.ports[replica])

    @property
    def _actions_base(self) -> str:
        scheme = "https" if self.action_tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self.actions_port}"

    @property
    def actions_url(self) -> str:
        """Webhook URL of the action server."""
        return f"{self._actions_base}/webhook"

    def environment(self) -> Dict[str, str]:
        """The environment both servers run with."""
        env = dict(os.environ)
        env.update({name: value for name, value in self.secrets.items() if name not in env})
        env.update(
            RASA_SECURE_ACTION_URL=self.actions_url,
            RASA_SECURE_HANDOFF_URL=f"{self.helpdesk_url}/handoffs",
            RASA_SECURE_TRACKER_DB=str(self.workdir / "tracker.sqlite"),
            RASA_SECURE_EVENTS_DB=str(self.workdir / "events.sqlite"),
            EXAMPLE_BANK_DB=str(self.workdir / "bank.sqlite"),
            PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_DIR), env.get("PYTHONPATH")])),
            TF_CPP_MIN_LOG_LEVEL="2",
            RASA_TELEMETRY_ENABLED="false",  # nothing leaves the deployment
        )
        env.update(self.env)
        return env

    def __enter__(self) -> BotServers:
        env = self.environment()
        deadline = time.monotonic() + START_TIMEOUT
        try:
            for process in (self.helpdesk, self.actions, self.rasa):
                process.start(env)
            for process in (self.helpdesk, self.actions, self.rasa):
                process.wait_healthy(deadline)
            # further replicas once the first has created the stores' tables, so they do not
            # race to create them
            for process in self.rasa_servers[1:]:
                process.start(env)
            for process in self.rasa_servers[1:]:
                process.wait_healthy(deadline)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the servers (Rasa first, so no action call is cut off)."""
        for process in reversed(self.rasa_servers):
            process.stop()
        self.actions.stop()
        self.helpdesk.stop()

    def restart_replica(self, replica: int) -> None:
        """Stop Rasa server number ``replica`` (SIGINT) and start it again; its log goes on."""
        process = self.rasa_servers[replica]
        process.stop()
        process.start(self.environment(), append=True)
        process.wait_healthy(time.monotonic() + START_TIMEOUT)

    def send(
        self,
        sender: Optional[str],
        text: str,
        *,
        headers: Optional[Mapping[str, str]] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        webhook: str = "rest",
        replica: int = 0,
    ) -> requests.Response:
        """POST one user message to the bot's REST webhook; returns the raw response."""
        body: Dict[str, Any] = {"message": text}
        if sender is not None:
            body["sender"] = sender
        if metadata is not None:
            body["metadata"] = dict(metadata)
        url = f"{self.replica_url(replica)}/webhooks/{webhook}/webhook"
        return requests.post(url, json=body, headers=headers, timeout=60)

    def say(self, sender: Optional[str], text: str, **kwargs: Any) -> List[str]:
        """Send a message and return the texts of the bot's replies (raises on HTTP errors)."""
        response = self.send(sender, text, **kwargs)
        response.raise_for_status()
        return [message.get("text", "") for message in response.json()]

    def stored_id(self, sender: str) -> str:
        """The id the tracker store keeps ``sender``'s conversation under: its keyed pseudonym
        when the endpoints file sets ``pseudonymous_ids`` (the bot's own does)."""
        store = yaml.safe_load(self.endpoints.read_text()).get("tracker_store") or {}
        if not store.get("pseudonymous_ids"):
            return sender
        key = self.environment()["RASA_SECURE_PSEUDONYM_KEY"]
        return conversation_pseudonym(sender, key.encode("utf-8"))

    def token(self, subject: str, **claims: Any) -> str:
        """A JWT for ``subject`` from the example identity provider, valid for this launch."""
        return issue_token(subject, self.environment()[SECRET_ENV], **claims)

    def chat(self, subject: str, text: str, *, replica: int = 0) -> List[str]:
        """Say ``text`` as the signed-in ``subject`` through the secure channel."""
        headers = {"Authorization": f"Bearer {self.token(subject)}"}
        return self.say(None, text, headers=headers, webhook="secure_rest", replica=replica)

    # -- the local helpdesk (example_bot.helpdesk) --------------------------------------------

    def tickets(self) -> List[Dict[str, Any]]:
        """The handoffs the helpdesk holds, oldest first."""
        response = requests.get(f"{self.helpdesk_url}/handoffs", timeout=30)
        response.raise_for_status()
        tickets: List[Dict[str, Any]] = response.json()
        return tickets

    def agent(self, handoff_id: str, kind: str, **body: Any) -> requests.Response:
        """Press an agent's button in the helpdesk: ``kind`` is ``reply`` (with ``text``),
        ``messages`` or ``handback``; the helpdesk signs the callback, posts it to the Rasa
        server and answers with the Rasa server's answer."""
        url = f"{self.helpdesk_url}/handoffs/{handoff_id}/{kind}"
        return requests.post(url, json={"agent": "agent-7", **body}, timeout=60)

    def helpdesk_outage(self, failures: int, *, after_storing: bool = False) -> None:
        """Make the helpdesk answer the next ``failures`` handoffs with 503 (after storing
        the ticket when ``after_storing``: the answer is lost, not the handoff)."""
        body = {"failures": failures, "after_storing": after_storing}
        requests.post(f"{self.helpdesk_url}/outage", json=body, timeout=30).raise_for_status()
