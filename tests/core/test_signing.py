"""Signed webhooks: what verifies, and every way a request is refused."""

from __future__ import annotations

from typing import Callable, Dict

import pytest

from rasa_secure.core.signing import (
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureError,
    SignatureProblem,
    Verifier,
    check_secret,
    sign,
)
from rasa_secure.errors import ConfigError

SECRET = b"s" * 40
NOW = 1_800_000_000.0
BODY = b'{"kind":"reply","text":"hello"}'

Tamper = Callable[[Dict[str, str]], Dict[str, str]]


def verifier() -> Verifier:
    return Verifier.create(SECRET, window_seconds=300, clock=lambda: NOW)


def test_a_signed_request_verifies() -> None:
    """The happy path: headers made by sign() pass verify() on the same body."""
    verifier().verify(sign(SECRET, BODY, now=NOW), BODY)


def test_header_names_are_case_insensitive() -> None:
    """HTTP servers lower-case header names (aiohttp, Sanic); verification must not care."""
    headers = {name.lower(): value for name, value in sign(SECRET, BODY, now=NOW).items()}
    verifier().verify(headers, BODY)


REFUSALS = [
    # (why, tamper with the headers, body sent, expected problem)
    ("no signature at all", lambda h: {}, BODY, SignatureProblem.MISSING),
    (
        "nonce header dropped",
        lambda h: {k: v for k, v in h.items() if k != NONCE_HEADER},
        BODY,
        SignatureProblem.MISSING,
    ),
    (
        "unknown signature version",
        lambda h: {**h, SIGNATURE_HEADER: "v2=" + h[SIGNATURE_HEADER][3:]},
        BODY,
        SignatureProblem.MALFORMED,
    ),
    (
        "timestamp not a number",
        lambda h: {**h, TIMESTAMP_HEADER: "soon"},
        BODY,
        SignatureProblem.MALFORMED,
    ),
    ("body changed after signing", lambda h: h, BODY + b" ", SignatureProblem.INVALID),
    (
        "nonce swapped (it is covered by the signature)",
        lambda h: {**h, NONCE_HEADER: "another"},
        BODY,
        SignatureProblem.INVALID,
    ),
    (
        "timestamp moved (it is covered by the signature)",
        lambda h: {**h, TIMESTAMP_HEADER: str(int(NOW) + 1)},
        BODY,
        SignatureProblem.INVALID,
    ),
]


@pytest.mark.parametrize(
    ("tamper", "body", "problem"),
    [case[1:] for case in REFUSALS],
    ids=[case[0] for case in REFUSALS],
)
def test_refusals(tamper: Tamper, body: bytes, problem: SignatureProblem) -> None:
    headers = tamper(sign(SECRET, BODY, now=NOW))
    with pytest.raises(SignatureError) as caught:
        verifier().verify(headers, body)
    assert caught.value.problem is problem


def test_another_secret_is_refused() -> None:
    """A request signed by someone without the shared secret."""
    with pytest.raises(SignatureError) as caught:
        verifier().verify(sign(b"x" * 40, BODY, now=NOW), BODY)
    assert caught.value.problem is SignatureProblem.INVALID


@pytest.mark.parametrize("age", [301, -301, 86_400], ids=["old", "future", "a day old"])
def test_a_stale_timestamp_is_refused(age: int) -> None:
    """A captured request goes stale once outside the window (either direction)."""
    with pytest.raises(SignatureError) as caught:
        verifier().verify(sign(SECRET, BODY, now=NOW - age), BODY)
    assert caught.value.problem is SignatureProblem.STALE


def test_a_replay_within_the_window_is_refused() -> None:
    """The same signed request twice: the second is a replay, even though it is fresh."""
    check = verifier()
    headers = sign(SECRET, BODY, now=NOW)
    check.verify(headers, BODY)
    with pytest.raises(SignatureError) as caught:
        check.verify(headers, BODY)
    assert caught.value.problem is SignatureProblem.REPLAYED


def test_a_retry_signed_again_is_accepted() -> None:
    """A retry is signed anew (fresh nonce), so it is not mistaken for a replay."""
    check = verifier()
    check.verify(sign(SECRET, BODY, now=NOW), BODY)
    check.verify(sign(SECRET, BODY, now=NOW), BODY)


@pytest.mark.parametrize(
    ("secret", "problem"),
    [(None, "no signing secret"), ("", "no signing secret"), ("short", "at least 32")],
    ids=["unset", "empty", "too short"],
)
def test_weak_secrets_are_refused_at_configuration(secret: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_secret(secret, key="HandoffClient.secret_env")
    assert caught.value.key == "HandoffClient.secret_env"
    assert problem in caught.value.problem
