"""The README's main command: the demo entry point, in both of its modes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from example_bot.servers import REPO_DIR

pytestmark = pytest.mark.e2e


def _demo(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "example_bot.demo", "--workdir", str(tmp_path / "demo"), *args],
        cwd=REPO_DIR, input=stdin, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_scripted_demo_prints_the_conversation_and_stops_both_servers(
    bot_model: Path, tmp_path: Path
) -> None:
    """The scripted run answers every step and shuts down cleanly."""
    result = _demo(tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "bot > Your balances:" in out
    assert "bot > Done: 50.00 EUR sent to 2000300040." in out
    assert "bot > Your contact email has been updated." in out
    step_up = out.split("# Above 1,000 EUR")[1].split("# Customer 'mallory'")[0]
    assert '"error": "insufficient_user_authentication"' in step_up, "the RFC 9470 challenge"
    assert "bot > Done: 1,100.00 EUR sent to 2000300040." in step_up, "made after the code"
    prober = out.split("# Customer 'mallory' probes")[1].split("\n#")[0]
    assert "HTTP 403" in prober and "locked_out" in prober, "locked out after three blocks"
    assert "Sorry, I didn't get that" not in out  # every scripted step was understood
    assert "Shutting down both servers..." in out and "Done." in out
    # The demo ends with an erasure: the data key destroyed, no event of the customer left.
    assert '"key_destroyed": true' in out and "events left for the customer: 0" in out
    # The example bot is a complete secured deployment: the server's start-up check is silent.
    server_log = (tmp_path / "demo" / "rasa-server.log").read_text(encoding="utf-8")
    assert "Rasa server is up and running." in server_log
    assert "rasa_secure deployment check" not in server_log


def test_interactive_demo_chats_until_stop(bot_model: Path, tmp_path: Path) -> None:
    """The interactive mode answers typed messages and exits on /stop."""
    result = _demo(
        tmp_path, "--interactive", "--sender", "bob", stdin="what's my balance?\n/stop\n"
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Chatting as 'bob'" in result.stdout
    assert "bot > Your balances:" in result.stdout and "2000300040" in result.stdout
