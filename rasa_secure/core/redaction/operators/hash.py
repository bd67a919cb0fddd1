"""``hash``: a keyed pseudonym ``EMAIL_ADDRESS_9c1e...`` for joins that must not see values.

Per conversation by default; with ``per_scope: false`` the same value gets the same pseudonym
in every conversation (analytics across conversations).
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from rasa_secure.config import Option, in_range
from rasa_secure.core.redaction.operators.base import ENTITY, Operator, OperatorName, Target


class Hash(Operator):
    """Replace a value by its entity type and a keyed HMAC of it."""

    NAME = OperatorName.HASH
    PARAMS = {
        "per_scope": Option(True, "different pseudonyms in different conversations", bool),
        "length": Option(16, "hex characters of the pseudonym", int, in_range(8, 64)),
    }
    PROTECTION = 2
    OUTPUT = re.compile(rf"{ENTITY}_[0-9a-f]{{8,64}}")

    @classmethod
    def keyed(cls, params: Mapping[str, Any]) -> bool:
        return True

    def apply(self, value: str, target: Target) -> str:
        scope = target.scope if self.params["per_scope"] else ""
        digest = self.shared.digest(value, target.entity_type, scope)
        return f"{target.entity_type}_{digest[: self.params['length']]}"
