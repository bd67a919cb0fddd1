"""The redaction operator contract: what an operator declares and the one call it implements.

An operator turns one value (the span of a finding) into its replacement. It declares, as
class attributes, its :attr:`Operator.name`, its parameters (:attr:`Operator.PARAMS`,
validated before it runs), how protective it is when findings overlap
(:attr:`Operator.PROTECTION`) and the shape of what it writes (:attr:`Operator.OUTPUT`), so
the grammar of every replacement has one owner: the operator that writes it. It implements
:meth:`Operator.apply`. Everything the operators of one :class:`~rasa_secure.core.redaction.
redactor.Redactor` share (the pseudonym key, the keyring, the numbering memory) is a
:class:`Shared`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar, Dict, Mapping, Optional

from rasa_secure.config import Option, OptionSpec, resolve
from rasa_secure.core.identity.crypto import Keyring

ENTITY = r"[A-Z][A-Z0-9_]*"
"""An entity type as it stands in a replacement (``EMAIL_ADDRESS``, ``IBAN_CODE``)."""

_NORMALISE = re.compile(r"[\s\-./()]+")


class OperatorName(str, Enum):
    """The operators, as named in the configuration (``operator: mask``)."""

    PLACEHOLDER = "placeholder"
    MASK = "mask"
    HASH = "hash"
    ENCRYPT = "encrypt"
    DROP = "drop"


@dataclass(frozen=True)
class Target:
    """What a replacement stands for, besides the value.

    Attributes:
        entity_type: the finding's entity type.
        scope: the conversation id; keyed replacements are stable within it.
    """

    entity_type: str
    scope: str = ""


class Numbering:
    """Per-scope numbers of values (``<NAME_1>``, ``<NAME_2>``), bounded, thread-safe.

    Holds HMAC digests of values, never values. Scopes are evicted least recently used first.
    """

    def __init__(self, max_scopes: int, max_values: int) -> None:
        self.max_scopes = max_scopes
        self.max_values = max_values
        self._scopes: OrderedDict[str, Dict[str, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._scopes)

    def __contains__(self, scope: object) -> bool:
        return scope in self._scopes

    def number(self, scope: str, entity: str, digest: str) -> Optional[int]:
        """The number of ``digest`` among ``entity`` values of ``scope``; ``None`` past the cap."""
        with self._lock:
            numbers = self._scopes.get(scope)
            if numbers is None:
                numbers = self._scopes[scope] = {}
                while len(self._scopes) > self.max_scopes:
                    self._scopes.popitem(last=False)
            else:
                self._scopes.move_to_end(scope)
            key = f"{entity}:{digest}"
            if key not in numbers:
                if len(numbers) >= self.max_values:
                    return None
                numbers[key] = 1 + sum(1 for known in numbers if known.startswith(entity + ":"))
            return numbers[key]


@dataclass(frozen=True)
class Shared:
    """What the operators of one redactor share.

    Attributes:
        key: the pseudonym key of keyed placeholders and hashes.
        keyring: encrypts values (``None`` when no operator encrypts).
        numbering: the numbers of style ``numbered`` placeholders.
    """

    key: bytes
    keyring: Optional[Keyring]
    numbering: Numbering

    def digest(self, value: str, entity: str, scope: str) -> str:
        """The keyed HMAC (hex) of ``value``, ignoring case and separators."""
        normalised = _NORMALISE.sub("", value).casefold()
        message = f"{scope}\x1f{entity}\x1f{normalised}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()


class Operator(ABC):
    """One way of replacing a value. Subclasses set the class attributes and :meth:`apply`.

    Attributes:
        params: the validated parameters (``operator`` included).
        shared: the key, keyring and memory shared with the redactor's other operators.
    """

    NAME: ClassVar[OperatorName]
    """The configuration name."""
    PARAMS: ClassVar[OptionSpec] = {}
    """The parameters besides ``operator``, with their defaults and checks."""
    PROTECTION: ClassVar[int]
    """When overlapping findings ask for different operators, the highest wins."""
    OUTPUT: ClassVar[Optional[re.Pattern[str]]] = None
    """Matches (whole) every text :meth:`apply` returns; ``None`` when it has no shape of its
    own (a mask looks like the value, a dropped value is nothing)."""
    NEEDS_KEYRING: ClassVar[bool] = False
    """Whether the operator encrypts (and so needs a keyring)."""

    def __init__(self, params: Mapping[str, Any], shared: Shared) -> None:
        """Take parameters validated by :meth:`validate`."""
        self.params = params
        self.shared = shared

    @classmethod
    def validate(cls, settings: Mapping[str, Any], path: str) -> Dict[str, Any]:
        """``settings`` merged with the defaults and checked; errors name ``path.key``.

        Raises:
            ConfigError: an unknown parameter or an invalid value.
        """
        spec = {"operator": Option(cls.NAME.value, "operator name", str), **cls.PARAMS}
        return resolve(spec, settings, owner=path)

    @classmethod
    def keyed(cls, params: Mapping[str, Any]) -> bool:
        """Whether, with ``params``, the output depends on the pseudonym key."""
        return False

    @abstractmethod
    def apply(self, value: str, target: Target) -> str:
        """The replacement of ``value`` (never raises on a string)."""
