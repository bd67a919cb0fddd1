"""The verified identity as it travels from the channel to the action server.

``SecureRestInput`` verifies the user's JWT and puts an :class:`Envelope` into the message
metadata under :data:`METADATA_KEY`. Rasa stores it in the ``UserUttered`` event and sends it
to the action server with the tracker, where ``SecureAction`` opens it again.

The envelope is *attested*: an HMAC-SHA256 over its fields with a key derived from the
secret the Rasa server and the action server already share (the action endpoint token). So a
message that reached Rasa through another channel, the HTTP API or an injected event, whose
metadata was written by a client, carries no valid attestation and is refused. The envelope
names the conversation (``sender_id``) and expires with the token, so it cannot be moved to
another conversation or used after the token's lifetime.

Optionally (``forward_token``) the envelope also carries the raw JWT, encrypted with the
:class:`Keyring` and bound to the conversation, so the action server
can re-verify the signature itself (a compromised Rasa server can then not mint roles, as
long as the tokens are signed with a private key the Rasa server does not hold). The token is
never stored in clear: tracker stores and event brokers only see the ciphertext.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import time
from dataclasses import asdict, dataclass, replace
from enum import Enum
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

from rasa_secure.core.identity.crypto import Keyring, is_encrypted
from rasa_secure.core.identity.reasons import AuthReason
from rasa_secure.errors import AuthenticationError, ConfigError, CryptoError

logger = logging.getLogger(__name__)

METADATA_KEY = "rasa_secure"
"""The metadata key under which the envelope travels (anything a client puts there is dropped)."""
SHARED_SECRET_ENV = "RASA_SECURE_ACTION_TOKEN"  # noqa: S105 - the variable's name, not a secret
"""Environment variable holding the secret shared by the Rasa server and the action server."""
SHARED_SECRET_HEADER = "X-Rasa-Secure-Token"  # noqa: S105 - a header's name, not a secret
"""Header in which the Rasa server sends that secret to the action server."""
MIN_SHARED_SECRET_CHARS = 16
VERSION = 1
_ATTESTATION_LABEL = b"rasa_secure.identity-attestation.v1"
_FIELDS = ("v", "subject", "roles", "sender_id", "expires_at", "token")
_SIGN_IN_FIELDS = ("acr", "amr", "auth_time")
"""How the user signed in (step-up): signed only when set, so older envelopes still verify."""
_MAX_CLAIM_CHARS = 256


def attestation_key(shared_secret: Union[str, bytes]) -> bytes:
    """The attestation key derived from the Rasa-server/action-server shared secret.

    Derivation (HMAC with a fixed label) keeps the two uses of the secret apart: the
    action server accepting a call and the channel vouching for an identity.
    """
    secret = shared_secret.encode("utf-8") if isinstance(shared_secret, str) else shared_secret
    return hmac.new(secret, _ATTESTATION_LABEL, hashlib.sha256).digest()


def _token_context(sender_id: str) -> str:
    return f"rasa_secure.token|{sender_id}"


@dataclass(frozen=True)
class Envelope:
    """A verified identity bound to one conversation.

    Attributes:
        subject: the verified subject.
        roles: the verified roles.
        sender_id: the conversation the identity was verified for.
        expires_at: when the underlying token expires (seconds since the epoch).
        token: the encrypted JWT (``rsenc:v1:...``) when forwarding is on, else ``None``.
        signature: hex HMAC-SHA256 attestation over all the other fields.
        acr: the token's ``acr`` claim (authentication context class), if any.
        amr: the token's ``amr`` claim (authentication methods), possibly empty.
        auth_time: the token's ``auth_time`` claim (seconds since the epoch), if any.
    """

    subject: str
    roles: Tuple[str, ...]
    sender_id: str
    expires_at: int
    token: Optional[str] = None
    signature: str = ""
    acr: Optional[str] = None
    amr: Tuple[str, ...] = ()
    auth_time: Optional[int] = None

    def _signed_bytes(self) -> bytes:
        body: Dict[str, Any] = {
            "v": VERSION,
            "subject": self.subject,
            "roles": list(self.roles),
            "sender_id": self.sender_id,
            "expires_at": self.expires_at,
            "token": self.token,
        }
        sign_in = {"acr": self.acr, "amr": list(self.amr), "auth_time": self.auth_time}
        body.update((name, value) for name, value in sign_in.items() if value not in (None, []))
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def signed(self, key: bytes) -> Envelope:
        """A copy carrying the attestation made with ``key``."""
        digest = hmac.new(key, self._signed_bytes(), hashlib.sha256).hexdigest()
        return replace(self, signature=digest)

    def to_metadata(self) -> Dict[str, Any]:
        """The JSON-ready form stored under :data:`METADATA_KEY`."""
        data = asdict(self)
        data["roles"] = list(self.roles)
        data["amr"] = list(self.amr)
        data["v"] = VERSION
        return data

    def decrypt_token(self, keyring: Keyring) -> str:
        """The forwarded JWT in clear.

        Raises:
            AuthenticationError: ``token_missing`` if none was forwarded, ``token_malformed``
                if it does not decrypt for this conversation.
        """
        if self.token is None:
            raise AuthenticationError(
                AuthReason.TOKEN_MISSING, "the channel did not forward the token"
            )
        try:
            return keyring.decrypt(self.token, context=_token_context(self.sender_id))
        except CryptoError:
            raise AuthenticationError(
                AuthReason.TOKEN_MALFORMED, "forwarded token does not decrypt"
            ) from None


def seal(
    *,
    subject: str,
    roles: Sequence[str],
    sender_id: str,
    expires_at: int,
    key: bytes,
    token: Optional[str] = None,
    keyring: Optional[Keyring] = None,
    acr: Optional[str] = None,
    amr: Sequence[str] = (),
    auth_time: Optional[int] = None,
) -> Envelope:
    """Make an attested envelope; with ``token`` and ``keyring`` the JWT is encrypted into it.

    ``acr``, ``amr`` and ``auth_time`` say how the user signed in (the verified token's
    claims), for the policy's step-up rules.
    """
    sealed_token = None
    if token is not None:
        if keyring is None:
            raise ValueError("forwarding a token needs a keyring to encrypt it")
        sealed_token = keyring.encrypt(token, context=_token_context(sender_id))
    envelope = Envelope(
        subject,
        tuple(roles),
        sender_id,
        int(expires_at),
        sealed_token,
        acr=acr,
        amr=tuple(amr),
        auth_time=auth_time,
    )
    return envelope.signed(key)


def open_envelope(
    metadata: Optional[Mapping[str, Any]],
    key: bytes,
    *,
    sender_id: str,
    leeway_seconds: int = 30,
    now: Optional[float] = None,
) -> Envelope:
    """Read and check the envelope in a message's metadata. Fails closed.

    Args:
        metadata: the ``UserUttered`` event metadata.
        key: the attestation key (:func:`attestation_key`).
        sender_id: the conversation the action runs in.
        leeway_seconds: tolerated clock skew for the expiry.
        now: the current time (tests).

    Raises:
        AuthenticationError: ``identity_missing``, ``identity_malformed``,
            ``bad_attestation``, ``wrong_conversation`` or ``identity_expired``.
    """
    raw = metadata.get(METADATA_KEY) if isinstance(metadata, Mapping) else None
    if raw is None:
        raise AuthenticationError(
            AuthReason.IDENTITY_MISSING, "no verified identity in the message"
        )
    envelope = _parse(raw)
    expected = envelope.signed(key).signature
    if not hmac.compare_digest(
        expected.encode("ascii"), envelope.signature.encode("ascii", "replace")
    ):
        raise AuthenticationError(
            AuthReason.BAD_ATTESTATION, "identity not vouched for by the channel"
        )
    if envelope.sender_id != sender_id:
        raise AuthenticationError(
            AuthReason.WRONG_CONVERSATION, "identity belongs to another conversation"
        )
    current = time.time() if now is None else now
    if envelope.expires_at < current - leeway_seconds:
        raise AuthenticationError(
            AuthReason.IDENTITY_EXPIRED, "the token behind this identity expired"
        )
    return envelope


def _parse(raw: Any) -> Envelope:
    malformed = AuthenticationError(AuthReason.IDENTITY_MALFORMED, "unexpected identity envelope")
    if (
        not isinstance(raw, Mapping)
        or set(raw) - {*_FIELDS, *_SIGN_IN_FIELDS, "signature"}
        or raw.get("v") != VERSION
    ):
        raise malformed
    subject, roles, sender_id = raw.get("subject"), raw.get("roles"), raw.get("sender_id")
    expires_at, token, signature = raw.get("expires_at"), raw.get("token"), raw.get("signature")
    if not (isinstance(subject, str) and isinstance(sender_id, str) and isinstance(signature, str)):
        raise malformed
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise malformed
    if not isinstance(expires_at, int) or isinstance(expires_at, bool):
        raise malformed
    if token is not None and not is_encrypted(token):
        raise malformed
    acr, amr, auth_time = raw.get("acr"), raw.get("amr") or [], raw.get("auth_time")
    if acr is not None and not (isinstance(acr, str) and len(acr) <= _MAX_CLAIM_CHARS):
        raise malformed
    if not isinstance(amr, list) or not all(isinstance(method, str) for method in amr):
        raise malformed
    if auth_time is not None and (not isinstance(auth_time, int) or isinstance(auth_time, bool)):
        raise malformed
    return Envelope(
        subject, tuple(roles), sender_id, expires_at, token, signature, acr, tuple(amr), auth_time
    )


PREVIOUS_SUFFIX = "_PREVIOUS"
"""``<secret variable>_PREVIOUS`` holds the secret being retired during a rotation."""


class Generation(str, Enum):
    """Which of the shared secrets a request or an attestation used."""

    CURRENT = "current"
    PREVIOUS = "previous"


@dataclass(frozen=True)
class SharedSecrets:
    """The secret the Rasa server and the action server share, and the one being retired.

    Attributes:
        current: the secret Rasa servers send and attest identities with.
        previous: the retiring secret, still accepted until its variable is removed
            (``None`` outside a rotation).
    """

    current: bytes
    previous: Optional[bytes] = None

    @classmethod
    def from_env(
        cls,
        variable: str = SHARED_SECRET_ENV,
        environ: Optional[Mapping[str, str]] = None,
        *,
        option: Optional[str] = None,
        accept_previous: bool = True,
    ) -> SharedSecrets:
        """Read ``variable`` and ``variable + "_PREVIOUS"`` from ``environ``.

        The one loader of the shared secret, shaped like
        :meth:`~rasa_secure.core.identity.crypto.Keyring.from_env`.

        Args:
            variable: the variable's name (components let users choose it with an option).
            environ: the environment (default ``os.environ``).
            option: the configuration key that named ``variable``, named in errors.
            accept_previous: also read the retiring secret (the action server does; the
                channel attests with the current one only).

        Raises:
            ConfigError: named ``option`` (else ``variable``): the secret is missing or shorter
                than 16 characters, or the previous one is set but too short or equal to the
                current one.
        """
        environ = os.environ if environ is None else environ
        key = option or variable
        current = environ.get(variable, "")
        if len(current) < MIN_SHARED_SECRET_CHARS:
            raise ConfigError(
                key,
                f"{variable} must hold the secret shared by the Rasa server and the action "
                f"server, {MIN_SHARED_SECRET_CHARS}+ characters (nothing runs open)",
            )
        retiring = variable + PREVIOUS_SUFFIX
        previous = environ.get(retiring) if accept_previous else None
        if previous is None or previous == "":
            return cls(current.encode("utf-8"))
        if len(previous) < MIN_SHARED_SECRET_CHARS:
            raise ConfigError(key, f"{retiring} is set but shorter than {MIN_SHARED_SECRET_CHARS}")
        if hmac.compare_digest(previous.encode("utf-8"), current.encode("utf-8")):
            raise ConfigError(key, f"{retiring} equals {variable}: a rotation needs a new secret")
        logger.warning(
            "accepting the retiring shared secret in %s too; remove it once every Rasa server "
            "sends the new one",
            retiring,
        )
        return cls(current.encode("utf-8"), previous.encode("utf-8"))

    @property
    def accepted(self) -> Tuple[Tuple[Generation, bytes], ...]:
        """Every secret accepted now, the current one first."""
        found = [(Generation.CURRENT, self.current)]
        if self.previous is not None:
            found.append((Generation.PREVIOUS, self.previous))
        return tuple(found)

    def match(self, offered: bytes) -> Optional[Generation]:
        """Which accepted secret ``offered`` is (compared in constant time), or ``None``."""
        matched: Optional[Generation] = None
        for generation, secret in self.accepted:  # no early exit: same work either way
            if hmac.compare_digest(offered, secret) and matched is None:
                matched = generation
        return matched
