"""The Rasa 3.6 event types: where free text lives in each, and what survives a tombstone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, Mapping, Tuple


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
"""Keys a :func:`tombstone` keeps; everything else is dropped or replaced."""


def event_type(event: Mapping[str, Any]) -> str:
    """The ``event`` field of an event dict (``""`` when it has none)."""
    kind = event.get("event") if isinstance(event, Mapping) else None
    return kind if isinstance(kind, str) else ""


def tombstone(event: Mapping[str, Any], failure: str) -> Dict[str, Any]:
    """``event`` reduced to its type and identifiers, every text replaced by ``failure``.

    Used when an event cannot be sanitized: the conversation keeps its shape (an event
    is never lost) but nothing the user typed survives.
    """
    kind = event_type(event)
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
