"""Encryption at rest: sensitive slot values, sealed records of sensitive values, rotation.

A :class:`Vault` holds a component's keyring. It encrypts the value of a slot declared
sensitive (``rsenc:v1:...``, bound to the slot name) and gives it back
(:meth:`Vault.restore_slot`); it seals the values a conversation must keep redacted into a
record bound to the conversation (:data:`KNOWN_VALUES_KEY` in an event's metadata) and reads
it back; it re-encrypts both under the current key (:meth:`Vault.rotate_event`). What counts as
one of our ciphertexts is decided here (:func:`looks_sealed`).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import threading
from collections import OrderedDict
from typing import Any, Dict, Mapping, Optional, Tuple

from rasa_secure.core.identity import audit
from rasa_secure.core.identity.crypto import PREFIX, Keyring, is_encrypted
from rasa_secure.errors import CryptoError
from rasa_secure.stores.subject_keys import SubjectKeys, subject_token

logger = logging.getLogger(__name__)

KNOWN_VALUES_KEY = "rasa_secure_known"
"""Event ``metadata`` key of a sealed record of sensitive values (:meth:`Vault.seal`)."""

MAX_SEALED_VALUES = 256
"""Most recently learned values a conversation's record carries into a new session."""

MAX_DECRYPTED = 4096
"""Recently decrypted values kept (see ``Vault._decrypt``)."""


_CIPHERTEXT = re.compile(re.escape(PREFIX) + r"[^:,\s]+:([A-Za-z0-9_-]+={0,2})")
_MIN_SEALED_BYTES = 12 + 16
"""An AES-GCM ciphertext is at least its nonce and its tag."""


def looks_sealed(value: Any) -> bool:
    """Whether ``value`` has the whole shape of one of our ciphertexts.

    The ``rsenc:v1:`` prefix alone proves nothing: a user can type it before a card number
    (``rsenc:v1:4111 1111 1111 1111``), and such a value must be redacted like any text, not
    stored as if it were encrypted.
    """
    if not is_encrypted(value):
        return False
    match = _CIPHERTEXT.fullmatch(value)
    if match is None:
        return False
    body = match.group(1)
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        return False
    return len(raw) >= _MIN_SEALED_BYTES


def holds_ciphertext(value: Any) -> bool:
    """Whether a stored slot value is one of our ciphertexts (or a list slot holding one)."""
    return ciphertext_of(value) is not None


def ciphertext_of(value: Any) -> str | None:
    """The ciphertext in a stored slot value: the value itself, or a list slot's only item."""
    if looks_sealed(value):
        return str(value)
    if isinstance(value, list) and len(value) == 1 and looks_sealed(value[0]):
        return str(value[0])
    return None


def load_keyring(settings: Mapping[str, Any], component: str) -> Keyring | None:
    """The keyring from the configured variable; required only when slots are sensitive."""
    variable = settings["keys_env"]
    if settings["sensitive_slots"]:
        return Keyring.from_env(
            variable, option=f"{component}.sensitive_slots", purpose="encrypting sensitive slots"
        )
    return Keyring.from_env_if_set(variable)


class Vault:
    """A component's keyring, with the encryptions it does at rest.

    Attributes:
        keyring: the keyring; ``None`` when no slot is sensitive and no keys are set (then
            nothing is encrypted, records are not sealed and nothing decrypts).
        component: name used in audit records and log lines.
        subject_keys: per-conversation data keys (:mod:`.subject_keys`); when set, a
            conversation's slots and records are encrypted under its own key, not the
            keyring (see :meth:`use_subject_keys`).
    """

    def __init__(self, keyring: Keyring | None, *, component: str) -> None:
        self.keyring = keyring
        self.component = component
        self.subject_keys: Optional[SubjectKeys] = None
        self._plain: OrderedDict[Tuple[str, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def use_subject_keys(self, subject_keys: SubjectKeys) -> None:
        """Encrypt each conversation's values under its own data key from now on."""
        self.subject_keys = subject_keys

    def _sealing_keyring(self, scope: str) -> Keyring:
        """The keyring that encrypts for the conversation ``scope``."""
        if self.subject_keys is not None and scope:
            subject = self.subject_keys.keyring_for(scope, create=True)
            assert subject is not None  # created when missing
            return subject
        assert self.keyring is not None  # a sensitive slot without keys is a ConfigError
        return self.keyring

    def encrypt_slot(self, name: str, value: Any, *, scope: str = "") -> str:
        """The ciphertext of a sensitive slot's value (JSON-encoded, bound to the slot name),
        under the data key of the conversation ``scope`` when subject keys are on."""
        plain = json.dumps(value, ensure_ascii=False, sort_keys=True)
        return self._sealing_keyring(scope).encrypt(plain, context=name)

    def authentic(self, value: Any, name: str, *, scope: str = "") -> bool:
        """Whether a sensitive slot's apparent ciphertext is really ours, for this slot."""
        token = ciphertext_of(value)
        try:
            return token is not None and self._decrypt(token, name, scope) is not None
        except CryptoError:
            return False

    def seal(self, values: Mapping[str, str], *, scope: str) -> str | None:
        """An encrypted record of ``values`` for the conversation ``scope``.

        The secure tracker store writes it in the metadata (:data:`KNOWN_VALUES_KEY`) of the
        events it stores, so what decides redaction travels with the conversation. The record
        is bound to ``scope``: copied into another conversation it does not decrypt.

        Returns:
            The ciphertext, or ``None`` when there is nothing to seal or no keyring.
        """
        if not values or self.keyring is None:
            return None
        items = list(values.items())[-MAX_SEALED_VALUES:]  # the most recently learned
        plain = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
        return self._sealing_keyring(scope).encrypt(plain, context=_known_context(scope))

    def unseal(self, token: Any, *, scope: str) -> Dict[str, str]:
        """The values of a record made by :meth:`seal` (empty if it is not one of ours).

        A record that does not decrypt (its key was removed, or it was copied from another
        conversation) is reported to the audit log and ignored.
        """
        if not looks_sealed(token):
            return {}
        try:
            items = json.loads(self._decrypt(str(token), _known_context(scope), scope))
        except (CryptoError, ValueError):
            audit.record(
                self.component, "error", subject=scope or None, reasons=("record_unreadable",)
            )
            logger.warning("%s could not read a record of sensitive values", self.component)
            return {}
        return {
            value: kind
            for value, kind in (item for item in items if isinstance(item, list) and len(item) == 2)
            if isinstance(value, str) and isinstance(kind, str)
        }

    def restore_slot(self, name: str, value: Any, *, scope: str = "") -> Any:
        """The clear value of a slot read back from storage.

        Encrypted values (a ciphertext, or a list slot holding one) are decrypted with any
        key of the keyring, so values written before a key rotation still read. A value that
        cannot be decrypted (its key was removed, or it was tampered with) comes back as
        ``None`` (the slot is unset and a form asks again) and is reported to the audit log.
        Anything else is returned unchanged.
        """
        token = ciphertext_of(value)
        if token is None:
            return value
        try:
            plain = self._decrypt(token, name, scope)
        except CryptoError as error:
            audit.record(
                self.component,
                "error",
                subject=scope or None,
                action=name,
                reasons=("decrypt_failed",),
            )
            logger.warning(
                "%s could not decrypt slot %r (key id %s); it is read as unset",
                self.component,
                name,
                error.key_id,
            )
            return None
        try:
            return json.loads(plain)
        except ValueError:  # encrypted by something that did not JSON-encode it
            return plain

    def _decrypt(self, token: str, name: str, scope: str) -> str:
        """Decrypt, remembering recent results: Rasa reloads the same slots every message.

        The cache is keyed by ciphertext and slot name (a ciphertext only decrypts under its
        own slot name), bounded, and holds what the reloaded trackers hold anyway. A
        ciphertext made with a subject's data key needs that key (``scope``'s), which
        :meth:`~.subject_keys.SubjectKeys.destroy` erases.
        """
        key = (token, name)
        with self._lock:
            plain = self._plain.get(key)
            if plain is not None:
                self._plain.move_to_end(key)
                return plain
        keyring = self.keyring
        if subject_token(token):
            keys = self.subject_keys
            keyring = keys.keyring_for(scope, create=False) if keys and scope else None
            if keyring is None:
                raise CryptoError("the conversation's data key is gone (erased)", "subject")
        if keyring is None:
            raise CryptoError("no keyring configured")
        plain = keyring.decrypt(token, context=name)
        with self._lock:
            self._plain[key] = plain
            if len(self._plain) > MAX_DECRYPTED:
                self._plain.popitem(last=False)
        return plain

    def rotate_event(self, event: Dict[str, Any], *, scope: str = "") -> int:
        """Re-encrypt, in place, a stored event's ciphertexts under the current key.

        Those are a sensitive slot's value and a sealed record in the metadata (see
        :meth:`seal`), which is bound to the conversation ``scope``. Values under a subject's
        data key stay as they are: rotation re-wraps that key instead
        (:meth:`~.subject_keys.SubjectKeys.rewrap`).

        Returns:
            The number of values re-encrypted.

        Raises:
            CryptoError: a value cannot be decrypted with this keyring.
        """
        if self.keyring is None:
            return 0
        count = 0
        token = ciphertext_of(event.get("value")) if event.get("event") == "slot" else None
        if token is not None and not subject_token(token):
            rotated = self.keyring.rotate(token, context=str(event.get("name")))
            if rotated != token:
                event["value"] = [rotated] if isinstance(event["value"], list) else rotated
                count += 1
        metadata = event.get("metadata")
        record = metadata.get(KNOWN_VALUES_KEY) if isinstance(metadata, dict) else None
        if isinstance(metadata, dict) and looks_sealed(record) and not subject_token(str(record)):
            rotated = self.keyring.rotate(str(record), context=_known_context(scope))
            if rotated != record:
                metadata[KNOWN_VALUES_KEY] = rotated
                count += 1
        return count


def _known_context(scope: str) -> str:
    return f"rasa_secure.known|{scope}"
