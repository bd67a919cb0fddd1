"""A self-contained HTML report of audit logs for a period, with charts and no personal data.

``rasa-secure audit report FILE... --html OUT`` reads audit records (plain lines, prefixed
lines or ECS events, as ``audit verify`` does), keeps those of the period, and writes one HTML
file with its charts inline (matplotlib, PNG as ``data:`` URIs): security decisions over
time, top categories, the automatic responses of the anomaly monitor and the subjects they
held (by pseudonym), and the anomalies by trigger. Records hold no text, slot value or
secret; the report shows pseudonyms, counts and names of rules only, and every string read
from the files is escaped. It does not verify the chains: run ``rasa-secure audit verify``.
"""

from __future__ import annotations

import base64
import datetime
import html
import io
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple

from rasa_secure.core.identity import trail

MONITOR = "AnomalyMonitor"
TOP = 12


@dataclass(frozen=True)
class Entry:
    """What the report needs of one audit record."""

    at: float
    component: str
    decision: str
    subject: Optional[str]
    categories: Tuple[str, ...]
    reasons: Tuple[str, ...]
    action: Optional[str]


def _strings(value: Any) -> Tuple[str, ...]:
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def _optional(value: Any) -> Optional[str]:
    return value if isinstance(value, str) else None


def entries(lines: Iterable[str]) -> List[Entry]:
    """The audit records in ``lines`` (checkpoints and other lines skipped)."""
    found = []
    for line in lines:
        kind, fields = trail.parse_line(line)
        if fields is None or kind == "checkpoint":
            continue
        at = fields.get("timestamp")
        if not isinstance(at, (int, float)) or isinstance(at, bool):
            continue
        found.append(
            Entry(
                at=float(at),
                component=str(fields.get("component")),
                decision=str(fields.get("decision")),
                subject=_optional(fields.get("subject")),
                categories=_strings(fields.get("categories")),
                reasons=_strings(fields.get("reasons")),
                action=_optional(fields.get("action")),
            )
        )
    return found


def _time(at: float) -> str:
    return datetime.datetime.fromtimestamp(at, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")


def _png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="chart" src="data:image/png;base64,{data}">'


def _over_time(records: Sequence[Entry], plt: Any) -> str:
    start, end = min(r.at for r in records), max(r.at for r in records)
    bins = 24
    width = max((end - start) / bins, 1.0)
    figure, axes = plt.subplots(figsize=(9, 3))
    decisions = sorted({r.decision for r in records})
    bottom = [0] * bins
    for decision in decisions:
        counts = [0] * bins
        for entry in records:
            if entry.decision == decision:
                counts[min(bins - 1, int((entry.at - start) / width))] += 1
        lefts = [start + index * width for index in range(bins)]
        labels = [datetime.datetime.fromtimestamp(x, datetime.timezone.utc) for x in lefts]
        axes.bar(labels, counts, width=width / 86400, bottom=bottom, label=decision, align="edge")
        bottom = [a + b for a, b in zip(bottom, counts)]
    axes.set_ylabel("decisions")
    axes.legend(fontsize="small", ncol=len(decisions))
    figure.autofmt_xdate()
    chart = _png(figure)
    plt.close(figure)
    return chart


def _bars(counts: Counter[str], title: str, plt: Any) -> str:
    top = counts.most_common(TOP)[::-1]
    figure, axes = plt.subplots(figsize=(7, 0.35 * len(top) + 0.8))
    axes.barh([name for name, _ in top], [count for _, count in top])
    axes.set_title(title)
    chart = _png(figure)
    plt.close(figure)
    return chart


def _table(head: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    cells = "".join(f"<th>{html.escape(str(name))}</th>" for name in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(value))}</td>" for value in row) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{cells}</tr>{body}</table>"


STYLE = (
    "body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;"
    "text-align:left}h2{margin-top:2em}"
)


def render(records: Sequence[Entry], period: Tuple[Optional[float], Optional[float]]) -> str:
    """The report as one HTML document (charts need matplotlib)."""
    import matplotlib  # type: ignore[import-untyped]

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # type: ignore[import-untyped]

    chosen = [
        r
        for r in records
        if (period[0] is None or r.at >= period[0]) and (period[1] is None or r.at < period[1])
    ]
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{STYLE}</style>"]
    parts.append("<title>rasa_secure audit report</title></head><body>")
    parts.append("<h1>Security decisions</h1>")
    if not chosen:
        parts.append("<p>No audit records in this period.</p></body></html>")
        return "".join(parts)
    span = f"{_time(min(r.at for r in chosen))} to {_time(max(r.at for r in chosen))} UTC"
    parts.append(f"<p>{len(chosen)} audit records, {html.escape(span)}.</p>")
    parts.append(_over_time(chosen, plt))
    by_component = Counter((r.component, r.decision) for r in chosen)
    parts.append(_table(("component", "decision", "records"), sorted_rows(by_component)))
    categories = Counter(c for r in chosen if r.decision != "allow" for c in r.categories)
    if categories:
        parts.append("<h2>Top categories</h2>")
        parts.append(_bars(categories, "threat categories and PII types", plt))
    responses = [r for r in chosen if r.component == MONITOR]
    parts.append("<h2>Automatic responses</h2>")
    if responses:
        triggers = Counter(r.reasons[0] if r.reasons else "?" for r in responses)
        parts.append(_bars(triggers, "anomalies by trigger (rule or model)", plt))
        held = Counter((r.subject or "?", r.action or "?") for r in responses)
        parts.append(_table(("pseudonym", "response", "times"), sorted_rows(held)))
    else:
        parts.append("<p>None in this period.</p>")
    parts.append("</body></html>")
    return "".join(parts)


def sorted_rows(counts: Mapping[Tuple[str, str], int]) -> List[Tuple[str, str, int]]:
    """``(a, b, count)`` rows, the largest count first."""
    return [(a, b, n) for (a, b), n in sorted(counts.items(), key=lambda item: -item[1])]
