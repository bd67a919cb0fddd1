"""Tracker store, event broker and logging wrappers that keep PII out of storage.

The wrappers themselves (:mod:`.tracker_store`, :mod:`.event_broker`) import Rasa and are
named by path in ``endpoints.yml``; what they share, importable without Rasa, is re-exported
here. The contract every wrapper follows is in :mod:`.wrapper`.
"""

from rasa_secure.stores.event_types import EVENT_FIELDS, Fields
from rasa_secure.stores.events import EventSanitizer
from rasa_secure.stores.known import KnownValues
from rasa_secure.stores.log_filter import MASK, PIILogFilter, logging_config_path
from rasa_secure.stores.metadata import TRUSTED_METADATA, TrustedMetadata, trusted_metadata
from rasa_secure.stores.options import OPTIONS
from rasa_secure.stores.outcome import SanitizedEvent
from rasa_secure.stores.vault import (
    KNOWN_VALUES_KEY,
    Vault,
    ciphertext_of,
    holds_ciphertext,
    looks_sealed,
)

__all__ = [
    "EVENT_FIELDS",
    "KNOWN_VALUES_KEY",
    "MASK",
    "OPTIONS",
    "TRUSTED_METADATA",
    "EventSanitizer",
    "Fields",
    "KnownValues",
    "PIILogFilter",
    "SanitizedEvent",
    "TrustedMetadata",
    "Vault",
    "ciphertext_of",
    "holds_ciphertext",
    "logging_config_path",
    "looks_sealed",
    "trusted_metadata",
]
