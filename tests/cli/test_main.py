"""The ``rasa-secure`` console script."""

from __future__ import annotations

import subprocess
import sys

import pytest

from rasa_secure.cli.main import main
from rasa_secure.core.crypto import Keyring


def test_console_script_help_lists_subcommands() -> None:
    """The installed entry point answers --help and names its commands."""
    result = subprocess.run(
        [sys.executable, "-m", "rasa_secure.cli.main", "--help"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert "usage: rasa-secure" in result.stdout
    assert "keygen" in result.stdout


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    """Running without a subcommand is a usage error, not a silent success."""
    assert main([]) == 2
    assert "usage: rasa-secure" in capsys.readouterr().out


def test_keygen_prints_a_key_the_keyring_accepts(capsys: pytest.CaptureFixture[str]) -> None:
    """The generated entry is valid input for RASA_SECURE_KEYS."""
    assert main(["keygen", "--id", "2026-11"]) == 0
    entry = capsys.readouterr().out.strip()
    ring = Keyring.parse(entry)
    assert ring.current_id == "2026-11"


def test_keygen_rejects_an_id_the_keyring_cannot_hold(capsys: pytest.CaptureFixture[str]) -> None:
    """An id with a separator in it is refused with an error naming the problem."""
    assert main(["keygen", "--id", "a:b"]) == 1
    assert "invalid key id" in capsys.readouterr().err
