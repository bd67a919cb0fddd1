"""Start-up checks: what leaves the deployment, and whether the audit trail can be linked.

The NLU components call :func:`check_deployment` when Rasa loads them (``rasa run``,
``rasa train``, ``rasa shell``), so a deployment is told once, in the server's log, what it is
missing:

* **telemetry**: Rasa 3.6 has telemetry on by default (``rasa.telemetry``): usage events, and
  for exceptions raised in Rasa's code an error report to Rasa's Sentry project with the
  exception's message, which can quote what the user typed. A pack promising that nothing
  leaves the deployment warns when it is on (switch it off with
  ``RASA_TELEMETRY_ENABLED=false`` or ``rasa telemetry disable``);
* **the audit key**: :func:`rasa_secure.core.audit.check_key` warns when
  ``RASA_SECURE_AUDIT_KEY`` is missing or short.
"""

from __future__ import annotations

import logging
import threading

from rasa_secure.core import audit

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


def _reset_for_tests() -> None:
    """Forget that the checks ran (tests only)."""
    _checked.clear()
