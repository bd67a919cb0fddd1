"""The vocabulary of a policy: how far an action grant reaches and how much a role sees.

:class:`Scope` and :class:`Disclosure` are the values a policy file writes
(``customer: own``, ``disclose: {teller: full}``); :class:`SlotRules` is one slot's entry once
parsed. :mod:`rasa_secure.core.identity.policy` answers questions with them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, FrozenSet, Mapping

MASK = "****"
WITHHELD = "[withheld]"


class Scope(enum.Enum):
    """How far an action grant reaches."""

    OWN = "own"
    """Only on records whose owner is the caller's subject."""
    ANY = "any"
    """On any record."""


SCOPE_RANK = {Scope.OWN: 1, Scope.ANY: 2}


class Disclosure(enum.Enum):
    """How much of a slot value a role may see in a bot message."""

    NONE = "none"
    MASK_LAST4 = "mask_last4"
    FULL = "full"

    @property
    def rank(self) -> int:
        """Order of generosity: ``none`` < ``mask_last4`` < ``full``."""
        return DISCLOSURE_RANK[self]

    def render(self, value: Any) -> str:
        """The value as this level lets it appear.

        ``mask_last4`` shows the last four characters only for values of eight characters
        or more (shorter values would be mostly revealed) behind a fixed-width mask, so the
        length is not revealed either.
        """
        text = str(value)
        if self is Disclosure.FULL:
            return text
        if self is Disclosure.MASK_LAST4:
            return MASK + text[-4:] if len(text) >= 8 else MASK
        return WITHHELD


DISCLOSURE_RANK = {Disclosure.NONE: 0, Disclosure.MASK_LAST4: 1, Disclosure.FULL: 2}


@dataclass(frozen=True)
class SlotRules:
    """The roles that may read and write a slot, and each role's disclosure of its value."""

    read: FrozenSet[str]
    write: FrozenSet[str]
    disclose: Mapping[str, Disclosure]
