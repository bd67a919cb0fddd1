"""Redaction operators, and the fail-safe :class:`Sanitizer` (detector + redactor).

:class:`Redactor` replaces each finding with what its entity type's operator says:

* ``placeholder`` (default): ``<EMAIL_ADDRESS_3f9a1c0e>``. The suffix is a keyed HMAC of the
  scope (the conversation id), the entity type and the normalised value, so the same value gets
  the same placeholder throughout a conversation, in every process and after a restart, and a
  different one in another conversation; without the key nothing about the value can be
  learned. ``style: type`` gives a bare ``<EMAIL_ADDRESS>`` (what intent models train on);
  ``style: numbered`` gives ``<EMAIL_ADDRESS_1>``, ``<EMAIL_ADDRESS_2>`` from a bounded
  in-process memory (stable within one process only; see the docs).
* ``mask``: keep a few characters, e.g. ``**** **** **** 1111`` (``keep_last: 4``).
* ``hash``: a keyed pseudonym ``EMAIL_ADDRESS_9c1e...``, per conversation or (``per_scope:
  false``) across conversations, for analytics that must join on a value without seeing it.
* ``encrypt``: ``<EMAIL_ADDRESS:rsenc:v1:k1:...>``, AES-256-GCM with the
  :class:`~rasa_secure.core.identity.crypto.Keyring`, bound to the entity type and the scope;
  :meth:`Redactor.reveal` gives the value back to authorized code.
* ``drop``: remove the value.

The pseudonym key is read from ``RASA_SECURE_PSEUDONYM_KEY`` (any secret string), else
derived from the keyring's current key, else a random per-process key (stable until restart;
a warning says so when a keyed operator is configured).

:class:`Sanitizer` runs a :class:`PIIAnalyzer` and a :class:`Redactor`,
redacting along with the detector's findings any known from elsewhere (``extra_findings``:
the NLU component's, sensitive values), and fails safe: if detection or redaction raises, the
whole text becomes ``<REDACTED>``, :attr:`Redaction.failed` is set and an audit record reports
the failure. Raw text never leaks because a detector broke.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from rasa_secure.config import Option, OptionSpec, in_range, positive, resolve
from rasa_secure.core.identity import audit
from rasa_secure.core.identity.crypto import PREFIX, Keyring
from rasa_secure.core.pii import PIIAnalyzer, PIIFinding
from rasa_secure.errors import ConfigError, InputError, RasaSecureError

logger = logging.getLogger(__name__)

PSEUDONYM_KEY_ENV = "RASA_SECURE_PSEUDONYM_KEY"
OPERATORS = ("placeholder", "mask", "hash", "encrypt", "drop")
PLACEHOLDER_STYLES = ("keyed", "type", "numbered")
FAILED_ENTITY = "UNKNOWN"
"""Entity type of the single item of a failed (fully redacted) :class:`Redaction`."""

# When overlapping findings ask for different operators, the most protective one wins.
_PROTECTION = {"drop": 4, "placeholder": 3, "hash": 2, "encrypt": 1, "mask": 0}
_NORMALISE = re.compile(r"[\s\-./()]+")
_ENCRYPTED = re.compile(r"<([A-Z][A-Z0-9_]*):(" + re.escape(PREFIX) + r"[^:>\s]+:[A-Za-z0-9_=-]+)>")

_OPERATOR_PARAMS: Dict[str, OptionSpec] = {
    "placeholder": {
        "operator": Option("placeholder", "operator name", str),
        "style": Option("keyed", "keyed, type or numbered", str, choices=PLACEHOLDER_STYLES),
        "digest_length": Option(8, "hex characters of the keyed suffix", int, in_range(4, 64)),
    },
    "mask": {
        "operator": Option("mask", "operator name", str),
        "keep_last": Option(4, "characters left visible at the end", int, in_range(0, 64)),
        "keep_first": Option(0, "characters left visible at the start", int, in_range(0, 64)),
        "char": Option(
            "*",
            "masking character",
            str,
            lambda v: None if len(v) == 1 else "must be one character",
        ),
        "keep_separators": Option(True, "leave spaces, dashes and dots in place", bool),
    },
    "hash": {
        "operator": Option("hash", "operator name", str),
        "per_scope": Option(True, "different pseudonyms in different conversations", bool),
        "length": Option(16, "hex characters of the pseudonym", int, in_range(8, 64)),
    },
    "encrypt": {"operator": Option("encrypt", "operator name", str)},
    "drop": {"operator": Option("drop", "operator name", str)},
}

OPTIONS: OptionSpec = {
    "default": Option(
        {"operator": "placeholder"}, "operator for entity types not listed in 'entities'", dict
    ),
    "entities": Option(
        {}, "entity type -> operator settings, e.g. CREDIT_CARD: {operator: mask}", dict
    ),
    "key_env": Option(PSEUDONYM_KEY_ENV, "environment variable holding the pseudonym key", str),
    "numbered_max_scopes": Option(
        10_000, "conversations remembered by style 'numbered'", int, positive
    ),
    "numbered_max_values": Option(
        1_000, "values numbered per conversation before falling back to keyed", int, positive
    ),
}
"""Configuration of :class:`Redactor`."""


@dataclass(frozen=True)
class RedactedItem:
    """What was replaced, and where. Holds no value.

    Attributes:
        entity_type: the entity type of the replaced span.
        start: start offset in the original text.
        end: end offset in the original text.
        redacted_start: start offset of the replacement in the redacted text.
        redacted_end: end offset of the replacement in the redacted text.
        operator: the operator applied (``placeholder``, ``mask``, ... or ``failsafe``).
    """

    entity_type: str
    start: int
    end: int
    redacted_start: int
    redacted_end: int
    operator: str


@dataclass(frozen=True)
class Redaction:
    """A redacted text and what was replaced in it.

    Attributes:
        text: the redacted text.
        items: replaced spans in text order.
        failed: detection or redaction failed and the whole text was replaced.
    """

    text: str
    items: Tuple[RedactedItem, ...] = ()
    failed: bool = False

    @property
    def entity_types(self) -> Tuple[str, ...]:
        """The distinct entity types replaced, sorted."""
        return tuple(sorted({item.entity_type for item in self.items}))


class Redactor:
    """Apply per-entity redaction operators to findings.

    Thread-safe. Placeholders of style ``keyed`` and the ``hash`` operator are deterministic
    (HMAC); style ``numbered`` keeps a bounded per-scope memory of HMAC digests, never values.
    """

    def __init__(
        self, config: Optional[Mapping[str, Any]] = None, *, keyring: Optional[Keyring] = None
    ) -> None:
        """Validate the configuration.

        Raises:
            ConfigError: an unknown operator or parameter, or ``encrypt`` without a keyring
                (none given and ``RASA_SECURE_KEYS`` unset).
        """
        self.config = resolve(OPTIONS, config, owner="Redactor")
        self._default = _operator_settings(self.config["default"], "Redactor.default")
        entities = self.config["entities"]
        self._by_entity = {
            str(entity): _operator_settings(settings, f"Redactor.entities.{entity}")
            for entity, settings in entities.items()
        }
        self._keyring = keyring
        needs_keyring = any(
            s["operator"] == "encrypt" for s in (self._default, *self._by_entity.values())
        )
        if needs_keyring and self._keyring is None:
            self._keyring = Keyring.from_env()
        keyed = any(
            s["operator"] == "hash" or (s["operator"] == "placeholder" and s["style"] != "type")
            for s in (self._default, *self._by_entity.values())
        )
        self._key = self._pseudonym_key(warn=keyed)
        self._numbers: OrderedDict[str, Dict[str, int]] = OrderedDict()
        self._lock = threading.Lock()

    def operator_for(self, entity_type: str) -> str:
        """The operator applied to ``entity_type``."""
        return str(self._settings(entity_type)["operator"])

    def redact(self, text: str, findings: Sequence[PIIFinding], *, scope: str = "") -> Redaction:
        """Replace every finding in ``text``; overlapping findings are merged first.

        Args:
            text: the original text the findings point into.
            findings: spans to replace (from :meth:`PIIAnalyzer.detect`).
            scope: the conversation id; pseudonyms and placeholders are stable within it.

        Raises:
            InputError: a finding's span lies outside ``text``.
        """
        if not findings:
            return Redaction(text=text)
        pieces: List[str] = []
        items: List[RedactedItem] = []
        cursor = 0
        length = 0
        for start, end, entity, settings in self._merge(text, findings):
            pieces.append(text[cursor:start])
            length += start - cursor
            replacement = self._replace(text[start:end], entity, settings, scope)
            pieces.append(replacement)
            items.append(
                RedactedItem(
                    entity, start, end, length, length + len(replacement), settings["operator"]
                )
            )
            length += len(replacement)
            cursor = end
        pieces.append(text[cursor:])
        return Redaction(text="".join(pieces), items=tuple(items))

    def reveal(self, text: str, *, scope: str = "") -> str:
        """Decrypt every ``encrypt`` replacement in ``text`` (for authorized code only).

        Raises:
            ConfigError: no keyring is available.
            CryptoError: a replacement was tampered with, or belongs to another scope.
        """
        keyring = self._keyring or Keyring.from_env()
        return _ENCRYPTED.sub(
            lambda m: keyring.decrypt(m.group(2), context=_aad(m.group(1), scope)),
            text,
        )

    def _settings(self, entity_type: str) -> Dict[str, Any]:
        return self._by_entity.get(entity_type, self._default)

    def _merge(
        self, text: str, findings: Sequence[PIIFinding]
    ) -> List[Tuple[int, int, str, Mapping[str, Any]]]:
        for index, finding in enumerate(findings):
            if not 0 <= finding.start < finding.end <= len(text):
                raise InputError(
                    f"findings[{index}]",
                    f"span [{finding.start}, {finding.end}) is outside the text",
                )
        merged: List[Tuple[int, int, str, Mapping[str, Any]]] = []
        group: List[PIIFinding] = []
        for finding in sorted(findings, key=lambda f: (f.start, -f.end)):
            if group and finding.start >= max(f.end for f in group):
                merged.append(self._group(group))
                group = []
            group.append(finding)
        merged.append(self._group(group))
        return merged

    def _group(self, group: List[PIIFinding]) -> Tuple[int, int, str, Mapping[str, Any]]:
        best = max(group, key=lambda f: f.score)
        settings = max(
            (self._settings(f.entity_type) for f in group),
            key=lambda s: _PROTECTION[s["operator"]],
        )
        if len({self.operator_for(f.entity_type) for f in group}) == 1:
            settings = self._settings(best.entity_type)
        return min(f.start for f in group), max(f.end for f in group), best.entity_type, settings

    def _replace(self, value: str, entity: str, settings: Mapping[str, Any], scope: str) -> str:
        operator = settings["operator"]
        if operator == "drop":
            return ""
        if operator == "mask":
            return _mask(value, settings)
        if operator == "encrypt":
            assert self._keyring is not None
            return f"<{entity}:{self._keyring.encrypt(value, context=_aad(entity, scope))}>"
        if operator == "hash":
            digest = self._digest(value, entity, scope if settings["per_scope"] else "")
            return f"{entity}_{digest[: settings['length']]}"
        style = settings["style"]
        if style == "type":
            return f"<{entity}>"
        digest = self._digest(value, entity, scope)
        if style == "numbered":
            number = self._number(scope, entity, digest)
            if number is not None:
                return f"<{entity}_{number}>"
        return f"<{entity}_{digest[: settings['digest_length']]}>"

    def _digest(self, value: str, entity: str, scope: str) -> str:
        normalised = _NORMALISE.sub("", value).casefold()
        message = f"{scope}\x1f{entity}\x1f{normalised}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def _number(self, scope: str, entity: str, digest: str) -> Optional[int]:
        with self._lock:
            numbers = self._numbers.get(scope)
            if numbers is None:
                numbers = self._numbers[scope] = {}
                while len(self._numbers) > self.config["numbered_max_scopes"]:
                    self._numbers.popitem(last=False)
            else:
                self._numbers.move_to_end(scope)
            key = f"{entity}:{digest}"
            if key not in numbers:
                if len(numbers) >= self.config["numbered_max_values"]:
                    return None
                numbers[key] = 1 + sum(1 for known in numbers if known.startswith(entity + ":"))
            return numbers[key]

    def _pseudonym_key(self, *, warn: bool) -> bytes:
        """The key of keyed placeholders and hashes; ``warn``: one of them is configured."""
        secret = os.environ.get(self.config["key_env"], "")
        if secret:
            return secret.encode("utf-8")
        if self._keyring is not None:
            return hmac.new(
                self._keyring.keys[0][1], b"rasa_secure pseudonym key", hashlib.sha256
            ).digest()
        if warn:
            logger.warning(
                "%s is not set: pseudonyms and placeholders are stable until this process restarts",
                self.config["key_env"],
            )
        return secrets.token_bytes(32)


def _operator_settings(settings: Any, path: str) -> Dict[str, Any]:
    if not isinstance(settings, Mapping):
        raise ConfigError(path, "expected a mapping with an 'operator' key")
    operator = settings.get("operator", "placeholder")
    if operator not in _OPERATOR_PARAMS:
        raise ConfigError(f"{path}.operator", f"unknown operator {operator!r}", OPERATORS)
    return resolve(_OPERATOR_PARAMS[operator], settings, owner=path)


def _mask(value: str, settings: Mapping[str, Any]) -> str:
    keep_first, keep_last, char = settings["keep_first"], settings["keep_last"], settings["char"]
    positions = [i for i, c in enumerate(value) if c.isalnum() or not settings["keep_separators"]]
    if 2 * (keep_first + keep_last) > len(positions):
        keep_first = keep_last = 0  # never reveal half a short value
    visible = set(positions[:keep_first]) | set(
        positions[len(positions) - keep_last :] if keep_last else []
    )
    return "".join(c if i in visible or i not in positions else char for i, c in enumerate(value))


def _aad(entity: str, scope: str) -> str:
    return f"rasa_secure.pii|{entity}|{scope}"


SANITIZER_OPTIONS: OptionSpec = {
    "detector": Option({}, "PIIDetector options", dict),
    "redaction": Option({}, "Redactor options", dict),
    "failure_text": Option("<REDACTED>", "what a text becomes when detection fails", str),
    "audit_redactions": Option(
        False, "emit an audit record for every redacted text (not only failures)", bool
    ),
}
"""Configuration of :meth:`Sanitizer.from_config`."""


class Sanitizer:
    """Detect and redact in one call, failing safe.

    Attributes:
        detector: the PII detector.
        redactor: the redactor.
        failure_text: the whole text's replacement when anything fails.
    """

    def __init__(
        self,
        detector: PIIAnalyzer,
        redactor: Redactor,
        *,
        failure_text: str = "<REDACTED>",
        audit_redactions: bool = False,
    ) -> None:
        self.detector = detector
        self.redactor = redactor
        self.failure_text = failure_text
        self.audit_redactions = audit_redactions

    @classmethod
    def from_config(
        cls, config: Optional[Mapping[str, Any]] = None, *, keyring: Optional[Keyring] = None
    ) -> Sanitizer:
        """Build from ``{detector: {...}, redaction: {...}, failure_text, audit_redactions}``.

        Raises:
            ConfigError: invalid options (models are not loaded yet; see :meth:`load`).
        """
        options = resolve(SANITIZER_OPTIONS, config, owner="Sanitizer")
        return cls(
            PIIAnalyzer(options["detector"]),
            Redactor(options["redaction"], keyring=keyring),
            failure_text=options["failure_text"],
            audit_redactions=options["audit_redactions"],
        )

    def load(self) -> None:
        """Load the detector now (call at start-up to surface a missing model early).

        Raises:
            DependencyMissingError: Presidio, spaCy or the configured model is missing.
        """
        self.detector.load()

    def sanitize(
        self,
        text: str,
        *,
        scope: str = "",
        extra_findings: Sequence[PIIFinding] = (),
        detect: bool = True,
    ) -> Redaction:
        """The redacted ``text``; on any failure the whole text is replaced, never returned raw.

        Args:
            text: the text to sanitize.
            scope: the conversation id (sender id); placeholders are stable within it and the
                audit record's subject is its pseudonym.
            extra_findings: findings known from elsewhere (the NLU component's
                ``parse_data.pii``, values declared sensitive) that point into ``text``;
                redacted together with what the detector finds. A finding outside the text
                is a failure like any other: the whole text is replaced.
            detect: run the detector; ``False`` redacts ``extra_findings`` only (for texts
                another detector already analysed).

        Raises:
            InputError: ``text`` is not a string.
        """
        if not isinstance(text, str):
            raise InputError("text", f"expected str, got {type(text).__name__}")
        if not text:
            return Redaction(text=text)
        try:
            found = self.detector.detect(text) if detect else ()
            findings = (*found, *extra_findings) if extra_findings else found
            result = self.redactor.redact(text, findings, scope=scope)
        except Exception as error:  # fail safe: redact more, never less
            reason = error.__class__.__name__
            audit.record(
                "Sanitizer",
                "error",
                subject=scope or None,
                reasons=("detection_failed", reason),
                categories=(FAILED_ENTITY,),
            )
            if not isinstance(error, RasaSecureError):
                logger.error("PII detection failed (%s); the whole text was redacted", reason)
            item = RedactedItem(FAILED_ENTITY, 0, len(text), 0, len(self.failure_text), "failsafe")
            return Redaction(text=self.failure_text, items=(item,), failed=True)
        if self.audit_redactions and result.items:
            audit.record(
                "Sanitizer", "redact", subject=scope or None, categories=result.entity_types
            )
        return result
