"""The :class:`Redactor`: each finding replaced as its entity type's operator says.

The operators (:mod:`rasa_secure.core.redaction.operators`) are ``placeholder`` (default,
``<EMAIL_ADDRESS_3f9a1c0e>``), ``mask``, ``hash``, ``encrypt`` and ``drop``; the configuration
picks one per entity type (``entities``) and one for the rest (``default``). Overlapping
findings are merged first and the most protective operator among them wins.

The pseudonym key of keyed placeholders and hashes is read from ``RASA_SECURE_PSEUDONYM_KEY``
(any secret string), else derived from the keyring's current key, else a random per-process
key (stable until restart; a warning says so when a keyed operator is configured).

A :class:`Redaction` says what was replaced and where, and maps offsets of the original text
into the redacted one (:meth:`Redaction.redacted_offset`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple

from rasa_secure.config import Option, OptionSpec, positive, resolve
from rasa_secure.core.identity.crypto import Keyring
from rasa_secure.core.redaction.operators import (
    OPERATORS,
    Numbering,
    Operator,
    OperatorName,
    Shared,
    Target,
    reveal,
)
from rasa_secure.errors import ConfigError, InputError

if TYPE_CHECKING:  # the PII detector imports the placeholder shapes from this package
    from rasa_secure.core.pii import PIIFinding

logger = logging.getLogger(__name__)

PSEUDONYM_KEY_ENV = "RASA_SECURE_PSEUDONYM_KEY"

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

    def redacted_offset(self, position: int, *, end: bool = False) -> int:
        """Where ``position`` of the original text lands in the redacted text.

        Positions outside every replaced span move by what the replacements before them
        added or removed. A position strictly inside a replaced span lands on the
        replacement's start (``end=False``: the start of a span) or its end (``end=True``),
        so a span over part of a value covers the whole replacement, never a piece of it.
        """
        shift = 0
        for item in self.items:
            if position <= item.start:
                break
            if position < item.end:
                return item.redacted_end if end else item.redacted_start
            shift = item.redacted_end - item.end
        return position + shift

    def replacement_over(self, start: int, end: int) -> Optional[str]:
        """The replacement of the first replaced span that ``[start, end)`` overlaps."""
        for item in self.items:
            if item.start < end and start < item.end:
                return self.text[item.redacted_start : item.redacted_end]
        return None


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
        default = _validated(self.config["default"], "Redactor.default")
        by_entity = {
            str(entity): _validated(settings, f"Redactor.entities.{entity}")
            for entity, settings in self.config["entities"].items()
        }
        chosen = (default, *by_entity.values())
        self._keyring = keyring
        if self._keyring is None and any(kind.NEEDS_KEYRING for kind, _ in chosen):
            self._keyring = Keyring.from_env()
        keyed = any(kind.keyed(params) for kind, params in chosen)
        self._numbers = Numbering(
            self.config["numbered_max_scopes"], self.config["numbered_max_values"]
        )
        shared = Shared(self._pseudonym_key(warn=keyed), self._keyring, self._numbers)
        self._default = default[0](default[1], shared)
        self._by_entity = {
            entity: kind(params, shared) for entity, (kind, params) in by_entity.items()
        }

    def operator_for(self, entity_type: str) -> str:
        """The name of the operator applied to ``entity_type``."""
        return self._operator(entity_type).NAME.value

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
        for start, end, entity, operator in self._merge(text, findings):
            pieces.append(text[cursor:start])
            length += start - cursor
            replacement = operator.apply(text[start:end], Target(entity, scope))
            pieces.append(replacement)
            items.append(
                RedactedItem(
                    entity, start, end, length, length + len(replacement), operator.NAME.value
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
        return reveal(text, self._keyring or Keyring.from_env(), scope)

    def _operator(self, entity_type: str) -> Operator:
        return self._by_entity.get(entity_type, self._default)

    def _merge(
        self, text: str, findings: Sequence[PIIFinding]
    ) -> List[Tuple[int, int, str, Operator]]:
        for index, finding in enumerate(findings):
            if not 0 <= finding.start < finding.end <= len(text):
                raise InputError(
                    f"findings[{index}]",
                    f"span [{finding.start}, {finding.end}) is outside the text",
                )
        merged: List[Tuple[int, int, str, Operator]] = []
        group: List[PIIFinding] = []
        for finding in sorted(findings, key=lambda f: (f.start, -f.end)):
            if group and finding.start >= max(f.end for f in group):
                merged.append(self._group(group))
                group = []
            group.append(finding)
        merged.append(self._group(group))
        return merged

    def _group(self, group: List[PIIFinding]) -> Tuple[int, int, str, Operator]:
        best = max(group, key=lambda f: f.score)
        operator = max((self._operator(f.entity_type) for f in group), key=lambda op: op.PROTECTION)
        if len({self._operator(f.entity_type).NAME for f in group}) == 1:
            operator = self._operator(best.entity_type)
        return min(f.start for f in group), max(f.end for f in group), best.entity_type, operator

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


def _validated(settings: Any, path: str) -> Tuple[type[Operator], Dict[str, Any]]:
    """The operator class ``settings`` names and its validated parameters."""
    if not isinstance(settings, Mapping):
        raise ConfigError(path, "expected a mapping with an 'operator' key")
    name = settings.get("operator", OperatorName.PLACEHOLDER.value)
    try:
        kind = OPERATORS[OperatorName(name)]
    except ValueError:
        raise ConfigError(
            f"{path}.operator", f"unknown operator {name!r}", tuple(n.value for n in OPERATORS)
        ) from None
    return kind, kind.validate(settings, path)
