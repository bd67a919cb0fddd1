"""The secure tracker store named by an ``endpoints.yml``, for the data lifecycle commands.

``rasa-secure erase``, ``export`` and ``retention`` open the store the assistant uses, from
the same ``endpoints.yml`` (its ``${VARIABLES}`` expanded from the environment, like Rasa
does) and the same keys (``RASA_SECURE_KEYS``, the pseudonym key): whoever runs them needs
the keyring, which is what allows an operator to decrypt.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, Optional

from rasa_secure.errors import ConfigError

if TYPE_CHECKING:
    from rasa_secure.stores.tracker_store import SecureTrackerStore


def add_endpoints_argument(parser: argparse.ArgumentParser) -> None:
    """Register ``--endpoints``."""
    parser.add_argument(
        "--endpoints",
        default="endpoints.yml",
        help="the assistant's endpoints.yml (its tracker_store must be a SecureTrackerStore)",
    )


def open_store(path: str) -> SecureTrackerStore:
    """The secure tracker store configured in ``path``.

    Raises:
        ConfigError: the file is missing, has no tracker store, or not a secure one.
    """
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    from rasa_secure.stores.tracker_store import SecureTrackerStore

    try:
        config = read_endpoint_config(path, "tracker_store")
    except Exception as error:  # YAML and environment errors have no common base
        raise ConfigError(path, f"cannot read it ({type(error).__name__})") from error
    if config is None:
        raise ConfigError(path, "no tracker_store in this endpoints file (or no such file)")
    store = TrackerStore.create(config)
    if not isinstance(store, SecureTrackerStore):
        raise ConfigError(f"{path}.tracker_store.type", "must be a SecureTrackerStore")
    return store


def open_sql_broker(path: str) -> Optional[Any]:
    """Rasa's ``SQLEventBroker`` the ``event_broker`` of ``path`` writes to (itself, or the
    inner broker of a ``SecureEventBroker``); ``None`` for no broker or another kind.

    Raises:
        ConfigError: the file cannot be read.
    """
    from rasa.core.brokers.sql import SQLEventBroker
    from rasa.utils.endpoints import read_endpoint_config

    try:
        config = read_endpoint_config(path, "event_broker")
    except Exception as error:  # YAML and environment errors have no common base
        raise ConfigError(path, f"cannot read it ({type(error).__name__})") from error
    if config is None:
        return None
    entry = {"type": config.type, "url": config.url, **config.kwargs}
    if str(entry["type"]).endswith("SecureEventBroker"):
        entry = dict(entry.get("inner") or {})
    if str(entry.pop("type", "")).lower() != "sql":
        return None
    return SQLEventBroker(host=entry.pop("url", None), **entry)
