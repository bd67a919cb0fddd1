"""``rasa-secure audit report``: one self-contained HTML file, charts inline, no personal data,
strings from the log escaped, and the period honoured."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import List

import pytest

from rasa_secure.cli.main import main
from rasa_secure.core.identity import AuditDecision, AuditRecord, audit

DAY = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc).timestamp()


def _log(tmp_path: Path) -> Path:
    subject = audit.pseudonym("customer-4711")
    records: List[AuditRecord] = [
        AuditRecord("InjectionScreen", AuditDecision.BLOCK, subject=subject, categories=("sqli",),
                    timestamp=DAY + 60 * i)
        for i in range(3)
    ] + [
        AuditRecord("AnomalyMonitor", AuditDecision.DENY, subject=subject, action="lock_out",
                    reasons=("repeated_blocks", "lock"), timestamp=DAY + 200),
        AuditRecord("<script>alert(1)</script>", AuditDecision.FLAG, timestamp=DAY + 300),
        AuditRecord("PIIDetector", AuditDecision.REDACT, categories=("EMAIL_ADDRESS",),
                    timestamp=DAY + 86400 * 3),
    ]  # fmt: skip
    path = tmp_path / "audit.json"
    lines = [f"INFO rasa_secure.audit - {entry.to_json()}" for entry in records]
    lines.append(
        audit.emit(AuditRecord("SecureAction", AuditDecision.ALLOW, timestamp=DAY)).to_json()
    )
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_report_is_self_contained_and_holds_no_personal_data(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert main(["audit", "report", str(_log(tmp_path)), "--html", str(out)]) == 0
    page = out.read_text()
    assert page.count("data:image/png;base64,") == 3  # over time, categories, triggers
    assert not re.search(r"(src|href)=['\"]?(https?:)?//", page), "nothing loaded from elsewhere"
    assert "customer-4711" not in page
    assert str(audit.pseudonym("customer-4711")) in page, "investigators find the pseudonym"
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "lock_out" in page and "7 audit records" in page


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        ("2026-12-01", "2026-12-02", "6 audit records"),  # the PII redaction is 3 days later
        ("2026-12-04", None, "1 audit records"),
        ("2027-01-01", None, "No audit records in this period"),
    ],
)
def test_the_period_is_honoured(tmp_path: Path, since: str, until: str, expected: str) -> None:
    out = tmp_path / "report.html"
    args = ["audit", "report", str(_log(tmp_path)), "--html", str(out), "--since", since]
    assert main(args + (["--until", until] if until else [])) == 0
    assert expected in out.read_text()


def test_a_bad_date_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["audit", "report", str(_log(tmp_path)), "--html", "x.html", "--since", "yesterday"])
