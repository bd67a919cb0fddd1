"""Start the example bot's action server and Rasa server on localhost, and talk to them.

Used by the demo (``python -m example_bot.demo``) and by the end-to-end tests, so both run
the bot exactly the way a deployment would: two processes, real HTTP between them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Dict, List, Mapping, Optional, Type

import requests

from example_bot.training import BOT_DIR

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
    popen: Optional[subprocess.Popen[bytes]] = None

    def start(self, env: Mapping[str, str]) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as output:
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
                if requests.get(self.health_url, timeout=2).ok:
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


@dataclass
class BotServers:
    """The action server and the Rasa server of the example bot, as a context manager.

    Attributes:
        model: the trained model archive to serve.
        workdir: where databases and server logs go.
        endpoints: the endpoints file (default: the bot's own).
        credentials: the credentials file (default: the bot's own).
        env: extra environment variables for both servers.
    """

    model: Path
    workdir: Path
    endpoints: Path = BOT_DIR / "endpoints.yml"
    credentials: Path = BOT_DIR / "credentials.yml"
    env: Dict[str, str] = field(default_factory=dict)
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.actions = _Process(
            name="action server",
            argv=[sys.executable, "-m", "rasa_sdk", "--actions", "example_bot.actions",
                  "--port", str(self.actions_port)],
            cwd=REPO_DIR,
            log=self.workdir / "action-server.log",
            health_url=f"http://127.0.0.1:{self.actions_port}/health",
        )  # fmt: skip
        self.rasa = _Process(
            name="rasa server",
            argv=[sys.executable, "-m", "rasa", "run", "--model", str(self.model),
                  "--endpoints", str(self.endpoints), "--credentials", str(self.credentials),
                  "--interface", "127.0.0.1", "--port", str(self.rasa_port)],
            cwd=BOT_DIR,
            log=self.workdir / "rasa-server.log",
            health_url=f"http://127.0.0.1:{self.rasa_port}/",
        )  # fmt: skip

    @property
    def url(self) -> str:
        """Base URL of the Rasa server."""
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        """Webhook URL of the action server."""
        return f"http://127.0.0.1:{self.actions_port}/webhook"

    def environment(self) -> Dict[str, str]:
        """The environment both servers run with."""
        env = dict(os.environ)
        env.update(
            RASA_SECURE_ACTION_URL=self.actions_url,
            RASA_SECURE_TRACKER_DB=str(self.workdir / "tracker.sqlite"),
            EXAMPLE_BANK_DB=str(self.workdir / "bank.sqlite"),
            PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_DIR), env.get("PYTHONPATH")])),
            TF_CPP_MIN_LOG_LEVEL="2",
        )
        env.update(self.env)
        return env

    def __enter__(self) -> BotServers:
        env = self.environment()
        deadline = time.monotonic() + START_TIMEOUT
        try:
            for process in (self.actions, self.rasa):
                process.start(env)
            for process in (self.actions, self.rasa):
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
        """Stop both servers (Rasa first, so no action call is cut off)."""
        self.rasa.stop()
        self.actions.stop()

    def send(
        self,
        sender: str,
        text: str,
        *,
        headers: Optional[Mapping[str, str]] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        webhook: str = "rest",
    ) -> requests.Response:
        """POST one user message to the bot's REST webhook; returns the raw response."""
        body: Dict[str, Any] = {"sender": sender, "message": text}
        if metadata is not None:
            body["metadata"] = dict(metadata)
        return requests.post(
            f"{self.url}/webhooks/{webhook}/webhook", json=body, headers=headers, timeout=60
        )

    def say(self, sender: str, text: str, **kwargs: Any) -> List[str]:
        """Send a message and return the texts of the bot's replies (raises on HTTP errors)."""
        response = self.send(sender, text, **kwargs)
        response.raise_for_status()
        return [message.get("text", "") for message in response.json()]
