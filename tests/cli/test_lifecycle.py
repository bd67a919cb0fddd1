"""``rasa-secure export``, ``erase`` and ``retention apply`` on an endpoints.yml (SQLite).

The store behaviour itself is tested on every backend in tests/stores/test_lifecycle.py; here
the commands read the assistant's endpoints.yml (with ``${VARIABLES}``), print what they did
and fail with a clear error on a configuration they cannot use.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import List

import pytest

from rasa_secure.cli.main import main
from rasa_secure.stores.tracker_store import SecureTrackerStore
from tests.stores.conftest import RAW_VALUES, new_key, pii_turns

PHONE = "+14155550100"
ENDPOINTS = """
tracker_store:
  type: rasa_secure.stores.tracker_store.SecureTrackerStore
  inner:
    type: SQL
    dialect: sqlite
    db: ${TRACKER_DB}
  sensitive_slots: [email, card_number, full_name]
  pii: {detector: {spacy_model: null}}
  pseudonymous_ids: true
  subject_keys: true
  retention: {tracker_events: 30}
"""


@pytest.fixture
def endpoints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An endpoints.yml whose store holds the PII conversation of ``PHONE``."""
    monkeypatch.setenv("RASA_SECURE_KEYS", f"k1:{new_key()}")
    monkeypatch.setenv("RASA_SECURE_PSEUDONYM_KEY", "cli-test-key")
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "rasa.db"))
    path = tmp_path / "endpoints.yml"
    path.write_text(ENDPOINTS, encoding="utf-8")
    from rasa_secure.cli._store import open_store

    store = open_store(str(path))

    async def converse(store: SecureTrackerStore) -> None:
        tracker = await store.get_or_create_tracker(PHONE)
        for turn in pii_turns():
            for event in turn:
                tracker.update(event)
        await store.save(tracker)

    asyncio.run(converse(store))
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_export_then_erase_then_nothing_left(
    endpoints: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Why: the demo's sequence; an operator with the keyring exports, then erases.
    output = tmp_path / "export.json"
    status, _, _ = run(capsys, "export", "--subject", PHONE, "--endpoints", endpoints,
                       "--output", str(output))  # fmt: skip
    assert status == 0
    state = json.loads(output.read_text(encoding="utf-8"))
    assert state["sender_id"] == PHONE and state["slots"]["email"] == RAW_VALUES["email"]

    status, out, _ = run(capsys, "erase", "--subject", PHONE, "--endpoints", endpoints)
    done = json.loads(out)
    assert status == 0 and done["key_destroyed"] and done["events_deleted"] > 0
    assert PHONE not in out, "the subject is printed as its audit pseudonym only"

    status, _, err = run(capsys, "export", "--subject", PHONE, "--endpoints", endpoints)
    assert status == 1 and "nothing is stored" in err


def test_retention_apply_prints_counts(endpoints: str, capsys: pytest.CaptureFixture[str]) -> None:
    # Why: the conversation is from today; a 30-day period deletes nothing of it.
    status, out, _ = run(capsys, "retention", "apply", "--endpoints", endpoints)
    done = json.loads(out)
    assert status == 0 and done["events_deleted"] == 0 and done["cutoff"] is not None


BAD: List[tuple[str, str, str]] = [
    ("no tracker store at all", "action_endpoint: {url: 'http://x'}\n", "no tracker_store"),
    ("not YAML", "tracker_store: {type: [\n", "cannot read it"),
    ("a plain Rasa store", "tracker_store: {type: in_memory}\n", "must be a SecureTrackerStore"),
]


@pytest.mark.parametrize(("why", "text", "message"), BAD, ids=[case[0] for case in BAD])
def test_an_unusable_endpoints_file_is_a_clear_error(
    why: str, text: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "endpoints.yml"
    path.write_text(text, encoding="utf-8")
    status, _, err = run(capsys, "erase", "--subject", PHONE, "--endpoints", str(path))
    assert status == 1 and message in err, why


BROKERS: List[tuple[str, str, int, str]] = [
    # (why, event_broker entry, exit status, expected in the output)
    ("the inner SQL broker of a secure broker loses its old row",
     "  type: rasa_secure.stores.event_broker.SecureEventBroker\n"
     "  inner:\n    type: sql\n    dialect: sqlite\n    db: ${EVENTS_DB}\n",
     0, '"broker_events_deleted": 1'),
    ("a plain SQL broker too", "  type: sql\n  dialect: sqlite\n  db: ${EVENTS_DB}\n",
     0, '"broker_events_deleted": 1'),
    ("RabbitMQ keeps messages by its own policy: a clear error, not a silent no-op",
     "  type: pika\n  url: localhost\n", 1, "retention.broker_events"),
]  # fmt: skip


@pytest.mark.parametrize(("why", "broker", "status", "expected"), BROKERS,
                         ids=[case[0] for case in BROKERS])  # fmt: skip
def test_retention_apply_deletes_old_broker_rows(
    why: str, broker: str, status: int, expected: str, endpoints: str,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from rasa.core.brokers.sql import SQLEventBroker

    monkeypatch.setenv("EVENTS_DB", str(tmp_path / "events.db"))
    SQLEventBroker(db=str(tmp_path / "events.db")).publish(
        {"sender_id": "conv_1", "event": "user", "timestamp": 1_000_000_000.0}
    )
    path = Path(endpoints)
    text = path.read_text(encoding="utf-8").replace(
        "{tracker_events: 30}", "{tracker_events: 30, broker_events: 7}"
    )
    path.write_text(text + "event_broker:\n" + broker, encoding="utf-8")  # fmt: skip
    done, out, err = run(capsys, "retention", "apply", "--endpoints", endpoints)
    assert done == status and expected in out + err, why


def test_an_erasure_by_the_command_reaches_the_audit_trail(
    endpoints: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    # Why: an erasure is evidence a bank must keep; the command's records went nowhere (a
    # command line configures no logging), so the trail had no trace of it.
    from rasa_secure.core.identity import chain

    trail, checkpoints = tmp_path / "audit.json", tmp_path / "checkpoints.json"
    monkeypatch.setenv("RASA_SECURE_AUDIT_KEY", "cli-audit-key-0123456789abcdef0123")
    monkeypatch.setenv("RASA_SECURE_AUDIT_LOG", str(trail))
    monkeypatch.setenv("RASA_SECURE_AUDIT_CHECKPOINTS", str(checkpoints))
    chain.reset("cli-erase")
    status, out, _ = run(capsys, "erase", "--subject", PHONE, "--endpoints", endpoints)
    assert status == 0
    records = [json.loads(line)["rasa_secure"]["audit"] for line in trail.read_text().splitlines()]
    erasures = [r for r in records if r["decision"] == "delete" and r["action"] == "erase"]
    assert [r["subject"] for r in erasures] == [json.loads(out)["subject"]]
    assert PHONE not in trail.read_text() and '"seq"' in checkpoints.read_text()
    assert run(capsys, "audit", "verify", str(trail), str(checkpoints))[0] == 0
