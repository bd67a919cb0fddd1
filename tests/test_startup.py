"""Start-up checks: telemetry and the audit key are reported once, when Rasa loads us."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Iterator, List

import pytest

from rasa_secure import startup
from rasa_secure.core import audit

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test sees the once-per-process checks and warnings again."""
    startup._reset_for_tests()
    monkeypatch.setattr(audit, "_warned", set())
    monkeypatch.setenv(audit.AUDIT_KEY_ENV, "a" * 32)
    yield
    startup._reset_for_tests()


def warnings_of(caplog: pytest.LogCaptureFixture) -> List[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name in ("rasa_secure.startup", "rasa_secure.core.audit")
        and r.levelno >= logging.WARNING
    ]


@pytest.mark.parametrize(("value", "warns"), [("true", True), ("false", False)])
def test_telemetry_warns_when_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, value: str, warns: bool
) -> None:
    # Why: Rasa 3.6 sends usage events and error reports (exception messages, which can
    # quote user input) to Rasa's servers by default.
    monkeypatch.setenv(startup.TELEMETRY_ENV, value)
    with caplog.at_level(logging.WARNING):
        assert startup.check_telemetry() is warns
    found = [m for m in warnings_of(caplog) if "telemetry is enabled" in m]
    assert bool(found) is warns
    assert not found or "RASA_TELEMETRY_ENABLED=false" in found[0]


def test_injection_screen_load_runs_the_checks_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Why: the deployment must be told at start-up, in the server's log, not only in docs;
    # and once, not once per component or per model reload.
    from rasa_secure.nlu.injection_screen import InjectionScreen

    monkeypatch.setenv(startup.TELEMETRY_ENV, "true")
    monkeypatch.delenv(audit.AUDIT_KEY_ENV)
    config = InjectionScreen.get_default_config()
    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            InjectionScreen.create(config, None, None, None)  # type: ignore[arg-type]
    messages = warnings_of(caplog)
    assert len([m for m in messages if "telemetry is enabled" in m]) == 1
    assert len([m for m in messages if f"{audit.AUDIT_KEY_ENV} is not set" in m]) == 1


def test_the_demo_runs_with_telemetry_off() -> None:
    # Why: the example bot is what people copy; it must not send telemetry.
    script = (REPO / "scripts" / "demo.sh").read_text()
    exported = re.search(r"^export RASA_TELEMETRY_ENABLED=false$", script, re.M)
    launched = script.index("exec python")
    assert exported is not None and exported.start() < launched
