"""Redact and encrypt Rasa events, as dicts, before they are stored or published.

One :class:`EventSanitizer` serves both the secure tracker store
(:mod:`rasa_secure.stores.tracker_store`) and the secure event broker
(:mod:`rasa_secure.stores.event_broker`), so what is persisted and what is published follow the
same rules. It works on the wire form of an event (``Event.as_dict()``) and
needs no Rasa import.

What happens to each event (see :data:`EVENT_FIELDS`):

* free text (user ``text``, ``parse_data.text``, bot ``text``, ``action_text``) goes through the
  :class:`~rasa_secure.core.redaction.redactor.Sanitizer` (PII replaced by placeholders);
* entity values are replaced when the entity is declared sensitive, when its span overlaps
  redacted PII in the text (it then gets the same placeholder), or when the value itself
  contains PII; spans of sensitive entities are redacted in the text too;
* values of slots declared sensitive are encrypted with the keyring (``rsenc:v1:...``, bound
  to the slot name) and decrypted again by :meth:`EventSanitizer.restore_slot`; other slot
  values are redacted like text;
* nested data (bot ``data`` with buttons and custom payloads, ``metadata``, unknown
  ``parse_data`` keys) has every string leaf redacted, except Rasa's own ``model_id`` and
  ``assistant_id`` when the caller vouches for them (:data:`TRUSTED_METADATA`);
* values known to be sensitive in a conversation (:meth:`EventSanitizer.learn`) are redacted
  wherever they repeat; :meth:`EventSanitizer.seal` makes an encrypted record of them that the
  tracker store keeps with the conversation;
* an event type we do not know has every field but ``event`` and ``timestamp`` redacted.

It fails safe: a text whose detection fails is replaced whole (``<REDACTED>``), an event that
cannot be processed at all becomes a :meth:`EventSanitizer.tombstone` keeping only its type and
identifiers, and both are reported through :func:`audit.record`. It never raises
on an event.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Iterator, List, Mapping, Optional, Sequence, Set, Tuple

from rasa_secure.config import Option, OptionSpec, list_of, resolve
from rasa_secure.core.identity import audit
from rasa_secure.core.identity.crypto import ENV_VAR, PREFIX, Keyring, is_encrypted
from rasa_secure.core.identity.envelope import METADATA_KEY as IDENTITY_RECORD_KEY
from rasa_secure.core.pii import PIIFinding
from rasa_secure.core.redaction.redactor import FAILED_ENTITY, Redaction, Sanitizer
from rasa_secure.errors import ConfigError, CryptoError

logger = logging.getLogger(__name__)

SENSITIVE_ENTITY_RECOGNIZER = "SensitiveEntity"
"""Recognizer name of the findings made for entities declared sensitive."""

_PLACEHOLDER = re.compile(
    r"<[A-Z][A-Z0-9_]*(?:_[0-9a-f]+|:rsenc:v1:[^>\s]+)?>|[A-Z][A-Z0-9_]*_[0-9a-f]{8,64}"
)
"""The shapes of the Redactor's replacements: placeholders (``<EMAIL_ADDRESS_3f9a1c0e>``,
``<NAME>``, ``<NAME_2>``), encrypted values and keyed-hash pseudonyms."""

MAX_KNOWN_SCOPES = 10_000
"""Conversations whose sensitive values are remembered (see :meth:`EventSanitizer.learn`)."""

MAX_CLEAN_TEXTS = 4096
"""Digests of texts found free of PII that are remembered (see ``_detect_and_redact``)."""

MAX_DECRYPTED = 4096
"""Recently decrypted slot values kept (see ``EventSanitizer._decrypt``)."""

MIN_KNOWN_LENGTH = 3
"""Shorter remembered values are not searched for in other texts (too many false hits)."""

MAX_DEPTH = 32
"""Nested data deeper than this is replaced whole (fail safe against pathological payloads)."""

KNOWN_VALUES_KEY = "rasa_secure_known"
"""Event ``metadata`` key of a sealed record of sensitive values (:meth:`EventSanitizer.seal`)."""

MAX_SEALED_VALUES = 256
"""Most recently learned values a conversation's record carries into a new session."""


@dataclass(frozen=True)
class TrustedMetadata:
    """A metadata key Rasa itself writes on every event, with the shape of its value.

    Such a value is stored in clear only when it has this shape *and* equals the value the
    caller vouches for (the tracker's own ``model_id``/``assistant_id``): a client that sends
    ``{"model_id": "<its API key>"}`` as message metadata gets it redacted like any string.

    Attributes:
        key: the top-level ``metadata`` key.
        shape: what every legitimate value matches (whole value).
        examples: values that must match the shape.
        counterexamples: values that must not.
    """

    key: str
    shape: re.Pattern[str]
    examples: Tuple[str, ...] = ()
    counterexamples: Tuple[str, ...] = ()


TRUSTED_METADATA: Mapping[str, TrustedMetadata] = {
    item.key: item
    for item in (
        TrustedMetadata(
            "model_id",
            re.compile(r"[0-9a-f]{32}"),  # uuid.uuid4().hex, set by `rasa train`
            examples=("14e6ee6464e741f7807ecfc463bd5a89",),
            counterexamples=(
                "14E6EE6464E741F7807ECFC463BD5A89",
                "4111 1111 1111 1111",
                "sk_live_x",
            ),
        ),
        TrustedMetadata(
            "assistant_id",  # config.yml's assistant_id, e.g. rasa's generated date-name
            re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,98}[A-Za-z0-9])?"),
            examples=("rasa_secure_example_bank", "20230405-114328-tranquil-mustard", "bank.bot"),
            counterexamples=("Ada Byron", "bob@example.com", "", "-x", "a" * 101),
        ),
    )
}
"""Rasa's own metadata keys (``model_id``, ``assistant_id``): not personal data, so not
redacted (a model id looks like a high-entropy secret to the detector)."""


def _opt_in(value: Any) -> str | None:
    for key, names in value.items():
        if key not in ("entities", "slots"):
            return f"unknown key {key!r} (allowed: entities, slots)"
        problem = list_of(str)(names) if isinstance(names, list) else "must be a list of names"
        if problem:
            return f"{key}: {problem}"
    return None


OPTIONS: OptionSpec = {
    "pii": Option(
        {},
        "Sanitizer configuration: {detector: PIIDetector options, redaction: Redactor options};"
        " the detector is pattern-only unless detector.spacy_model is set",
        dict,
    ),
    "sensitive_slots": Option(
        [], "slots whose values are encrypted at rest (needs RASA_SECURE_KEYS)", list, list_of(str)
    ),
    "sensitive_entities": Option(
        None,
        "entities whose values and text spans are always redacted; null means sensitive_slots",
        (list, type(None)),
        lambda value: None if value is None else list_of(str)(value),
    ),
    "opt_in": Option(
        {},
        "what this deployment allows in clear: {entities: [names], slots: [names]}",
        dict,
        _opt_in,
    ),
    "keys_env": Option(ENV_VAR, "environment variable holding the keyring", str),
    "redact_metadata": Option(True, "redact string values in event and message metadata", bool),
    "trust_nlu_findings": Option(
        False,
        "do not run detection again on user texts the PIIDetector NLU component analysed"
        " (parse_data.pii present, pii_failed false); redact its findings only. Faster; safe"
        " when the NLU detector reports at least every type you want redacted at rest",
        bool,
    ),
}
"""Options shared by the secure tracker store and the secure event broker."""


@dataclass(frozen=True)
class Fields:
    """Where free text lives in one event type.

    Attributes:
        texts: top-level string fields holding free text.
        trees: nested fields whose string leaves are all redacted.
        entities: fields holding lists of Rasa entity dicts.
    """

    texts: Tuple[str, ...] = ()
    trees: Tuple[str, ...] = ("metadata",)
    entities: Tuple[str, ...] = ()


EVENT_FIELDS: Mapping[str, Fields] = {
    "user": Fields(),  # text and parse_data are handled on their own
    "bot": Fields(texts=("text",), trees=("data", "metadata")),
    "agent": Fields(texts=("text",), trees=("data", "metadata")),
    "action": Fields(texts=("action_text",)),
    "slot": Fields(),  # value is handled on its own
    "entities": Fields(entities=("entities",)),
    "reminder": Fields(entities=("entities",)),
    "cancel_reminder": Fields(entities=("entities",)),
    "session_started": Fields(),
    "action_execution_rejected": Fields(),
    "active_loop": Fields(),
    "loop_interrupted": Fields(),
    "followup": Fields(),
    "restart": Fields(),
    "rewind": Fields(),
    "undo": Fields(),
    "reset_slots": Fields(),
    "pause": Fields(),
    "resume": Fields(),
    "export": Fields(),
    "user_featurization": Fields(),
    "form": Fields(),
    "form_validation": Fields(),
}
"""Known Rasa 3.6 event types. Fields not listed (names, policies, scores) hold no user data."""

PARSE_DATA_KEPT: FrozenSet[str] = frozenset(
    {"intent", "intent_ranking", "response_selector", "message_id", "pii", "pii_failed", "security"}
)
"""``parse_data`` keys kept as they are: model outputs, and the value-free findings that
rasa_secure's NLU components add. Every other key but ``text`` and ``entities`` is redacted."""

TOMBSTONE_KEYS: FrozenSet[str] = frozenset(
    {
        "event",
        "timestamp",
        "name",
        "policy",
        "confidence",
        "input_channel",
        "message_id",
        "intent",
        "date_time",
        "kill_on_user_msg",
    }
)
"""Keys a :meth:`EventSanitizer.tombstone` keeps; everything else is dropped or replaced."""


@dataclass(frozen=True)
class SanitizedEvent:
    """The outcome of :meth:`EventSanitizer.sanitize`. Holds no raw value.

    Attributes:
        event: the event safe to store or publish (a new dict; the input is never mutated).
        changed: whether anything was replaced or encrypted.
        categories: PII entity types (and sensitive entity names) replaced.
        encrypted_slots: names of slots whose value was encrypted.
        failed: detection failed somewhere and a text was replaced whole, or the event
            became a tombstone.
    """

    event: Dict[str, Any]
    changed: bool = False
    categories: Tuple[str, ...] = ()
    encrypted_slots: Tuple[str, ...] = ()
    failed: bool = False


@dataclass
class _Report:
    """What happened while sanitizing one event (mutable while it is being built)."""

    scope: str
    categories: Set[str] = field(default_factory=set)
    encrypted: List[str] = field(default_factory=list)
    changed: bool = False
    failed: bool = False
    memo: Dict[str, Redaction] = field(default_factory=dict)
    known: Mapping[str, str] = field(default_factory=dict)
    trusted: Mapping[str, str] = field(default_factory=dict)

    def took(self, result: Redaction) -> str:
        if result.items:
            self.changed = True
            self.categories.update(item.entity_type for item in result.items)
        self.failed = self.failed or result.failed
        return result.text


class EventSanitizer:
    """Make Rasa event dicts safe to store or publish; decrypt sensitive slots again.

    Attributes:
        component: name used in audit records (``SecureTrackerStore``, ``SecureEventBroker``).
        settings: the validated options (see :data:`OPTIONS`).
        sanitizer: the text sanitizer (PII detector and redactor).
        keyring: encrypts sensitive slots; ``None`` when none are declared and no keys are set.
    """

    def __init__(
        self,
        settings: Mapping[str, Any],
        *,
        component: str,
        sanitizer: Sanitizer | None = None,
        keyring: Keyring | None = None,
    ) -> None:
        """Build from validated ``settings``; prefer :meth:`from_config`.

        Raises:
            ConfigError: sensitive slots are declared but no keyring is configured.
        """
        self.component = component
        self.settings = dict(settings)
        self.keyring = keyring if keyring is not None else _keyring(settings, component)
        self.sanitizer = sanitizer or Sanitizer.from_config(
            store_pii_config(settings["pii"]), keyring=self.keyring
        )
        self.sensitive_slots = frozenset(settings["sensitive_slots"])
        entities = settings["sensitive_entities"]
        self.sensitive_entities = frozenset(self.sensitive_slots if entities is None else entities)
        self.clear_entities = frozenset(settings["opt_in"].get("entities", ()))
        self.clear_slots = frozenset(settings["opt_in"].get("slots", ()))
        self.redact_metadata = bool(settings["redact_metadata"])
        self.trust_nlu_findings = bool(settings["trust_nlu_findings"])
        self._known: OrderedDict[str, Dict[str, str]] = OrderedDict()
        self._clean: OrderedDict[bytes, None] = OrderedDict()
        self._plain: OrderedDict[Tuple[str, str], str] = OrderedDict()
        self._lock = threading.Lock()
        both = self.sensitive_slots & self.clear_slots
        if both:
            raise ConfigError(
                f"{component}.opt_in.slots", f"{sorted(both)} are also declared sensitive"
            )

    @classmethod
    def from_config(
        cls,
        config: Mapping[str, Any] | None,
        *,
        component: str,
        ignore: Tuple[str, ...] = (),
    ) -> EventSanitizer:
        """Validate ``config`` against :data:`OPTIONS` and build the sanitizer.

        Args:
            config: user options; keys listed in ``ignore`` are not ours and skipped.
            component: owner name for errors and audit records.
            ignore: keys of the same mapping that belong to the caller (e.g. ``inner``).

        Raises:
            ConfigError: an unknown or invalid option, or sensitive slots without keys.
        """
        return cls(resolve(OPTIONS, config, owner=component, ignore=ignore), component=component)

    def load(self) -> None:
        """Load the PII detector now, so a missing model fails at start-up, not on a message."""
        self.sanitizer.load()

    # --- events ------------------------------------------------------------------------

    def sanitize(
        self,
        event: Mapping[str, Any],
        *,
        scope: str = "",
        trusted: Mapping[str, str] | None = None,
    ) -> SanitizedEvent:
        """A copy of ``event`` safe to persist or publish. Never raises.

        Args:
            event: an event dict as produced by ``Event.as_dict()`` (a broker body may also
                carry ``sender_id``).
            scope: the conversation id; placeholders are stable within it.
            trusted: values of :data:`TRUSTED_METADATA` keys the caller vouches for (the
                tracker's ``model_id`` and ``assistant_id``); a metadata value is kept in
                clear only if it has the key's shape and equals the vouched value.
        """
        try:
            self.learn(event, scope=scope)
            report = _Report(
                scope=scope,
                known=self.known_values(scope),
                trusted=trusted_metadata(trusted or {}),
            )
            safe = self._event(event, report)
        except Exception as error:  # fail safe: keep the event, lose its contents
            report = _Report(scope=scope)
            safe = self.tombstone(event)
            report.changed = report.failed = True
            report.categories.add(FAILED_ENTITY)
            logger.error(
                "%s could not sanitize a %r event (%s); stored as a tombstone",
                self.component,
                _event_type(event),
                type(error).__name__,
            )
        result = SanitizedEvent(
            event=safe,
            changed=report.changed,
            categories=tuple(sorted(report.categories)),
            encrypted_slots=tuple(report.encrypted),
            failed=report.failed,
        )
        self._audit(event, result, scope)
        return result

    def tombstone(self, event: Mapping[str, Any]) -> Dict[str, Any]:
        """``event`` reduced to its type and identifiers, every text replaced whole.

        Used when an event cannot be sanitized: the conversation keeps its shape (an event
        is never lost) but nothing the user typed survives.
        """
        kind = _event_type(event)
        failure = self.sanitizer.failure_text
        kept: Dict[str, Any] = {
            key: value
            for key, value in event.items()
            if key in TOMBSTONE_KEYS and (value is None or isinstance(value, (str, int, float)))
        }
        if "sender_id" in event:
            kept["sender_id"] = event["sender_id"]
        if kind == "slot":
            kept["value"] = None
        for name in EVENT_FIELDS.get(kind, Fields()).texts:
            if name in event:
                kept[name] = failure
        if kind == "user":
            kept["text"] = failure
            parse = event.get("parse_data")
            intent = parse.get("intent") if isinstance(parse, Mapping) else None
            kept["parse_data"] = {
                "intent": intent if isinstance(intent, Mapping) else {},
                "entities": [],
                "text": failure,
            }
        return kept

    def _event(self, event: Mapping[str, Any], report: _Report) -> Dict[str, Any]:
        kind = _event_type(event)
        fields = EVENT_FIELDS.get(kind)
        safe = dict(event)
        if fields is None:  # unknown type: everything but its type and time is data
            for key, value in event.items():
                if key not in ("event", "timestamp", "sender_id"):
                    safe[key] = self._tree(value, report)
            return safe
        if kind == "user":
            self._user(safe, report)
        elif kind == "slot":
            self._slot(safe, report)
        for name in fields.texts:
            if isinstance(event.get(name), str):
                safe[name] = self._text(event[name], report)
        for name in fields.entities:
            if isinstance(event.get(name), list):
                safe[name] = self._entities(event[name], None, report)
        for name in fields.trees:
            if name == "metadata" and name in event:
                safe[name] = self._metadata(event[name], report)
            elif name in event:
                safe[name] = self._tree(event[name], report)
        return safe

    def _user(self, safe: Dict[str, Any], report: _Report) -> None:
        parse = safe.get("parse_data")
        parse = dict(parse) if isinstance(parse, Mapping) else None
        entities = parse.get("entities") if parse is not None else None
        entities = entities if isinstance(entities, list) else []
        parsed_text = parse.get("text") if parse is not None else None
        text = safe.get("text")
        # Findings of the PIIDetector NLU component (NER included) point into the user's text.
        nlu = _nlu_findings(parse, text) if isinstance(text, str) else []
        detect = not (self.trust_nlu_findings and _nlu_analysed(parse))
        redaction: Redaction | None = None
        if parse is not None:
            if isinstance(parsed_text, str):  # entity offsets point into this text
                same = parsed_text == text
                redaction = self._redact(
                    parsed_text,
                    entities,
                    report,
                    spans=True,
                    extra=nlu if same else (),
                    detect=detect,
                )
                parse["text"] = report.took(redaction)
            if entities:
                parse["entities"] = self._entities(entities, redaction, report)
            for key, value in parse.items():
                if key in PARSE_DATA_KEPT or key in ("text", "entities"):
                    continue
                parse[key] = (
                    self._metadata(value, report)
                    if key == "metadata"
                    else self._tree(value, report)
                )
            safe["parse_data"] = parse
        if isinstance(text, str):
            if text == parsed_text and redaction is not None:
                text_redaction = redaction
            else:
                text_redaction = self._redact(
                    text, entities, report, spans=False, extra=nlu, detect=detect
                )
            safe["text"] = report.took(text_redaction)
            if parse is not None and nlu and text_redaction.items:
                parse["pii"] = _moved_findings(parse["pii"], text_redaction)

    def _slot(self, safe: Dict[str, Any], report: _Report) -> None:
        name = safe.get("name")
        value = safe.get("value")
        if name in self.clear_slots or value is None:
            return
        if name in self.sensitive_slots:
            if holds_ciphertext(value) and self._authentic(value, str(name)):
                return
            assert self.keyring is not None  # guaranteed by __init__
            plain = json.dumps(value, ensure_ascii=False, sort_keys=True)
            safe["value"] = self.keyring.encrypt(plain, context=str(name))
            report.encrypted.append(str(name))
            report.changed = True
            return
        if not holds_ciphertext(value):
            safe["value"] = self._tree(value, report)

    def _authentic(self, value: Any, name: str) -> bool:
        """Whether a sensitive slot's apparent ciphertext is really ours, for this slot."""
        token = ciphertext_of(value)
        try:
            return token is not None and self._decrypt(token, name) is not None
        except CryptoError:
            return False

    # --- values known to be sensitive ---------------------------------------------------

    def learn(self, event: Mapping[str, Any], *, scope: str) -> Dict[str, str]:
        """Remember the clear values of sensitive slots and entities in ``event``.

        From then on, every text of the conversation is redacted where it repeats one of
        them (a bot saying "Thanks, Ada" after the name was collected), even when no detector
        would recognise it. Values the PIIDetector NLU component found in a user message
        (``parse_data.pii``, NER included) are remembered the same way, and so are the values
        of a sealed record in the event's metadata (see :meth:`seal`).

        The memory is per conversation and bounded (``MAX_KNOWN_SCOPES`` conversations,
        least recently used first out). It is a cache: the secure tracker store seals what it
        learns into the events it stores and reads it back with the conversation, so another
        replica, or this one after a restart, redacts the same values.

        Returns:
            The values learned from this event (value -> entity type), sealed record included.
        """
        kind = _event_type(event)
        learned: Dict[str, str] = {}
        if kind == "slot" and event.get("name") in self.sensitive_slots:
            _collect(learned, str(event["name"]), event.get("value"))
        elif kind == "user":
            parse = event.get("parse_data")
            parse = parse if isinstance(parse, Mapping) else None
            entities = parse.get("entities") if parse is not None else None
            for entity in entities if isinstance(entities, list) else ():
                if isinstance(entity, Mapping) and entity.get("entity") in self.sensitive_entities:
                    _collect(learned, str(entity["entity"]), entity.get("value"))
            text = event.get("text")
            if isinstance(text, str):
                for finding in _nlu_findings(parse, text):
                    _collect(learned, finding.entity_type, text[finding.start : finding.end])
        metadata = event.get("metadata")
        if isinstance(metadata, Mapping) and KNOWN_VALUES_KEY in metadata:
            learned.update(self.unseal(metadata[KNOWN_VALUES_KEY], scope=scope))
        learned = {
            value: name
            for value, name in learned.items()
            if not is_encrypted(value) and not self._placeholder(value)
        }
        self._remember_all(learned, scope)
        return learned

    def remember(self, name: str, value: Any, *, scope: str) -> None:
        """Remember the string leaves of a sensitive slot or entity value for ``scope``."""
        found: Dict[str, str] = {}
        _collect(found, name, value)
        self._remember_all(
            {leaf: kind for leaf, kind in found.items() if not is_encrypted(leaf)}, scope
        )

    def _remember_all(self, values: Mapping[str, str], scope: str) -> None:
        strings = {value: kind for value, kind in values.items() if not self._placeholder(value)}
        if not strings:
            return
        with self._lock:
            known = self._known.pop(scope, None) or {}
            for leaf, kind in strings.items():
                known.setdefault(leaf, kind)
            self._known[scope] = known
            while len(self._known) > MAX_KNOWN_SCOPES:
                self._known.popitem(last=False)

    def known_values(self, scope: str) -> Dict[str, str]:
        """The sensitive values remembered for ``scope`` (value -> entity type)."""
        with self._lock:
            return dict(self._known.get(scope) or {})

    def seal(self, values: Mapping[str, str], *, scope: str) -> str | None:
        """An encrypted record of ``values`` for the conversation ``scope``.

        The secure tracker store writes it in the metadata (:data:`KNOWN_VALUES_KEY`) of the
        events it stores, so what decides redaction travels with the conversation. The record
        is bound to ``scope``: copied into another conversation it does not decrypt.

        Returns:
            The ciphertext, or ``None`` when there is nothing to seal or no keyring.
        """
        if not values or self.keyring is None:
            return None
        items = list(values.items())[-MAX_SEALED_VALUES:]  # the most recently learned
        plain = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
        return self.keyring.encrypt(plain, context=_known_context(scope))

    def unseal(self, token: Any, *, scope: str) -> Dict[str, str]:
        """The values of a record made by :meth:`seal` (empty if it is not one of ours).

        A record that does not decrypt (its key was removed, or it was copied from another
        conversation) is reported to the audit log and ignored.
        """
        if not looks_sealed(token):
            return {}
        try:
            items = json.loads(self._decrypt(str(token), _known_context(scope)))
        except (CryptoError, ValueError):
            audit.record(
                self.component, "error", subject=scope or None, reasons=("record_unreadable",)
            )
            logger.warning("%s could not read a record of sensitive values", self.component)
            return {}
        return {
            value: kind
            for value, kind in (item for item in items if isinstance(item, list) and len(item) == 2)
            if isinstance(value, str) and isinstance(kind, str)
        }

    # --- slots at rest -----------------------------------------------------------------

    def restore_slot(self, name: str, value: Any, *, scope: str = "") -> Any:
        """The clear value of a slot read back from storage.

        Encrypted values (a ciphertext, or a list slot holding one) are decrypted with any
        key of the keyring, so values written before a key rotation still read. A value that
        cannot be decrypted (its key was removed, or it was tampered with) comes back as
        ``None`` (the slot is unset and a form asks again) and is reported to the audit log.
        Anything else is returned unchanged.
        """
        token = ciphertext_of(value)
        if token is None:
            return value
        try:
            plain = self._decrypt(token, name)
        except CryptoError as error:
            audit.record(
                self.component,
                "error",
                subject=scope or None,
                action=name,
                reasons=("decrypt_failed",),
            )
            logger.warning(
                "%s could not decrypt slot %r (key id %s); it is read as unset",
                self.component,
                name,
                error.key_id,
            )
            return None
        try:
            return json.loads(plain)
        except ValueError:  # encrypted by something that did not JSON-encode it
            return plain

    def _decrypt(self, token: str, name: str) -> str:
        """Decrypt, remembering recent results: Rasa reloads the same slots every message.

        The cache is keyed by ciphertext and slot name (a ciphertext only decrypts under its
        own slot name), bounded, and holds what the reloaded trackers hold anyway.
        """
        key = (token, name)
        with self._lock:
            plain = self._plain.get(key)
            if plain is not None:
                self._plain.move_to_end(key)
                return plain
        if self.keyring is None:
            raise CryptoError("no keyring configured")
        plain = self.keyring.decrypt(token, context=name)
        with self._lock:
            self._plain[key] = plain
            if len(self._plain) > MAX_DECRYPTED:
                self._plain.popitem(last=False)
        return plain

    def rotate_event(self, event: Dict[str, Any], *, scope: str = "") -> int:
        """Re-encrypt, in place, a stored event's ciphertexts under the current key.

        Those are a sensitive slot's value and a sealed record in the metadata (see
        :meth:`seal`), which is bound to the conversation ``scope``.

        Returns:
            The number of values re-encrypted.

        Raises:
            CryptoError: a value cannot be decrypted with this keyring.
        """
        if self.keyring is None:
            return 0
        count = 0
        token = ciphertext_of(event.get("value")) if event.get("event") == "slot" else None
        if token is not None:
            rotated = self.keyring.rotate(token, context=str(event.get("name")))
            if rotated != token:
                event["value"] = [rotated] if isinstance(event["value"], list) else rotated
                count += 1
        metadata = event.get("metadata")
        record = metadata.get(KNOWN_VALUES_KEY) if isinstance(metadata, dict) else None
        if isinstance(metadata, dict) and looks_sealed(record):
            rotated = self.keyring.rotate(str(record), context=_known_context(scope))
            if rotated != record:
                metadata[KNOWN_VALUES_KEY] = rotated
                count += 1
        return count

    # --- text --------------------------------------------------------------------------

    def _text(self, text: str, report: _Report) -> str:
        return report.took(self._redact(text, (), report, spans=False))

    def _redact(
        self,
        text: str,
        entities: Sequence[Any],
        report: _Report,
        *,
        spans: bool,
        extra: Sequence[PIIFinding] = (),
        detect: bool = True,
    ) -> Redaction:
        """Redact ``text``, adding sensitive entities to what the detector finds.

        Args:
            text: the text.
            entities: the message's entities.
            report: the event's report (memo and scope).
            spans: whether the entities' offsets point into ``text``; literal occurrences of
                sensitive values are redacted either way.
            extra: findings made elsewhere (the NLU component) that point into ``text``.
            detect: run the detector (``False`` only for texts the NLU component analysed,
                with ``trust_nlu_findings``).
        """
        extra = [
            *extra,
            *self._sensitive_findings(text, entities, spans=spans),
            *_known_findings(text, report.known),
        ]
        if not extra and detect:
            result = report.memo.get(text)
            if result is None:
                result = report.memo[text] = self._detect_and_redact(text, report.scope)
            return result
        return self.sanitizer.sanitize(
            text, scope=report.scope, extra_findings=extra, detect=detect
        )

    def _detect_and_redact(self, text: str, scope: str) -> Redaction:
        """``Sanitizer.sanitize``, skipped for texts already found clean (bot responses,
        button titles and intent-like values repeat in every conversation).

        Only a digest of clean texts is kept (bounded, least recently used out); detection is
        deterministic, so a text found clean once is clean again.
        """
        digest = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
        with self._lock:
            if digest in self._clean:
                self._clean.move_to_end(digest)
                return Redaction(text=text)
        result = self.sanitizer.sanitize(text, scope=scope)
        if not result.items and not result.failed:
            with self._lock:
                self._clean[digest] = None
                if len(self._clean) > MAX_CLEAN_TEXTS:
                    self._clean.popitem(last=False)
        return result

    def _sensitive_findings(
        self, text: str, entities: Sequence[Any], *, spans: bool
    ) -> List[PIIFinding]:
        """Findings for sensitive entities: their spans, and literal occurrences of their values."""
        findings: List[PIIFinding] = []
        for entity in entities:
            if (
                not isinstance(entity, Mapping)
                or entity.get("entity") not in self.sensitive_entities
            ):
                continue
            kind = str(entity["entity"]).upper()
            start, end = entity.get("start"), entity.get("end")
            if (
                spans
                and isinstance(start, int)
                and isinstance(end, int)
                and 0 <= start < end <= len(text)
                and not self._placeholder(text[start:end])
            ):
                findings.append(PIIFinding(kind, start, end, 1.0, SENSITIVE_ENTITY_RECOGNIZER))
            value = entity.get("value")
            if isinstance(value, str) and value.strip() and not self._placeholder(value):
                findings.extend(
                    PIIFinding(kind, at, at + len(value), 1.0, SENSITIVE_ENTITY_RECOGNIZER)
                    for at in _occurrences(text, value)
                )
        return findings

    # --- entities ----------------------------------------------------------------------

    def _entities(
        self, entities: Sequence[Any], redaction: Redaction | None, report: _Report
    ) -> List[Any]:
        return [self._entity(entity, redaction, report) for entity in entities]

    def _entity(self, entity: Any, redaction: Redaction | None, report: _Report) -> Any:
        if not isinstance(entity, Mapping):
            return self._tree(entity, report)
        name = entity.get("entity")
        if name in self.clear_entities:
            return dict(entity)
        safe = dict(entity)
        replacement = self._replacement_for(entity, redaction)
        start, end = entity.get("start"), entity.get("end")
        if (
            redaction is not None
            and redaction.items
            and isinstance(start, int)
            and isinstance(end, int)
        ):
            safe["start"] = _moved(start, redaction, end=False)  # offsets into the stored text
            safe["end"] = _moved(end, redaction, end=True)
        for key in ("value", "text"):
            if key not in entity:
                continue
            if replacement is not None:
                safe[key] = replacement
                report.changed = True
            elif name in self.sensitive_entities and not self._placeholder(entity[key]):
                safe[key] = self._whole(entity[key], str(name).upper(), report)
            else:
                safe[key] = self._tree(entity[key], report)
        if "additional_info" in entity:
            safe["additional_info"] = self._tree(entity["additional_info"], report)
        return safe

    @staticmethod
    def _replacement_for(entity: Mapping[str, Any], redaction: Redaction | None) -> str | None:
        """The text's replacement for the first redacted span the entity's span overlaps."""
        start, end = entity.get("start"), entity.get("end")
        if redaction is None or not isinstance(start, int) or not isinstance(end, int):
            return None
        for item in redaction.items:
            if item.start < end and start < item.end:
                return redaction.text[item.redacted_start : item.redacted_end]
        return None

    def _placeholder(self, value: Any) -> bool:
        """Whether ``value`` is already a replacement (so a second pass leaves it alone)."""
        return isinstance(value, str) and (
            value == self.sanitizer.failure_text or _PLACEHOLDER.fullmatch(value) is not None
        )

    def _whole(self, value: Any, kind: str, report: _Report) -> str:
        """Replace a sensitive entity's value as a whole (whatever its type)."""
        text = value if isinstance(value, str) and value else json.dumps(value, default=str)
        finding = PIIFinding(kind, 0, len(text), 1.0, SENSITIVE_ENTITY_RECOGNIZER)
        try:
            result = self.sanitizer.redactor.redact(text, (finding,), scope=report.scope)
        except Exception:  # fail safe
            report.failed = True
            return self.sanitizer.failure_text
        return report.took(result)

    # --- nested data -------------------------------------------------------------------

    def _metadata(self, value: Any, report: _Report) -> Any:
        """Metadata is redacted like any tree, except the channel's attested identity record.

        The record (``metadata.rasa_secure``) is signed, so redacting inside it would break
        actions run later from the stored tracker; it holds no clear secret (the forwarded
        token is encrypted) and its subject is the conversation id, stored anyway.
        """
        if not self.redact_metadata:
            return value
        if not isinstance(value, Mapping):
            return self._tree(value, report)
        return {
            key: item
            if key == IDENTITY_RECORD_KEY or _vouched(key, item, report.trusted)
            else self._tree(item, report, 1)
            for key, item in value.items()
        }

    def _tree(self, value: Any, report: _Report, depth: int = 0) -> Any:
        if isinstance(value, str):
            return value if looks_sealed(value) else self._text(value, report)
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if depth >= MAX_DEPTH:
            report.changed = report.failed = True
            return self.sanitizer.failure_text
        if isinstance(value, Mapping):
            return {key: self._tree(item, report, depth + 1) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self._tree(item, report, depth + 1) for item in value]
        report.changed = True  # an object we cannot inspect: keep its type name only
        return f"<{type(value).__name__}>"

    # --- audit -------------------------------------------------------------------------

    def _audit(self, event: Mapping[str, Any], result: SanitizedEvent, scope: str) -> None:
        if not result.changed:
            return
        kind = _event_type(event)
        action = str(event.get("name")) if kind == "slot" else kind
        reasons: Tuple[str, ...] = ()
        if result.failed:
            reasons += ("detection_failed",)
        if result.encrypted_slots:
            reasons += ("sensitive_slot",)
        if result.categories and not result.failed:
            reasons += ("pii_found",)
        audit.record(
            self.component,
            "encrypt" if result.encrypted_slots and not result.categories else "redact",
            subject=scope or None,
            action=action,
            categories=result.categories,
            reasons=reasons,
        )


def _vouched(key: str, value: Any, trusted: Mapping[str, str]) -> bool:
    """Whether ``value`` is the vouched value of a key (``trusted`` from
    :func:`trusted_metadata`, so the shape is checked already)."""
    return isinstance(value, str) and trusted.get(key) == value


def trusted_metadata(values: Mapping[str, Any]) -> Dict[str, str]:
    """The entries of ``values`` (e.g. a tracker's model and assistant ids) that have the
    shape of their :data:`TRUSTED_METADATA` key; anything else is not vouched for."""
    return {
        key: value
        for key, value in values.items()
        if key in TRUSTED_METADATA
        and isinstance(value, str)
        and TRUSTED_METADATA[key].shape.fullmatch(value) is not None
    }


_CIPHERTEXT = re.compile(re.escape(PREFIX) + r"[^:,\s]+:([A-Za-z0-9_-]+={0,2})")
_MIN_SEALED_BYTES = 12 + 16
"""An AES-GCM ciphertext is at least its nonce and its tag."""


def looks_sealed(value: Any) -> bool:
    """Whether ``value`` has the whole shape of one of our ciphertexts.

    The ``rsenc:v1:`` prefix alone proves nothing: a user can type it before a card number
    (``rsenc:v1:4111 1111 1111 1111``), and such a value must be redacted like any text, not
    stored as if it were encrypted.
    """
    if not is_encrypted(value):
        return False
    match = _CIPHERTEXT.fullmatch(value)
    if match is None:
        return False
    body = match.group(1)
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        return False
    return len(raw) >= _MIN_SEALED_BYTES


def holds_ciphertext(value: Any) -> bool:
    """Whether a stored slot value is one of our ciphertexts (or a list slot holding one)."""
    return ciphertext_of(value) is not None


def ciphertext_of(value: Any) -> str | None:
    """The ciphertext in a stored slot value: the value itself, or a list slot's only item."""
    if looks_sealed(value):
        return str(value)
    if isinstance(value, list) and len(value) == 1 and looks_sealed(value[0]):
        return str(value[0])
    return None


def _keyring(settings: Mapping[str, Any], component: str) -> Keyring | None:
    """The keyring from the configured variable; required only when slots are sensitive."""
    variable = settings["keys_env"]
    spec = os.environ.get(variable, "")
    if spec.strip():
        return Keyring.parse(spec, source=variable)
    if settings["sensitive_slots"]:
        raise ConfigError(
            f"{component}.sensitive_slots",
            f"sensitive slots are encrypted, but {variable} is not set; "
            "generate a key with 'rasa-secure keygen'",
        )
    return None


def _event_type(event: Mapping[str, Any]) -> str:
    kind = event.get("event") if isinstance(event, Mapping) else None
    return kind if isinstance(kind, str) else ""


def store_pii_config(pii: Mapping[str, Any]) -> Dict[str, Any]:
    """The Sanitizer configuration used at rest, from the user's ``pii`` option.

    * The detector is pattern-only unless ``detector.spacy_model`` is set: NER findings made
      by the PIIDetector NLU component are reused from the parse data, so NER runs once per
      message, not again for every store and broker (see the benchmarks).
    * Our own replacements are never reported (``password is <PASSWORD_1>`` is not a
      password), so sanitizing stored data again changes nothing.
    """
    config = dict(pii)
    detector = dict(config.get("detector") or {})
    detector.setdefault("spacy_model", None)
    allowed = detector.get("allow_list_regex", [])
    if isinstance(allowed, list) and _PLACEHOLDER.pattern not in allowed:
        detector["allow_list_regex"] = [*allowed, _PLACEHOLDER.pattern]
    config["detector"] = detector
    return config


def _moved(position: int, redaction: Redaction, *, end: bool) -> int:
    """Where ``position`` of the original text lands in the redacted text.

    A position inside a replaced span lands on the replacement's start (``end=False``) or
    end (``end=True``), so an entity over PII points at its placeholder.
    """
    shift = 0
    for item in redaction.items:
        if position <= item.start:
            break
        if position < item.end:
            return item.redacted_end if end else item.redacted_start
        shift = item.redacted_end - item.end
    return position + shift


def _nlu_findings(parse: Optional[Mapping[str, Any]], text: str) -> List[PIIFinding]:
    """The PIIDetector component's findings (``parse_data.pii``) that fit inside ``text``.

    Findings over one of our placeholders are skipped: stored data has its findings moved
    onto the placeholders, and redacting a placeholder again would change it.
    """
    found = parse.get("pii") if parse is not None else None
    findings: List[PIIFinding] = []
    for item in found if isinstance(found, list) else ():
        if not isinstance(item, Mapping):
            continue
        start, end, kind = item.get("start"), item.get("end"), item.get("type")
        if (
            isinstance(start, int)
            and isinstance(end, int)
            and isinstance(kind, str)
            and 0 <= start < end <= len(text)
            and not _PLACEHOLDER.fullmatch(text[start:end])
        ):
            score = item.get("score")
            findings.append(
                PIIFinding(
                    kind,
                    start,
                    end,
                    float(score) if isinstance(score, (int, float)) else 1.0,
                    str(item.get("recognizer") or "PIIDetector"),
                )
            )
    return findings


def _nlu_analysed(parse: Optional[Mapping[str, Any]]) -> bool:
    """Whether the PIIDetector NLU component analysed this message successfully."""
    return (
        parse is not None
        and isinstance(parse.get("pii"), list)
        and parse.get("pii_failed") is False
    )


def _moved_findings(findings: Any, redaction: Redaction) -> Any:
    """``parse_data.pii`` with offsets moved into the redacted text."""
    if not isinstance(findings, list):
        return findings
    moved = []
    for item in findings:
        if (
            isinstance(item, Mapping)
            and isinstance(item.get("start"), int)
            and isinstance(item.get("end"), int)
        ):
            item = {
                **item,
                "start": _moved(item["start"], redaction, end=False),
                "end": _moved(item["end"], redaction, end=True),
            }
        moved.append(item)
    return moved


def _leaves(value: Any) -> Iterator[str]:
    """The string leaves of a slot or entity value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)


def _collect(found: Dict[str, str], name: str, value: Any) -> None:
    """Add the string leaves of a sensitive value long enough to be searched for."""
    for leaf in _leaves(value):
        if len(leaf.strip()) >= MIN_KNOWN_LENGTH:
            found.setdefault(leaf, name.upper())


def _known_context(scope: str) -> str:
    return f"rasa_secure.known|{scope}"


def _known_findings(text: str, known: Mapping[str, str]) -> List[PIIFinding]:
    """Findings for every occurrence of a remembered sensitive value, ignoring case."""
    if not known:
        return []
    lowered = text.lower()
    haystack = lowered if len(lowered) == len(text) else text
    findings: List[PIIFinding] = []
    for value, kind in known.items():
        needle = value.lower() if haystack is lowered else value
        findings.extend(
            PIIFinding(kind, at, at + len(value), 1.0, SENSITIVE_ENTITY_RECOGNIZER)
            for at in _occurrences(haystack, needle)
        )
    return findings


def _occurrences(text: str, value: str) -> List[int]:
    found: List[int] = []
    at = text.find(value)
    while at != -1:
        found.append(at)
        at = text.find(value, at + len(value))
    return found
