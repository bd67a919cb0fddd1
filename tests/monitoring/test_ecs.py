"""Audit records become ECS events that name no person, text or secret."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import pytest
import yaml

from rasa_secure.core.identity import AUDIT_KEY_ENV, AuditDecision, AuditRecord, audit
from rasa_secure.monitoring.ecs import (
    AUDIT_LOG_ENV,
    CHECKPOINT_LOG_ENV,
    ECS_DECISIONS,
    AuditEcsFormatter,
    audit_handler,
    checkpoint_handler,
    ecs_fields,
)

ECS_CATEGORIES = {
    "authentication", "configuration", "database", "driver", "file", "host", "iam",
    "intrusion_detection", "malware", "network", "package", "process", "registry", "session",
    "web",
}  # fmt: skip
"""ECS 1.6's allowed values of event.category (ecs_logging writes ecs.version 1.6.0)."""
ECS_TYPES = {
    "access", "admin", "allowed", "change", "connection", "creation", "deletion", "denied",
    "end", "error", "group", "info", "installation", "protocol", "start", "user", "indicator",
}  # fmt: skip


Events = Callable[[], List[Dict[str, Any]]]


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> Iterator[Events]:
    """The ECS events written so far while the test runs."""
    monkeypatch.setenv(AUDIT_KEY_ENV, "audit-key-0123456789abcdef")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(AuditEcsFormatter())
    logger = logging.getLogger(audit.LOGGER_NAME)
    logger.addHandler(handler)
    monkeypatch.setattr(logger, "level", logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


@pytest.mark.parametrize("decision", list(AuditDecision))
def test_every_decision_maps_to_allowed_ecs_values(decision: AuditDecision) -> None:
    # Why: a SIEM drops or misfiles events whose categorisation is not in ECS's lists.
    category, kind, outcome = ECS_DECISIONS[decision]
    assert category in ECS_CATEGORIES and kind in ECS_TYPES
    assert outcome in {"success", "failure", "unknown"}


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        pytest.param(
            AuditRecord("InjectionScreen", AuditDecision.BLOCK, subject="sub_1",
                        categories=("sqli",), reasons=("sqli.union",), score=0.97),
            {"event.kind": "alert", "event.category": ["intrusion_detection"],
             "user.id": "sub_1", "rule.name": ["sqli.union"], "event.risk_score": 0.97,
             "tags": ["sqli"]},
            id="a screen block is an alert naming its rules",
        ),
        pytest.param(
            AuditRecord("SecureRestInput", AuditDecision.DENY, client="cli_2",
                        reasons=("token_expired",), action="webhook"),
            {"event.kind": "event", "event.category": ["authentication"],
             "event.outcome": "failure", "client.address": "cli_2",
             "event.reason": "token_expired",
             "labels.action": "webhook"},
            id="a refused token is an authentication failure",
        ),
        pytest.param(
            AuditRecord("SecureAction", AuditDecision.DENY, subject="sub_3",
                        reasons=("not_owner",)),
            {"event.category": ["iam"], "event.type": ["denied"]},
            id="a policy denial is an iam event",
        ),
        pytest.param(
            AuditRecord("PIIDetector", AuditDecision.REDACT, categories=("EMAIL_ADDRESS",)),
            {"event.category": ["web"], "event.type": ["change"],
             "labels.categories": "EMAIL_ADDRESS"},
            id="PII found: types only",
        ),
    ],
)  # fmt: skip
def test_audit_fields_map_to_ecs(entry: AuditRecord, expected: Dict[str, Any]) -> None:
    fields = ecs_fields(entry)
    assert {name: fields.get(name) for name in expected} == expected


def test_an_event_holds_pseudonyms_and_the_sealed_record_only(events: Events) -> None:
    # Why: the subject id and the client address are personal data; the event stream
    # leaves the deployment for a SIEM.
    sealed = audit.record("SecureRestInput", "deny", subject="alice@example.com",
                          client="203.0.113.9", reasons=("token_expired",))  # fmt: skip
    (event,) = events()
    text = json.dumps(event)
    assert "alice" not in text and "203.0.113.9" not in text
    assert event["user"]["id"] == sealed.subject and event["client"]["address"] == sealed.client
    assert event["message"] == "SecureRestInput deny"
    assert event["rasa_secure"]["audit"] == sealed.to_dict()
    assert "original" not in event.get("log", {}), "the JSON line is not repeated"


def test_other_records_keep_the_ecs_logging_format() -> None:
    record = logging.LogRecord("rasa", logging.INFO, __file__, 1, "started", None, None)
    event = json.loads(AuditEcsFormatter().format(record))
    assert event["message"] == "started" and "rasa_secure" not in event


def test_the_shipped_logging_config_writes_audit_events_and_checkpoints_apart() -> None:
    # Why: checkpoints kept with the records they anchor would be cut off with them.
    path = Path(__file__).parents[2] / "rasa_secure" / "stores" / "logging.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    audit_logger = config["loggers"]["rasa_secure.audit"]
    checkpoint_logger = config["loggers"]["rasa_secure.audit.checkpoint"]
    assert audit_logger["handlers"] != checkpoint_logger["handlers"]
    assert audit_logger["propagate"] is False and checkpoint_logger["propagate"] is False
    for name in audit_logger["handlers"] + checkpoint_logger["handlers"]:
        formatter = config["formatters"][config["handlers"][name]["formatter"]]
        assert formatter["()"] == "rasa_secure.monitoring.ecs.AuditEcsFormatter"


def test_without_a_file_events_go_to_the_current_stdout_and_checkpoints_to_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Why: the handlers outlive the streams they were configured with (test capture, a
    # process that swaps stdout); they write to the stream of the moment.
    monkeypatch.delenv(AUDIT_LOG_ENV, raising=False)
    monkeypatch.delenv(CHECKPOINT_LOG_ENV, raising=False)
    events, points = audit_handler(), checkpoint_handler()
    events.name, points.name = "audit", "audit_checkpoints"  # as dictConfig names them
    record = logging.LogRecord("rasa_secure.audit", logging.INFO, __file__, 1, "x", None, None)
    events.emit(record)
    points.emit(record)
    captured = capsys.readouterr()
    assert captured.out == "x\n" and captured.err == "x\n"
