"""The one way rasa_secure opens Redis for state that replicas share.

Rate limits, anomaly windows and automatic responses, and the nonces of signed webhooks live
in memory for one process (``memory://``) or in Redis for every replica. Each opens its client
here, with short timeouts so that an unreachable store fails fast (and its caller fails
closed) instead of stalling the event loop.
"""

from __future__ import annotations

from typing import Any, Optional

from rasa_secure.errors import ConfigError

STORAGE_TIMEOUT_SECONDS = 1.0
"""Connect and read timeout of every shared-state client."""

MEMORY = "memory://"


def storage_problem(value: Any) -> Optional[str]:
    """An option check: ``memory://`` or a ``redis://``/``rediss://`` URL."""
    if value == MEMORY or (isinstance(value, str) and value.startswith(("redis://", "rediss://"))):
        return None
    return "expected memory:// (this process only) or a redis:// URL shared by every replica"


def redis_client(url: str, *, key: str) -> Any:
    """A Redis client on ``url`` with short timeouts.

    Raises:
        ConfigError: naming ``key``, when the ``redis`` package is not installed.
    """
    try:
        import redis  # type: ignore[import-untyped]
    except ImportError as error:
        raise ConfigError(key, "a Redis storage needs the redis package") from error
    return redis.Redis.from_url(
        url,
        socket_timeout=STORAGE_TIMEOUT_SECONDS,
        socket_connect_timeout=STORAGE_TIMEOUT_SECONDS,
    )
