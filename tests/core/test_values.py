"""Tests for rasa_secure.core.values: what may reach a backend, and what never does."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from rasa_secure.core.values import AccountNumber, EmailAddress, Money
from rasa_secure.errors import InputError

VALID = [
    # (why, type, input, canonical value)
    ("plain digits", AccountNumber, "1000200030", "1000200030"),
    ("spaces and dashes as typed by people", AccountNumber, "1000 2000-30", "1000200030"),
    (
        "IBAN-like letters, lower case accepted",
        AccountNumber,
        "de89370400440532013000",
        "DE89370400440532013000",
    ),
    ("an int from an entity extractor", AccountNumber, 1000200030, "1000200030"),
    (
        "separators dropped: a trailing SQL comment never reaches the backend",
        AccountNumber,
        "1000200030--",
        "1000200030",
    ),
    (
        "full-width digits normalised (NFKC)",
        AccountNumber,
        "\uff11\uff10\uff10\uff10\uff12\uff10\uff10\uff10\uff13\uff10",
        "1000200030",
    ),
    (
        "email domain lower-cased",
        EmailAddress,
        "Alice.M+bank@Example.COM",
        "Alice.M+bank@example.com",
    ),
    ("amount with two decimals", Money, "12.50", Decimal("12.50")),
    ("comma decimal separator", Money, "12,5", Decimal("12.50")),
    ("thousands separators", Money, "1,250.00", Decimal("1250.00")),
    ("float slot value", Money, 99.99, Decimal("99.99")),
    ("integer", Money, 10, Decimal("10.00")),
]


@pytest.mark.parametrize(
    ("why", "kind", "value", "expected"), VALID, ids=[case[0] for case in VALID]
)
def test_valid_values(why: str, kind: Any, value: Any, expected: Any) -> None:
    parsed = kind.parse(value, location="slot x")
    assert parsed == expected, why
    assert isinstance(parsed, kind)


INVALID = [
    # (why, type, input)
    ("SQL injection in an account number", AccountNumber, "1000200030' OR '1'='1"),
    ("too short", AccountNumber, "123"),
    ("too long", AccountNumber, "1" * 80),
    ("control character", AccountNumber, "1000200030\x00"),
    ("empty", AccountNumber, "   "),
    ("a list smuggled through a slot", AccountNumber, ["1000200030"]),
    ("a bool is not a number", AccountNumber, True),
    ("no domain", EmailAddress, "alice@"),
    ("header injection", EmailAddress, "alice@example.com\r\nBcc: eve@example.com"),
    ("template payload", EmailAddress, "{{7*7}}@example.com"),
    ("negative amount", Money, "-5"),
    ("zero", Money, "0"),
    ("three decimals are refused, never rounded", Money, "12.345"),
    ("above the maximum", Money, "1000000.01"),
    ("not a number", Money, "twelve"),
    ("NaN", Money, "NaN"),
    ("infinity", Money, float("inf")),
    ("exponent notation beyond the maximum", Money, "1e9"),
    ("bool", Money, True),
]


@pytest.mark.parametrize(("why", "kind", "value"), INVALID, ids=[case[0] for case in INVALID])
def test_invalid_values_raise_input_error_without_the_value(
    why: str, kind: Any, value: Any
) -> None:
    with pytest.raises(InputError) as caught:
        kind.parse(value, location="slot x")
    assert caught.value.location == "slot x", why
    if isinstance(value, str) and len(value.strip()) > 3:
        assert value.strip() not in str(caught.value), "errors must not echo user input"


def test_money_cents_and_subclass_rules() -> None:
    """Deployments narrow the rules by subclassing (class-level defaults, no code)."""

    class Transfer(Money):
        MAXIMUM = Decimal("10000")

    class BankAccount(AccountNumber):
        PATTERN = re.compile(r"\d{10}")
        DESCRIPTION = "a 10-digit account number"

    assert Transfer.parse("10000").cents == 1_000_000
    with pytest.raises(InputError, match="between"):
        Transfer.parse("10000.01")
    with pytest.raises(InputError, match="10-digit"):
        BankAccount.parse("DE89370400440532013000")
    assert BankAccount.parse("1000 2000 30") == "1000200030"
