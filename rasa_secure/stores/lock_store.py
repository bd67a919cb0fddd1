"""``SecureLockStore``: any Rasa lock store, keyed by conversation pseudonyms.

Rasa locks each conversation while it handles a message; a Redis lock store writes the
conversation id into its keys (``lock:<sender id>``), which is the phone number on a Twilio or
WhatsApp channel. This wrapper hands the inner lock store the same keyed pseudonym the secure
tracker store stores the conversation under (``pseudonymous_ids``), so every replica locks the
same conversation and no raw id reaches Redis::

    lock_store:
      type: rasa_secure.stores.lock_store.SecureLockStore
      inner: {type: redis, url: localhost, port: 6379, db: 1}

The key comes from ``RASA_SECURE_PSEUDONYM_KEY`` (``pseudonym_key_env``); without it the store
refuses to start.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from rasa_secure.config import Option, OptionSpec, resolve
from rasa_secure.errors import ConfigError, DependencyMissingError
from rasa_secure.stores.lifecycle import LIFECYCLE_OPTIONS, conversation_pseudonym, pseudonym_key

try:
    from rasa.core.lock import TicketLock
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig
except ImportError:  # pragma: no cover - depends on the installation
    raise DependencyMissingError("rasa", "pip install 'rasa-secure[nlu]'") from None

COMPONENT = "SecureLockStore"

LOCK_OPTIONS: OptionSpec = {
    "inner": Option({}, "the wrapped lock store, as Rasa's lock_store endpoint config", dict),
    "pseudonym_key_env": LIFECYCLE_OPTIONS["pseudonym_key_env"],
}
"""Configuration of :class:`SecureLockStore` (the keys of its ``endpoints.yml`` entry)."""


class SecureLockStore(LockStore):
    """Lock conversations under their keyed pseudonyms in the wrapped lock store.

    Attributes:
        inner: the wrapped lock store, created by Rasa's factory.
    """

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None) -> None:
        """Validate the entry and create the inner lock store.

        Raises:
            ConfigError: an invalid option, a ``url`` at this level, a secure lock store
                inside, or no pseudonym key.
        """
        config = endpoint_config or EndpointConfig()
        if config.url is not None:
            raise ConfigError(f"{COMPONENT}.url", "put the inner lock store's url under 'inner'")
        settings = resolve(LOCK_OPTIONS, config.kwargs, owner=COMPONENT)
        key = pseudonym_key({**settings, "pseudonymous_ids": True}, COMPONENT)
        assert key is not None  # pseudonym_key raises instead
        self._key = key
        inner: Dict[str, Any] = settings["inner"]
        if str(inner.get("type", "")).rsplit(".", 1)[-1] == type(self).__name__:
            raise ConfigError(f"{COMPONENT}.inner.type", "a secure lock store cannot wrap another")
        self.inner = LockStore.create(EndpointConfig.from_dict(inner) if inner else None)
        super().__init__()

    def _stored(self, conversation_id: str) -> str:
        return conversation_pseudonym(conversation_id, self._key)

    def create_lock(self, conversation_id: str) -> TicketLock:
        """A new lock, named by the conversation's pseudonym."""
        return TicketLock(self._stored(conversation_id))

    def get_lock(self, conversation_id: str) -> Optional[TicketLock]:
        """The inner store's lock of the conversation's pseudonym."""
        lock: Optional[TicketLock] = self.inner.get_lock(self._stored(conversation_id))
        return lock

    def delete_lock(self, conversation_id: str) -> None:
        """Delete the lock of the conversation's pseudonym."""
        self.inner.delete_lock(self._stored(conversation_id))

    def save_lock(self, lock: TicketLock) -> None:
        """Save ``lock`` (always named by a pseudonym: see :meth:`create_lock`)."""
        self.inner.save_lock(lock)
