"""Rasa's own metadata on events (``model_id``, ``assistant_id``), kept in clear when vouched.

A model id looks like a high-entropy secret to the detector, so these values would be redacted
like any string; they are not personal data. A value is kept only when it has its key's shape
*and* equals the value the caller vouches for (the tracker's own), so a client that sends
``{"model_id": "<its API key>"}`` as message metadata gets it redacted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Tuple


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


def vouched(key: str, value: Any, trusted: Mapping[str, str]) -> bool:
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
