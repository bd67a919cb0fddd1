"""``SecureEventBroker``: any Rasa event broker, publishing only redacted events.

Configured in ``endpoints.yml``; the broker it wraps is created by Rasa's own factory from
``inner`` (Pika/RabbitMQ, Kafka, SQL, file or a custom broker)::

    event_broker:
      type: rasa_secure.stores.event_broker.SecureEventBroker
      inner: {type: pika, url: localhost, username: guest, password: guest, queues: [rasa_events]}
      sensitive_slots: [email]
      pii: {detector: {spacy_model: null}}
      consent_slot: consent        # optional: publish a conversation only with consent

Every event is passed through the same :class:`~rasa_secure.stores.events.EventSanitizer` the
secure tracker store uses (same options, same rules) before it reaches the inner broker.
Sanitizing never raises: an event that cannot be made safe is published as a tombstone.
With ``consent_slot``, a :class:`~rasa_secure.stores.consent.ConsentGate` decides first
whether the event may leave at all (see that module for exactly what leaves without consent).
"""

from __future__ import annotations

from asyncio import AbstractEventLoop
from typing import Any, Dict

from rasa_secure.config import OptionSpec
from rasa_secure.errors import ConfigError, DependencyMissingError
from rasa_secure.stores.consent import CONSENT_OPTIONS, ConsentGate
from rasa_secure.stores.events import EventSanitizer
from rasa_secure.stores.options import OPTIONS
from rasa_secure.stores.wrapper import check_inner, sanitizer_for

try:
    from rasa.core.brokers.broker import EventBroker
    from rasa.utils.endpoints import EndpointConfig
except ImportError:  # pragma: no cover - depends on the installation
    raise DependencyMissingError("rasa", "pip install 'rasa-secure[nlu]'") from None

COMPONENT = "SecureEventBroker"

BROKER_OPTIONS: OptionSpec = {**OPTIONS, **CONSENT_OPTIONS}
"""The broker's options: the sanitizer's (shared with the tracker store) and the consent gate's."""


class SecureEventBroker(EventBroker):
    """Redact events, then hand them to the wrapped broker.

    A :class:`~rasa_secure.stores.wrapper.StoreWrapper`: it follows the contract stated there.

    Attributes:
        inner: the wrapped broker.
        sanitizer: the shared event sanitizer.
        gate: decides which events may leave (all of them without ``consent_slot``).
    """

    def __init__(
        self, inner: EventBroker, sanitizer: EventSanitizer, gate: ConsentGate | None = None
    ) -> None:
        """Wrap ``inner``; Rasa builds it through :meth:`from_endpoint_config`."""
        if isinstance(inner, SecureEventBroker):
            raise ConfigError(f"{COMPONENT}.inner", "a secure broker cannot wrap another one")
        self.inner = inner
        self.sanitizer = sanitizer
        self.gate = gate or ConsentGate(None, frozenset())

    @classmethod
    async def from_endpoint_config(
        cls,
        broker_config: EndpointConfig,
        event_loop: AbstractEventLoop | None = None,
    ) -> SecureEventBroker:
        """Validate the ``endpoints.yml`` entry and create the inner broker with Rasa's factory.

        Raises:
            ConfigError: an invalid option, a ``url`` at the wrong level, a missing or unknown
                inner broker, or sensitive slots without ``RASA_SECURE_KEYS``.
            rasa.shared.exceptions.ConnectionException: the inner broker cannot connect.
        """
        options = dict(broker_config.kwargs)
        sanitizer = sanitizer_for(
            options,
            component=COMPONENT,
            url=broker_config.url,
            noun="broker",
            ignore=("inner", *CONSENT_OPTIONS),
        )
        gate = ConsentGate.from_config(options, owner=COMPONENT)
        inner_config = options.get("inner")
        if not isinstance(inner_config, dict) or not inner_config:
            raise ConfigError(f"{COMPONENT}.inner", "the broker to wrap is required")
        kind = str(inner_config.get("type", ""))
        check_inner(kind, cls, component=COMPONENT, noun="broker")
        inner = await EventBroker.create(EndpointConfig.from_dict(dict(inner_config)), event_loop)
        if inner is None:
            raise ConfigError(f"{COMPONENT}.inner.type", f"no event broker of type {kind!r}")
        return cls(inner, sanitizer, gate)

    def publish(self, event: Dict[str, Any], headers: Dict[str, str] | None = None) -> None:
        """Publish the redacted version of ``event`` (a Rasa event dict with ``sender_id``),
        if the consent gate lets it through.

        Args:
            event: the event; it is not modified.
            headers: message headers, passed on to brokers that take them (Pika).
        """
        if not self.gate.admit(event).publish:
            return
        scope = event.get("sender_id")
        safe = self.sanitizer.sanitize(event, scope=scope if isinstance(scope, str) else "").event
        if headers is None:
            self.inner.publish(safe)
        else:
            self.inner.publish(safe, headers=headers)

    def is_ready(self) -> bool:
        """Whether the inner broker is ready."""
        return bool(self.inner.is_ready())

    async def close(self) -> None:
        """Close the inner broker."""
        await self.inner.close()
