"""Rasa's and rasa-sdk's log lines that carry user text or values in a known shape.

Patterns cannot find a name or an address in free text, but these dumps have a known shape:
each :class:`DumpRule` masks the value in one of them (:data:`MASK`), in every record and every
structlog string that :class:`~rasa_secure.stores.log_filter.PIILogFilter` redacts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Pattern, Tuple
from urllib.parse import unquote_plus

MASK = "<redacted>"
"""What a masked value becomes."""

_STATE_LABELS = (
    "user intent|user entities|previous action name|previous action text|active loop|slots"
)


@dataclass(frozen=True)
class DumpRule:
    """A place where Rasa or rasa-sdk writes user text or a value into a log line in clear.

    Patterns cannot find a name or an address in free text, but these dumps have a known
    shape: the group ``value`` of :attr:`pattern` is replaced by :data:`MASK` wherever it
    matches, in every record and every structlog string.

    Attributes:
        name: short identifier (tests and docs).
        markers: literal strings, one of which every match contains (a cheap pre-check).
        pattern: a compiled pattern with a ``value`` group.
        examples: ``(line, value)`` pairs: ``value`` must be gone from the redacted ``line``.
        counterexamples: lines the rule must leave unchanged.
    """

    name: str
    markers: Tuple[str, ...]
    pattern: Pattern[str]
    examples: Tuple[Tuple[str, str], ...]
    counterexamples: Tuple[str, ...] = ()

    def apply(self, text: str) -> str:
        """``text`` with every match's ``value`` group masked (the pattern runs only on a text
        that holds one of :attr:`markers`, literal strings every match contains)."""
        for marker in self.markers:
            if marker in text:
                return self.pattern.sub(_mask_value, text)
        return text


def _mask_value(match: re.Match[str]) -> str:
    """The matched text with its ``value`` group replaced by :data:`MASK`."""
    start, end = match.span("value")
    offset, whole = match.start(), match.group(0)
    return whole[: start - offset] + MASK + whole[end - offset :]


DUMP_RULES: Tuple[DumpRule, ...] = (
    DumpRule(
        "tracker state text",
        ("user text: ", "previous action text: "),
        # Policy.format_tracker_states (RulePolicy's `current_states` at debug): the user's
        # text runs until the next label of the same state, the next state or the end.
        re.compile(
            r"(?:user text|previous action text): (?P<value>.*?)"
            rf"(?= \| (?:{_STATE_LABELS}): |\n\[state \d+\] |$)",
            re.S,
        ),
        examples=(
            (
                "\n[state 1] user text: my name is Ada Byron | previous action name: action_listen",
                "Ada Byron",
            ),
            ("[state 3] user text: I live at 221B Baker Street\nLondon", "Baker Street"),
            ("[state 1] user text: Ada | x\n[state 2] user intent: greet", "Ada | x"),
        ),
        counterexamples=("[state 1] user intent: greet | previous action name: action_listen",),
    ),
    DumpRule(
        "slot candidates",
        ("Validating extracted slots: ",),
        # rasa.core.actions.action: "Validating extracted slots: {slot: value}" at debug.
        re.compile(r"Validating extracted slots: (?P<value>.+)", re.S),
        examples=(("Validating extracted slots: {'full_name': 'Ada Byron'}", "Ada Byron"),),
        counterexamples=("Validating extracted slots",),
    ),
    DumpRule(
        "uttered text",
        ("Uttered(text: ",),
        # str() of UserUttered / BotUttered / AgentUttered events inside a message.
        re.compile(r"(?:User|Bot|Agent)Uttered\(text: (?P<value>.*?)(?=, (?:intent|data): )", re.S),
        examples=(
            ("UserUttered(text: I am Ada Byron, intent: inform, entities: )", "Ada Byron"),
            ("BotUttered(text: Thanks, Ada Byron!, data: {}, metadata: {})", "Ada Byron"),
        ),
        counterexamples=("UserUttered(intent: inform)",),
    ),
    DumpRule(
        "uttered entities",
        (" (Type: ",),
        # str() of UserUttered lists entity values as "value (Type: t, Role: r, Group: g)".
        re.compile(r"(?:entities: |\), )(?P<value>(?:(?! \(Type: ).)+?) \(Type: ", re.S),
        examples=(
            (
                "entities: Ada Byron (Type: name, Role: None, Group: None), 221B Baker Street "
                "(Type: address, Role: None, Group: None)",
                "Baker Street",
            ),
            ("entities: Ada Byron (Type: name, Role: None, Group: None)", "Ada Byron"),
        ),
        counterexamples=("entities: []",),
    ),
    DumpRule(
        "NLG request body",
        ("The request body is ",),
        # rasa.core.nlg.callback at debug: "Requesting NLG for utter_x from URL.The request
        # body is {json}." - the tracker, the user's text and every slot value included.
        re.compile(r"The request body is (?P<value>.+)", re.S),
        examples=(
            (
                "Requesting NLG for utter_greet from http://a/webhook/nlg.The request body is "
                '{"tracker": {"latest_message": {"text": "my name is Ada Byron"}}}.',
                "Ada Byron",
            ),
        ),
        counterexamples=("Requesting NLG for utter_greet from http://a/webhook/nlg.",),
    ),
    DumpRule(
        "ignored action event",
        ("Contents of ignored event: ",),
        # rasa_sdk.executor: "Contents of ignored event: '{event}'" at debug.
        re.compile(r"Contents of ignored event: (?P<value>.+)", re.S),
        examples=(("Contents of ignored event: '{'value': 'Ada Byron'}'", "Ada Byron"),),
        counterexamples=("Received request to run 'action_check_balance'",),
    ),
)
"""Rasa 3.6 and rasa-sdk 3.6 log lines that carry user text or values in a known shape."""


_QUERY_STRING = re.compile(r"\?[^\s#?]*[%+][^\s#]*")


def redact_dumps(text: str) -> str:
    """``text`` with the values of every :data:`DUMP_RULES` match masked, and URL query
    strings decoded (``card=4000+0566...`` in an access log is a card number to the
    detector only once decoded)."""
    if "?" in text:
        text = _QUERY_STRING.sub(lambda match: unquote_plus(match.group(0)), text)
    for rule in DUMP_RULES:
        text = rule.apply(text)
    return text
