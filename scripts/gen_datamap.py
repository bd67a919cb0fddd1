"""Write docs/data-map.md: what the example bot stores, where, for how long.

Every row comes from the configuration (``example_bot/endpoints.yml``) and from the values the
code declares (option defaults, the audit file's rotation), never from prose kept by hand:
``tests/test_datamap.py`` regenerates the page and fails when it differs from the file, so a
change of the configuration that is not reflected in the page fails the tests.

Usage::

    python scripts/gen_datamap.py                  # rewrite the page
    python scripts/gen_datamap.py --check          # exit 1 if the page is stale
    python scripts/gen_datamap.py --endpoints FILE --output FILE   # a deployment's table
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Dict, List, Mapping

import yaml

from rasa_secure.config import defaults
from rasa_secure.monitoring.ecs import AUDIT_LOG_ENV, BACKUP_COUNT, MAX_BYTES, SIGNAL_LOG_ENV
from rasa_secure.stores.lifecycle import LIFECYCLE_OPTIONS, DataClass
from rasa_secure.stores.subject_keys import TABLE

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "data-map.md"
ENDPOINTS = ROOT / "example_bot" / "endpoints.yml"


def _where(inner: Mapping[str, Any]) -> str:
    kind = str(inner.get("type") or "in_memory")
    if kind.lower() == "sql":
        return f"SQL ({inner.get('dialect', 'sqlite')}), database `{inner.get('db', '?')}`"
    if kind.lower() == "redis":
        return f"Redis `{inner.get('url', 'localhost')}`, database {inner.get('db', 0)}"
    return f"`{kind}`"


def rows(endpoints: Mapping[str, Any]) -> List[List[str]]:
    """(data, where, what it holds, kept for) for each thing stored."""
    store = dict(endpoints.get("tracker_store") or {})
    options: Dict[str, Any] = {**defaults(LIFECYCLE_OPTIONS), **store}
    inner = store.get("inner") or {}
    pseudonyms, clear = "keyed pseudonyms of sender ids (`conv_<hex>`)", "sender ids in clear"
    ids = pseudonyms if options["pseudonymous_ids"] else clear
    sensitive = ", ".join(f"`{name}`" for name in store.get("sensitive_slots") or []) or "none"
    cipher = "a data key per conversation" if options["subject_keys"] else "the keyring"
    periods = options["retention"]
    days = periods.get(DataClass.TRACKER_EVENTS.value)
    kept = f"{days} days (`rasa-secure retention apply`)" if days else "until deleted (no period)"
    found = [
        [
            "Conversation events",
            _where(inner),
            f"texts and entities redacted; sensitive slots ({sensitive}) encrypted under "
            f"{cipher}; stored under {ids}",
            f"{kept}; one conversation: until `rasa-secure erase`",
        ]
    ]
    if options["subject_keys"]:
        found.append([
            "Conversation data keys",
            f"table or hash `{TABLE}` next to the events",
            "each conversation's data key, wrapped by `RASA_SECURE_KEYS`",
            "as long as the conversation; destroyed by erasure and retention",
        ])  # fmt: skip
    lock = endpoints.get("lock_store") or {}
    lock_inner = lock.get("inner", lock) if isinstance(lock, Mapping) else {}
    lock_ids = pseudonyms if str(lock.get("type", "")).endswith("SecureLockStore") else clear
    found.append([
        "Conversation locks", _where(lock_inner), f"one lock per conversation, named by {lock_ids}",
        "while a message is handled",
    ])  # fmt: skip
    found.append(_published(endpoints.get("event_broker"), periods, options["pseudonymous_ids"]))
    rotation = f"rotated at {MAX_BYTES // (1024 * 1024)} MiB, {BACKUP_COUNT} files kept"
    found.append([
        "Audit records",
        f"file `{AUDIT_LOG_ENV}` (else standard output)",
        "decisions with pseudonymised subjects, never text or values",
        rotation + _files_kept(periods.get(DataClass.AUDIT_RECORDS.value)),
    ])  # fmt: skip
    found.append([
        "Anomaly signals",
        f"file `{SIGNAL_LOG_ENV}` (else not written)",
        "the anomaly monitor's signals: PII-free JSON lines",
        rotation + _files_kept(periods.get(DataClass.LOG_FILES.value)),
    ])  # fmt: skip
    return found


def _files_kept(days: Any) -> str:
    return f"; rotated files: {days} days (`rasa-secure retention apply`)" if days else ""


def _published(broker: Any, periods: Mapping[str, Any], store_pseudonyms: bool) -> List[str]:
    """The row of the events the broker publishes: under which ids, its consent gate and
    retention."""
    if not isinstance(broker, Mapping):
        return ["Published events", "no broker", "nothing", "-"]
    secure = str(broker.get("type", "")).endswith("SecureEventBroker")
    if secure and broker.get("pseudonymous_ids"):
        ids = "keyed pseudonyms of sender ids (`conv_<hex>`)"
    elif store_pseudonyms:
        ids = "the store's pseudonyms (`conv_<hex>`), sender ids in clear from other producers"
    else:
        ids = "sender ids in clear"
    what = f"the stored events (same redaction and encryption) under {ids}"
    gated = secure and broker.get("consent_slot")
    if gated:
        allowed = ", ".join(f"`{kind}`" for kind in broker.get("events_without_consent") or [])
        what += (
            f", of a conversation only while its slot `{gated}` is true (consent); without"
            f" consent only that slot's own events{' and ' + allowed if allowed else ''}"
        )
    inner = broker.get("inner", broker)
    days = periods.get(DataClass.BROKER_EVENTS.value)
    by = "`rasa-secure retention apply`" if str(inner.get("type")).lower() == "sql" else "its TTL"
    return [
        "Published events",
        _where(inner),
        what,
        f"{days} days ({by})" if days else "the broker's own retention",
    ]


def render(endpoints_path: Path = ENDPOINTS) -> str:
    """The whole page, for the endpoints file at ``endpoints_path``."""
    endpoints = yaml.safe_load(endpoints_path.read_text(encoding="utf-8")) or {}
    lines = [
        "# What rasa_secure stores, where, for how long",
        "",
        "<!-- Generated by scripts/gen_datamap.py from example_bot/endpoints.yml; do not edit. -->",
        "",
        "For the example bot's configuration (`example_bot/endpoints.yml`). Run",
        "`python scripts/gen_datamap.py --endpoints YOUR/endpoints.yml` for your deployment's",
        "table; options are explained in [Data lifecycle](lifecycle.md).",
        "",
        "| Data | Where | What it holds | Kept for |",
        "|---|---|---|---|",
    ]
    for row in rows(endpoints):
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines) + "\n"


def main(argv: Any = None) -> int:
    """Rewrite the page, or with ``--check`` report whether it is up to date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    parser.add_argument("--endpoints", type=Path, default=ENDPOINTS)
    parser.add_argument("--output", type=Path, default=PAGE)
    args = parser.parse_args(argv)
    text = render(args.endpoints)
    if args.check:
        stale = args.output.read_text(encoding="utf-8") != text
        sys.stdout.write(f"{args.output} is stale: run {Path(__file__).name}\n" if stale else "")
        return int(stale)
    args.output.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {args.output}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
