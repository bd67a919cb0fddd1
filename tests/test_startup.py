"""Start-up checks: telemetry and the audit key are reported once, when Rasa loads us."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Iterator, List

import pytest

from rasa_secure import startup
from rasa_secure.core.identity import audit

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
        if r.name in ("rasa_secure.startup", "rasa_secure.core.identity.audit")
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


# --- the running server's deployment check ------------------------------------------------


def _app(routes: List[str], store: object, headers: object) -> object:
    """A Sanic app with ``routes`` and an agent the way Rasa's server holds it."""
    from types import SimpleNamespace

    from rasa.utils.endpoints import EndpointConfig
    from sanic import Sanic, response

    app = Sanic(f"check_{len(routes)}_{id(store)}")
    for index, path in enumerate(routes):

        async def handler(_: object) -> object:
            return response.text("")

        app.add_route(handler, path, name=f"route_{index}")
    endpoint = EndpointConfig("http://127.0.0.1:5055/webhook", headers=headers)
    app.ctx.agent = SimpleNamespace(tracker_store=store, action_endpoint=endpoint)
    return app


def _secure_store(monkeypatch: pytest.MonkeyPatch) -> object:
    from rasa_secure.core.identity import generate_key
    from rasa_secure.stores.tracker_store import SecureTrackerStore

    monkeypatch.setenv("RASA_SECURE_KEYS", f"k1:{generate_key()}")
    return SecureTrackerStore(inner={"type": "in_memory"})


OURS = ["/webhooks/secure_rest", "/webhooks/secure_rest/webhook", "/webhooks/secure_socketio"]
SECRET = {"X-Rasa-Secure-Token": "${RASA_SECURE_ACTION_TOKEN}"}
SKIPPED_STEPS = [
    # (why, routes, plain store?, wrapped by Rasa's fail-safe store?, headers, expected words)
    ("a complete deployment", OURS, False, False, SECRET, []),
    ("a plain tracker store", OURS, True, False, SECRET, ["InMemoryTrackerStore"]),
    ("a plain store inside Rasa's fail-safe wrapper", OURS, True, True, SECRET, ["InMemory"]),
    ("an open REST channel beside ours", [*OURS, "/webhooks/rest/webhook"], False, False,
     SECRET, ["/webhooks/rest/webhook"]),
    ("an action endpoint without the secret", OURS, False, False, {}, ["X-Rasa-Secure-Token"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("why", "routes", "plain", "wrapped", "headers", "expected"),
    SKIPPED_STEPS,
    ids=[case[0] for case in SKIPPED_STEPS],
)
def test_a_server_that_skips_a_step_is_told_which(
    monkeypatch: pytest.MonkeyPatch,
    why: str,
    routes: List[str],
    plain: bool,
    wrapped: bool,
    headers: object,
    expected: List[str],
) -> None:
    from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore

    store: object = InMemoryTrackerStore(domain=None) if plain else _secure_store(monkeypatch)
    if wrapped:
        store = FailSafeTrackerStore(store)  # type: ignore[arg-type]
    found = startup.check_server(_app(routes, store, headers))
    assert len(found) == len(expected), (why, found)
    for words, problem in zip(expected, found):
        assert words in problem, (why, problem)
