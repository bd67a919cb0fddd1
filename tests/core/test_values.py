"""Tests for rasa_secure.core.identity.values: what may reach a backend, and what never does."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from rasa_secure.core.identity.values import (
    AccountNumber,
    EmailAddress,
    Money,
    PublicUrl,
    require_public_address,
)
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
    (
        "public https URL",
        PublicUrl,
        "https://www.example.com/help?x=1",
        "https://www.example.com/help?x=1",
    ),
    (
        "scheme and host lower-cased, path kept",
        PublicUrl,
        "HTTPS://Example.COM/Path",
        "https://example.com/Path",
    ),
    ("global IPv4 address", PublicUrl, "https://93.184.216.34/", "https://93.184.216.34/"),
    ("global IPv6 address", PublicUrl, "https://[2606:4700::1111]/", "https://[2606:4700::1111]/"),
    ("explicit default port", PublicUrl, "https://example.com:443/a", "https://example.com:443/a"),
    (
        "a fragment holding @ is not userinfo",
        PublicUrl,
        "https://example.org#@x.com",
        "https://example.org#@x.com",
    ),
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
    ("plain http", PublicUrl, "http://example.com/statement"),
    ("gopher to an internal service", PublicUrl, "gopher://example.com:6379/_FLUSHALL"),
    ("single-label host", PublicUrl, "https://localhost/admin"),
    ("loopback", PublicUrl, "https://127.0.0.1/admin"),
    ("private network", PublicUrl, "https://10.0.0.7/admin/export"),
    ("cloud metadata (link-local)", PublicUrl, "https://169.254.169.254/latest/meta-data/"),
    ("Alibaba metadata (shared address space)", PublicUrl, "https://100.100.100.200/latest/"),
    ("Oracle metadata (IETF protocol assignments)", PublicUrl, "https://192.0.0.192/opc/v2/"),
    ("AWS IPv6 metadata (unique local)", PublicUrl, "https://[fd00:ec2::254]/latest/"),
    ("IPv4-mapped loopback", PublicUrl, "https://[::ffff:127.0.0.1]/admin"),
    ("IPv6 loopback", PublicUrl, "https://[::1]/admin"),
    ("any-address", PublicUrl, "https://0.0.0.0/admin"),
    ("loopback as one decimal number", PublicUrl, "https://2130706433/admin"),
    ("loopback in hex", PublicUrl, "https://0x7f000001/admin"),
    ("loopback in octal", PublicUrl, "https://0177.0.0.1/admin"),
    ("loopback shortened", PublicUrl, "https://127.1/admin"),
    ("internal DNS name", PublicUrl, "https://metadata.google.internal/computeMetadata/v1/"),
    ("Kubernetes service name", PublicUrl, "https://payments.svc.cluster.local/refund"),
    ("wildcard DNS to loopback", PublicUrl, "https://127.0.0.1.nip.io/admin"),
    ("credentials hide the real host", PublicUrl, "https://bank.example.com@evil.example/"),
    ("port of an internal service", PublicUrl, "https://example.com:6379/"),
    ("port out of range", PublicUrl, "https://example.com:99999/"),
    (
        "backslash parsed differently by browsers and servers",
        PublicUrl,
        "https://example.com\\@evil.example/",
    ),
    ("non-ASCII host (homograph)", PublicUrl, "https://ex\u0430mple.com/"),
    ("empty label", PublicUrl, "https://a..example.com/"),
    ("CRLF header injection", PublicUrl, "https://example.com/\r\nHost: 10.0.0.1"),
    ("not a URL", PublicUrl, "www.example.com"),
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


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700::1111", True),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("127.0.0.1", False),
        ("169.254.169.254", False),
        ("100.100.100.200", False),
        ("192.0.0.192", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fd00:ec2::254", False),
        ("fe80::1", False),
        ("::ffff:10.0.0.1", False),
        ("2002:7f00:1::", False),  # 6to4 around 127.0.0.1
    ],
)
def test_resolved_addresses_are_checked_too(address: str, public: bool) -> None:
    """What a fetcher does after resolving a PublicUrl's name (a name can point anywhere)."""
    if public:
        require_public_address(address)
    else:
        with pytest.raises(InputError, match="not a public address"):
            require_public_address(address, location="resolved host")


def test_an_address_that_is_not_one_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="resolved host: is not an IP address"):
        require_public_address("example.com", location="resolved host")


def test_url_rules_are_narrowed_or_widened_by_subclassing() -> None:
    class PartnerUrl(PublicUrl):
        SCHEMES = frozenset({"https", "http"})
        PORTS = frozenset({443, 8443})
        BLOCKED_SUFFIXES = (*PublicUrl.BLOCKED_SUFFIXES, "partner-staging.example")

    assert PartnerUrl.parse("http://partner.example:8443/api") == "http://partner.example:8443/api"
    with pytest.raises(InputError, match="internal or wildcard-DNS"):
        PartnerUrl.parse("https://api.partner-staging.example/")
    with pytest.raises(InputError, match="scheme"):
        PublicUrl.parse("http://partner.example/api")
