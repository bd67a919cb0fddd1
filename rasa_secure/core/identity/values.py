"""Typed, validated values for what actions hand to backends.

A slot value is whatever the user typed or an extractor produced. Before it reaches a
database or an API it becomes one of these types, or an
:class:`~rasa_secure.errors.InputError` naming where it came from (never echoing the value)::

    amount = Money.parse(tracker.get_slot("amount"), location="slot amount")
    target = AccountNumber.parse(tracker.get_slot("recipient_account"), location="slot target")

Each type declares its rules as class attributes; a deployment narrows them by subclassing
(``class BankAccount(AccountNumber): PATTERN = re.compile(r"\\d{10}")``). Instances are
immutable and compare like their underlying ``str`` or ``Decimal``.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, FrozenSet, Pattern, Tuple, Type, TypeVar, Union
from urllib.parse import urlsplit

from rasa_secure.errors import InputError

T = TypeVar("T", bound="ValidatedStr")
M = TypeVar("M", bound="Money")


def _clean(value: Any, location: str, max_length: int) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InputError(location, f"expected text, got {type(value).__name__}")
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        raise InputError(location, "is empty")
    if len(text) > max_length:
        raise InputError(location, f"longer than {max_length} characters")
    if not text.isprintable():
        raise InputError(location, "contains control characters")
    return text


class ValidatedStr(str):
    """A string that matched :attr:`PATTERN` after NFKC normalisation and trimming.

    Attributes:
        PATTERN: the full-match pattern a valid value satisfies.
        MAX_LENGTH: longer inputs are refused before matching.
        STRIP: characters removed before matching (e.g. spaces inside account numbers).
        DESCRIPTION: what a valid value looks like, for error messages.
    """

    PATTERN: ClassVar[Pattern[str]] = re.compile(r".+")
    MAX_LENGTH: ClassVar[int] = 256
    STRIP: ClassVar[str] = ""
    DESCRIPTION: ClassVar[str] = "a value"

    @classmethod
    def parse(cls: Type[T], value: Any, *, location: str = "value") -> T:
        """Validate ``value``; raise :class:`InputError` (without the value) if it does not fit."""
        text = cls.prepare(_clean(value, location, cls.MAX_LENGTH))
        if not cls.PATTERN.fullmatch(text):
            raise InputError(location, f"is not {cls.DESCRIPTION}")
        return cls(cls.normalise(text))

    @classmethod
    def prepare(cls, text: str) -> str:
        """Hook run before matching; by default removes the :attr:`STRIP` characters."""
        return text.translate({ord(char): None for char in cls.STRIP}) if cls.STRIP else text

    @classmethod
    def normalise(cls, text: str) -> str:
        """Hook run after matching: the canonical form of a valid value (default: unchanged)."""
        return text


class AccountNumber(ValidatedStr):
    """A bank account number: 6 to 34 digits or capital letters (spaces and dashes ignored)."""

    PATTERN = re.compile(r"[0-9A-Z]{6,34}")
    MAX_LENGTH = 64
    STRIP = " -"
    DESCRIPTION = "an account number"

    @classmethod
    def prepare(cls, text: str) -> str:
        """Separators removed, letters upper-cased: account numbers compare without case."""
        return super().prepare(text).upper()


class EmailAddress(ValidatedStr):
    """An e-mail address of the common ``local@domain.tld`` shape.

    The local part is limited to letters, digits and ``. _ % + -``: RFC 5322 allows more
    (``{``, ``}``, ``*``, quotes), which real mailboxes do not use and payloads do.
    """

    PATTERN = re.compile(
        r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"
        r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
    )
    MAX_LENGTH = 254
    DESCRIPTION = "an e-mail address"

    @classmethod
    def normalise(cls, text: str) -> str:
        """The domain part is case-insensitive: lower-case it."""
        local, _, domain = text.rpartition("@")
        return f"{local}@{domain.lower()}"


U = TypeVar("U", bound="PublicUrl")
_HOST_NAME = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?"
)
_NUMERIC_HOST = re.compile(r"(?:0x[0-9a-f]*|\d+)(?:\.(?:0x[0-9a-f]*|\d+)){0,3}\.?")


class PublicUrl(ValidatedStr):
    """A URL a backend may fetch on a user's behalf: no request to this machine, the private
    network or a cloud metadata service (server-side request forgery).

    Checked without any network access: the scheme (:attr:`SCHEMES`), no credentials in the
    URL, an explicit port only from :attr:`PORTS`, and a host that is either a global IP
    address (not loopback, private, link-local such as ``169.254.169.254``, shared, reserved
    or multicast, also when IPv4 is written inside IPv6) or a DNS name of two labels or more
    outside :attr:`BLOCKED_SUFFIXES`. Numeric hosts in the forms that only serve to slip
    past filters (``2130706433``, ``0x7f000001``, ``0177.0.0.1``, ``127.1``) are refused.
    A name can still resolve to a private address: the fetcher must resolve it, check every
    address with :func:`require_public_address` and connect to the address it checked.

    Attributes:
        SCHEMES: allowed schemes (lower case).
        PORTS: allowed explicit ports (a URL without a port uses the scheme's default).
        BLOCKED_SUFFIXES: DNS suffixes of internal names and of wildcard services that
            resolve a name to the address written in it (``127.0.0.1.nip.io``).
    """

    PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\\]+")
    MAX_LENGTH = 2048
    DESCRIPTION = "a URL"
    SCHEMES: ClassVar[FrozenSet[str]] = frozenset({"https"})
    PORTS: ClassVar[FrozenSet[int]] = frozenset({443})
    BLOCKED_SUFFIXES: ClassVar[Tuple[str, ...]] = (
        "localhost",
        "local",
        "localdomain",
        "internal",
        "intranet",
        "corp",
        "lan",
        "home.arpa",
        "nip.io",
        "sslip.io",
        "xip.io",
        "localtest.me",
    )

    @classmethod
    def parse(cls: Type[U], value: Any, *, location: str = "value") -> U:
        """Validate ``value``; raise :class:`InputError` (without the value) if a backend
        must not fetch it."""
        url = super().parse(value, location=location)
        parts = urlsplit(url)
        if parts.scheme.lower() not in cls.SCHEMES:
            raise InputError(location, f"scheme is not one of {', '.join(sorted(cls.SCHEMES))}")
        if parts.username is not None or parts.password is not None:
            raise InputError(location, "carries credentials")
        try:
            port = parts.port
        except ValueError:
            raise InputError(location, "has an invalid port") from None
        if port is not None and port not in cls.PORTS:
            raise InputError(location, f"port is not one of {sorted(cls.PORTS)}")
        cls._check_host(parts.hostname or "", location)
        return url

    @classmethod
    def normalise(cls, text: str) -> str:
        """Scheme and host are case-insensitive: lower-case them (the path keeps its case)."""
        parts = urlsplit(text)
        return parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()).geturl()

    @classmethod
    def _check_host(cls, host: str, location: str) -> None:
        if not host:
            raise InputError(location, "has no host")
        if not host.isascii():
            raise InputError(location, "host is not ASCII (write its xn-- form)")
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            address = None
        if address is not None:
            require_public_address(address, location=location)
        elif _NUMERIC_HOST.fullmatch(host):
            raise InputError(location, "host is a numeric address in a non-standard form")
        elif not _HOST_NAME.fullmatch(host):
            raise InputError(location, "host is not a DNS name of two labels or more")
        elif any(host == s or host.endswith("." + s) for s in cls.BLOCKED_SUFFIXES):
            raise InputError(location, "host is an internal or wildcard-DNS name")


def require_public_address(
    address: Union[str, ipaddress.IPv4Address, ipaddress.IPv6Address], *, location: str = "address"
) -> None:
    """Raise :class:`InputError` unless ``address`` is a global unicast IP address.

    For the addresses a fetcher resolved a :class:`PublicUrl`'s host to: loopback, private,
    link-local (cloud metadata), shared, reserved and multicast addresses are refused, and
    IPv4 written inside IPv6 (``::ffff:127.0.0.1``) is judged as the IPv4 address it holds.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        raise InputError(location, "is not an IP address") from None
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            ip = embedded
    if not ip.is_global or ip.is_multicast or any(ip in net for net in _NOT_PUBLIC):
        raise InputError(location, "is not a public address")


_NOT_PUBLIC = (ipaddress.ip_network("192.0.0.0/24"),)
"""Ranges Python's ``is_global`` lets through that are not globally reachable (IETF
protocol assignments, where Oracle Cloud serves its metadata at 192.0.0.192)."""


class Money(Decimal):
    """A positive amount with at most :attr:`PLACES` decimals, at most :attr:`MAXIMUM`.

    Attributes:
        PLACES: decimals allowed (``12.345`` is refused, never rounded).
        MINIMUM: smallest amount accepted (inclusive).
        MAXIMUM: largest amount accepted (inclusive).
    """

    PLACES: ClassVar[int] = 2
    MINIMUM: ClassVar[Decimal] = Decimal("0.01")
    MAXIMUM: ClassVar[Decimal] = Decimal("1000000")

    @classmethod
    def parse(cls: Type[M], value: Any, *, location: str = "value") -> M:
        """Validate ``value`` (a number or a string like ``"1,250.50"`` or ``"12,5"``)."""
        if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
            raise InputError(location, f"expected an amount, got {type(value).__name__}")
        amount = _decimal(value, location)
        if not amount.is_finite():
            raise InputError(location, "is not a finite amount")
        exponent = amount.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -cls.PLACES:
            raise InputError(location, f"has more than {cls.PLACES} decimals")
        if not cls.MINIMUM <= amount <= cls.MAXIMUM:
            raise InputError(location, f"must be between {cls.MINIMUM} and {cls.MAXIMUM}")
        return cls(amount.quantize(Decimal(1).scaleb(-cls.PLACES)))

    @property
    def cents(self) -> int:
        """The amount in minor units (for integer storage)."""
        return int(self.scaleb(self.PLACES))


_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def _decimal(value: Any, location: str) -> Decimal:
    if isinstance(value, float):
        value = repr(value)
    text = _clean(value, location, 32) if not isinstance(value, Decimal) else str(value)
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    elif text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise InputError(location, "is not an amount") from None
