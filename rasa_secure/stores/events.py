"""Redact and encrypt Rasa events, as dicts, before they are stored or published.

One :class:`EventSanitizer` serves both the secure tracker store
(:mod:`rasa_secure.stores.tracker_store`) and the secure event broker
(:mod:`rasa_secure.stores.event_broker`), so what is persisted and what is published follow the
same rules. It works on the wire form of an event (``Event.as_dict()``) and
needs no Rasa import.

What happens to each event (see :data:`EVENT_FIELDS`):

* free text (user ``text``, ``parse_data.text``, bot ``text``, ``action_text``) goes through the
  :class:`~rasa_secure.core.redaction.Sanitizer` (PII replaced by placeholders);
* entity values are replaced when the entity is declared sensitive, when its span overlaps
  redacted PII in the text (it then gets the same placeholder), or when the value itself
  contains PII; spans of sensitive entities are redacted in the text too;
* values of slots declared sensitive are encrypted with the keyring (``rsenc:v1:...``, bound
  to the slot name) and decrypted again by :meth:`EventSanitizer.restore_slot`; other slot
  values are redacted like text;
* nested data (bot ``data`` with buttons and custom payloads, ``metadata``, unknown
  ``parse_data`` keys) has every string leaf redacted, except Rasa's own ``model_id`` and
  ``assistant_id`` when the caller vouches for them (:mod:`.metadata`);
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

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from typing import Any, Dict, List, Mapping, Sequence, Tuple

from rasa_secure.config import resolve
from rasa_secure.core.identity import audit
from rasa_secure.core.identity.crypto import Keyring
from rasa_secure.core.identity.envelope import METADATA_KEY as IDENTITY_RECORD_KEY
from rasa_secure.core.nested import map_strings
from rasa_secure.core.pii import PIIFinding
from rasa_secure.core.redaction import FAILED_ENTITY, Redaction, Sanitizer, is_replacement
from rasa_secure.errors import ConfigError
from rasa_secure.stores.event_types import EVENT_FIELDS, event_type, tombstone
from rasa_secure.stores.known import (
    SENSITIVE_ENTITY_RECOGNIZER,
    KnownValues,
    known_findings,
)
from rasa_secure.stores.metadata import trusted_metadata, vouched
from rasa_secure.stores.options import OPTIONS, store_pii_config
from rasa_secure.stores.outcome import Report, SanitizedEvent
from rasa_secure.stores.parse_data import (
    PARSE_DATA_KEPT,
    moved_findings,
    nlu_analysed,
    nlu_findings,
)
from rasa_secure.stores.vault import (
    Vault,
    holds_ciphertext,
    load_keyring,
    looks_sealed,
)

logger = logging.getLogger(__name__)

MAX_CLEAN_TEXTS = 4096
"""Digests of texts found free of PII that are remembered (see ``_detect_and_redact``)."""

MAX_DEPTH = 32
"""Nested data deeper than this is replaced whole (fail safe against pathological payloads)."""


class EventSanitizer:
    """Make Rasa event dicts safe to store or publish; decrypt sensitive slots again.

    Attributes:
        component: name used in audit records (``SecureTrackerStore``, ``SecureEventBroker``).
        settings: the validated options (see :data:`~rasa_secure.stores.options.OPTIONS`).
        sanitizer: the text sanitizer (PII detector and redactor).
        keyring: encrypts sensitive slots; ``None`` when none are declared and no keys are set.
        vault: the keyring's encryptions at rest (slots, sealed records, rotation).
        known: the values known to be sensitive, per conversation.
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
        self.vault = Vault(
            keyring if keyring is not None else load_keyring(settings, component),
            component=component,
        )
        self.keyring = self.vault.keyring
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
        self.known = KnownValues(
            sensitive_slots=self.sensitive_slots,
            sensitive_entities=self.sensitive_entities,
            vault=self.vault,
            ours=self._placeholder,
        )
        self._clean: OrderedDict[bytes, None] = OrderedDict()
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
        """Validate ``config`` against the shared ``OPTIONS`` and build the sanitizer.

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
        learned: bool = False,
    ) -> SanitizedEvent:
        """A copy of ``event`` safe to persist or publish. Never raises.

        Args:
            event: an event dict as produced by ``Event.as_dict()`` (a broker body may also
                carry ``sender_id``).
            scope: the conversation id; placeholders are stable within it.
            trusted: values of trusted metadata keys (:mod:`.metadata`) the caller vouches for
                (``model_id``, ``assistant_id``): kept in clear only if shape and value match.
            learned: the caller already passed ``event`` to :meth:`learn`.
        """
        try:
            if not learned:
                self.learn(event, scope=scope)
            report = Report(
                scope=scope,
                known=self.known.get(scope),
                trusted=trusted_metadata(trusted or {}),
            )
            safe = self._event(event, report)
        except Exception as error:  # fail safe: keep the event, lose its contents
            report = Report(scope=scope)
            safe = self.tombstone(event)
            report.changed = report.failed = True
            report.categories.add(FAILED_ENTITY)
            logger.error(
                "%s could not sanitize a %r event (%s); stored as a tombstone",
                self.component,
                event_type(event),
                type(error).__name__,
            )
        result = report.outcome(safe)
        self._audit(event, result, scope)
        return result

    def tombstone(self, event: Mapping[str, Any]) -> Dict[str, Any]:
        """``event`` reduced to its type and identifiers, every text replaced whole (see
        :func:`~rasa_secure.stores.event_types.tombstone`)."""
        return tombstone(event, self.sanitizer.failure_text)

    def _event(self, event: Mapping[str, Any], report: Report) -> Dict[str, Any]:
        kind = event_type(event)
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

    def _user(self, safe: Dict[str, Any], report: Report) -> None:
        parse = safe.get("parse_data")
        parse = dict(parse) if isinstance(parse, Mapping) else None
        entities = parse.get("entities") if parse is not None else None
        entities = entities if isinstance(entities, list) else []
        parsed_text = parse.get("text") if parse is not None else None
        text = safe.get("text")
        # Findings of the PIIDetector NLU component (NER included) point into the user's text.
        nlu = nlu_findings(parse, text) if isinstance(text, str) else []
        detect = not (self.trust_nlu_findings and nlu_analysed(parse))
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
                parse["pii"] = moved_findings(parse["pii"], text_redaction)

    def _slot(self, safe: Dict[str, Any], report: Report) -> None:
        name = safe.get("name")
        value = safe.get("value")
        if name in self.clear_slots or value is None:
            return
        if name in self.sensitive_slots:
            if self.vault.authentic(value, str(name), scope=report.scope):
                return
            safe["value"] = self.vault.encrypt_slot(str(name), value, scope=report.scope)
            report.encrypted.append(str(name))
            report.changed = True
            return
        if not holds_ciphertext(value):
            safe["value"] = self._tree(value, report)

    # --- values known to be sensitive, and encryption at rest ----------------------------

    def learn(self, event: Mapping[str, Any], *, scope: str) -> Dict[str, str]:
        """Remember the sensitive values in ``event`` (see :meth:`KnownValues.learn`); from
        then on every text of the conversation is redacted where it repeats one of them."""
        return self.known.learn(event, scope=scope)

    def remember(self, name: str, value: Any, *, scope: str) -> None:
        """Remember the string leaves of a sensitive slot or entity value for ``scope``."""
        self.known.remember(name, value, scope=scope)

    def known_values(self, scope: str) -> Dict[str, str]:
        """The sensitive values remembered for ``scope`` (value -> entity type)."""
        return self.known.get(scope)

    def seal(self, values: Mapping[str, str], *, scope: str) -> str | None:
        """An encrypted record of ``values`` bound to ``scope`` (see :meth:`Vault.seal`)."""
        return self.vault.seal(values, scope=scope)

    def unseal(self, token: Any, *, scope: str) -> Dict[str, str]:
        """The values of a record made by :meth:`seal` (see :meth:`Vault.unseal`)."""
        return self.vault.unseal(token, scope=scope)

    def restore_slot(self, name: str, value: Any, *, scope: str = "") -> Any:
        """The clear value of a slot read back from storage (see :meth:`Vault.restore_slot`)."""
        return self.vault.restore_slot(name, value, scope=scope)

    def rotate_event(self, event: Dict[str, Any], *, scope: str = "") -> int:
        """Re-encrypt a stored event's ciphertexts in place (see :meth:`Vault.rotate_event`)."""
        return self.vault.rotate_event(event, scope=scope)

    # --- text --------------------------------------------------------------------------

    def _text(self, text: str, report: Report) -> str:
        return report.took(self._redact(text, (), report, spans=False))

    def _redact(
        self,
        text: str,
        entities: Sequence[Any],
        report: Report,
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
            *self.known.entity_findings(text, entities, spans=spans),
            *known_findings(text, report.known),
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

    # --- entities ----------------------------------------------------------------------

    def _entities(
        self, entities: Sequence[Any], redaction: Redaction | None, report: Report
    ) -> List[Any]:
        return [self._entity(entity, redaction, report) for entity in entities]

    def _entity(self, entity: Any, redaction: Redaction | None, report: Report) -> Any:
        if not isinstance(entity, Mapping):
            return self._tree(entity, report)
        name = entity.get("entity")
        if name in self.clear_entities:
            return dict(entity)
        safe = dict(entity)
        replacement = None
        start, end = entity.get("start"), entity.get("end")
        if redaction is not None and isinstance(start, int) and isinstance(end, int):
            replacement = redaction.replacement_over(start, end)  # same as in the text
            safe["start"] = redaction.redacted_offset(start, end=False)  # in the stored text
            safe["end"] = redaction.redacted_offset(end, end=True)
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

    def _placeholder(self, value: Any) -> bool:
        """Whether ``value`` is already a replacement (so a second pass leaves it alone)."""
        return isinstance(value, str) and (
            value == self.sanitizer.failure_text or is_replacement(value)
        )

    def _whole(self, value: Any, kind: str, report: Report) -> str:
        """Replace a sensitive entity's value as a whole (whatever its type)."""
        text = value if isinstance(value, str) and value else json.dumps(value, default=str)
        finding = PIIFinding(kind, 0, len(text), 1.0, SENSITIVE_ENTITY_RECOGNIZER)
        return report.took(
            self.sanitizer.sanitize(
                text, scope=report.scope, extra_findings=(finding,), detect=False
            )
        )

    # --- nested data -------------------------------------------------------------------

    def _metadata(self, value: Any, report: Report) -> Any:
        """Metadata is redacted like any tree, except the channel's attested identity record.

        The record (``metadata.rasa_secure``) is signed, so redacting inside it would break
        actions run later from the stored tracker; its token is encrypted, but its subject is
        in clear (``pseudonymous_ids`` drops it: :func:`.lifecycle.without_identity`).
        """
        if not self.redact_metadata:
            return value
        if not isinstance(value, Mapping):
            return self._tree(value, report)
        return {
            key: item
            if key == IDENTITY_RECORD_KEY or vouched(key, item, report.trusted)
            else self._tree(item, report, 1)
            for key, item in value.items()
        }

    def _tree(self, value: Any, report: Report, depth: int = 0) -> Any:
        """Every string leaf of ``value`` redacted (our ciphertexts kept), ``depth`` levels
        below the event: too deep a container fails safe, an object we cannot inspect keeps
        only its type name."""

        def too_deep(_value: Any) -> str:
            report.changed = report.failed = True
            return self.sanitizer.failure_text

        def opaque(item: Any) -> str:
            report.changed = True
            return f"<{type(item).__name__}>"

        return map_strings(
            value,
            lambda text: text if looks_sealed(text) else self._text(text, report),
            max_depth=MAX_DEPTH - depth,
            too_deep=too_deep,
            opaque=opaque,
        )

    # --- audit -------------------------------------------------------------------------

    def _audit(self, event: Mapping[str, Any], result: SanitizedEvent, scope: str) -> None:
        if not result.changed:
            return
        kind = event_type(event)
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
