"""The distress detector: its cue table runs its own examples, the evaluation set, config."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Tuple

import pytest
import yaml

from rasa_secure.core.distress import (
    Cue,
    DistressCategory,
    DistressDetector,
    Escalation,
    HandoffReason,
    Priority,
    SentimentLabel,
    escalation,
    fold,
    load_cues,
)
from rasa_secure.errors import ConfigError

CASES = Path(__file__).resolve().parent.parent / "data" / "distress_cases.yml"
CUES = load_cues()


@pytest.fixture(scope="module")
def detector() -> DistressDetector:
    return DistressDetector()


def _cue_examples(kind: str) -> List[Tuple[Cue, str]]:
    return [(cue, text) for cue in CUES for text in getattr(cue, kind)]


def test_every_cue_has_examples_and_counterexamples() -> None:
    """Why: a cue that no example exercises can break unseen (STYLE 11)."""
    assert all(cue.examples and cue.counterexamples for cue in CUES)


@pytest.mark.parametrize(("cue", "text"), _cue_examples("examples"), ids=lambda v: str(v)[:40])
def test_cue_matches_its_examples(cue: Cue, text: str) -> None:
    """Why: each example is a phrasing the cue exists for."""
    assert any(not m.negated for m in cue.matches(fold(text)))


@pytest.mark.parametrize(
    ("cue", "text"), _cue_examples("counterexamples"), ids=lambda v: str(v)[:40]
)
def test_cue_ignores_its_lookalikes(cue: Cue, text: str) -> None:
    """Why: each counterexample is a look-alike ("dying to know") that must not count."""
    assert not any(not m.negated for m in cue.matches(fold(text)))


def _cases() -> List[Tuple[str, str, str]]:
    groups = yaml.safe_load(CASES.read_text(encoding="utf-8"))["groups"]
    return [(g["category"], g["lang"], text) for g in groups for text in g["texts"]]


@pytest.mark.parametrize(("category", "lang", "text"), _cases(), ids=lambda v: str(v)[:40])
def test_evaluation_set(detector: DistressDetector, category: str, lang: str, text: str) -> None:
    """Why: the written evaluation set (every category, four languages, look-alikes) is the
    recall target of the issue; a look-alike (category none) must detect nothing."""
    found = [c.value for c in detector.detect(text).categories]
    if category == "none":
        assert found == []
    else:
        assert category in found


@pytest.mark.parametrize(
    ("text", "priority", "handoff"),
    [
        # why: a coercion in progress is urgent and asks for a handoff with its own reason
        ("the caller says move it all to a safe account", Priority.URGENT, HandoffReason.COERCION),
        # why: a crisis is urgent; the reason is distress
        ("I want to end my life", Priority.URGENT, HandoffReason.DISTRESS),
        # why: bereavement raises the priority but needs no immediate handoff
        ("my wife died last month", Priority.HIGH, None),
        # why: abuse is recorded but raises nothing by default
        ("shut up you stupid bot", Priority.NORMAL, None),
        # why: routine banking is normal
        ("what is my balance", Priority.NORMAL, None),
    ],
)
def test_priority_and_handoff(
    detector: DistressDetector, text: str, priority: Priority, handoff: object
) -> None:
    result = detector.detect(text)
    assert (result.priority, result.handoff) == (priority, handoff)


def test_negation_is_explained_not_counted(detector: DistressDetector) -> None:
    """Why: "nobody is forcing me" names the cue (explains the zero) but detects nothing."""
    result = detector.detect("nobody is forcing me to do this")
    assert result.categories == ()
    assert [m.negated for m in result.matches] == [True]
    assert result.scores[DistressCategory.COERCION] == 0.0


def test_result_carries_no_text(detector: DistressDetector) -> None:
    """Why: the result is stored and audited; it may hold scores and offsets, never words."""
    text = "my husband passed away and the funeral is on Tuesday"
    wire = json.dumps(detector.detect(text).to_dict())
    assert not any(word in wire for word in ("husband", "funeral", "Tuesday"))


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("thank you so much, you are brilliant, I love this!", SentimentLabel.POSITIVE),
        ("this is awful, the worst service ever, I'm furious", SentimentLabel.NEGATIVE),
        ("muchas gracias, excelente servicio", SentimentLabel.POSITIVE),
        ("c'est horrible, je suis vraiment en colère", SentimentLabel.NEGATIVE),
        ("vielen Dank, super Service!", SentimentLabel.POSITIVE),
    ],
)
def test_sentiment_sign(detector: DistressDetector, text: str, label: SentimentLabel) -> None:
    """Why: the score's sign must be right on plain cases in each language."""
    sentiment = detector.sentiment(text)
    assert sentiment.label is label and -1.0 <= sentiment.score <= 1.0


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"thresholds": {"coercion": 0.5}}, "DistressDetector.thresholds"),  # unknown category
        ({"thresholds": {"fraud_victim": 1.5}}, "DistressDetector.thresholds"),  # out of range
        (
            {"priorities": {"bereavement": "asap"}},
            "DistressDetector.priorities",
        ),  # no such priority
        ({"negative_priority": 0.5}, "DistressDetector.negative_priority"),  # must be <= 0
        ({"threshold": 0.5}, "DistressDetector.threshold"),  # a typo is an error, not ignored
    ],
)
def test_bad_config_names_the_key(config: dict, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        DistressDetector(config)
    assert key in str(caught.value)


def test_threshold_from_config(detector: DistressDetector) -> None:
    """Why: thresholds are the operator's; a medium cue (0.7) stops counting above it."""
    text = "I lost my job last month"
    assert DistressCategory.FINANCIAL_HARDSHIP in detector.detect(text).categories
    strict = DistressDetector({"thresholds": {"financial_hardship": 0.8}})
    assert strict.detect(text).categories == ()


def test_bad_cue_table_is_refused(tmp_path: Path) -> None:
    """Why: a broken table must fail at load, naming the entry, not at the first message."""
    path = tmp_path / "cues.yml"
    path.write_text("cues:\n  - {name: x, category: sadness, strength: strong, pattern: 'a'}\n")
    with pytest.raises(ConfigError, match="cue"):
        load_cues(path)


def test_hostile_input_is_bounded(detector: DistressDetector) -> None:
    """Why: a huge or odd message is read up to max_length and never crashes."""
    result = detector.detect("\u202e" + "kill " * 100_000 + "\x00")
    assert result.categories == ()


def test_escalation_of_a_conversation(detector: DistressDetector) -> None:
    """Why: a handoff reads the whole conversation: the highest priority, coercion before
    distress, every category once; malformed stored values are skipped, not trusted."""
    annotations = [
        detector.detect("my wife died last month").to_dict(),
        None,  # a message whose detection failed
        {"priority": "panic", "handoff": None},  # not ours: skipped
        detector.detect("I don't want to live anymore").to_dict(),
        detector.detect("he says to move it all to a safe account").to_dict(),
        detector.detect("my husband passed away").to_dict(),
    ]
    result = escalation(annotations)
    assert result.priority is Priority.URGENT
    assert result.handoff is HandoffReason.COERCION
    assert result.categories == (
        DistressCategory.BEREAVEMENT,
        DistressCategory.SELF_HARM,
        DistressCategory.COERCION,
    )
    assert escalation([]) == Escalation()
