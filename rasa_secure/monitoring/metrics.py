"""Prometheus metrics of both servers, counted from the audit record stream.

Importing this module adds :func:`count` as an audit listener
(:func:`rasa_secure.core.identity.audit.add_listener`): every decision of every component
is counted in one place, by component, decision and category. :func:`timed` measures the
NLU components. :func:`serve` exposes the metrics on their own port (not the chat port:
Prometheus needs no token, and customers should not reach the metrics); both servers call
:func:`serve_from_env` at start-up, which serves when ``RASA_SECURE_METRICS_PORT`` is set.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from contextlib import contextmanager
from typing import Iterator, Mapping, Optional

from prometheus_client import Counter, Gauge, Histogram, start_http_server

from rasa_secure.core.identity import AuditRecord, audit
from rasa_secure.errors import ConfigError

logger = logging.getLogger(__name__)

PORT_ENV = "RASA_SECURE_METRICS_PORT"
"""Serve ``/metrics`` on this port (unset: no metrics server)."""
ADDRESS_ENV = "RASA_SECURE_METRICS_ADDRESS"
"""The interface of the metrics server (default :data:`DEFAULT_ADDRESS`: this host only)."""
DEFAULT_ADDRESS = "127.0.0.1"
NO_CATEGORY = "none"
"""The ``category`` label of a decision that names no category."""

DECISIONS = Counter(
    "rasa_secure_decisions",
    "Security decisions (audit records) by component and decision.",
    ["component", "decision"],
)
CATEGORIES = Counter(
    "rasa_secure_decision_categories",
    "Threat categories and PII types of security decisions (one per category named).",
    ["component", "decision", "category"],
)
LATENCY = Histogram(
    "rasa_secure_component_seconds",
    "Time an NLU component spends on one message.",
    ["component"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)

UNDER_RESPONSE = Gauge(
    "rasa_secure_under_automatic_response",
    "Subjects and client addresses under a throttle, step-up or lock-out (read at scrape time).",
)
"""Set by the anomaly monitor (:meth:`rasa_secure.monitoring.anomaly.Monitor.install`)."""


def count(entry: AuditRecord) -> None:
    """Count one audit record (the audit listener this module installs)."""
    decision = entry.decision.value
    DECISIONS.labels(entry.component, decision).inc()
    for category in entry.categories or (NO_CATEGORY,):
        CATEGORIES.labels(entry.component, decision, category).inc()


audit.add_listener(count)


@contextmanager
def timed(component: str) -> Iterator[None]:
    """Observe the time the block takes in the latency histogram of ``component``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        LATENCY.labels(component).observe(time.perf_counter() - start)


_served: Optional[int] = None
_lock = threading.Lock()


def serve(port: int, address: str = DEFAULT_ADDRESS) -> int:
    """Serve ``/metrics`` on ``address:port`` in a background thread, once per process.

    Returns the port served (the first one, on later calls). A port already in use (a second
    worker process) is logged and skipped: that process's metrics are then not exposed.
    """
    global _served
    with _lock:
        if _served is not None:
            return _served
        try:
            start_http_server(port, addr=address)
        except OSError as error:
            logger.warning("metrics server not started on port %s (%s)", port, error.strerror)
            return port
        _served = port
        logger.info("serving Prometheus metrics on %s:%s/metrics", address, port)
        return port


def serve_from_env(environ: Optional[Mapping[str, str]] = None) -> Optional[int]:
    """:func:`serve` on ``RASA_SECURE_METRICS_PORT`` if set; returns the port or ``None``.

    Raises:
        ConfigError: the port is not a number from 1 to 65535.
    """
    environ = os.environ if environ is None else environ
    value = environ.get(PORT_ENV, "")
    if not value:
        return None
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(PORT_ENV, f"expected a port number, got {value!r}")
    return serve(int(value), environ.get(ADDRESS_ENV, DEFAULT_ADDRESS))
