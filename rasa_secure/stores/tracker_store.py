"""``SecureTrackerStore``: any Rasa tracker store, with no raw PII at rest.

Configured in ``endpoints.yml``; the store it wraps is created by Rasa's own factory from
``inner``, so every Rasa tracker store works (in-memory, SQL on SQLite or PostgreSQL, Redis,
Mongo, Dynamo, custom)::

    tracker_store:
      type: rasa_secure.stores.tracker_store.SecureTrackerStore
      inner: {type: SQL, dialect: sqlite, db: rasa.db}
      sensitive_slots: [email]
      pii: {detector: {spacy_model: null}}

Saving: every event not yet stored is made safe by the shared
:class:`~rasa_secure.stores.events.EventSanitizer` (texts and entity values redacted, sensitive
slots encrypted) and the inner store saves a tracker made of the safe events. Retrieving:
the inner store's tracker comes back with sensitive slots decrypted, in its events and in its
slot values, so forms keep their filled slots although Rasa reloads the tracker for every
message. Redacted texts and slots stay redacted.

What decides redaction travels with the conversation, never only in this process: values
learned from a user message (names the NLU component's NER found, sensitive entities) are
sealed, encrypted and bound to the conversation, into that message's stored metadata
(:data:`~rasa_secure.stores.events.KNOWN_VALUES_KEY`), and a session start carries the
conversation's whole record. Retrieving reads them back, so another replica, or this one after
a restart, redacts "Thanks, Ada Byron!" like the process that saw the name. The store therefore
needs a keyring (``RASA_SECURE_KEYS``) even when no slot is sensitive.

Rasa's own metadata on every event (``model_id``, ``assistant_id``) is kept in clear when it
equals the tracker's own value and has the expected shape
(:data:`~rasa_secure.stores.events.TRUSTED_METADATA`); anything else under those keys (message
metadata comes from the client) is redacted like any string.

Each safe event is remembered against the event object it came from (weakly, so nothing
outlives the tracker), and every event read back is remembered against what is stored. A
tracker that is read, extended and saved therefore costs detection only for its new events,
and an encrypted slot is written back with the very ciphertext it was read from, so stores that
compare or merge events (Redis) see no change.
"""

from __future__ import annotations

import copy
import json
import logging
import weakref
from collections import deque
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

from rasa_secure.config import Option, OptionSpec, resolve
from rasa_secure.errors import ConfigError, DependencyMissingError
from rasa_secure.stores.event_broker import store_feed
from rasa_secure.stores.events import EventSanitizer
from rasa_secure.stores.lifecycle import (
    LIFECYCLE_OPTIONS,
    conversation_pseudonym,
    key_table,
    pseudonym_key,
    without_identity,
)
from rasa_secure.stores.metadata import trusted_metadata
from rasa_secure.stores.options import OPTIONS
from rasa_secure.stores.subject_keys import SubjectKeys
from rasa_secure.stores.vault import KNOWN_VALUES_KEY, ciphertext_of, holds_ciphertext
from rasa_secure.stores.wrapper import check_inner, sanitizer_for

try:
    from rasa.core.brokers.broker import EventBroker
    from rasa.core.tracker_store import (
        AwaitableTrackerStore,
        DynamoTrackerStore,
        InMemoryTrackerStore,
        RedisTrackerStore,
        SQLTrackerStore,
        TrackerStore,
    )
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import (
        Event,
        SessionStarted,
        SlotSet,
        StoryExported,
        UserUttered,
    )
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig
except ImportError:  # pragma: no cover - depends on the installation
    raise DependencyMissingError("rasa", "pip install 'rasa-secure[nlu]'") from None

logger = logging.getLogger(__name__)

COMPONENT = "SecureTrackerStore"
IN_MEMORY_TYPES = (None, "", "in_memory", "inmemory", "memory")
"""``inner.type`` values that mean Rasa's ``InMemoryTrackerStore``."""

_EVENT_ONLY_STORES = (InMemoryTrackerStore, SQLTrackerStore, RedisTrackerStore, DynamoTrackerStore)
"""Stores that persist only a tracker's events (so a tracker whose events were swapped for
their safe versions suffices). Any other store, subclasses included (they may persist slots or
the latest message), gets a tracker rebuilt from the safe events."""

STORE_OPTIONS: OptionSpec = {
    "inner": Option({}, "the wrapped tracker store, as Rasa's tracker_store endpoint config", dict),
    **OPTIONS,
    **LIFECYCLE_OPTIONS,
}
"""Configuration of :class:`SecureTrackerStore` (the keys of its ``endpoints.yml`` entry)."""


class _Memo:
    """Event object -> the event that is (or will be) stored for it.

    Weak on the key, so an entry dies with its tracker. An event stored as itself is
    recorded as ``None``: a strong reference to the key would keep it alive forever.
    """

    def __init__(self) -> None:
        self._entries: Dict[int, Tuple[weakref.ref[Event], Optional[Event]]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, event: Event) -> Optional[Event]:
        entry = self._entries.get(id(event))
        if entry is None or entry[0]() is not event:
            return None
        return event if entry[1] is None else entry[1]

    def put(self, event: Event, stored: Event) -> None:
        key = id(event)
        entries = self._entries

        def forget(ref: weakref.ref[Event]) -> None:
            entry = entries.get(key)
            if entry is not None and entry[0] is ref:
                del entries[key]

        entries[key] = (weakref.ref(event, forget), None if stored is event else stored)


class SecureTrackerStore(TrackerStore):
    """Wrap a Rasa tracker store so that nothing is persisted with raw PII.

    A :class:`~rasa_secure.stores.wrapper.StoreWrapper`: it follows the contract stated there.

    Attributes:
        inner: the wrapped tracker store.
        sanitizer: the shared event sanitizer (also used by the secure event broker).
    """

    def __init__(
        self,
        domain: Domain | None = None,
        event_broker: EventBroker | None = None,
        host: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Validate the configuration and create the inner store with Rasa's factory.

        Rasa calls this with the ``endpoints.yml`` entry's keys as keyword arguments.

        Args:
            domain: the assistant's domain (Rasa sets it again once the model is loaded).
            event_broker: the event broker; the inner store publishes the safe events to it
                (to a :class:`~rasa_secure.stores.event_broker.StoreFeed` of a secure one).
            host: the entry's ``url``; not ours (the inner store's url goes under ``inner``).
            **kwargs: see :data:`STORE_OPTIONS`.

        Raises:
            ConfigError: an invalid option, a ``url`` at the wrong level, no keyring in
                ``RASA_SECURE_KEYS`` (or ``keys_env``), or an inner store that is a secure
                store.
        """
        own = ("inner", *LIFECYCLE_OPTIONS)
        self.sanitizer = sanitizer_for(
            kwargs, component=COMPONENT, url=host, noun="store", ignore=own
        )
        mine = {key: value for key, value in kwargs.items() if key in LIFECYCLE_OPTIONS}
        lifecycle = resolve(LIFECYCLE_OPTIONS, mine, owner=COMPONENT)
        if self.sanitizer.keyring is None:
            raise ConfigError(
                f"{COMPONENT}.keys_env",
                f"{self.sanitizer.settings['keys_env']} is not set: the values a conversation"
                " must keep redacted (names found by NER, sensitive entities) are stored with"
                " it, encrypted, so that every replica and restart redacts them too; generate"
                " a key with 'rasa-secure keygen'",
            )
        inner = kwargs.get("inner") or {}
        if not isinstance(inner, Mapping):
            raise ConfigError(f"{COMPONENT}.inner", "expected a tracker store configuration")
        self._pseudonym_key = pseudonym_key(lifecycle, COMPONENT)
        pseudonymous = self._pseudonym_key is not None
        self._feed = store_feed(event_broker, self.sanitizer, pseudonymous=pseudonymous)
        self.inner = _create_inner(inner, domain, self._feed or event_broker)
        self.unwrapped = _unwrap(self.inner)
        self.retention: Dict[str, float] = lifecycle["retention"]
        if lifecycle["subject_keys"]:
            table = key_table(self.unwrapped)
            self.sanitizer.vault.use_subject_keys(SubjectKeys(table, self.sanitizer.keyring))
        _expire_redis(self.unwrapped, self.retention)
        self._memo = _Memo()
        super().__init__(domain, event_broker)

    @property
    def domain(self) -> Domain:
        """The domain of the inner store."""
        return self.inner.domain

    @domain.setter
    def domain(self, domain: Domain | None) -> None:
        self.inner.domain = domain

    def stored_id(self, sender_id: str) -> str:
        """The id the conversation ``sender_id`` is stored under: its keyed pseudonym when
        ``pseudonymous_ids`` is on, else itself."""
        if self._pseudonym_key is None:
            return sender_id
        return conversation_pseudonym(sender_id, self._pseudonym_key)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Save the safe version of ``tracker``; redaction never makes this raise."""
        self.inner.max_event_history = self.max_event_history
        stored_id = self.stored_id(tracker.sender_id)
        if self._feed is not None:
            self._feed.observe(stored_id, tracker)  # a SecureEventBroker's consent gate
        if stored_id != tracker.sender_id:
            tracker = copy.copy(tracker)
            tracker.sender_id = stored_id
        await self.inner.save(self._safe_tracker(tracker))

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session of a conversation, with sensitive slots decrypted."""
        self.inner.max_event_history = self.max_event_history
        stored = await self.inner.retrieve(self.stored_id(sender_id))
        return self._restore(stored, sender_id)

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        """Every session of a conversation, with sensitive slots decrypted."""
        self.inner.max_event_history = self.max_event_history
        stored = await self.inner.retrieve_full_tracker(self.stored_id(conversation_id))
        return self._restore(stored, conversation_id)

    async def exists(self, conversation_id: str) -> bool:
        """Whether the inner store holds the conversation (nothing is decrypted)."""
        return bool(await self.inner.exists(self.stored_id(conversation_id)))

    async def keys(self) -> Iterable[str]:
        """The conversation ids of the inner store (pseudonyms with ``pseudonymous_ids``)."""
        keys: Iterable[str] = await self.inner.keys()
        return keys

    async def rotate_keys(self) -> int:
        """Re-encrypt every stored sensitive slot under the current key of the keyring.

        Put the new key first in ``RASA_SECURE_KEYS`` (keep the old one), restart, run this
        (e.g. from a maintenance script), then drop the old key. Supported for SQL, in-memory
        and Redis inner stores, whose stored JSON is rewritten in place.

        Returns:
            The number of stored values re-encrypted.

        Raises:
            ConfigError: the inner store type is not supported.
            CryptoError: a stored value cannot be decrypted with the keyring.
        """
        store = self.unwrapped
        keys = self.sanitizer.vault.subject_keys
        rewrapped = keys.rewrap() if keys is not None else 0
        if isinstance(store, SQLTrackerStore):
            return rewrapped + _rotate_sql(store, self.sanitizer)
        if isinstance(store, InMemoryTrackerStore):
            return rewrapped + _rotate_mapping(store.store, self.sanitizer)
        if isinstance(store, RedisTrackerStore):
            return rewrapped + _rotate_redis(store, self.sanitizer)
        raise ConfigError(
            f"{COMPONENT}.inner.type",
            f"key rotation is not supported for {type(store).__name__}",
            ("SQL", "in_memory", "redis"),
        )

    # --- saving ------------------------------------------------------------------------

    def _safe_tracker(self, tracker: DialogueStateTracker) -> DialogueStateTracker:
        scope = tracker.sender_id
        events = list(tracker.events)
        safe_events: List[Event] = []
        pending: List[Tuple[int, Dict[str, Any], Dict[str, str]]] = []
        for index, event in enumerate(events):
            safe = self._memo.get(event)
            if safe is None:
                raw = event.as_dict()
                learned = self.sanitizer.learn(raw, scope=scope)  # before any text is redacted
                pending.append((index, raw, learned))
            safe_events.append(safe or event)
        trusted = trusted_metadata(
            {"model_id": tracker.model_id, "assistant_id": tracker.assistant_id}
        )
        for index, raw, learned in pending:
            record = self._record(raw, learned, scope)
            safe_events[index] = self._safe_event(events[index], raw, scope, trusted, record)
            self._memo.put(events[index], safe_events[index])
        changed = any(safe is not event for safe, event in zip(safe_events, events))
        if not changed:
            return tracker
        if type(self.unwrapped) in _EVENT_ONLY_STORES:
            clone = copy.copy(tracker)
            clone.events = deque(safe_events, maxlen=tracker.events.maxlen)
            return clone
        return DialogueStateTracker.from_events(
            tracker.sender_id,
            safe_events,
            slots=tracker.slots.values(),
            max_event_history=tracker.events.maxlen,
        )

    def _record(self, raw: Dict[str, Any], learned: Dict[str, str], scope: str) -> str | None:
        """The sealed record of sensitive values to store with this event, if any.

        A user message carries what was learned from it (NLU findings, sensitive entities); a
        session start carries everything known about the conversation, because Rasa reads
        back only the latest session.
        """
        kind = raw.get("event")
        if kind == "user":
            return self.sanitizer.seal(learned, scope=scope)
        if kind == "session_started":
            return self.sanitizer.seal(self.sanitizer.known_values(scope), scope=scope)
        return None

    def _safe_event(
        self,
        event: Event,
        raw: Dict[str, Any],
        scope: str,
        trusted: Mapping[str, str],
        record: str | None,
    ) -> Event:
        """The event to persist for ``event`` (``event`` itself when nothing needs changing)."""
        kept = raw if self._pseudonym_key is None else without_identity(raw)
        result = self.sanitizer.sanitize(kept, scope=scope, trusted=trusted, learned=True)
        metadata = raw.get("metadata")
        carried = isinstance(metadata, Mapping) and KNOWN_VALUES_KEY in metadata
        if not result.changed and record is None and not carried and kept is raw:
            return event
        for candidate in (result.event, self.sanitizer.tombstone(kept)):
            try:
                safe = Event.from_parameters(_with_record(candidate, record))
            except Exception:  # noqa: S112 - try the tombstone next
                continue
            if safe is not None:
                return safe
        logger.error("%s: a %s event was stored as a marker", COMPONENT, type(event).__name__)
        return StoryExported(timestamp=event.timestamp, metadata={"rasa_secure": "unsanitizable"})

    # --- reading -----------------------------------------------------------------------

    def _restore(
        self, stored: DialogueStateTracker | None, sender_id: str
    ) -> DialogueStateTracker | None:
        """Decrypt sensitive slots in ``stored`` (events and current values), in place, and
        give it back its ``sender_id`` (it was stored under :meth:`stored_id`)."""
        if stored is None:
            return None
        self._decrypt_slots(stored)
        stored.sender_id = sender_id
        return stored

    def _decrypt_slots(self, stored: DialogueStateTracker) -> None:
        clear: Dict[str, Any] = {}
        events = list(stored.events)
        restored = False
        for index, event in enumerate(events):
            record = event.metadata.get(KNOWN_VALUES_KEY) if event.metadata else None
            if record is not None:
                self.sanitizer.learn(
                    {"metadata": {KNOWN_VALUES_KEY: record}}, scope=stored.sender_id
                )
            if isinstance(event, SlotSet) and holds_ciphertext(event.value):
                value = self._clear_value(event.key, event.value, stored.sender_id, clear)
                plain = SlotSet(
                    event.key, value, timestamp=event.timestamp, metadata=event.metadata
                )
                self._memo.put(plain, event)
                events[index] = plain
                restored = True
            else:
                self._memo.put(event, event)
        if restored:
            stored.events = deque(events, maxlen=stored.events.maxlen)
        for slot in stored.slots.values():
            if holds_ciphertext(slot.value):
                slot.value = self._clear_value(slot.name, slot.value, stored.sender_id, clear)

    def _clear_value(self, name: str, value: Any, sender_id: str, clear: Dict[str, Any]) -> Any:
        token = ciphertext_of(value)
        if token not in clear:
            clear[str(token)] = self.sanitizer.restore_slot(name, value, scope=sender_id)
            self.sanitizer.remember(name, clear[str(token)], scope=sender_id)
        return copy.deepcopy(clear[str(token)])


def _with_record(event: Dict[str, Any], record: str | None) -> Dict[str, Any]:
    """``event`` whose metadata holds ``record`` as its only sealed record (or none)."""
    metadata = event.get("metadata")
    metadata = dict(metadata) if isinstance(metadata, Mapping) else {}
    metadata.pop(KNOWN_VALUES_KEY, None)
    if record is not None:
        metadata[KNOWN_VALUES_KEY] = record
    return {**event, "metadata": metadata}


def _create_inner(
    config: Mapping[str, Any], domain: Domain | None, event_broker: EventBroker | None
) -> TrackerStore:
    """The inner store, created by Rasa's own factory from its endpoint config."""
    kind = config.get("type", config.get("store_type"))
    check_inner(kind, SecureTrackerStore, component=COMPONENT, noun="store")
    if kind is None or (isinstance(kind, str) and kind.lower() in IN_MEMORY_TYPES):
        return InMemoryTrackerStore(domain or Domain.empty(), event_broker)
    return TrackerStore.create(EndpointConfig.from_dict(dict(config)), domain, event_broker)


def _expire_redis(store: TrackerStore, retention: Mapping[str, float]) -> None:
    """Let Redis expire conversations idle for a day longer than the tracker events'
    retention period: a daily ``retention apply`` deletes them first, with their data keys
    (a conversation Redis expires leaves its key in the key table)."""
    days = retention.get("tracker_events")
    if isinstance(store, RedisTrackerStore) and days and not store.record_exp:
        store.record_exp = (days + 1) * 86_400


def _unwrap(store: TrackerStore) -> TrackerStore:
    while isinstance(store, AwaitableTrackerStore):
        store = store._tracker_store
    return store


def _rotate_json(data: str, sanitizer: EventSanitizer, scope: str) -> Tuple[str, int]:
    """Rotate the ciphertexts in a stored JSON event or dialogue (``{"events": [...]}``)."""
    parsed = json.loads(data)
    events: List[Any] = [parsed]
    if isinstance(parsed, dict) and isinstance(parsed.get("events"), list):
        events = parsed["events"]
    count = sum(
        sanitizer.rotate_event(event, scope=scope) for event in events if isinstance(event, dict)
    )
    return (json.dumps(parsed), count) if count else (data, 0)


_SEALED_TYPES = (SlotSet.type_name, UserUttered.type_name, SessionStarted.type_name)
"""Event types whose stored form may hold a ciphertext (a slot value, a sealed record)."""


def _rotate_sql(store: SQLTrackerStore, sanitizer: EventSanitizer) -> int:
    count = 0
    with store.session_scope() as session:
        rows = session.query(store.SQLEvent).filter(store.SQLEvent.type_name.in_(_SEALED_TYPES))
        for row in rows:
            row.data, rotated = _rotate_json(row.data, sanitizer, row.sender_id)
            count += rotated
        session.commit()
    return count


def _rotate_mapping(mapping: Dict[str, str], sanitizer: EventSanitizer) -> int:
    count = 0
    for key, data in list(mapping.items()):
        mapping[key], rotated = _rotate_json(data, sanitizer, key)
        count += rotated
    return count


def _rotate_redis(store: RedisTrackerStore, sanitizer: EventSanitizer) -> int:
    count = 0
    for key in store.red.keys(store.key_prefix + "*"):
        data = store.red.get(key)
        if data is None:
            continue
        name = key.decode() if isinstance(key, bytes) else str(key)
        rotated_data, rotated = _rotate_json(data, sanitizer, name[len(store.key_prefix) :])
        if rotated:
            store.red.set(key, rotated_data, keepttl=True)
            count += rotated
    return count
