"""Signed webhooks: HMAC-SHA256 over a timestamp, a nonce and the body, replay refused.

Both directions of a handoff use it: rasa_secure signs what it posts to a helpdesk, and the
helpdesk signs the callbacks it posts back. A request carries three headers::

    X-Rasa-Secure-Timestamp: 1767225600          (Unix seconds, when it was signed)
    X-Rasa-Secure-Nonce: 3f0c...                 (random, unique per request)
    X-Rasa-Secure-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<nonce>." + body>

The receiver recomputes the HMAC and compares it in constant time, refuses a timestamp
outside its window (a captured request goes stale) and a nonce it has already accepted
within that window (a captured request cannot be replayed while fresh). Everything fails
closed: a missing header, a malformed value or an unknown version is a refusal.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from enum import Enum
from typing import Callable, Dict, Mapping, Optional, Protocol

from rasa_secure.errors import ConfigError, RasaSecureError

TIMESTAMP_HEADER = "X-Rasa-Secure-Timestamp"
NONCE_HEADER = "X-Rasa-Secure-Nonce"
SIGNATURE_HEADER = "X-Rasa-Secure-Signature"
VERSION = "v1"
MIN_SECRET_CHARS = 32
"""A signing secret shorter than this is refused when it is configured."""
MAX_NONCE_CHARS = 128


class SignatureProblem(str, Enum):
    """Why a signed request was refused (the wire string of the refusal)."""

    MISSING = "signature_missing"
    MALFORMED = "signature_malformed"
    STALE = "timestamp_outside_window"
    INVALID = "signature_invalid"
    REPLAYED = "nonce_replayed"
    UNAVAILABLE = "nonce_store_unavailable"
    """The shared nonce store cannot be read: the request cannot be checked for replay."""


class SignatureError(RasaSecureError):
    """A signed request failed verification; always refused.

    Attributes:
        problem: why, a :class:`SignatureProblem`.
    """

    def __init__(self, problem: SignatureProblem) -> None:
        self.problem = problem
        super().__init__(problem.value)


def check_secret(secret: Optional[str], *, key: str) -> bytes:
    """``secret`` as bytes, or :class:`ConfigError` naming ``key`` if it is unset or short."""
    if not secret:
        raise ConfigError(key, "no signing secret is set")
    if len(secret) < MIN_SECRET_CHARS:
        raise ConfigError(key, f"the signing secret must have at least {MIN_SECRET_CHARS} chars")
    return secret.encode("utf-8")


def _mac(secret: bytes, timestamp: str, nonce: str, body: bytes) -> str:
    message = f"{timestamp}.{nonce}.".encode() + body
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def sign(secret: bytes, body: bytes, *, now: Optional[float] = None) -> Dict[str, str]:
    """The three signature headers for ``body``, with a fresh nonce."""
    timestamp = str(int(time.time() if now is None else now))
    nonce = secrets.token_urlsafe(18)
    return {
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: f"{VERSION}={_mac(secret, timestamp, nonce, body)}",
    }


class NonceCache:
    """The nonces accepted within the window, forgotten once they are older than it.

    In memory, for one process; replicas behind a load balancer share a
    :class:`RedisNonceCache` instead (see :func:`nonce_cache`), or a replay could reach
    another replica while the timestamp is fresh.
    """

    def __init__(self, window_seconds: float, clock: Callable[[], float] = time.time) -> None:
        self.window_seconds = window_seconds
        self._clock = clock
        self._seen: Dict[str, float] = {}
        self._lock = threading.Lock()

    def add(self, nonce: str) -> bool:
        """Remember ``nonce``; ``False`` if it was already seen within the window."""
        now = self._clock()
        with self._lock:
            expired = [
                key for key, seen in self._seen.items() if now - seen > 2 * self.window_seconds
            ]
            for key in expired:
                del self._seen[key]
            if nonce in self._seen:
                return False
            self._seen[nonce] = now
            return True


class NonceStore(Protocol):
    """Where accepted nonces are kept: one call, ``True`` the first time a nonce is seen."""

    def add(self, nonce: str) -> bool: ...


class RedisNonceCache:
    """The nonces accepted within the window, in Redis, shared by every replica.

    One ``SET key 1 NX EX`` per request: atomic, so two replicas receiving the same request at
    once accept it only once; the key expires after twice the window. Keys hold a SHA-256 of
    the nonce under ``<namespace>:nonce:``. An unreachable Redis refuses the request
    (:attr:`SignatureProblem.UNAVAILABLE`), never accepts it unchecked.
    """

    def __init__(self, url: str, window_seconds: float, namespace: str, *, key: str) -> None:
        from rasa_secure.core.shared_state import redis_client

        self.window_seconds = window_seconds
        self._prefix = f"{namespace}:nonce:"
        self._redis = redis_client(url, key=key)

    def add(self, nonce: str) -> bool:
        """Remember ``nonce``; ``False`` if a replica already accepted it within the window."""
        from redis.exceptions import RedisError  # type: ignore[import-untyped]

        name = self._prefix + hashlib.sha256(nonce.encode("utf-8")).hexdigest()
        ttl = max(1, int(2 * self.window_seconds))
        try:
            return bool(self._redis.set(name, b"1", nx=True, ex=ttl))
        except RedisError:
            raise SignatureError(SignatureProblem.UNAVAILABLE) from None


def nonce_cache(
    storage: str,
    window_seconds: float,
    *,
    key: str,
    namespace: str = "rasa_secure",
    clock: Callable[[], float] = time.time,
) -> NonceStore:
    """A :class:`NonceCache` for ``memory://``, else a :class:`RedisNonceCache` on the URL."""
    if storage == "memory://":
        return NonceCache(window_seconds, clock)
    return RedisNonceCache(storage, window_seconds, namespace, key=key)


@dataclass(frozen=True)
class Verifier:
    """Checks the signature headers of incoming requests.

    Attributes:
        secret: the shared signing secret.
        window_seconds: how far the timestamp may be from now, either way.
        nonces: the nonces already accepted.
        clock: the current time (tests pass their own).
    """

    secret: bytes
    window_seconds: float
    nonces: NonceStore
    clock: Callable[[], float] = time.time

    @classmethod
    def create(
        cls, secret: bytes, window_seconds: float = 300.0, clock: Callable[[], float] = time.time
    ) -> Verifier:
        """A verifier with its own nonce cache."""
        return cls(secret, window_seconds, NonceCache(window_seconds, clock), clock)

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        """Return if ``body`` is signed with the secret, fresh and not replayed.

        ``headers`` is looked up case-insensitively if it is a plain dict of any case.

        Raises:
            SignatureError: with the :class:`SignatureProblem`.
        """
        lowered = {str(name).lower(): str(value) for name, value in headers.items()}
        timestamp = lowered.get(TIMESTAMP_HEADER.lower())
        nonce = lowered.get(NONCE_HEADER.lower())
        signature = lowered.get(SIGNATURE_HEADER.lower())
        if not (timestamp and nonce and signature):
            raise SignatureError(SignatureProblem.MISSING)
        version, _, given = signature.partition("=")
        if version != VERSION or not timestamp.isdigit() or len(nonce) > MAX_NONCE_CHARS:
            raise SignatureError(SignatureProblem.MALFORMED)
        expected = _mac(self.secret, timestamp, nonce, body)
        if not hmac.compare_digest(expected.encode(), given.encode()):
            raise SignatureError(SignatureProblem.INVALID)
        if abs(self.clock() - int(timestamp)) > self.window_seconds:
            raise SignatureError(SignatureProblem.STALE)
        if not self.nonces.add(nonce):
            raise SignatureError(SignatureProblem.REPLAYED)
