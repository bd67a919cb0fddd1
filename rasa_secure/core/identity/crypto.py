"""Authenticated encryption with named keys and rotation, for values kept at rest.

Keys come from the environment: ``RASA_SECURE_KEYS`` holds ``id:base64key`` pairs separated
by commas (32-byte keys, AES-256-GCM). The first pair encrypts; every pair decrypts, so a
deployment rotates by putting a new key first and dropping the old one once nothing stored
uses it. A ciphertext records the id of its key: ``rsenc:v1:<key id>:<nonce+ciphertext>``.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from dataclasses import dataclass, field
from typing import Dict, Mapping, Optional, Tuple

from rasa_secure.errors import ConfigError, CryptoError

PREFIX = "rsenc:v1:"
ENV_VAR = "RASA_SECURE_KEYS"
_NONCE_BYTES = 12


def generate_key() -> str:
    """A fresh random 256-bit key, base64-encoded, for ``RASA_SECURE_KEYS``."""
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


@dataclass(frozen=True)
class Keyring:
    """An ordered set of named AES-256-GCM keys; the first one encrypts.

    Attributes:
        keys: key id to raw 32-byte key, in order of preference.
    """

    keys: Tuple[Tuple[str, bytes], ...]
    _by_id: Dict[str, bytes] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.keys:
            raise ConfigError(ENV_VAR, "at least one key is required")
        by_id: Dict[str, bytes] = {}
        for key_id, key in self.keys:
            check_key_id(key_id)
            if len(key) != 32:
                raise ConfigError(
                    f"{ENV_VAR}.{key_id}", "key must be 32 bytes (base64 of 32 bytes)"
                )
            if key_id in by_id:
                raise ConfigError(f"{ENV_VAR}.{key_id}", "duplicate key id")
            by_id[key_id] = key
        object.__setattr__(self, "_by_id", by_id)

    @classmethod
    def parse(cls, spec: str, *, source: str = ENV_VAR) -> Keyring:
        """Build a keyring from ``"id:base64key,id2:base64key2"``."""
        pairs = []
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key_id, sep, encoded = item.partition(":")
            if not sep:
                raise ConfigError(source, "each key must be written as id:base64key")
            try:
                pairs.append((key_id, base64.b64decode(encoded, validate=True)))
            except (binascii.Error, ValueError):
                raise ConfigError(f"{source}.{key_id}", "key is not valid base64") from None
        return cls(tuple(pairs))

    @classmethod
    def from_env(
        cls,
        variable: str = ENV_VAR,
        environ: Optional[Mapping[str, str]] = None,
        *,
        option: Optional[str] = None,
        purpose: str = "",
    ) -> Keyring:
        """The keyring held by the environment variable ``variable``: the one loader of keys.

        Args:
            variable: the variable's name (components let users choose it with an option such
                as ``token_keys_env`` or ``keys_env``).
            environ: the environment (default ``os.environ``).
            option: the configuration key that named ``variable``, e.g.
                ``"SecureRestInput.token_keys_env"``; an unset variable is reported under it.
            purpose: what needs the keys, for that error, e.g. ``"forward_token"``.

        Raises:
            ConfigError: the variable is unset or blank (named ``option``, else ``variable``),
                or its keyring is malformed (named ``variable`` and the key id).
        """
        keyring = cls.from_env_if_set(variable, environ)
        if keyring is None:
            needs = f"{purpose} needs keys in {variable}" if purpose else f"{variable} is not set"
            raise ConfigError(
                option or variable, f"{needs}; generate a key with 'rasa-secure keygen'"
            )
        return keyring

    @classmethod
    def from_env_if_set(
        cls, variable: str = ENV_VAR, environ: Optional[Mapping[str, str]] = None
    ) -> Optional[Keyring]:
        """Like :meth:`from_env`, but ``None`` when the variable is unset or blank."""
        spec = (os.environ if environ is None else environ).get(variable, "")
        return cls.parse(spec, source=variable) if spec.strip() else None

    @property
    def current_id(self) -> str:
        """The id of the key that encrypts."""
        return self.keys[0][0]

    def encrypt(self, plaintext: str, *, context: str = "") -> str:
        """Encrypt ``plaintext``; ``context`` is authenticated but not stored (e.g. a slot name)."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        key_id, key = self.keys[0]
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), _aad(key_id, context))
        return f"{PREFIX}{key_id}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, token: str, *, context: str = "") -> str:
        """Decrypt a value made by :meth:`encrypt` with any key of this keyring.

        Raises:
            CryptoError: not a ciphertext of ours, unknown key id, or tampered data.
        """
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if not is_encrypted(token):
            raise CryptoError("value is not an rsenc:v1 ciphertext")
        key_id, _, body = token[len(PREFIX) :].partition(":")
        key = self._by_id.get(key_id)
        if key is None:
            raise CryptoError("no key with this id in the keyring", key_id)
        try:
            raw = base64.urlsafe_b64decode(body.encode("ascii"))
            plain = AESGCM(key).decrypt(
                raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _aad(key_id, context)
            )
        except (InvalidTag, ValueError, binascii.Error):
            raise CryptoError("ciphertext failed authentication", key_id) from None
        return plain.decode("utf-8")

    def rotate(self, token: str, *, context: str = "") -> str:
        """Re-encrypt ``token`` under the current key (no-op if it already uses it)."""
        if token.startswith(f"{PREFIX}{self.current_id}:"):
            return token
        return self.encrypt(self.decrypt(token, context=context), context=context)


def check_key_id(key_id: str) -> None:
    """Raise :class:`ConfigError` unless ``key_id`` can stand in ``RASA_SECURE_KEYS``."""
    if not key_id or any(char in key_id for char in ":, "):
        raise ConfigError(
            ENV_VAR, f"invalid key id {key_id!r}: non-empty, without ':', ',' or spaces"
        )


def is_encrypted(value: object) -> bool:
    """Whether ``value`` is a string produced by :meth:`Keyring.encrypt`."""
    return isinstance(value, str) and value.startswith(PREFIX)


def _aad(key_id: str, context: str) -> bytes:
    return f"{PREFIX}{key_id}|{context}".encode()
