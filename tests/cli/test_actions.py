"""``rasa-secure actions``: the logging configuration it applies before serving."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rasa_secure.cli.actions import configure_logging
from rasa_secure.errors import ConfigError
from rasa_secure.stores.log_filter import logging_config_path


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
