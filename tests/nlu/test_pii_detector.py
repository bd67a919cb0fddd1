"""The PIIDetector NLU component: parse data, entities, masking, training data, fail safe."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_secure.core.pii import PIIFinding
from rasa_secure.errors import ConfigError, DetectionError
from rasa_secure.nlu.pii_detector import FAILED_PROPERTY, PII_PROPERTY, PIIDetector

EMAIL = "jane.doe@example.org"
CARD = "4111 1111 1111 1111"


def component(**config: Any) -> PIIDetector:
    return PIIDetector({"spacy_model": None, **config})


def parse(detector: PIIDetector, text: str) -> Message:
    message = Message(data={TEXT: text})
    detector.process([message])
    return message


def test_findings_are_recorded_without_values() -> None:
    """The parse data says what and where, never the value itself."""
    message = parse(component(), f"mail {EMAIL} card {CARD}")
    pii = message.get(PII_PROPERTY)
    assert [(p["type"], p["start"], p["end"]) for p in pii] == [
        ("EMAIL_ADDRESS", 5, 5 + len(EMAIL)),
        ("CREDIT_CARD", 31, 31 + len(CARD)),
    ]
    assert all(set(p) == {"type", "start", "end", "score", "recognizer"} for p in pii)
    assert EMAIL not in json.dumps(message.as_dict(only_output_properties=True)).replace(
        message.get(TEXT), ""
    )
    assert message.get(FAILED_PROPERTY) is False


def test_mapped_types_become_rasa_entities_with_the_real_value() -> None:
    """A form filling the slot `email` from entity `email` must still get the address."""
    message = parse(component(rasa_entities={"EMAIL_ADDRESS": "email"}), f"it is {EMAIL}")
    [entity] = message.get(ENTITIES)
    assert entity["entity"] == "email"
    assert entity["value"] == EMAIL
    assert message.get(TEXT)[entity["start"] : entity["end"]] == EMAIL
    assert entity["extractor"] == "PIIDetector"


def test_mask_text_gives_later_components_placeholders_and_aligned_entities() -> None:
    """With masking, parse data text and entity offsets refer to the masked text."""
    detector = component(rasa_entities={"EMAIL_ADDRESS": "email"}, mask_text=True)
    message = parse(detector, f"card {CARD}, mail {EMAIL} thanks")
    assert message.get(TEXT) == "card <CREDIT_CARD>, mail <EMAIL_ADDRESS> thanks"
    [entity] = message.get(ENTITIES)
    assert message.get(TEXT)[entity["start"] : entity["end"]] == "<EMAIL_ADDRESS>"
    assert entity["value"] == EMAIL
    assert message.get(PII_PROPERTY)[0]["start"] == 5  # offsets into the original text


def test_mask_entities_limits_masking_to_the_listed_types() -> None:
    """A deployment may keep e.g. e-mails visible to the intent model and mask only cards."""
    message = parse(component(mask_text=True, mask_entities=["CREDIT_CARD"]), f"{CARD} {EMAIL}")
    assert message.get(TEXT) == f"<CREDIT_CARD> {EMAIL}"


def test_intent_trigger_messages_are_never_masked() -> None:
    """Rasa parses `/intent{json}` itself; masking would corrupt the JSON."""
    text = '/inform{"email": "' + EMAIL + '"}'
    message = parse(component(mask_text=True), text)
    assert message.get(TEXT) == text
    assert message.get(PII_PROPERTY)[0]["type"] == "EMAIL_ADDRESS"


def test_a_message_without_pii_is_left_alone() -> None:
    """No findings: same text, no entities, an empty list in the parse data."""
    message = parse(component(mask_text=True), "what is my balance?")
    assert message.get(TEXT) == "what is my balance?"
    assert message.get(PII_PROPERTY) == []
    assert message.get(ENTITIES) is None


class _Broken:
    name = "pii"
    config: Dict[str, Any] = {"exclude_entities": []}

    def detect(self, text: str) -> Tuple[PIIFinding, ...]:
        raise DetectionError("pii", "model crashed")


def test_detection_failure_fails_safe(caplog: pytest.LogCaptureFixture) -> None:
    """A broken detector must not pass raw text on: the text is redacted, the failure audited."""
    detector = component(mask_text=True, rasa_entities={"EMAIL_ADDRESS": "email"})
    detector.detector = _Broken()  # type: ignore[assignment]
    with caplog.at_level("INFO", logger="rasa_secure.audit"):
        message = parse(detector, f"mail {EMAIL}")
    assert message.get(TEXT) == "<REDACTED>"
    assert message.get(FAILED_PROPERTY) is True
    assert message.get(ENTITIES) is None
    record = json.loads(caplog.records[-1].getMessage())
    assert record["decision"] == "error" and "detection_failed" in record["reasons"]


def _tracker(requested: Any, active_loop: Any = "transfer_form") -> Any:
    from rasa.shared.core.events import ActiveLoop, SlotSet
    from rasa.shared.core.slots import TextSlot
    from rasa.shared.core.trackers import DialogueStateTracker

    slots = [TextSlot("requested_slot", mappings=[], influence_conversation=False)]
    tracker = DialogueStateTracker("alice", slots)
    tracker.update(ActiveLoop(active_loop))
    tracker.update(SlotSet("requested_slot", requested))
    return tracker


@pytest.mark.parametrize(
    ("tracker", "expected", "why"),
    [
        (None, "PHONE_NUMBER", "no conversation: a 10-digit number reads as a phone number"),
        (_tracker("recipient_account"), "BANK_ACCOUNT", "the form asked for an account"),
        (_tracker("amount"), "PHONE_NUMBER", "a slot without a declared type changes nothing"),
        (_tracker("recipient_account", None), "PHONE_NUMBER", "no active form, no question"),
    ],
)
def test_a_value_the_form_asked_for_is_judged_by_the_slot_type(
    tracker: Any, expected: str, why: str
) -> None:
    """8000000000 typed into the transfer form is an account number, not a phone number."""
    detector = component(slot_types={"recipient_account": "BANK_ACCOUNT"}, mask_text=True)
    message = Message(data={TEXT: "8000000000"})
    detector.process([message], tracker)
    assert [p["type"] for p in message.get(PII_PROPERTY)] == [expected], why


@pytest.mark.parametrize(
    ("slot_types", "key", "why"),
    [
        ({"account": "BANK_ACOUNT"}, "slot_types.account", "a typo would never match a value"),
        ({"when": "DATE_TIME"}, "slot_types.when", "an excluded type is never reported"),
        ({"city": "LOCATION"}, "slot_types.city", "places come from the NER model, off here"),
    ],
)
def test_slot_types_must_be_types_the_detector_reports(
    slot_types: Dict[str, str], key: str, why: str
) -> None:
    """The error names the slot's key and lists the types that would be accepted."""
    pattern = rf"PIIDetector\.{key}: .*allowed: .*BANK_ACCOUNT"
    with pytest.raises(ConfigError, match=pattern) as error:
        component(slot_types=slot_types)
    assert error.value.allowed is not None and "EMAIL_ADDRESS" in error.value.allowed, why


def test_unknown_option_is_a_config_error_naming_the_key() -> None:
    """A typo must not silently fall back to a default."""
    with pytest.raises(ConfigError, match=r"PIIDetector\.mask_txt"):
        component(mask_txt=True)


def test_emitting_an_excluded_type_is_a_config_error() -> None:
    """Mapping a type the detector never reports would leave a form waiting forever."""
    with pytest.raises(ConfigError, match="rasa_entities"):
        component(rasa_entities={"DATE_TIME": "date"})


def _example(text: str, intent: str, entities: List[Dict[str, Any]]) -> Message:
    return Message(data={TEXT: text, "intent": intent, ENTITIES: entities})


def test_training_examples_are_masked_and_annotations_realigned() -> None:
    """Training text must look like inference text; entity annotations must stay aligned."""
    detector = component(mask_text=True, rasa_entities={"EMAIL_ADDRESS": "email"})
    text = f"my card {CARD} and {EMAIL} for Bob"
    bob = text.index("Bob")
    card = text.index(CARD)
    email = text.index(EMAIL)
    data = TrainingData(
        [
            _example(
                text,
                "inform",
                [
                    {"entity": "card", "start": card, "end": card + len(CARD), "value": CARD},
                    {"entity": "email", "start": email, "end": email + len(EMAIL), "value": EMAIL},
                    {"entity": "name", "start": bob, "end": bob + 3, "value": "Bob"},
                ],
            ),
            _example("/greet", "greet", []),
        ]
    )
    detector.process_training_data(data)
    first, second = data.training_examples
    masked = first.get(TEXT)
    assert masked == "my card <CREDIT_CARD> and <EMAIL_ADDRESS> for Bob"
    by_name = {e["entity"]: e for e in first.get(ENTITIES)}
    assert "email" not in by_name  # emitted by the component at inference, not learnt by DIET
    assert masked[by_name["card"]["start"] : by_name["card"]["end"]] == "<CREDIT_CARD>"
    assert by_name["card"]["value"] == "<CREDIT_CARD>"
    assert masked[by_name["name"]["start"] : by_name["name"]["end"]] == "Bob"
    assert second.get(TEXT) == "/greet"


def test_training_data_is_untouched_without_masking() -> None:
    """Without mask_text the component only annotates at inference."""
    data = TrainingData([_example(f"mail {EMAIL}", "inform", [])])
    component().process_training_data(data)
    assert data.training_examples[0].get(TEXT) == f"mail {EMAIL}"


NLU_DATA = """
version: "3.1"
nlu:
- intent: give_email
  examples: |
    - my email is [jane@example.org](email)
    - you can reach me at [bob.smith@example.com](email)
    - [alice@example.net](email)
    - send it to [ops@example.co.uk](email) please
    - email: [x.y@example.org](email)
- intent: check_balance
  examples: |
    - what is my balance
    - how much money do I have
    - show my balance please
    - balance
    - what's left on my account
"""


def test_a_trained_pipeline_masks_at_training_and_inference_alike(tmp_path: Path) -> None:
    """Train a real pipeline with the component first; parse a message with an unseen e-mail."""
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    config = tmp_path / "config.yml"
    config.write_text(
        "recipe: default.v1\nlanguage: en\npipeline:\n"
        "- name: rasa_secure.nlu.pii_detector.PIIDetector\n"
        "  spacy_model: null\n  mask_text: true\n"
        "  rasa_entities: {EMAIL_ADDRESS: email}\n"
        "- name: WhitespaceTokenizer\n- name: CountVectorsFeaturizer\n"
        "- name: LogisticRegressionClassifier\n",
        encoding="utf-8",
    )
    nlu = tmp_path / "nlu.yml"
    nlu.write_text(NLU_DATA, encoding="utf-8")
    model = train_nlu(str(config), str(nlu), str(tmp_path / "models"))
    agent = Agent.load(model)
    parsed = asyncio.run(agent.parse_message("my email is carol.jones@example.com"))
    assert parsed["text"] == "my email is <EMAIL_ADDRESS>"
    assert parsed["intent"]["name"] == "give_email"
    assert [(e["entity"], e["value"]) for e in parsed["entities"]] == [
        ("email", "carol.jones@example.com")
    ]
    assert parsed[PII_PROPERTY][0]["type"] == "EMAIL_ADDRESS"
