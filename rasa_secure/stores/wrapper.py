"""The contract every store wrapper follows (the secure tracker store and event broker).

A store wrapper stands between Rasa and a store Rasa already has and keeps raw PII out of it.
It must:

1. **Wrap, configured once.** Take the inner store's configuration under ``inner`` (Rasa's own
   factory creates it, so every store type works), refuse a ``url`` at its own level and a
   wrapper of its own kind inside (:func:`check_inner`), and validate its options with
   :func:`sanitizer_for` (the :data:`~rasa_secure.stores.options.OPTIONS` all wrappers share).
2. **Sanitize on write.** Hand the inner store only what
   :meth:`~rasa_secure.stores.events.EventSanitizer.sanitize` returned for each event, never the
   event it was given (unless a sanitizer with the same settings made it: the secure tracker
   store's events reach a secure broker that way, through its
   :class:`~rasa_secure.stores.event_broker.StoreFeed`).
3. **Fail safe.** ``sanitize`` never raises: a text that cannot be checked becomes
   ``<REDACTED>``, an event that cannot be processed a tombstone. What the inner store refuses
   is replaced by something smaller still, never by the original.
4. **Audit through the sanitizer.** ``sanitize`` records every redaction, encryption and
   failure under the wrapper's component name; the wrapper logs no value itself.
5. **Read back only its own ciphertexts.** On read, decrypt sensitive slots with
   :meth:`~rasa_secure.stores.events.EventSanitizer.restore_slot` and nothing else.
"""

from __future__ import annotations

from typing import Any, Mapping, Protocol, Tuple

from rasa_secure.errors import ConfigError
from rasa_secure.stores.events import EventSanitizer


class StoreWrapper(Protocol):
    """What a store wrapper exposes.

    Attributes:
        inner: the wrapped store or broker, created by Rasa's factory.
        sanitizer: the event sanitizer every write goes through.
    """

    inner: Any
    sanitizer: EventSanitizer


def sanitizer_for(
    options: Mapping[str, Any],
    *,
    component: str,
    url: Any,
    noun: str,
    ignore: Tuple[str, ...] = ("inner",),
) -> EventSanitizer:
    """The event sanitizer of a wrapper's ``endpoints.yml`` entry (its ``inner`` key aside).

    Args:
        options: the entry's keys.
        component: the wrapper's name, in errors and audit records.
        url: the entry's ``url`` (Rasa reads it at the wrapper's level); must be ``None``.
        noun: what is wrapped (``store``, ``broker``), in the error message.
        ignore: the wrapper's own keys, not the sanitizer's.

    Raises:
        ConfigError: a ``url`` at the wrapper's level, or an invalid option.
    """
    if url is not None:
        raise ConfigError(f"{component}.url", f"put the inner {noun}'s url under 'inner'")
    return EventSanitizer.from_config(options, component=component, ignore=ignore)


def check_inner(kind: Any, wrapper: type, *, component: str, noun: str) -> None:
    """Refuse an inner ``type`` naming the wrapper itself (``module.Class`` or ``Class``).

    Raises:
        ConfigError: the inner store is a wrapper of the same kind.
    """
    if isinstance(kind, str) and kind.rsplit(".", 1)[-1] == wrapper.__name__:
        raise ConfigError(f"{component}.inner.type", f"a secure {noun} cannot wrap another one")
