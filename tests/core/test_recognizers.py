"""Our recognizers: validators, credentials and secrets, and YAML custom recognizers."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List, Optional, Tuple

import pytest

from rasa_secure.core.pii import PIIDetector
from rasa_secure.core.recognizers import (
    aba_valid,
    builtin_recognizers,
    custom_recognizers,
    iban_valid,
    load_recognizer_file,
    looks_like_secret,
    luhn_valid,
    plausible_date,
)
from rasa_secure.errors import ConfigError


@pytest.mark.parametrize(
    ("check", "value", "valid"),
    [
        (luhn_valid, "4111 1111 1111 1111", True),  # Visa test number
        (luhn_valid, "4111 1111 1111 1112", False),  # last digit changed
        (iban_valid, "DE89 3704 0044 0532 0130 00", True),  # spaces allowed
        (iban_valid, "gb82west12345698765432", True),  # lower case allowed
        (iban_valid, "GB82WEST12345698765433", False),  # checksum broken
        (aba_valid, "011000015", True),  # a Federal Reserve routing number
        (aba_valid, "011000016", False),
        (plausible_date, "14/07/1988", True),
        (plausible_date, "31/31/1988", False),  # no month 31
        (plausible_date, "01/02/1850", False),  # implausible year of birth
        (looks_like_secret, "q8Zt3Lm0xV7cR2bN9wK4pH6jD1sF5gYa", True),
        (looks_like_secret, "123e4567-e89b-12d3-a456-426614174000", False),  # a UUID
        (looks_like_secret, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1", False),  # low entropy
        (looks_like_secret, "internationalisation_documentation", False),  # no digits
    ],
)
def test_validators(check: Any, value: str, valid: bool) -> None:
    """Checksums and plausibility tests decide whether a pattern match is kept."""
    assert check(value) is valid


@pytest.fixture(scope="module")
def detector() -> PIIDetector:
    return PIIDetector({"spacy_model": None})


def spans(detector: PIIDetector, text: str) -> List[Tuple[str, str]]:
    return [(f.entity_type, text[f.start : f.end]) for f in detector.detect(text)]


GH_TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
SLACK = "xoxb-" + "2048-1024-abcdefGHIJKL"
GOOGLE = "AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"


@pytest.mark.parametrize(
    ("text", "value", "why"),
    [
        (f"token {GH_TOKEN}", GH_TOKEN, "GitHub personal access token"),
        (f"slack {SLACK} leaked", SLACK, "Slack bot token"),
        (f"maps key {GOOGLE}", GOOGLE, "Google API key"),
        (
            "Authorization: Bearer abcdefghijklmnop1234567890",
            "abcdefghijklmnop1234567890",
            "bearer token",
        ),
        (
            "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
            "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
            "an unterminated private key block is redacted to the end (fail safe)",
        ),
        (
            "client_secret: 7f9c2ba4e88f827d616045507605853e",
            "7f9c2ba4e88f827d616045507605853e",
            "key assignment",
        ),
    ],
)
def test_secrets_are_found(detector: PIIDetector, text: str, value: str, why: str) -> None:
    """Provider formats and assignments of secrets."""
    assert spans(detector, text) == [("SECRET", value)], why


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my password is hunter2", [("PASSWORD", "hunter2")]),
        ("my password is expired", []),  # a word about the password, not the password
        ('password is: "open sesame"', [("PASSWORD", '"open sesame"')]),
        ("the pin code is 0000", [("PIN", "0000")]),
        ("my zip code is 94105", []),  # a code that is not a secret
        ("verification code: 123456.", [("PIN", "123456")]),
    ],
)
def test_credentials_stated_in_text(detector: PIIDetector, text: str, expected: List[Any]) -> None:
    """Passwords, PINs and one-time codes people type into chat."""
    assert spans(detector, text) == expected


def test_builtin_recognizers_have_unique_names_and_a_gate() -> None:
    """Names identify findings; every recognizer can be skipped cheaply on most texts."""
    recognizers = builtin_recognizers()
    assert len({r.name for r in recognizers}) == len(recognizers)
    assert all(r.min_digits or r.keywords for r in recognizers)


YAML_FILE = """
recognizers:
  - name: employee_id
    entity_type: EMPLOYEE_ID
    patterns:
      - {name: emp, regex: '\\bEMP-(?P<id>\\d{6})\\b', score: 0.6, group: id}
    context: [employee, staff]
  - name: member_card
    entity_type: MEMBER_CARD
    patterns:
      - {name: card, regex: '\\b\\d{16}\\b', score: 0.7}
    validator: luhn
    requires_context: true
    context: [member]
    negative_context: [order]
"""


def test_custom_recognizers_from_yaml(tmp_path: Path) -> None:
    """Groups select the value; validators, required and negative context apply."""
    path = tmp_path / "recognizers.yml"
    path.write_text(YAML_FILE, encoding="utf-8")
    assert len(load_recognizer_file(str(path), owner="test")) == 2
    detector = PIIDetector({"spacy_model": None, "custom_recognizers_file": str(path)})
    assert spans(detector, "staff EMP-123456") == [("EMPLOYEE_ID", "123456")]
    member = "member 4111111111111111"
    assert spans(detector, member) == [("MEMBER_CARD", "4111111111111111")]
    assert spans(detector, "member order 4111111111111111") == [("CREDIT_CARD", "4111111111111111")]
    assert spans(detector, "member 4111111111111112") == []  # fails Luhn


@pytest.mark.parametrize(
    ("spec", "key"),
    [
        ({"name": "x", "entity_type": "X", "patterns": [], "colour": 1}, "r[0].colour"),
        ({"name": "x", "entity_type": "lower", "patterns": [{"regex": "a"}]}, "r[0].entity_type"),
        ({"name": "x", "entity_type": "X", "patterns": [{"regex": "("}]}, "r[0].patterns[0].regex"),
        (
            {"name": "x", "entity_type": "X", "patterns": [{"regex": "a", "score": 2}]},
            "r[0].patterns[0].score",
        ),
        (
            {"name": "x", "entity_type": "X", "patterns": [{"regex": "a", "group": "g"}]},
            "r[0].patterns[0].group",
        ),
        (
            {"name": "x", "entity_type": "X", "patterns": [{"regex": "a"}], "validator": "md5"},
            "r[0].validator",
        ),
        (
            {
                "name": "x",
                "entity_type": "X",
                "patterns": [{"regex": "a"}],
                "requires_context": True,
            },
            "r[0].context",
        ),
        ({"name": "x", "entity_type": "X"}, "r[0].patterns"),
        (
            {"name": "x", "entity_type": "X", "flags": ["UNICODE"], "patterns": [{"regex": "a"}]},
            "r[0].flags",
        ),
        ("not a mapping", "r[0]"),
    ],
)
def test_invalid_custom_recognizers_name_the_key(spec: Any, key: str) -> None:
    """Every mistake in a declaration is reported with its path."""
    with pytest.raises(ConfigError) as info:
        custom_recognizers([spec], owner="r")
    assert info.value.key == key


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("recognizers: [", "not valid YAML"),
        ("other: []", "'recognizers' list"),
        (None, "cannot read"),
    ],
)
def test_bad_recognizer_files_are_config_errors(
    tmp_path: Path, content: Optional[str], problem: str
) -> None:
    """A broken or missing file fails at construction, not at the first message."""
    path = tmp_path / "r.yml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=problem):
        PIIDetector({"spacy_model": None, "custom_recognizers_file": str(path)})
