"""What the PIIDetector NLU component left in a user message's ``parse_data``.

``parse_data.pii`` holds its findings on the wire (``{"type", "start", "end", "score",
"recognizer"}``) and ``parse_data.pii_failed`` whether detection failed. :func:`read_finding`
is the one place that reads a finding field by field.
"""

from __future__ import annotations

from typing import Any, FrozenSet, List, Mapping, Optional

from rasa_secure.core.pii import PIIFinding, from_wire
from rasa_secure.core.redaction import Redaction, is_replacement
from rasa_secure.errors import InputError

PARSE_DATA_KEPT: FrozenSet[str] = frozenset(
    {"intent", "intent_ranking", "response_selector", "message_id", "pii", "pii_failed", "security"}
)
"""``parse_data`` keys kept as they are: model outputs, and the value-free findings that
rasa_secure's NLU components add. Every other key but ``text`` and ``entities`` is redacted."""


def read_finding(item: Any) -> Optional[PIIFinding]:
    """One item of ``parse_data.pii`` as a finding (:func:`~rasa_secure.core.pii.from_wire`);
    ``None`` if it is not one (parse data can come from elsewhere: such an item is skipped,
    and the text is still searched by the store's own detection unless trusted)."""
    try:
        return from_wire(item)
    except InputError:
        return None


def nlu_findings(parse: Optional[Mapping[str, Any]], text: str) -> List[PIIFinding]:
    """The PIIDetector component's findings (``parse_data.pii``) that fit inside ``text``.

    Findings over one of our replacements are skipped: stored data has its findings moved
    onto the placeholders, and redacting a placeholder again would change it.
    """
    found = parse.get("pii") if parse is not None else None
    findings: List[PIIFinding] = []
    for item in found if isinstance(found, list) else ():
        finding = read_finding(item)
        if (
            finding is not None
            and 0 <= finding.start < finding.end <= len(text)
            and not is_replacement(text[finding.start : finding.end])
        ):
            findings.append(finding)
    return findings


def nlu_analysed(parse: Optional[Mapping[str, Any]]) -> bool:
    """Whether the PIIDetector NLU component analysed this message successfully."""
    return (
        parse is not None
        and isinstance(parse.get("pii"), list)
        and parse.get("pii_failed") is False
    )


def moved_findings(findings: Any, redaction: Redaction) -> Any:
    """``parse_data.pii`` with offsets moved into the redacted text (other fields kept)."""
    if not isinstance(findings, list):
        return findings
    moved = []
    for item in findings:
        if (
            isinstance(item, Mapping)
            and isinstance(item.get("start"), int)
            and isinstance(item.get("end"), int)
        ):
            item = {
                **item,
                "start": redaction.redacted_offset(item["start"], end=False),
                "end": redaction.redacted_offset(item["end"], end=True),
            }
        moved.append(item)
    return moved
