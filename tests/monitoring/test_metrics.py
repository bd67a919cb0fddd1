"""Prometheus metrics: counted once from the audit stream, timed, served on their own port."""

from __future__ import annotations

import socket
import urllib.request
from typing import Optional

import pytest
from prometheus_client import REGISTRY

from rasa_secure.core.identity import audit
from rasa_secure.errors import ConfigError
from rasa_secure.monitoring import metrics


def sample(name: str, **labels: str) -> float:
    value: Optional[float] = REGISTRY.get_sample_value(name, labels)
    return value or 0.0


def test_every_audit_record_is_counted_by_decision_and_category() -> None:
    # Why: one place derives the counters, so a component cannot forget to count.
    decisions = {"component": "MetricsTest", "decision": "block"}
    before = sample("rasa_secure_decisions_total", **decisions)
    sqli = sample("rasa_secure_decision_categories_total", **decisions, category="sqli")
    audit.record("MetricsTest", "block", categories=("sqli", "xss"))
    audit.record("MetricsTest", "block", categories=("sqli",))
    assert sample("rasa_secure_decisions_total", **decisions) == before + 2
    assert sample("rasa_secure_decision_categories_total", **decisions, category="sqli") == sqli + 2


def test_a_record_without_category_is_counted_as_none() -> None:
    labels = {"component": "MetricsTest", "decision": "deny", "category": metrics.NO_CATEGORY}
    before = sample("rasa_secure_decision_categories_total", **labels)
    audit.record("MetricsTest", "deny")
    assert sample("rasa_secure_decision_categories_total", **labels) == before + 1


def test_timed_observes_even_when_the_block_raises() -> None:
    before = sample("rasa_secure_component_seconds_count", component="TimedTest")
    with pytest.raises(RuntimeError), metrics.timed("TimedTest"):
        raise RuntimeError("boom")
    assert sample("rasa_secure_component_seconds_count", component="TimedTest") == before + 1


@pytest.mark.parametrize("value", ["http", "0", "70000", "-1"])
def test_a_bad_port_is_a_config_error_naming_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match=metrics.PORT_ENV):
        metrics.serve_from_env({metrics.PORT_ENV: value})


def test_no_port_serves_nothing() -> None:
    assert metrics.serve_from_env({}) is None


def test_metrics_are_served_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "_served", None)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert metrics.serve_from_env({metrics.PORT_ENV: str(port)}) == port
    audit.record("MetricsTest", "flag", categories=("jailbreak",))
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
        body = answer.read().decode()
    assert 'rasa_secure_decisions_total{component="MetricsTest",decision="flag"}' in body
