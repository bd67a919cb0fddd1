"""Rate limits of :class:`~rasa_secure.channel.secure_rest.SecureRestInput`, shared by replicas.

Built on the maintained `limits <https://limits.readthedocs.io>`_ library rather than a bucket
of our own: the same counters live in process memory (``memory://``, one process) or in Redis
(``redis://...``), so every replica behind a load balancer sees every request. Two keys are
counted:

* a verified subject, on every authenticated request (``rate_limit``);
* a client address, on every failed authentication (``auth_failure_limit``); an address over
  that limit is refused before its token is even verified.

Keys hold keyed pseudonyms (:func:`~rasa_secure.core.identity.audit.pseudonym`), never a subject id
or an address in clear, so the shared store holds no personal data.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from enum import Enum
from typing import Any, Optional, Sequence, Tuple

from rasa_secure.core.identity import audit
from rasa_secure.errors import DependencyMissingError, RasaSecureError

try:
    import limits
    import limits.storage
    import limits.strategies
except ImportError:  # pragma: no cover - exercised only without the nlu extra
    raise DependencyMissingError("limits", "pip install 'rasa-secure[nlu]'") from None

STORAGE_TIMEOUT_SECONDS = 1.0
"""Socket timeouts of a Redis storage: an unreachable store fails a request, never hangs it."""


class Strategy(str, Enum):
    """How requests are counted (see the ``limits`` documentation)."""

    MOVING_WINDOW = "moving-window"
    FIXED_WINDOW = "fixed-window"


class LimitKind(str, Enum):
    """What a counter is keyed by."""

    SUBJECT = "subject"
    CLIENT = "client"


class LimiterUnavailable(RasaSecureError):
    """The rate-limit storage could not be reached (the request is refused: fail closed)."""


def parse_limits(value: Any) -> Optional[str]:
    """An :class:`~rasa_secure.config.Option` check: ``value`` is a ``limits`` notation."""
    if not isinstance(value, str):
        return None  # the type check reports it
    try:
        limits.parse_many(value)
    except ValueError:
        return "expected a rate in the limits notation, e.g. '20/minute' or '5/second;60/hour'"
    return None


def client_pseudonym(address: Optional[str]) -> Optional[str]:
    """A keyed pseudonym of a client address (``cli_<hex>``), like subjects' ``sub_<hex>``."""
    if not address:
        return None
    value = audit.pseudonym(f"client:{address}")
    return None if value is None else "cli_" + value.split("_", 1)[1]


@dataclass(frozen=True)
class Outcome:
    """The answer of :meth:`RateLimiter.hit` or :meth:`RateLimiter.test`.

    Attributes:
        allowed: the request may go on.
        retry_after: whole seconds until the key has room again (0 when allowed).
    """

    allowed: bool
    retry_after: int = 0


class RateLimiter:
    """Counters per subject and per client address in one ``limits`` storage.

    Args:
        subject_limit: limits notation for authenticated requests per subject, or ``None``.
        client_limit: limits notation for failed authentications per client address.
        storage_uri: ``memory://`` (one process) or a Redis URI shared by replicas.
        strategy: moving or fixed window.
        namespace: first part of every key (separates deployments sharing one Redis).
    """

    def __init__(
        self,
        subject_limit: Optional[str],
        client_limit: str,
        *,
        storage_uri: str = "memory://",
        strategy: Strategy = Strategy.MOVING_WINDOW,
        namespace: str = "rasa_secure",
    ) -> None:
        options = {}
        if not storage_uri.startswith("memory://"):
            options = {
                "socket_timeout": STORAGE_TIMEOUT_SECONDS,
                "socket_connect_timeout": STORAGE_TIMEOUT_SECONDS,
            }
        self.storage = limits.storage.storage_from_string(storage_uri, **options)
        kind = (
            limits.strategies.MovingWindowRateLimiter
            if strategy is Strategy.MOVING_WINDOW
            else limits.strategies.FixedWindowRateLimiter
        )
        self._limiter = kind(self.storage)
        self.namespace = namespace
        self._items = {
            LimitKind.SUBJECT: tuple(limits.parse_many(subject_limit)) if subject_limit else (),
            LimitKind.CLIENT: tuple(limits.parse_many(client_limit)),
        }

    def hit(self, kind: LimitKind, key: Optional[str]) -> Outcome:
        """Count one request for ``key``; refused when any of its limits is exhausted.

        Raises:
            LimiterUnavailable: the storage failed.
        """
        return self._run(kind, key, count=True)

    def test(self, kind: LimitKind, key: Optional[str]) -> Outcome:
        """Whether ``key`` is within its limits, without counting a request.

        Raises:
            LimiterUnavailable: the storage failed.
        """
        return self._run(kind, key, count=False)

    def _run(self, kind: LimitKind, key: Optional[str], *, count: bool) -> Outcome:
        items = self._items[kind]
        if not items:
            return Outcome(True)
        identifiers = self._identifiers(kind, key)
        try:
            for item in items:
                ok = (
                    self._limiter.hit(item, *identifiers)
                    if count
                    else self._limiter.test(item, *identifiers)
                )
                if not ok:
                    return Outcome(False, self._retry_after(item, identifiers))
        except Exception as error:  # redis errors, timeouts: fail closed
            problem = f"rate-limit storage failed ({type(error).__name__})"
            raise LimiterUnavailable(problem) from None
        return Outcome(True)

    def _identifiers(self, kind: LimitKind, key: Optional[str]) -> Tuple[str, ...]:
        if kind is LimitKind.SUBJECT:
            hidden = audit.pseudonym(key) or "none"
        else:
            hidden = client_pseudonym(key) or "unknown"
        return (self.namespace, kind.value, hidden)

    def _retry_after(self, item: Any, identifiers: Sequence[str]) -> int:
        reset, _ = self._limiter.get_window_stats(item, *identifiers)
        return max(1, math.ceil(reset - time.time()))
