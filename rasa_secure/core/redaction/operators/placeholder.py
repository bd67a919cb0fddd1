"""``placeholder``: ``<EMAIL_ADDRESS_3f9a1c0e>``, ``<EMAIL_ADDRESS>`` or ``<EMAIL_ADDRESS_2>``.

Style ``keyed`` (default) suffixes a keyed HMAC of the scope, the entity type and the
normalised value: the same value gets the same placeholder throughout a conversation, in every
process and after a restart, and a different one in another conversation. Style ``type`` is the
bare type (what intent models train on). Style ``numbered`` numbers values per conversation
from a bounded in-process memory (stable within one process only), falling back to keyed past
its cap.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from rasa_secure.config import Option, in_range
from rasa_secure.core.redaction.operators.base import ENTITY, Operator, OperatorName, Target

STYLES = ("keyed", "type", "numbered")


class Placeholder(Operator):
    """Replace a value by its entity type in angle brackets, optionally suffixed."""

    NAME = OperatorName.PLACEHOLDER
    PARAMS = {
        "style": Option("keyed", "keyed, type or numbered", str, choices=STYLES),
        "digest_length": Option(8, "hex characters of the keyed suffix", int, in_range(4, 64)),
    }
    PROTECTION = 3
    OUTPUT = re.compile(rf"<{ENTITY}(?:_[0-9a-f]{{1,64}})?>")

    @classmethod
    def keyed(cls, params: Mapping[str, Any]) -> bool:
        return bool(params["style"] != "type")

    def apply(self, value: str, target: Target) -> str:
        entity, style = target.entity_type, self.params["style"]
        if style == "type":
            return f"<{entity}>"
        digest = self.shared.digest(value, entity, target.scope)
        if style == "numbered":
            number = self.shared.numbering.number(target.scope, entity, digest)
            if number is not None:
                return f"<{entity}_{number}>"
        return f"<{entity}_{digest[: self.params['digest_length']]}>"
