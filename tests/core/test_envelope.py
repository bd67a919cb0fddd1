"""Tests for core.identity.envelope: the attested identity handed to the action server."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any, Callable, Dict, Optional

import pytest

from rasa_secure.core.identity.crypto import Keyring, generate_key
from rasa_secure.core.identity.envelope import (
    METADATA_KEY,
    SharedSecrets,
    attestation_key,
    open_envelope,
    seal,
)
from rasa_secure.errors import AuthenticationError, ConfigError

KEY = attestation_key("shared-secret-of-the-deployment")
NOW = 1_700_000_000


def metadata(**overrides: Any) -> Dict[str, Any]:
    envelope = seal(
        subject="alice", roles=["customer"], sender_id="alice", expires_at=NOW + 300, key=KEY
    )
    data = envelope.to_metadata()
    data.update(overrides)
    return {METADATA_KEY: data}


def reason(meta: Any, sender_id: str = "alice", key: bytes = KEY) -> str:
    with pytest.raises(AuthenticationError) as caught:
        open_envelope(meta, key, sender_id=sender_id, now=NOW)
    return caught.value.reason


def test_round_trip() -> None:
    envelope = open_envelope(metadata(), KEY, sender_id="alice", now=NOW)
    assert (envelope.subject, envelope.roles, envelope.sender_id) == (
        "alice",
        ("customer",),
        "alice",
    )


TAMPERING = [
    # (why, mutation of the metadata, expected reason)
    (
        "client-forged roles without the key",
        lambda m: m[METADATA_KEY].update(roles=["admin"]),
        "bad_attestation",
    ),
    ("subject swapped", lambda m: m[METADATA_KEY].update(subject="bob"), "bad_attestation"),
    (
        "expiry extended",
        lambda m: m[METADATA_KEY].update(expires_at=NOW + 10**6),
        "bad_attestation",
    ),
    ("signature removed", lambda m: m[METADATA_KEY].update(signature=""), "bad_attestation"),
    (
        "non-ascii signature",
        lambda m: m[METADATA_KEY].update(signature="é" * 64),
        "bad_attestation",
    ),
    ("no envelope at all", lambda m: m.pop(METADATA_KEY), "identity_missing"),
    ("envelope not a mapping", lambda m: m.update({METADATA_KEY: "admin"}), "identity_malformed"),
    ("roles not a list", lambda m: m[METADATA_KEY].update(roles="admin"), "identity_malformed"),
    (
        "unknown field smuggled in",
        lambda m: m[METADATA_KEY].update(is_admin=True),
        "identity_malformed",
    ),
    (
        "token field not a ciphertext",
        lambda m: m[METADATA_KEY].update(token="eyJhbGciOi..."),
        "identity_malformed",
    ),
    ("wrong version", lambda m: m[METADATA_KEY].update(v=2), "identity_malformed"),
    (
        "acr raised to a second factor without the key (a forged step-up)",
        lambda m: m[METADATA_KEY].update(acr="urn:example:mfa"),
        "bad_attestation",
    ),
    (
        "amr extended with otp without the key",
        lambda m: m[METADATA_KEY].update(amr=["pwd", "otp"]),
        "bad_attestation",
    ),
    (
        "auth_time refreshed to pass a max_age",
        lambda m: m[METADATA_KEY].update(auth_time=NOW),
        "bad_attestation",
    ),
    ("amr not a list", lambda m: m[METADATA_KEY].update(amr="otp"), "identity_malformed"),
    (
        "auth_time not a number",
        lambda m: m[METADATA_KEY].update(auth_time="now"),
        "identity_malformed",
    ),
]


@pytest.mark.parametrize(
    ("why", "mutate", "expected"), TAMPERING, ids=[case[0] for case in TAMPERING]
)
def test_tampering_is_refused(
    why: str, mutate: Callable[[Dict[str, Any]], Any], expected: str
) -> None:
    meta = metadata()
    mutate(meta)
    assert reason(meta) == expected, why


def test_sign_in_claims_travel_attested() -> None:
    """acr, amr and auth_time reach the action server as signed, for step-up rules."""
    sealed = seal(
        subject="alice", roles=["customer"], sender_id="alice", expires_at=NOW + 300, key=KEY,
        acr="urn:example:mfa", amr=["pwd", "otp"], auth_time=NOW - 10,
    )  # fmt: skip
    opened = open_envelope({METADATA_KEY: sealed.to_metadata()}, KEY, sender_id="alice", now=NOW)
    assert (opened.acr, opened.amr, opened.auth_time) == (
        "urn:example:mfa",
        ("pwd", "otp"),
        NOW - 10,
    )
    downgraded = {**sealed.to_metadata(), "acr": None}
    assert reason({METADATA_KEY: downgraded}) == "bad_attestation", (
        "removing a claim also breaks it"
    )


def test_envelopes_of_older_channels_still_open_without_acr() -> None:
    """An envelope made before step-up (no acr/amr/auth_time keys, the old signed body) opens
    with no acr: the signed body only grows when a sign-in claim is set."""
    old_body = {
        "v": 1, "subject": "alice", "roles": ["customer"], "sender_id": "alice",
        "expires_at": NOW + 300, "token": None,
    }  # fmt: skip
    signed = json.dumps(old_body, sort_keys=True, separators=(",", ":")).encode()
    old = {**old_body, "signature": hmac.new(KEY, signed, hashlib.sha256).hexdigest()}
    opened = open_envelope({METADATA_KEY: old}, KEY, sender_id="alice", now=NOW)
    assert (opened.subject, opened.acr, opened.amr, opened.auth_time) == ("alice", None, (), None)


def test_bound_to_conversation_and_key_and_time() -> None:
    """Moved to another conversation, opened with another key, or used after expiry: refused."""
    assert reason(metadata(), sender_id="bob") == "wrong_conversation"
    assert reason(metadata(), key=attestation_key("another-deployment-secret")) == "bad_attestation"
    late = seal(subject="alice", roles=[], sender_id="alice", expires_at=NOW - 120, key=KEY)
    assert reason({METADATA_KEY: late.to_metadata()}) == "identity_expired"
    assert reason(None) == "identity_missing"


def test_forwarded_token_is_encrypted_and_bound_to_the_conversation() -> None:
    """The JWT is never in clear in metadata, and a ciphertext moved elsewhere does not decrypt."""
    keyring = Keyring.parse(f"k1:{generate_key()}")
    bearer = "header.payload.signature"
    envelope = seal(
        subject="alice", roles=["customer"], sender_id="alice", expires_at=int(time.time()) + 60,
        key=KEY, token=bearer, keyring=keyring,
    )  # fmt: skip
    assert bearer not in str(envelope.to_metadata())
    assert envelope.decrypt_token(keyring) == bearer
    moved = seal(subject="alice", roles=[], sender_id="bob", expires_at=NOW, key=KEY)
    stolen = type(envelope)(moved.subject, moved.roles, "bob", moved.expires_at, envelope.token)
    with pytest.raises(AuthenticationError) as caught:
        stolen.decrypt_token(keyring)
    assert caught.value.reason == "token_malformed"
    with pytest.raises(AuthenticationError) as caught:
        moved.decrypt_token(keyring)
    assert caught.value.reason == "token_missing"


CURRENT, RETIRING = "c" * 16, "p" * 16


@pytest.mark.parametrize(
    ("why", "environ", "accept_previous", "previous"),
    [
        ("outside a rotation", {"S": CURRENT}, True, None),
        ("during a rotation", {"S": CURRENT, "S_PREVIOUS": RETIRING}, True, RETIRING.encode()),
        ("the channel attests with the current secret only",
         {"S": CURRENT, "S_PREVIOUS": RETIRING}, False, None),
    ],
)  # fmt: skip
def test_shared_secrets_load_the_retiring_secret_when_asked(
    why: str, environ: Dict[str, str], accept_previous: bool, previous: Optional[bytes]
) -> None:
    secrets = SharedSecrets.from_env("S", environ, accept_previous=accept_previous)
    assert (secrets.current, secrets.previous) == (CURRENT.encode(), previous), why


@pytest.mark.parametrize(
    ("environ", "option", "key"),
    [
        ({}, "Channel.attestation_secret_env", "Channel.attestation_secret_env"),
        ({"S": "short"}, None, "S"),  # without an option, the variable is named
        ({"S": CURRENT, "S_PREVIOUS": CURRENT}, "X.secret_env", "X.secret_env"),  # no new secret
    ],
)
def test_shared_secret_errors_name_the_option(
    environ: Dict[str, str], option: Optional[str], key: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        SharedSecrets.from_env("S", environ, option=option)
    assert caught.value.key == key
