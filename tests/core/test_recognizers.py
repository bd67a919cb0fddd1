"""Our recognizers: validators, credentials and secrets, and YAML custom recognizers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, List, Optional, Tuple, Type

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rasa_secure.core.pii import PIIAnalyzer
from rasa_secure.core.pii.recognizers import (
    RECOGNIZERS,
    RegexRecognizer,
    aba_valid,
    builtin_recognizers,
    custom_recognizers,
    elfproef_valid,
    iban_valid,
    load_recognizer_file,
    looks_like_secret,
    luhn_valid,
    plausible_date,
)
from rasa_secure.core.pii.recognizers.bank_account import BankAccountRecognizer
from rasa_secure.core.pii.recognizers.card_context import CardNumberContextRecognizer
from rasa_secure.core.pii.recognizers.card_separated import SeparatedCardRecognizer
from rasa_secure.core.pii.recognizers.date_of_birth import DateOfBirthRecognizer
from rasa_secure.core.pii.recognizers.de_tax_id import DeTaxIdRecognizer
from rasa_secure.core.pii.recognizers.ethereum import EthereumAddressRecognizer
from rasa_secure.core.pii.recognizers.fr_nir import FrNirRecognizer
from rasa_secure.core.pii.recognizers.high_entropy import HighEntropySecretRecognizer
from rasa_secure.core.pii.recognizers.iban import IbanAnyCaseRecognizer
from rasa_secure.core.pii.recognizers.id_number import IdNumberContextRecognizer
from rasa_secure.core.pii.recognizers.name_cue import NameCueRecognizer
from rasa_secure.core.pii.recognizers.nl_bsn import NlBsnRecognizer
from rasa_secure.core.pii.recognizers.password import PasswordRecognizer
from rasa_secure.core.pii.recognizers.phone_context import ContextPhoneRecognizer
from rasa_secure.core.pii.recognizers.pin import PinRecognizer
from rasa_secure.core.pii.recognizers.secret import SecretRecognizer
from rasa_secure.core.pii.recognizers.street_address import StreetAddressRecognizer
from rasa_secure.core.pii.recognizers.validators import (
    de_tax_id_valid,
    eip55_valid,
    fr_nir_valid,
    keccak256,
)
from rasa_secure.core.pii.scan import TextView, scan
from rasa_secure.core.regex_analysis import PatternGate, pattern_gate
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
        (elfproef_valid, "111222333", True),  # a Dutch BSN passing the eleven test
        (elfproef_valid, "111222334", False),
        (plausible_date, "14/07/1988", True),
        (plausible_date, "31/31/1988", False),  # no month 31
        (plausible_date, "01/02/1850", False),  # implausible year of birth
        (looks_like_secret, "q8Zt3Lm0xV7cR2bN9wK4pH6jD1sF5gYa", True),
        (looks_like_secret, "123e4567-e89b-12d3-a456-426614174000", False),  # a UUID
        (looks_like_secret, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1", False),  # low entropy
        (looks_like_secret, "internationalisation_documentation", False),  # no digits
        (eip55_valid, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", True),  # EIP-55 example
        (eip55_valid, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", False),  # one case flipped
        (eip55_valid, "0x52908400098527886e0f7030069857d2e4169ee7", True),  # one case: no check
        (de_tax_id_valid, "65929970489", True),  # ISO 7064 MOD 11,10
        (de_tax_id_valid, "65929970488", False),  # check digit changed
        (de_tax_id_valid, "05929970489", False),  # a leading zero is never issued
        (fr_nir_valid, "1 85 05 78 006 084 91", True),  # key = 97 - n mod 97
        (fr_nir_valid, "1 85 05 78 006 084 36", False),
        (fr_nir_valid, "2 69 05 2A 004 018 22", True),  # Corsica: 2A read as 19
    ],
)
def test_validators(check: Any, value: str, valid: bool) -> None:
    """Checksums and plausibility tests decide whether a pattern match is kept."""
    assert check(value) is valid


def test_keccak256_is_ethereums_hash() -> None:
    """The EIP-55 check hashes with Keccak-256 (not SHA3-256): the empty input's digest."""
    expected = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak256(b"").hex() == expected


@pytest.fixture(scope="module")
def detector() -> PIIAnalyzer:
    return PIIAnalyzer({"spacy_model": None})


def spans(detector: PIIAnalyzer, text: str) -> List[Tuple[str, str]]:
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
        (
            "BROKER_URL=amqp://guest:secret@rabbit:5672/vhost",
            "secret",
            "a URL password without a digit: each secret pattern has its own gate",
        ),
        (
            "REDIS_URL=redis://:verysecret@cache:6379/0",
            "verysecret",
            "a URL password with no user name (Redis)",
        ),
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU",
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU",
            "a fixed-prefix format needs no digit in the text",
        ),
    ],
)
def test_secrets_are_found(detector: PIIAnalyzer, text: str, value: str, why: str) -> None:
    """Provider formats and assignments of secrets."""
    assert spans(detector, text) == [("SECRET", value)], why


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("the token is invalidatedyesterday", "a generic key assignment still needs a digit"),
        ("Authorization: Bearer abcdefghijklmnopqrstuv", "so does a bearer token"),
    ],
)
def test_generic_secret_shapes_keep_their_digit_gate(
    detector: PIIAnalyzer, text: str, why: str
) -> None:
    """Only the fixed formats lost the recognizer-wide digit gate."""
    assert spans(detector, text) == [], why


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
def test_credentials_stated_in_text(detector: PIIAnalyzer, text: str, expected: List[Any]) -> None:
    """Passwords, PINs and one-time codes people type into chat."""
    assert spans(detector, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mein Passwort ist Geheim123", [("PASSWORD", "Geheim123")]),
        ("mein Passwort ist falsch", []),  # a word about the password, in German
        ("mon mot de passe est Chat2023", [("PASSWORD", "Chat2023")]),
        ("mijn wachtwoord is Tulp2022", [("PASSWORD", "Tulp2022")]),
        ("meine PIN ist 4821", [("PIN", "4821")]),
        ("el código de verificación es 583920", [("PIN", "583920")]),
        ("el código postal es 28013", []),  # a code that is not a secret
        ("ich bin geboren am 12.03.1985", [("DATE_OF_BIRTH", "12.03.1985")]),
        ("data de nascimento 22/09/1990", [("DATE_OF_BIRTH", "22/09/1990")]),
        ("la fattura del 22/09/1990", []),  # a date that is no birthday
    ],
)
def test_cue_phrases_in_the_configured_languages(
    detector: PIIAnalyzer, text: str, expected: List[Any]
) -> None:
    """Passwords, PINs and dates of birth stated in de, es, fr, it, pt and nl."""
    assert spans(detector, text) == expected


def test_languages_select_the_cue_phrases() -> None:
    """With ``languages: [en]`` the German phrasings are not looked for."""
    english = PIIAnalyzer({"spacy_model": None, "languages": ["en"]})
    assert spans(english, "Mein Passwort ist Geheim123") == []
    assert spans(english, "my password is hunter2") == [("PASSWORD", "hunter2")]


def test_builtin_recognizers_have_unique_names_and_a_gate() -> None:
    """Names identify findings; every pattern can be skipped cheaply on most texts, by its
    recognizer's gate or by its own (a seed character, a literal, digits, keywords)."""
    recognizers = builtin_recognizers()
    assert len({r.name for r in recognizers}) == len(recognizers)
    for recognizer in recognizers:
        for pattern in recognizer.patterns:
            gate = pattern.gate
            own = gate.seed or gate.literal or pattern.min_digits or pattern.keywords
            assert recognizer.min_digits or recognizer.keywords or own, pattern.name


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
    detector = PIIAnalyzer({"spacy_model": None, "custom_recognizers_file": str(path)})
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
        PIIAnalyzer({"spacy_model": None, "custom_recognizers_file": str(path)})


@pytest.mark.parametrize(
    ("regex", "flags", "seed", "tokens", "why"),
    [
        (r"\w+@\w+\.\w+", 0, "[@]", True, "an e-mail needs an @ and never spans a space"),
        (r"\b\d{3}-\d{2}-\d{4}\b", 0, "[\\-]", True, "a dash is rarer than a digit"),
        (r"\d{3} \d{4}", 0, "[\\d]", False, "a literal space: matches span tokens"),
        (r"[^@,]+@x", 0, "[@]", False, "a negated class can match whitespace"),
        (r"[^\s@]+@x", 0, "[@]", True, "unless it excludes whitespace itself"),
        (r"(?<=\s)k\d+", 0, "[\\d]", True, "look-behinds read the real text before the token"),
        (r"k\d+(?=\s)", 0, "[\\d]", False, "a look-ahead that reads a separator"),
        (r"k\d+$", 0, "[\\d]", False, "an end anchor could match at a window's end"),
        (r"(?:ab|cd)-\d", 0, "[\\-]", True, "the rarest of the required characters"),
        (r"(?:a-|b:)\d?", 0, "[:\\-]", True, "either branch: the union of their seeds"),
        (r"(?i)api_key", re.I, "[_]", True, "letters under IGNORECASE are no seed, _ is"),
        (r"AKIA[A-Z0-9]{16}", 0, "[A]", True, "upper-case letters of case-sensitive patterns"),
        (r"(?i)bearer\s+\w+", re.I, None, False, "only letters: no seed, nothing skipped"),
        (r"password", 0, None, False, "lower-case letters are too common to gate on"),
        (r"(\d)\1", 0, "[\\d]", False, "a back-reference could match anything: no windows"),
        (r"\p{L}\d", 0, None, False, "regex-only syntax the parser does not know"),
        (r"x?", 0, None, False, "a pattern that can match nothing needs nothing"),
    ],
)
def test_pattern_gates_are_read_off_the_regex(
    regex: str, flags: int, seed: Optional[str], tokens: bool, why: str
) -> None:
    """Gates are derived, never declared: what every match must contain, and whether a match
    can span whitespace."""
    gate = pattern_gate(regex, flags)
    assert (gate.seed.pattern if gate.seed else None, gate.tokens) == (seed, tokens), why


@pytest.mark.parametrize(
    ("regex", "flags", "literal", "why"),
    [
        (r"\bglpat-[A-Za-z0-9_-]{20,}", 0, "glpat-", "a fixed prefix"),
        (r"\beyJ\w{8,}\.eyJ\w{8,}", 0, ".eyJ", "the longest run of literals"),
        (r"a(?:b(?:cde)+)", 0, "cde", "inside mandatory groups and repeats"),
        (r"x(?:abc)?y", 0, "", "an optional group is not required; one letter is too short"),
        (r"sk_|rk_", 0, "", "alternatives share no literal"),
        (r"glpat-\w+", re.I, "", "IGNORECASE: the text may spell it in any case"),
        (r"(?i:aws)secret", 0, "secret", "a scoped IGNORECASE ends with its group"),
    ],
)
def test_required_literals_are_read_off_the_regex(
    regex: str, flags: int, literal: str, why: str
) -> None:
    """A substring every match contains is checked before anything is scanned."""
    assert pattern_gate(regex, flags).literal == literal, why


def _all_patterns() -> List[Tuple[str, Any, PatternGate]]:
    """Every pattern the pattern-only detector runs, ours and Presidio's, with its gate."""
    detector = PIIAnalyzer({"spacy_model": None, "countries": ["US", "GB", "AU", "IN"]})
    detector.load()
    assert detector._engine is not None
    found: List[Tuple[str, Any, PatternGate]] = []
    for source in detector._engine.sources:
        recognizer = source.recognizer  # type: ignore[attr-defined]
        if isinstance(recognizer, RegexRecognizer):
            found += [(p.name, p.regex, p.gate) for p in recognizer.patterns]
        else:
            found += [(name, regex, gate) for name, regex, _, gate in source.patterns]  # type: ignore[attr-defined]
    return found


PATTERNS = _all_patterns()
GATE_TEXTS = [
    "mail jane.doe+x@example.co.uk, ip 203.0.113.42 or fe80::1ff:fe23:4567:890a",
    "card 4111-1111-1111-1111\tiban GB82 WEST 1234 5698 7654 32\nssn 536-22-4187",
    "token ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8 and AKIAIOSFODNN7EXAMPLE end",
    "https://user:s3cr3t@db.example.com/x?y=1 www.example.org\u00a0sk-abc_defghij1234567890",
    "A1234567 12345678 1-800-555-0199 (415) 867-5309 +44 20 7946 0958\x1c99",
    "glpat-abcdefghij0123456789 xoxb-2048-1024-abcdefGHIJKL ya29.a0AfH6SMBx1234567890abcd",
    "eyJhbGciOiJIUzI1.eyJzdWIiOiIx.dozjgNryP4J3 SG.aaaaaaaaaaaaaaaaaaaaaa.b",
    "sk-proj-abcdefghij0123456789 api_key: q8Zt3Lm0xV7cR2bN9wK4 Bearer abcdefghijklmnop12",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY----- AIzaSyA1b2C3d4",
    "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXX sk_live_4eC39HqLyjWDarjt",
]
TEXT_ALPHABET = "aAzZ09 5.:@-_/+()'\"\n\t\u00a0\u3000\x1cék"


@pytest.mark.parametrize(("name", "regex", "gate"), PATTERNS, ids=[p[0] for p in PATTERNS])
@given(st.lists(st.sampled_from([*GATE_TEXTS, *TEXT_ALPHABET]), max_size=25).map("".join))
def test_gated_scans_find_exactly_what_a_full_scan_finds(
    name: str, regex: Any, gate: PatternGate, text: str
) -> None:
    """Property: skipping text a pattern cannot match never loses or moves a match."""
    for sample in (text, *GATE_TEXTS):
        full = [m.span() for m in regex.finditer(sample)]
        assert [m.span() for m in scan(gate, regex, TextView(sample))] == full, name


RECOGNIZER_TABLE = [
    pytest.param(
        PasswordRecognizer,
        [("my password is hunter2", "hunter2")],
        ["my password is wrong"],
        id="PasswordRecognizer: a stated value, not a word about the password",
    ),
    pytest.param(
        PinRecognizer,
        [("my PIN is 4821", "4821"), ("4821 is my pin", "4821")],
        ["the pin was changed"],
        id="PinRecognizer: digits after or before the code word",
    ),
    pytest.param(
        SecretRecognizer,
        [(f"token {GH_TOKEN}", GH_TOKEN)],
        ["the token is invalidatedyesterday"],
        id="SecretRecognizer: a vendor format; a generic shape still needs a digit",
    ),
    pytest.param(
        HighEntropySecretRecognizer,
        [("api key: q8Zt3Lm0xV7cR2bN9wK4pH6jD1sF5gYa", "q8Zt3Lm0xV7cR2bN9wK4pH6jD1sF5gYa")],
        ["ref 123e4567-e89b-12d3-a456-426614174000"],
        id="HighEntropySecretRecognizer: high entropy, not a UUID",
    ),
    pytest.param(
        IbanAnyCaseRecognizer,
        [("my iban is gb82west12345698765432", "gb82west12345698765432")],
        ["my iban is gb82west12345698765433"],
        id="IbanAnyCaseRecognizer: lower case with a valid mod-97, not a broken one",
    ),
    pytest.param(
        BankAccountRecognizer,
        [("my checking account number is 000123456789", "000123456789")],
        ["my balance is 000123456789"],
        id="BankAccountRecognizer: next to account words, never next to amounts",
    ),
    pytest.param(
        IdNumberContextRecognizer,
        [("my national ID number is 483920175", "483920175")],
        ["order number 483920175"],
        id="IdNumberContextRecognizer: introduced as an ID",
    ),
    pytest.param(
        DateOfBirthRecognizer,
        [("I was born on 14/07/1988", "14/07/1988")],
        ["the payment on 14/07/1988"],
        id="DateOfBirthRecognizer: next to a birth word",
    ),
    pytest.param(
        CardNumberContextRecognizer,
        [("my card 4111 1111 1111 1112 was declined", "4111 1111 1111 1112")],
        ["order 4111 1111 1111 1112 shipped"],
        id="CardNumberContextRecognizer: a mistyped card introduced as a card",
    ),
    pytest.param(
        ContextPhoneRecognizer,
        [
            ("text me at 12 34 56 78 90", "12 34 56 78 90"),
            ("call my desk 555.0199 x12", "555.0199 x12"),
        ],
        ["she lives at 1234 Main Street", "invoice INV-2024-000123"],
        id="ContextPhoneRecognizer: loose formats; not house numbers or references",
    ),
    pytest.param(
        NlBsnRecognizer,
        [("mijn BSN is 111222333", "111222333"), ("my bsn: 1112.22.333", "1112.22.333")],
        ["bsn 111222334", "call 111222333 please", "order 111222333"],
        id="NlBsnRecognizer: eleven test, with a BSN word near",
    ),
    pytest.param(
        SeparatedCardRecognizer,
        [
            ("my card 5425.2334.3010.9903", "5425.2334.3010.9903"),
            ("amex 3782.822463.10005", "3782.822463.10005"),
        ],
        ["ref 5425.2334.3010.9904", "version 2024.1.2.3"],
        id="SeparatedCardRecognizer: dotted groups of a card, Luhn-valid only",
    ),
    pytest.param(
        EthereumAddressRecognizer,
        [
            (
                "to 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            ),
            (
                "eth 0x52908400098527886e0f7030069857d2e4169ee7",
                "0x52908400098527886e0f7030069857d2e4169ee7",
            ),
        ],
        [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",
            "tx 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00",
        ],
        id="EthereumAddressRecognizer: 0x and 40 hex digits, EIP-55 checksum in mixed case",
    ),
    pytest.param(
        StreetAddressRecognizer,
        [
            (
                "I live at 1600 Pennsylvania Avenue NW, Washington DC 20500",
                "1600 Pennsylvania Avenue NW, Washington DC 20500",
            ),
            ("179 Steven Shoals Suite 188", "179 Steven Shoals Suite 188"),
            ("Ich wohne in der Friedhofstraße 33, 10115 Berlin", "Friedhofstraße 33, 10115 Berlin"),
            ("Vivo en Calle Mayor 5, 28013 Madrid", "Calle Mayor 5, 28013 Madrid"),
            ("j'habite 36 rue de pologne", "36 rue de pologne"),
            ("PSC 3294, Box 9168\nAPO AA 61487", "PSC 3294, Box 9168\nAPO AA 61487"),
            (
                "flat 3, 10 Downing Street, London SW1A 2AA",
                "flat 3, 10 Downing Street, London SW1A 2AA",
            ),
            ("send it to P.O. Box 4521", "P.O. Box 4521"),
            ("Apt. 120\n Castanhal\n Brazil 81581", "Apt. 120\n Castanhal\n Brazil 81581"),
        ],
        ["my branch is on Main Street", "I paid 3 times on the way", "order 12345 shipped"],
        id="StreetAddressRecognizer: US, UK, DE, ES, FR, military; pieces merged per address",
    ),
    pytest.param(
        DeTaxIdRecognizer,
        [
            ("Meine Steuer-ID ist 65929970489", "65929970489"),
            ("steuerliche Identifikationsnummer 65 929 970 489", "65 929 970 489"),
        ],
        ["Steuer-ID 65929970488", "Kontostand 65929970489"],
        id="DeTaxIdRecognizer: eleven digits with a valid MOD 11,10 check digit",
    ),
    pytest.param(
        FrNirRecognizer,
        [("mon numéro de sécurité sociale est 1 85 05 78 006 084 91", "1 85 05 78 006 084 91")],
        ["sécurité sociale 1 85 05 78 006 084 36"],
        id="FrNirRecognizer: a NIR whose key is 97 - number mod 97",
    ),
    pytest.param(
        NameCueRecognizer,
        [
            ("hi this is priya sharma, I can't log in", "priya sharma"),
            ("my name is john carter and I lost my card", "john carter"),
            ("hallo, mijn naam is pieter de vries", "pieter de vries"),
            ("hola, me llamo lucía fernández", "lucía fernández"),
            ("Dear Mr. Smith, thanks", "Smith"),
            ("Name: Jane Roe\nPhone: 555-0100", "Jane Roe"),
        ],
        [
            "this is my card",
            "I'm locked out",
            "this is taking forever",
            "it's lost",
            "previous action name: action_listen",  # an identifier in a debug log
        ],
        id="NameCueRecognizer: names after a cue in any case, cut at words that are no name",
    ),
]
"""One entry per recognizer of the registry: texts it must find (the value) once its country
is configured, and texts where it must find nothing."""


@pytest.mark.parametrize(("cls", "examples", "counterexamples"), RECOGNIZER_TABLE)
def test_recognizers_find_their_examples_only(
    cls: Type[RegexRecognizer], examples: List[Tuple[str, str]], counterexamples: List[str]
) -> None:
    """Each recognizer finds its examples, and nothing in its counterexamples; a national
    one finds nothing until its country is configured."""
    countries = ["US", *([cls.COUNTRY] if cls.COUNTRY else [])]
    configured = PIIAnalyzer({"spacy_model": None, "countries": countries})
    default = PIIAnalyzer({"spacy_model": None})
    name = cls.__name__
    for text, value in examples:
        assert (name, value) in found_by(configured, text), text
        if cls.COUNTRY:
            assert name not in {n for n, _ in found_by(default, text)}, text
    for text in counterexamples:
        assert name not in {n for n, _ in found_by(configured, text)}, text


def test_every_recognizer_has_a_table_entry() -> None:
    """A recognizer that no example exercises can break unseen."""
    assert {p.values[0] for p in RECOGNIZER_TABLE} == set(RECOGNIZERS)


def found_by(analyzer: PIIAnalyzer, text: str) -> List[Tuple[str, str]]:
    """``(recognizer, value)`` of each finding."""
    return [(f.recognizer, text[f.start : f.end]) for f in analyzer.detect(text)]
