"""``SecureEventBroker``: any Rasa event broker, publishing only redacted events.

Configured in ``endpoints.yml``; the broker it wraps is created by Rasa's own factory from
``inner`` (Pika/RabbitMQ, Kafka, SQL, file or a custom broker)::

    event_broker:
      type: rasa_secure.stores.event_broker.SecureEventBroker
      inner: {type: pika, url: localhost, username: guest, password: guest, queues: [rasa_events]}
      sensitive_slots: [email]
      pii: {detector: {spacy_model: null}}
      consent_slot: consent        # optional: publish a conversation only with consent
      pseudonymous_ids: true       # optional: publish keyed pseudonyms, never sender ids

Every event is passed through the same :class:`~rasa_secure.stores.events.EventSanitizer` the
secure tracker store uses (same options, same rules) before it reaches the inner broker.
Sanitizing never raises: an event that cannot be made safe is published as a tombstone.
With ``consent_slot``, a :class:`~rasa_secure.stores.consent.ConsentGate` decides first
whether the event may leave at all (see that module for exactly what leaves without consent).
With ``pseudonymous_ids``, the event leaves under the keyed pseudonym of its ``sender_id``
(:func:`~rasa_secure.stores.lifecycle.conversation_pseudonym`, the secure tracker store's) and
without the channel's identity record.

A secure tracker store publishes through a :class:`StoreFeed` of this broker: its events are
already safe (sanitized once, by the store, when both have the same options) and, with the
store's ``pseudonymous_ids``, already under the pseudonym (never a pseudonym of a pseudonym).
"""

from __future__ import annotations

from asyncio import AbstractEventLoop
from typing import Any, Dict

from rasa_secure.config import OptionSpec, resolve
from rasa_secure.errors import ConfigError, DependencyMissingError
from rasa_secure.stores.consent import CONSENT_OPTIONS, ConsentGate
from rasa_secure.stores.events import EventSanitizer
from rasa_secure.stores.lifecycle import (
    PSEUDONYM_OPTIONS,
    conversation_pseudonym,
    pseudonym_key,
    without_identity,
)
from rasa_secure.stores.options import OPTIONS
from rasa_secure.stores.wrapper import check_inner, sanitizer_for

try:
    from rasa.core.brokers.broker import EventBroker
    from rasa.utils.endpoints import EndpointConfig
except ImportError:  # pragma: no cover - depends on the installation
    raise DependencyMissingError("rasa", "pip install 'rasa-secure[nlu]'") from None

COMPONENT = "SecureEventBroker"

BROKER_OPTIONS: OptionSpec = {**OPTIONS, **CONSENT_OPTIONS, **PSEUDONYM_OPTIONS}
"""The broker's options: the sanitizer's and the pseudonyms' (shared with the tracker store)
and the consent gate's."""


class SecureEventBroker(EventBroker):
    """Redact events, then hand them to the wrapped broker.

    A :class:`~rasa_secure.stores.wrapper.StoreWrapper`: it follows the contract stated there.

    Attributes:
        inner: the wrapped broker.
        sanitizer: the shared event sanitizer.
        gate: decides which events may leave (all of them without ``consent_slot``).
        pseudonym_key: the key of conversation pseudonyms (``pseudonymous_ids``), else ``None``.
    """

    def __init__(
        self,
        inner: EventBroker,
        sanitizer: EventSanitizer,
        gate: ConsentGate | None = None,
        pseudonym_key: bytes | None = None,
    ) -> None:
        """Wrap ``inner``; Rasa builds it through :meth:`from_endpoint_config`."""
        if isinstance(inner, SecureEventBroker):
            raise ConfigError(f"{COMPONENT}.inner", "a secure broker cannot wrap another one")
        self.inner = inner
        self.sanitizer = sanitizer
        self.gate = gate or ConsentGate(None, frozenset())
        self.pseudonym_key = pseudonym_key

    @classmethod
    async def from_endpoint_config(
        cls,
        broker_config: EndpointConfig,
        event_loop: AbstractEventLoop | None = None,
    ) -> SecureEventBroker:
        """Validate the ``endpoints.yml`` entry and create the inner broker with Rasa's factory.

        Raises:
            ConfigError: an invalid option, a ``url`` at the wrong level, a missing or unknown
                inner broker, sensitive slots without ``RASA_SECURE_KEYS``, or
                ``pseudonymous_ids`` without ``RASA_SECURE_PSEUDONYM_KEY``.
            rasa.shared.exceptions.ConnectionException: the inner broker cannot connect.
        """
        options = dict(broker_config.kwargs)
        sanitizer = sanitizer_for(
            options,
            component=COMPONENT,
            url=broker_config.url,
            noun="broker",
            ignore=("inner", *CONSENT_OPTIONS, *PSEUDONYM_OPTIONS),
        )
        gate = ConsentGate.from_config(options, owner=COMPONENT)
        mine = {key: value for key, value in options.items() if key in PSEUDONYM_OPTIONS}
        key = pseudonym_key(resolve(PSEUDONYM_OPTIONS, mine, owner=COMPONENT), COMPONENT)
        inner_config = options.get("inner")
        if not isinstance(inner_config, dict) or not inner_config:
            raise ConfigError(f"{COMPONENT}.inner", "the broker to wrap is required")
        kind = str(inner_config.get("type", ""))
        check_inner(kind, cls, component=COMPONENT, noun="broker")
        inner = await EventBroker.create(EndpointConfig.from_dict(dict(inner_config)), event_loop)
        if inner is None:
            raise ConfigError(f"{COMPONENT}.inner.type", f"no event broker of type {kind!r}")
        return cls(inner, sanitizer, gate, key)

    def publish(self, event: Dict[str, Any], headers: Dict[str, str] | None = None) -> None:
        """Publish the redacted version of ``event`` (a Rasa event dict with ``sender_id``),
        if the consent gate lets it through.

        Args:
            event: the event; it is not modified.
            headers: message headers, passed on to brokers that take them (Pika).
        """
        self._publish(event, headers, sanitized=False, pseudonymous=False)

    def published_id(self, sender_id: Any, *, pseudonymous: bool = False) -> str:
        """The id the events of conversation ``sender_id`` are published (and gated) under:
        its keyed pseudonym with ``pseudonymous_ids``, unless it is one already
        (``pseudonymous``), else itself; ``""`` for an id that is not a string."""
        conversation = sender_id if isinstance(sender_id, str) else ""
        if self.pseudonym_key is None or pseudonymous:
            return conversation
        return conversation_pseudonym(conversation, self.pseudonym_key)

    def _publish(
        self,
        event: Dict[str, Any],
        headers: Dict[str, str] | None,
        *,
        sanitized: bool,
        pseudonymous: bool,
    ) -> None:
        """Gate, sanitize unless ``sanitized``, pseudonymize unless ``pseudonymous``, publish.

        Sanitizing is scoped by the id the event came with: the sealed records the secure
        tracker store writes are bound to its stored id.
        """
        sender_id = event.get("sender_id")
        conversation = self.published_id(sender_id, pseudonymous=pseudonymous)
        if not self.gate.admit(event, conversation).publish:
            return
        if not sanitized:
            scope = sender_id if isinstance(sender_id, str) else ""
            event = self.sanitizer.sanitize(event, scope=scope).event
        if self.pseudonym_key is not None:
            event = without_identity(event)
            if "sender_id" in event:
                event = {**event, "sender_id": conversation}
        if headers is None:
            self.inner.publish(event)
        else:
            self.inner.publish(event, headers=headers)

    def is_ready(self) -> bool:
        """Whether the inner broker is ready."""
        return bool(self.inner.is_ready())

    async def close(self) -> None:
        """Close the inner broker."""
        await self.inner.close()


class StoreFeed(EventBroker):
    """What a secure tracker store's inner store publishes to when Rasa's broker is a
    :class:`SecureEventBroker`: the store's safe events go through the broker's consent gate
    and pseudonyms, and are sanitized by the broker only if its options differ from the
    store's.

    Attributes:
        broker: the secure broker (Rasa closes it; the feed owns nothing).
        sanitized: the store's sanitizer has the broker's settings: events are published as
            the store made them.
        pseudonymous: the store stores (and so publishes) pseudonyms already.
    """

    def __init__(self, broker: SecureEventBroker, *, sanitized: bool, pseudonymous: bool) -> None:
        """Use :func:`store_feed`."""
        self.broker = broker
        self.sanitized = sanitized
        self.pseudonymous = pseudonymous

    def publish(self, event: Dict[str, Any], headers: Dict[str, str] | None = None) -> None:
        """Publish one of the store's safe events through the broker (see the class)."""
        self.broker._publish(
            event, headers, sanitized=self.sanitized, pseudonymous=self.pseudonymous
        )

    def observe(self, stored_id: str, tracker: Any) -> None:
        """Tell the broker's consent gate the consent of the conversation the store saves as
        ``stored_id`` (``tracker``, a Rasa ``DialogueStateTracker``)."""
        conversation = self.broker.published_id(stored_id, pseudonymous=self.pseudonymous)
        self.broker.gate.observe(conversation, tracker)

    def is_ready(self) -> bool:
        """Whether the secure broker is ready."""
        return self.broker.is_ready()


def store_feed(
    broker: EventBroker | None, sanitizer: EventSanitizer, *, pseudonymous: bool
) -> StoreFeed | None:
    """The feed of ``broker`` for a secure tracker store whose events ``sanitizer`` makes safe
    (``pseudonymous``: stored under pseudonyms); ``None`` when ``broker`` is not a
    :class:`SecureEventBroker` (the store's inner store publishes to it directly)."""
    if not isinstance(broker, SecureEventBroker):
        return None
    same = broker.sanitizer.settings == sanitizer.settings
    return StoreFeed(broker, sanitized=same, pseudonymous=pseudonymous)
