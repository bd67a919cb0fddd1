"""Redaction operators, placeholder stability, and the fail-safe Sanitizer."""

from __future__ import annotations

import base64
import json
from typing import Any, Dict, List, Tuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rasa_secure.core.identity.crypto import Keyring
from rasa_secure.core.pii import PIIAnalyzer, PIIFinding
from rasa_secure.core.redaction import (
    FAILED_ENTITY,
    OPERATORS,
    PLACEHOLDER,
    OperatorName,
    Redaction,
    Redactor,
    Sanitizer,
    is_replacement,
)
from rasa_secure.errors import ConfigError, CryptoError, DetectionError, InputError

KEY_ENV = "RASA_SECURE_PSEUDONYM_KEY"


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "test-pseudonym-key")
    monkeypatch.delenv("RASA_SECURE_KEYS", raising=False)


def keyring() -> Keyring:
    return Keyring((("k1", b"\x01" * 32),))


def finding(text: str, value: str, entity: str = "EMAIL_ADDRESS", score: float = 1.0) -> PIIFinding:
    start = text.index(value)
    return PIIFinding(entity, start, start + len(value), score, "test")


def redact(redactor: Redactor, text: str, values: List[Tuple[str, str]], scope: str = "c1") -> str:
    return redactor.redact(text, [finding(text, v, e) for e, v in values], scope=scope).text


def test_keyed_placeholder_is_stable_within_a_scope_and_differs_across_scopes() -> None:
    """Same value, same placeholder throughout a conversation; unlinkable across conversations."""
    redactor = Redactor()
    a = redact(redactor, "x a@example.org", [("EMAIL_ADDRESS", "a@example.org")], scope="c1")
    again = redact(Redactor(), "y a@example.org", [("EMAIL_ADDRESS", "a@example.org")], scope="c1")
    other_value = redact(
        redactor, "x b@example.org", [("EMAIL_ADDRESS", "b@example.org")], scope="c1"
    )
    other_scope = redact(
        redactor, "x a@example.org", [("EMAIL_ADDRESS", "a@example.org")], scope="c2"
    )
    assert a.startswith("x <EMAIL_ADDRESS_") and "example" not in a
    assert a[2:] == again[2:]  # a new Redactor (a restart, another worker) agrees
    assert a != other_value and a != other_scope


def test_keyed_placeholder_ignores_case_and_separators() -> None:
    """A card typed with and without spaces is the same card."""
    redactor = Redactor()
    spaced = redact(redactor, "4111 1111 1111 1111", [("CREDIT_CARD", "4111 1111 1111 1111")])
    compact = redact(redactor, "4111111111111111", [("CREDIT_CARD", "4111111111111111")])
    assert spaced == compact


def test_keyed_placeholder_depends_on_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the key the placeholder cannot be recomputed from a guessed value."""
    first = redact(Redactor(), "a@example.org", [("EMAIL_ADDRESS", "a@example.org")])
    monkeypatch.setenv(KEY_ENV, "another-key")
    assert redact(Redactor(), "a@example.org", [("EMAIL_ADDRESS", "a@example.org")]) != first


def test_type_and_numbered_placeholder_styles() -> None:
    """`type` gives bare placeholders; `numbered` numbers values per scope and type."""
    text = "a@x.org b@x.org a@x.org"
    spans = [
        finding(text, "a@x.org"),
        finding(text, "b@x.org"),
        PIIFinding("EMAIL_ADDRESS", 16, 23, 1.0, "t"),
    ]
    bare = Redactor({"default": {"operator": "placeholder", "style": "type"}})
    assert bare.redact(text, spans).text == "<EMAIL_ADDRESS> <EMAIL_ADDRESS> <EMAIL_ADDRESS>"
    numbered = Redactor({"default": {"operator": "placeholder", "style": "numbered"}})
    assert numbered.redact(text, spans, scope="s").text == (
        "<EMAIL_ADDRESS_1> <EMAIL_ADDRESS_2> <EMAIL_ADDRESS_1>"
    )
    assert (
        numbered.redact("b@x.org", [finding("b@x.org", "b@x.org")], scope="s").text
        == "<EMAIL_ADDRESS_2>"
    )


def test_numbered_memory_is_bounded() -> None:
    """Scopes are evicted least-recently-used; past the per-scope cap, keyed placeholders."""
    redactor = Redactor(
        {
            "default": {"operator": "placeholder", "style": "numbered"},
            "numbered_max_scopes": 2,
            "numbered_max_values": 1,
        }
    )
    one = redact(redactor, "a@x.org", [("EMAIL_ADDRESS", "a@x.org")], scope="s1")
    two = redact(redactor, "b@x.org", [("EMAIL_ADDRESS", "b@x.org")], scope="s1")
    assert (
        one == "<EMAIL_ADDRESS_1>"
        and two.startswith("<EMAIL_ADDRESS_")
        and two != "<EMAIL_ADDRESS_2>"
    )
    for scope in ("s2", "s3"):
        redact(redactor, "a@x.org", [("EMAIL_ADDRESS", "a@x.org")], scope=scope)
    assert len(redactor._numbers) == 2 and "s1" not in redactor._numbers


@pytest.mark.parametrize(
    ("settings", "value", "masked"),
    [
        ({}, "4111 1111 1111 1111", "**** **** **** 1111"),
        ({"keep_last": 0, "keep_first": 2, "char": "#"}, "GB82WEST1234", "GB##########"),
        ({"keep_separators": False}, "4111-1111-1111-1111", "***************1111"),
        ({}, "1234567", "*******"),  # too short to show four digits: fully masked
    ],
)
def test_mask_operator(settings: Dict[str, Any], value: str, masked: str) -> None:
    """Partial masks keep a few characters and, by default, the separators."""
    redactor = Redactor({"default": {"operator": "mask", **settings}})
    assert redact(redactor, value, [("CREDIT_CARD", value)]) == masked


def test_hash_operator_per_scope_and_global() -> None:
    """A pseudonym for joins: per conversation by default, or across conversations."""
    scoped = Redactor({"default": {"operator": "hash"}})
    shared = Redactor({"default": {"operator": "hash", "per_scope": False, "length": 8}})
    text = "a@x.org"
    one, two = (redact(scoped, text, [("EMAIL_ADDRESS", text)], scope=s) for s in ("1", "2"))
    assert (
        one.startswith("EMAIL_ADDRESS_") and len(one) == len("EMAIL_ADDRESS_") + 16 and one != two
    )
    g1, g2 = (redact(shared, text, [("EMAIL_ADDRESS", text)], scope=s) for s in ("1", "2"))
    assert g1 == g2 and len(g1) == len("EMAIL_ADDRESS_") + 8


def test_encrypt_operator_round_trips_and_is_bound_to_the_scope() -> None:
    """Reversible for authorized code, but only in the conversation it came from."""
    redactor = Redactor({"entities": {"EMAIL_ADDRESS": {"operator": "encrypt"}}}, keyring=keyring())
    text = "mail a@example.org now"
    sealed = redact(redactor, text, [("EMAIL_ADDRESS", "a@example.org")], scope="c1")
    assert "a@example.org" not in sealed and sealed.startswith("mail <EMAIL_ADDRESS:rsenc:v1:k1:")
    assert redactor.reveal(sealed, scope="c1") == text
    with pytest.raises(CryptoError):
        redactor.reveal(sealed, scope="c2")


def test_encrypt_without_any_keyring_is_a_config_error() -> None:
    """Encryption without keys must fail at construction, not store values in the clear."""
    with pytest.raises(ConfigError, match="RASA_SECURE_KEYS"):
        Redactor({"default": {"operator": "encrypt"}})


def test_encrypt_uses_the_environment_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys come from RASA_SECURE_KEYS when no keyring is passed."""
    monkeypatch.setenv("RASA_SECURE_KEYS", "k9:" + base64.b64encode(b"\x02" * 32).decode())
    redactor = Redactor({"default": {"operator": "encrypt"}})
    assert ":rsenc:v1:k9:" in redact(redactor, "a@x.org", [("EMAIL_ADDRESS", "a@x.org")])


def test_drop_operator_and_items() -> None:
    """Dropped values leave no trace; items say where each replacement is."""
    redactor = Redactor({"entities": {"PASSWORD": {"operator": "drop"}}})
    text = "pw hunter2 mail a@x.org"
    result = redactor.redact(
        text, [finding(text, "hunter2", "PASSWORD"), finding(text, "a@x.org")], scope="c"
    )
    assert result.text.startswith("pw  mail <EMAIL_ADDRESS_")
    drop, mail = result.items
    assert (drop.operator, drop.redacted_start, drop.redacted_end) == ("drop", 3, 3)
    assert result.text[mail.redacted_start : mail.redacted_end].startswith("<EMAIL_ADDRESS_")
    assert result.entity_types == ("EMAIL_ADDRESS", "PASSWORD")


def test_overlapping_findings_merge_under_the_most_protective_operator() -> None:
    """A masked card overlapping a dropped secret is dropped as a whole."""
    redactor = Redactor(
        {"entities": {"CREDIT_CARD": {"operator": "mask"}, "SECRET": {"operator": "drop"}}}
    )
    text = "x 4111111111111111abc y"
    findings = [
        PIIFinding("CREDIT_CARD", 2, 18, 1.0, "t"),
        PIIFinding("SECRET", 10, 21, 0.5, "t"),
    ]
    result = redactor.redact(text, findings)
    assert result.text == "x  y"
    [item] = result.items
    assert (item.start, item.end, item.entity_type, item.operator) == (2, 21, "CREDIT_CARD", "drop")


@pytest.mark.parametrize(
    "config",
    [
        {"default": {"operator": "shred"}},
        {"default": {"operator": "mask", "keep_last": -1}},
        {"default": {"operator": "mask", "char": "**"}},
        {"default": {"operator": "placeholder", "style": "fancy"}},
        {"entities": {"EMAIL_ADDRESS": "mask"}},
        {"default": {"operator": "drop", "keep_last": 4}},
    ],
)
def test_invalid_operator_settings_are_config_errors(config: Dict[str, Any]) -> None:
    """Operators validate their parameters before running."""
    with pytest.raises(ConfigError):
        Redactor(config)


def test_spans_outside_the_text_are_refused() -> None:
    """A finding that does not fit the text is a caller bug, reported as such."""
    with pytest.raises(InputError):
        Redactor().redact("short", [PIIFinding("X", 3, 40, 1.0, "t")])


@given(
    st.text(min_size=1, max_size=60),
    st.lists(st.tuples(st.integers(0, 59), st.integers(1, 8)), max_size=6),
)
def test_text_outside_findings_is_preserved_and_items_point_at_replacements(
    text: str, raw: List[Tuple[int, int]]
) -> None:
    """Property: everything between findings is kept verbatim, in order."""
    findings = [
        PIIFinding("X", s, min(s + n, len(text)), 1.0, "t") for s, n in raw if s < len(text)
    ]
    result = Redactor({"default": {"operator": "placeholder", "style": "type"}}).redact(
        text, findings
    )
    cursor, out = 0, 0
    for item in result.items:
        assert result.text[out : out + item.start - cursor] == text[cursor : item.start]
        assert result.text[item.redacted_start : item.redacted_end] == "<X>"
        cursor, out = item.end, item.redacted_end
    assert result.text[out:] == text[cursor:]


class _Detector:
    name = "pii"

    def __init__(self, error: Exception) -> None:
        self.error = error

    def detect(self, text: str) -> Tuple[PIIFinding, ...]:
        raise self.error

    def load(self) -> None:
        """Nothing to load."""


@pytest.mark.parametrize("error", [DetectionError("pii", "model crashed"), MemoryError()])
def test_sanitizer_fails_safe(error: Exception, caplog: pytest.LogCaptureFixture) -> None:
    """If detection fails the whole text is redacted, flagged and audited; never returned raw."""
    sanitizer = Sanitizer(_Detector(error), Redactor())  # type: ignore[arg-type]
    with caplog.at_level("INFO", logger="rasa_secure.audit"):
        result = sanitizer.sanitize("my card is 4111 1111 1111 1111", scope="sender-7")
    assert result.failed and result.text == "<REDACTED>"
    assert result.items[0].entity_type == FAILED_ENTITY and result.items[0].end == 30
    [audit_line] = [r for r in caplog.records if r.name == "rasa_secure.audit"]
    record = json.loads(audit_line.getMessage())
    assert record["decision"] == "error" and record["subject"].startswith("sub_")
    assert "4111" not in caplog.text and "sender-7" not in caplog.text


def test_sanitizer_from_config_detects_and_redacts(caplog: pytest.LogCaptureFixture) -> None:
    """The usual path: configuration in, redacted text and an optional audit line out."""
    sanitizer = Sanitizer.from_config(
        {
            "detector": {"spacy_model": None},
            "redaction": {"entities": {"CREDIT_CARD": {"operator": "mask"}}},
            "audit_redactions": True,
        }
    )
    sanitizer.load()
    with caplog.at_level("INFO", logger="rasa_secure.audit"):
        result = sanitizer.sanitize("card 4111 1111 1111 1111", scope="c")
    assert result.text == "card **** **** **** 1111" and not result.failed
    assert json.loads(caplog.records[-1].getMessage())["categories"] == ["CREDIT_CARD"]
    assert sanitizer.sanitize("").text == ""


def test_sanitizer_config_errors_are_raised_at_construction() -> None:
    """Configuration mistakes are not 'detection failures' to be hidden by the fail-safe."""
    with pytest.raises(ConfigError, match=r"Sanitizer\.detecter"):
        Sanitizer.from_config({"detecter": {}})
    with pytest.raises(InputError):
        Sanitizer.from_config({"detector": {"spacy_model": None}}).sanitize(b"bytes")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def patterns_sanitizer() -> Sanitizer:
    sanitizer = Sanitizer.from_config(
        {
            "detector": {"spacy_model": None},
            "redaction": {"default": {"operator": "placeholder", "style": "type"}},
        }
    )
    sanitizer.load()
    return sanitizer


@pytest.mark.parametrize(
    ("text", "extra", "detect", "redacted", "why"),
    [
        (
            "Thanks Ada, mail a@example.org",
            [("PERSON", "Ada")],
            True,
            "Thanks <PERSON>, mail <EMAIL_ADDRESS>",
            "an NLU finding (a name the pattern detector cannot see) joins what it finds",
        ),
        (
            "Thanks Ada, mail a@example.org",
            [("PERSON", "Ada")],
            False,
            "Thanks <PERSON>, mail a@example.org",
            "detect=False: the text was analysed elsewhere; only the given findings are redacted",
        ),
        (
            "card 4111 1111 1111 1111",
            [("CREDIT_CARD", "1111 1111")],
            True,
            "card <CREDIT_CARD>",
            "an extra finding overlapping a detected one is merged, not applied twice",
        ),
    ],
)
def test_sanitizer_redacts_extra_findings(
    patterns_sanitizer: Sanitizer,
    text: str,
    extra: List[Tuple[str, str]],
    detect: bool,
    redacted: str,
    why: str,
) -> None:
    """Findings known from elsewhere go through the same redaction and fail-safe path."""
    findings = [finding(text, value, entity) for entity, value in extra]
    result = patterns_sanitizer.sanitize(text, scope="c", extra_findings=findings, detect=detect)
    assert result.text == redacted, why
    assert not result.failed


def test_sanitizer_fails_safe_on_an_extra_finding_outside_the_text(
    patterns_sanitizer: Sanitizer,
) -> None:
    """A stale finding (offsets of another text) is a failure: redact all, never skip it."""
    stale = PIIFinding("PERSON", 10, 40, 1.0, "PIIDetector")
    result = patterns_sanitizer.sanitize("hi Ada", scope="c", extra_findings=[stale])
    assert result.failed and result.text == "<REDACTED>"


@pytest.mark.parametrize(
    ("config", "warns", "why"),
    [
        ({}, True, "keyed placeholders (the default) need the key to be stable"),
        ({"default": {"operator": "placeholder", "style": "numbered"}}, True, "numbers use it"),
        ({"entities": {"EMAIL_ADDRESS": {"operator": "hash"}}}, True, "hash pseudonyms use it"),
        ({"default": {"operator": "placeholder", "style": "type"}}, False, "<TYPE> needs none"),
        ({"default": {"operator": "mask"}}, False, "masks need no key (the action server)"),
        (
            {"default": {"operator": "drop"}, "entities": {"CREDIT_CARD": {"operator": "mask"}}},
            False,
            "drop and mask need no key",
        ),
    ],
)
def test_missing_pseudonym_key_warns_only_when_a_keyed_operator_is_configured(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    config: Dict[str, Any],
    warns: bool,
    why: str,
) -> None:
    """A warning nobody can act on is noise: only keyed operators depend on the key."""
    monkeypatch.delenv(KEY_ENV, raising=False)
    with caplog.at_level("WARNING", logger="rasa_secure.core.redaction.redactor"):
        Redactor(config)
    assert (KEY_ENV in caplog.text) is warns, why


OPERATOR_TABLE = [
    pytest.param(OperatorName.PLACEHOLDER, {}, "<EMAIL_ADDRESS_", id="placeholder keyed"),
    pytest.param(OperatorName.PLACEHOLDER, {"style": "type"}, "<EMAIL_ADDRESS>", id="placeholder"),
    pytest.param(OperatorName.MASK, {}, "*@******e.org", id="mask"),
    pytest.param(OperatorName.HASH, {"length": 8}, "EMAIL_ADDRESS_", id="hash"),
    pytest.param(OperatorName.ENCRYPT, {}, "<EMAIL_ADDRESS:rsenc:v1:k1:", id="encrypt"),
    pytest.param(OperatorName.DROP, {}, "", id="drop"),
]
"""One entry per operator: its settings and how its output for ``a@example.org`` starts."""


@pytest.mark.parametrize(("name", "settings", "starts"), OPERATOR_TABLE)
def test_every_operator_recognises_its_own_output(
    name: OperatorName, settings: Dict[str, Any], starts: str
) -> None:
    """The contract: what an operator writes matches its OUTPUT, so the placeholder grammar has
    one owner; an operator without an OUTPUT writes nothing the detector must skip."""
    config = {"default": {"operator": name.value, **settings}}
    text = "a@example.org"
    result = Redactor(config, keyring=keyring()).redact(text, [finding(text, text)], scope="c")
    assert result.text.startswith(starts) and "a@example" not in result.text
    assert result.items[0].operator == name.value
    shape = OPERATORS[name].OUTPUT
    assert (shape is not None and shape.fullmatch(result.text) is not None) == is_replacement(
        result.text
    )
    assert is_replacement(result.text) is (shape is not None)


def test_the_operator_table_covers_the_registry() -> None:
    """A registered operator without a table entry could break unseen."""
    assert {param.values[0] for param in OPERATOR_TABLE} == set(OPERATORS)


@pytest.mark.parametrize(
    ("text", "found", "why"),
    [
        ("password is <PASSWORD_1>", ["<PASSWORD_1>"], "a numbered placeholder"),
        ("x <EMAIL_ADDRESS_3f9a1c0e> y <NAME>", ["<EMAIL_ADDRESS_3f9a1c0e>", "<NAME>"], "keyed"),
        (f"<IBAN_CODE:rsenc:v1:k1:{'A' * 40}>", [f"<IBAN_CODE:rsenc:v1:k1:{'A' * 40}>"], "sealed"),
        ("<EMAIL_ADDRESS:rsenc:v1:bob@example.com>", [], "typed text is not a ciphertext"),
        ("<IBAN_CODE:rsenc:v1:k1:AAAA>", [], "too short for nonce, tag and a value"),
        ("EMAIL_ADDRESS_9c1e2f3a4b5c6d7e", [], "a hash pseudonym is recognised whole only"),
        ("<email> <A:b>", [], "lower case, or a colon without our prefix, is not ours"),
    ],
)
def test_placeholders_are_found_inside_texts(text: str, found: List[str], why: str) -> None:
    """PLACEHOLDER is what the detector skips inside a text (bracketed replacements)."""
    assert [m.group(0) for m in PLACEHOLDER.finditer(text)] == found, why


# "call 4111111111111111 now" -> "call <CREDIT_CARD> now": the card is [5, 21), its
# placeholder [5, 18). A plain shift by the replacements before a position (what the NLU
# component's remapping did) sends 10 to 10, the middle of "<CREDIT_CARD>".
@pytest.mark.parametrize(
    ("position", "end", "mapped", "why"),
    [
        (0, False, 0, "before every replacement: unchanged"),
        (5, False, 5, "a span starting at the value starts at its placeholder"),
        (21, True, 18, "a span ending at the value ends at its placeholder"),
        (25, True, 22, "after a replacement: shifted by its change in length"),
        (10, False, 5, "inside the value, as a start: the placeholder's start, not a piece of it"),
        (10, True, 18, "inside the value, as an end: the placeholder's end"),
    ],
)
def test_offsets_map_into_the_redacted_text(
    position: int, end: bool, mapped: int, why: str
) -> None:
    """One owner of offset mapping; a position inside a replaced value never cuts its
    replacement."""
    text = "call 4111111111111111 now"
    bare = Redactor({"default": {"operator": "placeholder", "style": "type"}})
    redaction = bare.redact(text, [finding(text, "4111111111111111", "CREDIT_CARD")])
    assert redaction.text == "call <CREDIT_CARD> now"
    assert redaction.redacted_offset(position, end=end) == mapped, why
    assert Redaction(text=text).redacted_offset(position, end=end) == position


def test_text_dressed_as_a_ciphertext_is_still_searched(patterns: PIIAnalyzer) -> None:
    """Why: the detector skips our replacements; a user must not hide an e-mail by typing it
    inside the encrypted-value brackets (a bypass found in the restructure)."""
    text = "<EMAIL_ADDRESS:rsenc:v1:bob@example.com>"
    assert [f.entity_type for f in patterns.detect(text)] == ["EMAIL_ADDRESS"]
