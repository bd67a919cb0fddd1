"""The keyring: authenticated encryption with named keys and rotation."""

from __future__ import annotations

import base64

import pytest

from rasa_secure.core.identity.crypto import Keyring, generate_key, is_encrypted
from rasa_secure.errors import ConfigError, CryptoError

OLD = f"old:{generate_key()}"
NEW = f"new:{generate_key()}"


def test_round_trip_and_ciphertext_hides_the_value() -> None:
    """A value decrypts back, and the stored form neither contains nor repeats it."""
    ring = Keyring.parse(NEW)
    first = ring.encrypt("4111 1111 1111 1111", context="card")
    second = ring.encrypt("4111 1111 1111 1111", context="card")
    assert is_encrypted(first) and "4111" not in first
    assert first != second  # random nonce: equal values do not look equal at rest
    assert ring.decrypt(first, context="card") == "4111 1111 1111 1111"


def test_rotation_reads_old_values_and_rewrites_them_under_the_new_key() -> None:
    """After putting a new key first, old ciphertexts still decrypt and rotate() upgrades them."""
    stored = Keyring.parse(OLD).encrypt("secret", context="pin")
    rotated_ring = Keyring.parse(f"{NEW},{OLD}")
    assert rotated_ring.decrypt(stored, context="pin") == "secret"
    upgraded = rotated_ring.rotate(stored, context="pin")
    assert upgraded.startswith("rsenc:v1:new:")
    assert Keyring.parse(NEW).decrypt(upgraded, context="pin") == "secret"
    assert rotated_ring.rotate(upgraded, context="pin") == upgraded


@pytest.mark.parametrize(
    ("tamper", "why"),
    [
        (lambda token: token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"), "edited"),
        (lambda token: token.replace("rsenc:v1:new:", "rsenc:v1:gone:"), "unknown key id"),
        (lambda token: "plain text", "not a ciphertext"),
    ],
)
def test_decrypt_refuses_tampered_or_foreign_values(tamper: object, why: str) -> None:
    """Anything but an intact ciphertext of a known key raises CryptoError, never garbage."""
    ring = Keyring.parse(NEW)
    token = ring.encrypt("value", context="slot")
    with pytest.raises(CryptoError):
        ring.decrypt(tamper(token), context="slot")  # type: ignore[operator]


def test_context_binds_the_ciphertext_to_its_slot() -> None:
    """A ciphertext moved to another slot does not decrypt there."""
    ring = Keyring.parse(NEW)
    with pytest.raises(CryptoError):
        ring.decrypt(ring.encrypt("value", context="email"), context="phone")


@pytest.mark.parametrize(
    ("spec", "key"),
    [
        ("", "RASA_SECURE_KEYS"),  # nothing configured
        ("nokeyid", "RASA_SECURE_KEYS"),  # missing id:key form
        ("k1:not-base64!", "RASA_SECURE_KEYS.k1"),
        (f"k1:{base64.b64encode(b'short').decode()}", "RASA_SECURE_KEYS.k1"),  # wrong length
        (f"{NEW},{NEW}", "RASA_SECURE_KEYS.new"),  # duplicate id
    ],
)
def test_bad_key_configuration_is_a_config_error(spec: str, key: str) -> None:
    """Invalid key material fails at load time with the offending key named."""
    with pytest.raises(ConfigError) as caught:
        Keyring.from_env(environ={"RASA_SECURE_KEYS": spec})
    assert caught.value.key == key


def test_an_unset_keyring_is_reported_under_the_option_that_named_it() -> None:
    """Components name their variable with an option; the error names that option."""
    env = {"MY_KEYS": NEW}
    assert Keyring.from_env("MY_KEYS", env).current_id == "new"
    assert Keyring.from_env_if_set("OTHER_KEYS", env) is None
    with pytest.raises(ConfigError) as caught:
        Keyring.from_env(
            "OTHER_KEYS", env, option="Channel.token_keys_env", purpose="forward_token"
        )
    assert caught.value.key == "Channel.token_keys_env"
    assert "forward_token needs keys in OTHER_KEYS" in caught.value.problem
