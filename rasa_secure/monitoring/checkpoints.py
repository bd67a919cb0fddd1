"""Audit checkpoints in Redis: the shared store as the second place that anchors the chains.

:class:`RedisCheckpointHandler` is a logging handler for the checkpoint logger
(``rasa_secure.audit.checkpoint``): it keeps each writer's latest checkpoint in one Redis hash
(field: writer id, value: the signed checkpoint as JSON), so a replica's audit log cut off on
its own host still shows against the store. ``rasa-secure audit verify --checkpoints-redis
URL`` reads them back (:func:`read_checkpoints`). The checkpoints are signed: a writer to
Redis without the audit key cannot forge one, only delete it (which verify cannot see: keep
the file or stream of checkpoints too).

In a logging YAML::

    handlers:
      audit_checkpoints_redis:
        (): rasa_secure.monitoring.checkpoints.RedisCheckpointHandler
        url: redis://redis:6379/0
    loggers:
      rasa_secure.audit.checkpoint:
        handlers: [audit_checkpoints, audit_checkpoints_redis]
"""

from __future__ import annotations

import json
import logging
from typing import Any, List, Optional

from rasa_secure.core.identity import audit
from rasa_secure.errors import ConfigError

DEFAULT_KEY = "rasa_secure:audit:checkpoints"
"""The Redis hash of the latest checkpoint of each writer."""


def _client(url: str) -> Any:
    try:
        import redis  # type: ignore[import-untyped]
    except ImportError as error:
        raise ConfigError("url", "checkpoints in Redis need the redis package") from error
    return redis.Redis.from_url(url, socket_timeout=2.0)


class RedisCheckpointHandler(logging.Handler):
    """Stores the checkpoint of each record it handles as its writer's latest in Redis.

    Args:
        url: the Redis URL (``redis://host:6379/0``, ``rediss://`` for TLS).
        key: the hash (default :data:`DEFAULT_KEY`).
        level: the handler's level.
    """

    def __init__(self, url: str, key: str = DEFAULT_KEY, level: int = logging.INFO) -> None:
        super().__init__(level)
        self.key = key
        self._redis: Optional[Any] = None
        self._url = url

    def emit(self, record: logging.LogRecord) -> None:
        """Store the record's checkpoint; a record that carries none is ignored."""
        point = getattr(record, audit.CHECKPOINT_ATTRIBUTE, None)
        if not isinstance(point, dict):
            return
        try:
            if self._redis is None:
                self._redis = _client(self._url)
            self._redis.hset(self.key, str(point["writer"]), json.dumps(point, sort_keys=True))
        except Exception:
            self.handleError(record)


def read_checkpoints(url: str, key: str = DEFAULT_KEY) -> List[str]:
    """The stored checkpoints as JSON lines, in writer order (for ``audit verify``)."""
    stored = _client(url).hgetall(key)
    return [stored[writer].decode("utf-8") for writer in sorted(stored)]
