"""``encrypt``: ``<EMAIL_ADDRESS:rsenc:v1:k1:...>``, reversible by authorized code.

AES-256-GCM with the :class:`~rasa_secure.core.identity.crypto.Keyring`, bound to the entity
type and the scope: a replacement copied into another conversation does not decrypt.
:func:`reveal` gives the values back.
"""

from __future__ import annotations

import re

from rasa_secure.core.identity.crypto import PREFIX, Keyring
from rasa_secure.core.redaction.operators.base import ENTITY, Operator, OperatorName, Target

_TOKEN = rf"{re.escape(PREFIX)}[^:>\s]+:[A-Za-z0-9_-]{{38,}}={{0,2}}"
"""The keyring's token: key id, then nonce, ciphertext and tag in base64url (a 12-byte nonce and
a 16-byte tag: 38 characters or more), so a user cannot make ordinary text pass for a ciphertext."""
_SEALED = re.compile(rf"<({ENTITY}):({_TOKEN})>")
"""An encrypted replacement: the entity type and the keyring's token."""


class Encrypt(Operator):
    """Replace a value by its ciphertext, bound to the entity type and the scope."""

    NAME = OperatorName.ENCRYPT
    PROTECTION = 1
    OUTPUT = re.compile(rf"<{ENTITY}:{_TOKEN}>")
    NEEDS_KEYRING = True

    def apply(self, value: str, target: Target) -> str:
        keyring = self.shared.keyring
        assert keyring is not None  # the redactor loads one when an operator NEEDS_KEYRING
        token = keyring.encrypt(value, context=_aad(target.entity_type, target.scope))
        return f"<{target.entity_type}:{token}>"


def reveal(text: str, keyring: Keyring, scope: str) -> str:
    """``text`` with every encrypted replacement of ``scope`` decrypted.

    Raises:
        CryptoError: a replacement was tampered with, or belongs to another scope.
    """
    return _SEALED.sub(
        lambda m: keyring.decrypt(m.group(2), context=_aad(m.group(1), scope)),
        text,
    )


def _aad(entity: str, scope: str) -> str:
    return f"rasa_secure.pii|{entity}|{scope}"
