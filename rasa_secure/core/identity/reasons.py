"""Why an identity was not accepted: the machine-readable reasons of authentication.

Every :class:`~rasa_secure.errors.AuthenticationError` carries one :class:`AuthReason`. The
values are the wire strings clients, audit records and dashboards see; the enum is a ``str``
enum, so a member compares equal to its string.
"""

# ruff: noqa: S105 - the values are reason names such as "token_expired", not secrets

from __future__ import annotations

from enum import Enum
from typing import FrozenSet


class AuthReason(str, Enum):
    """Why a caller's identity was refused (and the one reason recorded with an acceptance)."""

    # the bearer token (TokenVerifier)
    TOKEN_MISSING = "token_missing"
    TOKEN_MALFORMED = "token_malformed"
    ALGORITHM_NOT_ALLOWED = "algorithm_not_allowed"
    UNKNOWN_KEY = "unknown_key"
    KEY_TYPE_MISMATCH = "key_type_mismatch"
    BAD_SIGNATURE = "bad_signature"
    TOKEN_EXPIRED = "token_expired"
    TOKEN_NOT_YET_VALID = "token_not_yet_valid"
    LIFETIME_TOO_LONG = "lifetime_too_long"
    BAD_ISSUER = "bad_issuer"
    BAD_AUDIENCE = "bad_audience"
    CLAIM_MISSING = "claim_missing"
    BAD_CLAIMS = "bad_claims"
    INVALID_TOKEN = "invalid_token"
    """What a client is told instead of any token reason outside :data:`PUBLIC_REASONS`."""

    # the identity envelope (open_envelope), on the action server
    IDENTITY_MISSING = "identity_missing"
    IDENTITY_MALFORMED = "identity_malformed"
    BAD_ATTESTATION = "bad_attestation"
    WRONG_CONVERSATION = "wrong_conversation"
    IDENTITY_EXPIRED = "identity_expired"
    SUBJECT_MISMATCH = "subject_mismatch"
    """The forwarded token's subject is not the envelope's, or does not own the conversation."""

    # the caller of the action server (the shared secret)
    BAD_SHARED_SECRET = "bad_shared_secret"
    PREVIOUS_SHARED_SECRET = "previous_shared_secret"
    """Not a refusal: a call or an attestation made with the retiring secret (audited)."""


PUBLIC_REASONS: FrozenSet[AuthReason] = frozenset(
    {AuthReason.TOKEN_MISSING, AuthReason.TOKEN_EXPIRED, AuthReason.TOKEN_NOT_YET_VALID}
)
"""Token reasons a client may be told; every other one is answered as ``invalid_token``, so a
caller probing the verifier learns nothing about which check failed."""
