"""Unit tests of the DistressDetector component on real Rasa messages."""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List

import pytest
from rasa.shared.nlu.training_data.message import Message

from rasa_secure.core.handoff import HINT_KEY
from rasa_secure.errors import ConfigError
from rasa_secure.nlu.distress_detector import (
    DISTRESS_PROPERTY,
    FAILED_PROPERTY,
    DistressDetector,
)


@pytest.fixture(scope="module")
def component() -> DistressDetector:
    return DistressDetector(DistressDetector.get_default_config())


def classified(text: str) -> Message:
    """A message as it leaves the intent classifier."""
    return Message({"text": text, "intent": {"name": "transfer_money", "confidence": 0.9}})


def test_annotation_is_an_output_property(component: DistressDetector) -> None:
    """Why: Rasa copies only output properties into parse_data, where actions read it."""
    message = classified("the man on the phone says to move it to a safe account")
    component.process([message])
    parse = message.as_dict(only_output_properties=True)
    distress = parse[DISTRESS_PROPERTY]
    assert distress["categories"] == ["coercion_or_scam_in_progress"]
    assert distress["priority"] == "urgent" and distress["handoff"] == "coercion"
    assert set(distress["scores"]) >= {"bereavement", "fraud_victim"}
    assert parse[FAILED_PROPERTY] is False
    # why: distress never blocks: the intent stays the classifier's
    assert message.get("intent") == {"name": "transfer_money", "confidence": 0.9}


def test_audit_has_categories_not_text(
    component: DistressDetector, caplog: pytest.LogCaptureFixture
) -> None:
    """Why: the audit trail records categories and scores only, never the customer's words."""
    with caplog.at_level(logging.INFO, logger="rasa_secure.audit"):
        component.process([classified("my husband passed away yesterday")])
    records: List[Dict[str, Any]] = [json.loads(r.getMessage()) for r in caplog.records]
    assert records and records[-1]["decision"] == "flag"
    assert records[-1]["categories"] == ["bereavement"]
    assert all("husband" not in r.getMessage() for r in caplog.records)


def test_no_audit_without_detection(
    component: DistressDetector, caplog: pytest.LogCaptureFixture
) -> None:
    """Why: ordinary traffic does not flood the audit trail."""
    with caplog.at_level(logging.INFO, logger="rasa_secure.audit"):
        component.process([classified("what's my balance")])
    assert not caplog.records


def test_failure_annotates_and_audits(
    component: DistressDetector,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Why: a failed detection must not crash the turn nor pass unnoticed."""

    def broken(text: str) -> None:
        raise RuntimeError("secret text must not leak: my husband passed away")

    monkeypatch.setattr(component.detector, "detect", broken)
    message = classified("my husband passed away")
    with caplog.at_level(logging.INFO):
        component.process([message])
    assert message.get(DISTRESS_PROPERTY) is None and message.get(FAILED_PROPERTY) is True
    assert any('"decision": "error"' in r.getMessage() for r in caplog.records)
    assert all("husband" not in r.getMessage() for r in caplog.records)


def test_bad_config_names_the_key() -> None:
    """Why: a typo in config.yml must fail loudly at load time."""
    with pytest.raises(ConfigError, match=r"DistressDetector\.thresholds"):
        DistressDetector({"thresholds": {"sadness": 0.5}})


# (why, options, text, the expected handoff mark or None)
HINTS = [
    (
        "coercion marks the message: a handoff it leads to is about coercion, urgent",
        {},
        "the man on the phone says to move it to a safe account",
        {"reason": "coercion", "priority": "urgent"},
    ),
    (
        "bereavement (high) reaches the default handoff_from: a distress mark, high",
        {},
        "my husband passed away yesterday",
        {"reason": "distress", "priority": "high"},
    ),
    (
        "a look-alike is not distress: no mark",
        {},
        "I'm dying to know my balance",
        None,
    ),
    (
        "handoff_from urgent: bereavement (high) is annotated but not marked",
        {"handoff_from": "urgent"},
        "my husband passed away yesterday",
        None,
    ),
    (
        "handoff_from null: never marked, even for coercion",
        {"handoff_from": None},
        "the man on the phone says to move it to a safe account",
        None,
    ),
]


@pytest.mark.parametrize(
    ("options", "text", "expected"), [c[1:] for c in HINTS], ids=[c[0] for c in HINTS]
)
def test_handoff_mark(options: Dict[str, Any], text: str, expected: Any) -> None:
    component = DistressDetector({**DistressDetector.get_default_config(), **options})
    message = classified(text)
    component.process([message])
    parse = message.as_dict(only_output_properties=True)
    assert parse.get(HINT_KEY) == expected


def test_bad_handoff_from_names_the_key() -> None:
    """Why: a priority that does not exist must fail at load time, not mark nothing."""
    with pytest.raises(ConfigError, match=r"DistressDetector\.handoff_from"):
        DistressDetector({"handoff_from": "asap"})


CRISIS = {"intents": {"self_harm_or_crisis": "crisis", "coercion_or_scam_in_progress": "held"}}
# (why, options, text, the intent after the detector)
INTENTS = [
    (
        "a detected category with an intent replaces the classifier's prediction",
        CRISIS,
        "I don't want to live anymore",
        "crisis",
    ),
    ("without intents the classifier's intent stays", {}, "I don't want to live anymore",
     "transfer_money"),
    ("a category without an intent leaves it", CRISIS, "my husband passed away yesterday",
     "transfer_money"),
    ("a look-alike is not a crisis", CRISIS, "this fee is killing me lol", "transfer_money"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("options", "text", "intent"), [c[1:] for c in INTENTS], ids=[c[0] for c in INTENTS]
)
def test_intents_replace_the_prediction(options: Dict[str, Any], text: str, intent: str) -> None:
    # Why: a rule must answer a customer in crisis whatever their words were classified as.
    component = DistressDetector({**DistressDetector.get_default_config(), **options})
    message = classified(text)
    message.set("intent_ranking", [{"name": "transfer_money", "confidence": 0.9}])
    component.process([message])
    assert message.get("intent")["name"] == intent
    ranking = [entry["name"] for entry in message.get("intent_ranking")]
    assert ranking == ([intent] if intent != "transfer_money" else []) + ["transfer_money"]


@pytest.mark.parametrize(
    ("intents", "key"),
    [({"sadness": "x"}, "unknown category"), ({"self_harm_or_crisis": " "}, "an intent name")],
)
def test_bad_intents_name_the_key(intents: Dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError, match=rf"DistressDetector\.intents.*{key}"):
        DistressDetector({"intents": intents})
