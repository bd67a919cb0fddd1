"""EventSanitizer: the one function that makes Rasa events safe for the store and the broker."""

from __future__ import annotations

import copy
import json
import logging
from typing import Any, Dict, List

import pytest
from rasa.shared.core.events import Event

from rasa_secure.core.identity.crypto import is_encrypted
from rasa_secure.errors import ConfigError
from rasa_secure.stores import (
    EVENT_FIELDS,
    KNOWN_VALUES_KEY,
    TRUSTED_METADATA,
    EventSanitizer,
    trusted_metadata,
)
from tests.stores.conftest import RAW_VALUES, leaks, new_key, pii_turns, store_options

V = RAW_VALUES


@pytest.fixture
def sanitizer(keys: str) -> EventSanitizer:
    return EventSanitizer.from_config(store_options(), component="Test")


def sanitize(sanitizer: EventSanitizer, event: Dict[str, Any]) -> Dict[str, Any]:
    return sanitizer.sanitize(event, scope="conv-1").event


def user_event(text: str, entities: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {
        "event": "user",
        "timestamp": 1.0,
        "text": text,
        "parse_data": {
            "text": text,
            "intent": {"name": "inform", "confidence": 0.9},
            "entities": entities,
            "message_id": "m1",
            "metadata": {},
        },
        "input_channel": "rest",
        "message_id": "m1",
        "metadata": {},
    }


def entity(text: str, name: str, value: str) -> Dict[str, Any]:
    start = text.index(value)
    return {"entity": name, "start": start, "end": start + len(value), "value": value}


# Each case: an event holding PII in one place, and why that place matters.
LEAK_CASES = [
    pytest.param(
        {"event": "bot", "timestamp": 1.0, "text": f"We wrote to {V['email']}", "data": {}},
        id="bot text: the bot echoes what the user typed",
    ),
    pytest.param(
        {
            "event": "bot",
            "timestamp": 1.0,
            "text": "Confirm?",
            "data": {"buttons": [{"title": "yes", "payload": f'/inform{{"iban":"{V["iban"]}"}}'}]},
        },
        id="button payloads carry entity values",
    ),
    pytest.param(
        {"event": "bot", "timestamp": 1.0, "text": "ok", "data": {"custom": {"card": V["card"]}}},
        id="custom payloads are free-form",
    ),
    pytest.param(
        {"event": "action", "timestamp": 1.0, "name": "utter_x", "action_text": V["phone"]},
        id="end-to-end action_text is bot text",
    ),
    pytest.param(
        {"event": "slot", "timestamp": 1.0, "name": "note", "value": f"ssn {V['ssn']}"},
        id="a non-sensitive slot whose text holds PII",
    ),
    pytest.param(
        {"event": "slot", "timestamp": 1.0, "name": "note", "value": {"nested": [V["email"]]}},
        id="structured slot values",
    ),
    pytest.param(
        {
            "event": "reminder",
            "timestamp": 1.0,
            "intent": "remind",
            "entities": [{"entity": "phone", "value": V["phone"]}],
            "date_time": "2030-01-01T00:00:00",
            "name": "r1",
            "kill_on_user_msg": True,
        },
        id="reminders carry entities",
    ),
    pytest.param(
        {"event": "session_started", "timestamp": 1.0, "metadata": {"caller": V["phone"]}},
        id="session metadata comes from the channel",
    ),
    pytest.param(
        {"event": "some_future_event", "timestamp": 1.0, "payload": {"x": V["email"]}},
        id="unknown event types are redacted everywhere",
    ),
]


@pytest.mark.parametrize("event", LEAK_CASES)
def test_pii_anywhere_in_an_event_is_redacted(
    sanitizer: EventSanitizer, event: Dict[str, Any]
) -> None:
    result = sanitizer.sanitize(event, scope="conv-1")
    assert leaks(json.dumps(event)), "the case must hold PII to begin with"
    assert leaks(json.dumps(result.event)) == []
    assert result.changed and result.categories
    assert result.event["event"] == event["event"] and result.event["timestamp"] == 1.0


def test_user_text_parse_text_and_entity_values_share_one_placeholder(
    sanitizer: EventSanitizer,
) -> None:
    # Why: an analyst must still see that the entity is the e-mail in the text.
    text = f"my email is {V['email']} thanks"
    event = user_event(text, [entity(text, "contact", V["email"])])
    safe = sanitize(sanitizer, event)
    placeholder = safe["parse_data"]["entities"][0]["value"]
    assert placeholder.startswith("<EMAIL_ADDRESS_")
    assert safe["text"] == safe["parse_data"]["text"] == f"my email is {placeholder} thanks"


def test_sensitive_entity_is_redacted_in_the_text_even_when_no_detector_sees_it(
    sanitizer: EventSanitizer,
) -> None:
    # Why: a name is invisible to patterns; declaring the entity sensitive must be enough.
    text = f"I am {V['name']}, hello"
    safe = sanitize(sanitizer, user_event(text, [entity(text, "name", V["name"])]))
    assert V["name"] not in json.dumps(safe)
    assert safe["text"].startswith("I am <NAME_") and safe["text"].endswith(", hello")
    assert safe["parse_data"]["entities"][0]["value"].startswith("<NAME_")


def test_sensitive_entity_value_is_redacted_where_offsets_are_missing(
    sanitizer: EventSanitizer,
) -> None:
    # Why: some extractors give no offsets, or the event text differs from parse_data.text.
    text = f"call {V['name']} please"
    event = user_event(text, [{"entity": "name", "value": V["name"]}])
    event["parse_data"]["text"] = "normalised text"
    assert V["name"] not in json.dumps(sanitize(sanitizer, event))


def test_opt_in_entities_and_slots_stay_in_clear(keys: str) -> None:
    # Why: a deployment may allow a value it needs downstream (e.g. a city for analytics).
    opt = store_options(opt_in={"entities": ["city"], "slots": ["note"]})
    sanitizer = EventSanitizer.from_config(opt, component="Test")
    text = f"send it to {V['email']}"
    safe = sanitize(sanitizer, user_event(text, [entity(text, "city", V["email"])]))
    assert safe["parse_data"]["entities"][0]["value"] == V["email"]
    slot = {"event": "slot", "timestamp": 1.0, "name": "note", "value": V["email"]}
    assert sanitize(sanitizer, slot) == slot


def test_value_free_parse_data_keys_and_model_outputs_are_kept(sanitizer: EventSanitizer) -> None:
    # Why: intents, rankings and the NLU component's outcome are needed for analytics.
    event = user_event("hello", [])
    event["parse_data"].update(pii=[], pii_failed=False, security={"verdict": "allow"})
    event["parse_data"]["intent_ranking"] = [{"name": "inform", "confidence": 0.9}]
    result = sanitizer.sanitize(event, scope="c")
    assert result.event == event and not result.changed


def test_nlu_findings_are_used_and_remembered_for_the_conversation(
    sanitizer: EventSanitizer,
) -> None:
    # Why: the store runs patterns only; names found by NER in the NLU pipeline
    # (parse_data.pii) must be redacted too, in the message and when the bot repeats them.
    text = f"I am {V['name']} from Springfield"
    event = user_event(text, [])
    start = text.index(V["name"])
    finding = {"type": "PERSON", "start": start, "end": start + len(V["name"]), "score": 0.85}
    event["parse_data"]["pii"] = [finding]
    safe = sanitize(sanitizer, event)
    assert V["name"] not in json.dumps(safe) and safe["text"].startswith("I am <PERSON_")
    moved = safe["parse_data"]["pii"][0]
    assert safe["text"][moved["start"] : moved["end"]].startswith("<PERSON_"), "offsets follow"
    bot = {"event": "bot", "timestamp": 2.0, "text": f"Welcome back, {V['name'].upper()}!"}
    assert V["name"].upper() not in sanitize(sanitizer, bot)["text"]
    other = sanitizer.sanitize(bot, scope="another conversation").event
    assert other["text"] == bot["text"], "remembered values stay in their conversation"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(V["email"], id="text slot"),
        pytest.param([V["phone"], V["email"]], id="list slot"),
        pytest.param({"number": V["card"], "expiry": "12/29"}, id="any slot holding a dict"),
        pytest.param(4821, id="numbers are sensitive too"),
        pytest.param(True, id="booleans round-trip with their type"),
    ],
)
def test_sensitive_slot_is_encrypted_and_restored_with_its_type(
    sanitizer: EventSanitizer, value: Any
) -> None:
    safe = sanitize(sanitizer, {"event": "slot", "timestamp": 1.0, "name": "email", "value": value})
    assert is_encrypted(safe["value"])
    assert leaks(safe["value"]) == []
    assert sanitizer.restore_slot("email", safe["value"]) == value


def test_ciphertext_is_bound_to_its_slot(
    sanitizer: EventSanitizer, caplog: pytest.LogCaptureFixture
) -> None:
    # Why: copying a ciphertext into another slot must not decrypt it there.
    safe = sanitize(
        sanitizer, {"event": "slot", "timestamp": 1, "name": "email", "value": V["email"]}
    )
    with caplog.at_level(logging.INFO, logger="rasa_secure.audit"):
        assert sanitizer.restore_slot("full_name", safe["value"]) is None
    assert "decrypt_failed" in caplog.text


def test_already_encrypted_and_unset_slots_are_left_alone(sanitizer: EventSanitizer) -> None:
    # Why: the broker sees events the store already encrypted; a reset slot has no value.
    encrypted = sanitize(
        sanitizer, {"event": "slot", "timestamp": 1, "name": "email", "value": "x"}
    )
    again = sanitizer.sanitize(encrypted, scope="c")
    assert again.event == encrypted and not again.changed
    unset = {"event": "slot", "timestamp": 1, "name": "email", "value": None}
    assert sanitize(sanitizer, unset) == unset


def test_sanitizing_twice_changes_nothing_more(sanitizer: EventSanitizer) -> None:
    # Why: a secure store publishing to a secure broker sanitizes each event twice.
    for turn in pii_turns():
        for event in turn:
            once = sanitize(sanitizer, event.as_dict())
            assert sanitize(sanitizer, once) == once


def test_input_event_is_not_mutated(sanitizer: EventSanitizer) -> None:
    text = f"my email is {V['email']}"
    event = user_event(text, [entity(text, "email", V["email"])])
    before = copy.deepcopy(event)
    sanitize(sanitizer, event)
    assert event == before


def test_detection_failure_redacts_the_whole_text_and_is_audited(
    sanitizer: EventSanitizer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Why: fail safe. A broken detector must store more redacted, not less, and say so.
    def broken(text: str) -> Any:
        raise RuntimeError("model crashed")

    monkeypatch.setattr(sanitizer.sanitizer.detector, "detect", broken)
    text = f"I am {V['name']}, mail {V['email']}"
    with caplog.at_level(logging.INFO, logger="rasa_secure.audit"):
        result = sanitizer.sanitize(user_event(text, [entity(text, "name", V["name"])]), scope="c")
    assert result.failed
    assert result.event["text"] == "<REDACTED>"
    assert result.event["parse_data"]["text"] == "<REDACTED>"
    assert leaks(json.dumps(result.event)) == []
    assert "detection_failed" in caplog.text and V["email"] not in caplog.text


def test_a_failing_redaction_of_a_sensitive_value_is_reported_as_a_change(
    sanitizer: EventSanitizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Why: one fail-safe path (the Sanitizer's). A sensitive entity's value replaced because
    # redaction failed is a change: the tracker store stores the unchanged event as it was,
    # so an unreported replacement would put the raw value at rest.
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("redactor crashed")

    monkeypatch.setattr(sanitizer.sanitizer.redactor, "redact", broken)
    event = {
        "event": "entities",
        "timestamp": 1.0,
        "entities": [{"entity": "name", "value": "Ada"}],
    }
    result = sanitizer.sanitize(event, scope="c")
    assert result.event["entities"][0]["value"] == "<REDACTED>"
    assert result.changed and result.failed and result.categories == ("UNKNOWN",)


def test_an_event_that_cannot_be_processed_becomes_a_tombstone(
    sanitizer: EventSanitizer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Why: never lose a message and never store it raw, even on a bug in our own code.
    def bug(*args: Any) -> Any:
        raise KeyError("bug")

    monkeypatch.setattr(sanitizer, "_event", bug)
    text = f"my email is {V['email']}"
    with caplog.at_level(logging.INFO):
        result = sanitizer.sanitize(user_event(text, []), scope="c")
    assert result.failed and result.changed
    assert result.event["event"] == "user" and result.event["text"] == "<REDACTED>"
    assert leaks(json.dumps(result.event)) == [] and "detection_failed" in caplog.text


@pytest.mark.parametrize("kind", sorted(EVENT_FIELDS))
def test_tombstones_of_every_event_type_deserialise(sanitizer: EventSanitizer, kind: str) -> None:
    # Why: the store turns tombstones back into Rasa events; every type must survive that.
    raw = {
        "event": kind,
        "timestamp": 1.0,
        "name": "x",
        "text": V["email"],
        "value": V["email"],
        "intent": "remind",
        "date_time": "2030-01-01T00:00:00",
    }
    tombstone = sanitizer.tombstone(raw)
    assert leaks(json.dumps(tombstone)) == []
    assert Event.from_parameters(tombstone) is not None


def test_rotation_reencrypts_under_the_new_key(keys: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Why: keys rotate: old values must read after a new key is added, and after rotation
    # the old key can be dropped.
    old = EventSanitizer.from_config(store_options(), component="Test")
    stored = sanitize(old, {"event": "slot", "timestamp": 1, "name": "email", "value": V["email"]})
    assert stored["value"].startswith("rsenc:v1:k1:")
    new_only = f"k2:{new_key()}"
    monkeypatch.setenv("RASA_SECURE_KEYS", f"{new_only},{keys}")
    both = EventSanitizer.from_config(store_options(), component="Test")
    assert both.restore_slot("email", stored["value"]) == V["email"]
    assert both.rotate_event(stored) and stored["value"].startswith("rsenc:v1:k2:")
    assert not both.rotate_event(stored)
    monkeypatch.setenv("RASA_SECURE_KEYS", new_only)
    after = EventSanitizer.from_config(store_options(), component="Test")
    assert after.restore_slot("email", stored["value"]) == V["email"]


@pytest.mark.parametrize(
    ("options", "key"),
    [
        pytest.param(
            {"sensitive_slots": "email"}, "Test.sensitive_slots", id="slots must be a list"
        ),
        pytest.param({"opt_in": {"values": []}}, "Test.opt_in", id="unknown opt_in key"),
        pytest.param({"sensitive_slot": ["email"]}, "Test.sensitive_slot", id="typo in a key"),
        pytest.param(
            {"sensitive_slots": ["email"], "opt_in": {"slots": ["email"]}},
            "Test.opt_in.slots",
            id="a slot cannot be both sensitive and in clear",
        ),
    ],
)
def test_bad_configuration_names_the_key(keys: str, options: Dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as error:
        EventSanitizer.from_config(options, component="Test")
    assert error.value.key == key


def test_sensitive_slots_without_keys_fail_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    # Why: encrypting needs a key; finding out on the first message would lose data.
    monkeypatch.delenv("RASA_SECURE_KEYS", raising=False)
    with pytest.raises(ConfigError) as error:
        EventSanitizer.from_config({"sensitive_slots": ["email"]}, component="Test")
    assert error.value.key == "Test.sensitive_slots" and "RASA_SECURE_KEYS" in str(error.value)
    assert EventSanitizer.from_config({}, component="Test").keyring is None


def test_texts_found_clean_are_not_detected_again(
    sanitizer: EventSanitizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Why: bot responses repeat in every conversation; detecting them each time is the
    # largest avoidable cost of the store. Texts with PII must still be redacted every time.
    calls: List[str] = []
    original = sanitizer.sanitizer.sanitize

    def counting(text: str, *, scope: str = "") -> Any:
        calls.append(text)
        return original(text, scope=scope)

    monkeypatch.setattr(sanitizer.sanitizer, "sanitize", counting)
    clean = {"event": "bot", "timestamp": 1.0, "text": "How can I help you today?"}
    dirty = {"event": "bot", "timestamp": 1.0, "text": f"We wrote to {V['email']}"}
    for scope in ("a", "b", "c"):
        assert sanitizer.sanitize(clean, scope=scope).event == clean
        assert V["email"] not in sanitizer.sanitize(dirty, scope=scope).event["text"]
    assert calls.count(clean["text"]) == 1 and calls.count(dirty["text"]) == 3


@pytest.mark.parametrize(
    ("nlu", "detected"),
    [
        pytest.param({"pii_failed": False}, False, id="analysed by the NLU component: trusted"),
        pytest.param({"pii_failed": True}, True, id="NLU detection failed: detect again"),
        pytest.param({}, True, id="no NLU component in the pipeline: detect"),
    ],
)
def test_trusting_nlu_findings_skips_detection_only_when_the_nlu_succeeded(
    keys: str, monkeypatch: pytest.MonkeyPatch, nlu: Dict[str, Any], detected: bool
) -> None:
    # Why: the option saves the store's detection on user texts; it must never skip a text
    # nobody analysed.
    sanitizer = EventSanitizer.from_config(store_options(trust_nlu_findings=True), component="T")
    calls: List[str] = []
    original = sanitizer.sanitizer.detector.detect

    def counting(text: str) -> Any:
        calls.append(text)
        return original(text)

    monkeypatch.setattr(sanitizer.sanitizer.detector, "detect", counting)
    text = f"mail {V['email']} or call {V['phone']}"
    event = user_event(text, [])
    start = text.index(V["email"])
    if nlu:
        event["parse_data"]["pii"] = [
            {"type": "EMAIL_ADDRESS", "start": start, "end": start + len(V["email"])}
        ]
        event["parse_data"].update(nlu)
    safe = sanitize(sanitizer, event)
    assert V["email"] not in json.dumps(safe)
    assert (text in calls) is detected
    assert (V["phone"] in safe["text"]) is not detected, "trusted: only the NLU's findings"


def test_a_message_masked_by_the_nlu_component_is_stored_safely(sanitizer: EventSanitizer) -> None:
    # Why: with PIIDetector(mask_text: true) parse_data.text is already masked and entity
    # offsets point into it, while the event text is the user's original text.
    original = f"my email is {V['email']}, thanks"
    masked = "my email is <EMAIL_ADDRESS>, thanks"
    start = original.index(V["email"])
    event = user_event(original, [])
    event["parse_data"].update(
        text=masked,
        entities=[
            {
                "entity": "email",
                "start": 12,
                "end": 27,
                "value": V["email"],
                "extractor": "PIIDetector",
            }
        ],
        pii=[
            {"type": "EMAIL_ADDRESS", "start": start, "end": start + len(V["email"]), "score": 1.0}
        ],
        pii_failed=False,
    )
    safe = sanitize(sanitizer, event)
    assert leaks(json.dumps(safe)) == []
    assert safe["parse_data"]["text"] == masked, "an already masked text is left as it is"
    assert safe["text"].startswith("my email is <") and safe["text"].endswith(">, thanks")
    assert safe["parse_data"]["entities"][0]["value"].startswith("<EMAIL_")


def test_attested_identity_record_in_metadata_survives_while_other_metadata_is_redacted(
    sanitizer: EventSanitizer,
) -> None:
    """The channel's signed identity record must still verify when an action later runs from
    the stored tracker; the rest of the metadata is redacted as usual."""
    from rasa_secure.core.identity.envelope import (
        METADATA_KEY,
        attestation_key,
        open_envelope,
        seal,
    )

    key = attestation_key("a-shared-secret-of-enough-length")
    record = seal(
        subject="alice", roles=["customer"], sender_id="alice", expires_at=2_000_000_000, key=key
    ).to_metadata()
    event = user_event("hi", [])
    event["metadata"] = {METADATA_KEY: record, "note": "call me on +1 415 555 2671"}
    event["parse_data"]["metadata"] = dict(event["metadata"])
    safe = sanitize(sanitizer, event)
    for metadata in (safe["metadata"], safe["parse_data"]["metadata"]):
        assert metadata[METADATA_KEY] == record
        assert "555 2671" not in metadata["note"]
        assert open_envelope(metadata, key, sender_id="alice").subject == "alice"


# --- sealed records of sensitive values ------------------------------------------------------


def test_a_sealed_record_gives_its_values_back_only_in_its_conversation(
    sanitizer: EventSanitizer, caplog: pytest.LogCaptureFixture
) -> None:
    # Why: the record travels with the stored conversation; copied into another
    # conversation it must teach nothing (and must not fail silently).
    values = {"Ada Byron": "PERSON", V["email"]: "EMAIL"}
    token = sanitizer.seal(values, scope="conv-1")
    assert token is not None and is_encrypted(token) and leaks(token, ["Ada Byron"]) == []
    assert sanitizer.unseal(token, scope="conv-1") == values
    with caplog.at_level(logging.INFO, logger="rasa_secure.audit"):
        assert sanitizer.unseal(token, scope="conv-2") == {}
    assert "record_unreadable" in caplog.text
    assert sanitizer.unseal("not a record", scope="conv-1") == {}
    assert sanitizer.seal({}, scope="conv-1") is None


def test_a_fresh_sanitizer_learns_from_a_record_and_redacts_with_it(keys: str) -> None:
    # Why: this is how another replica knows a name only NER found.
    first = EventSanitizer.from_config(store_options(), component="Test")
    token = first.seal({"Ada Byron": "PERSON"}, scope="conv-1")
    fresh = EventSanitizer.from_config(store_options(), component="Test")
    learned = fresh.learn({"event": "user", "metadata": {KNOWN_VALUES_KEY: token}}, scope="conv-1")
    assert learned == {"Ada Byron": "PERSON"}
    bot = {"event": "bot", "timestamp": 1.0, "text": "Thanks, ada byron!"}
    assert leaks(json.dumps(sanitize(fresh, bot)), ["ada byron"]) == []


def test_rotation_reencrypts_a_sealed_record(keys: str, monkeypatch: pytest.MonkeyPatch) -> None:
    old = EventSanitizer.from_config(store_options(), component="Test")
    event = {"event": "user", "metadata": {KNOWN_VALUES_KEY: old.seal({"Ada": "P"}, scope="c")}}
    monkeypatch.setenv("RASA_SECURE_KEYS", f"k2:{new_key()},{keys}")
    both = EventSanitizer.from_config(store_options(), component="Test")
    assert both.rotate_event(event, scope="c") == 1
    assert event["metadata"][KNOWN_VALUES_KEY].startswith("rsenc:v1:k2:")
    assert both.rotate_event(event, scope="c") == 0
    assert both.unseal(event["metadata"][KNOWN_VALUES_KEY], scope="c") == {"Ada": "P"}


# --- Rasa's own metadata ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "matches"),
    [
        (key, value, matches)
        for key, spec in TRUSTED_METADATA.items()
        for values, matches in ((spec.examples, True), (spec.counterexamples, False))
        for value in values
    ],
)
def test_trusted_metadata_shapes(key: str, value: str, matches: bool) -> None:
    # Why: each allow-listed key carries the values it must and must not accept.
    assert (trusted_metadata({key: value}) == {key: value}) is matches


def test_only_vouched_rasa_metadata_is_kept_in_clear(sanitizer: EventSanitizer) -> None:
    model_id = TRUSTED_METADATA["model_id"].examples[0]
    event = {
        "event": "action",
        "timestamp": 1.0,
        "name": "action_listen",
        "metadata": {"model_id": model_id, "assistant_id": "bank", "other": model_id},
    }
    vouched = sanitizer.sanitize(
        event, scope="c", trusted={"model_id": model_id, "assistant_id": "bank"}
    )
    assert vouched.event["metadata"]["model_id"] == model_id
    assert vouched.event["metadata"]["assistant_id"] == "bank"
    assert vouched.event["metadata"]["other"] != model_id, "only the allow-listed keys"
    del event["metadata"]["other"]
    assert not sanitizer.sanitize(event, scope="c", trusted={"model_id": model_id}).changed
    alone = sanitizer.sanitize(event, scope="c")  # e.g. the broker: nothing vouched for
    assert alone.changed and alone.event["metadata"]["model_id"] != model_id


# --- values that only look encrypted -----------------------------------------------------------

FAKE_SEALED = [
    pytest.param(
        {"event": "slot", "timestamp": 1.0, "name": "note", "value": f"rsenc:v1:k1:{V['card']}"},
        id="a free-text slot the user filled starting with the prefix",
    ),
    pytest.param(
        {"event": "slot", "timestamp": 1.0, "name": "email", "value": f"rsenc:v1:{V['email']}"},
        id="a sensitive slot: encrypted, not kept as it came",
    ),
    pytest.param(
        {"event": "slot", "timestamp": 1.0, "name": "contacts", "value": [f"rsenc:v1:{V['ssn']}"]},
        id="a list slot holding one prefixed value",
    ),
    pytest.param(
        {
            "event": "bot",
            "timestamp": 1.0,
            "text": "ok",
            "metadata": {"x": f"rsenc:v1:{V['iban']}"},
        },
        id="client metadata",
    ),
]


@pytest.mark.parametrize("event", FAKE_SEALED)
def test_a_value_that_only_looks_encrypted_is_not_trusted(
    sanitizer: EventSanitizer, event: Dict[str, Any]
) -> None:
    # Why: the rsenc:v1: prefix alone let any text through unredacted.
    assert leaks(json.dumps(sanitize(sanitizer, event))) == []


def test_a_real_ciphertext_of_another_slot_is_encrypted_again(sanitizer: EventSanitizer) -> None:
    # Why: a sensitive slot keeps a ciphertext only if it is its own (bound to its name).
    other = sanitize(sanitizer, {"event": "slot", "name": "full_name", "value": V["name"]})
    moved = sanitize(sanitizer, {"event": "slot", "name": "email", "value": other["value"]})
    assert moved["value"] != other["value"] and is_encrypted(moved["value"])
    own = sanitize(sanitizer, {"event": "slot", "name": "email", "value": V["email"]})
    assert sanitize(sanitizer, {"event": "slot", "name": "email", "value": own["value"]}) == {
        "event": "slot",
        "name": "email",
        "value": own["value"],
    }
