"""Start-up checks: what leaves the deployment, and whether the audit trail can be linked.

The NLU components call :func:`check_deployment` when Rasa loads them (``rasa run``,
``rasa train``, ``rasa shell``), so a deployment is told once, in the server's log, what it is
missing:

* **telemetry**: Rasa 3.6 has telemetry on by default (``rasa.telemetry``): usage events, and
  for exceptions raised in Rasa's code an error report to Rasa's Sentry project with the
  exception's message, which can quote what the user typed. A pack promising that nothing
  leaves the deployment warns when it is on (switch it off with
  ``RASA_TELEMETRY_ENABLED=false`` or ``rasa telemetry disable``);
* **the audit key**: :func:`rasa_secure.core.identity.audit.check_key` warns when
  ``RASA_SECURE_AUDIT_KEY`` is missing or short.

Once the Rasa server has loaded its agent, :func:`check_server` (registered by the
``SecureRestInput`` and ``SecureSocketIOInput`` channels, once per app) warns about each step
of a secured deployment that the running server skips: a tracker store or event broker that
is not ours, another channel beside ours, an action endpoint that does not send the shared
secret. Missing keys and secrets already stop the components that need them.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, List

from rasa_secure.core.identity import SHARED_SECRET_HEADER, audit

logger = logging.getLogger(__name__)

TELEMETRY_ENV = "RASA_TELEMETRY_ENABLED"
"""Rasa's own switch (``rasa.telemetry.TELEMETRY_ENABLED_ENVIRONMENT_VARIABLE``)."""

_checked = threading.Event()
_lock = threading.Lock()


def telemetry_enabled() -> bool:
    """Whether Rasa would send telemetry from this process (its own decision function)."""
    try:
        from rasa.telemetry import is_telemetry_enabled
    except ImportError:  # an action server without Rasa sends no Rasa telemetry
        return False
    return bool(is_telemetry_enabled())


def check_telemetry() -> bool:
    """Warn when Rasa's telemetry is on; returns whether it is."""
    enabled = telemetry_enabled()
    if enabled:
        logger.warning(
            "Rasa telemetry is enabled: Rasa sends usage events and error reports (exception "
            "messages from Rasa's code, which can quote user input) to Rasa's servers. "
            "rasa_secure keeps personal data inside the deployment only with it off: set "
            "%s=false (or run `rasa telemetry disable`).",
            TELEMETRY_ENV,
        )
    return enabled


def check_deployment() -> None:
    """Run every start-up check, once per process (later calls do nothing)."""
    with _lock:
        if _checked.is_set():
            return
        _checked.set()
    check_telemetry()
    audit.check_key()
    start_metrics()


def start_metrics() -> None:
    """Count audit records from now on; serve them if ``RASA_SECURE_METRICS_PORT`` is set."""
    from rasa_secure.monitoring import metrics

    metrics.serve_from_env()


OUR_WEBHOOKS = ("webhooks/secure_rest", "webhooks/secure_socketio", "webhooks/secure_handoff")
"""Paths of our channels' blueprints (SecureRestInput, SecureSocketIOInput, SecureHandoffInput;
their health routes, the others below them)."""


def check_server(app: Any) -> List[str]:
    """Warn about each step of a secured deployment the running Rasa server skips.

    Returns the warnings (each names the step, never a secret or a value).
    """
    start_metrics()
    from rasa_secure.stores.event_broker import SecureEventBroker
    from rasa_secure.stores.tracker_store import SecureTrackerStore

    missing = []
    agent = getattr(app.ctx, "agent", None)
    store = getattr(agent, "tracker_store", None)
    store = getattr(store, "_tracker_store", store)  # Rasa's FailSafeTrackerStore wrapper
    if store is not None and not isinstance(store, SecureTrackerStore):
        missing.append(
            f"the tracker store is {type(store).__name__}, not SecureTrackerStore: "
            "conversations are stored with raw personal data"
        )
    broker = getattr(store, "event_broker", None)
    if broker is not None and not isinstance(broker, SecureEventBroker):
        missing.append(
            f"the event broker is {type(broker).__name__}, not SecureEventBroker: "
            "events are published with raw personal data"
        )
    endpoint = getattr(agent, "action_endpoint", None)
    headers = {name.lower() for name in (getattr(endpoint, "headers", None) or {})}
    if endpoint is not None and SHARED_SECRET_HEADER.lower() not in headers:
        missing.append(
            f"the action endpoint sends no {SHARED_SECRET_HEADER} header: the guarded "
            "action server refuses every call"
        )
    for path in sorted({route.path for route in app.router.routes}):
        ours = any(path == hook or path.startswith(hook + "/") for hook in OUR_WEBHOOKS)
        if path.startswith("webhooks/") and not ours:
            missing.append(
                f"another channel answers at /{path} beside rasa_secure's: its messages "
                "are not authenticated"
            )
    for problem in missing:
        logger.warning("rasa_secure deployment check: %s", problem)
    return missing


def _reset_for_tests() -> None:
    """Forget that the checks ran (tests only)."""
    _checked.clear()
