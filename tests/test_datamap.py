"""docs/data-map.md is generated from the configuration by scripts/gen_datamap.py: no drift."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any, List, Tuple

import pytest


def _generator() -> Any:
    """scripts/gen_datamap.py, loaded as a module (scripts/ is no package)."""
    path = Path(__file__).resolve().parent.parent / "scripts" / "gen_datamap.py"
    spec = importlib.util.spec_from_file_location("gen_datamap", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_data_map_matches_the_example_configuration() -> None:
    """The page is what example_bot/endpoints.yml generates (else regenerate it)."""
    generator = _generator()
    assert generator.PAGE.read_text(encoding="utf-8") == generator.render(), (
        "docs/data-map.md is stale: run python scripts/gen_datamap.py"
    )


STORE = "tracker_store:\n  type: rasa_secure.stores.tracker_store.SecureTrackerStore\n"
CASES: List[Tuple[str, str, List[str], List[str]]] = [
    # (why, endpoints.yml, must appear, must not appear)
    ("no lifecycle options: ids in clear, nothing expires",
     STORE + "  inner: {type: SQL, dialect: postgresql, db: rasa}\n",
     ["sender ids in clear", "until deleted (no period)", "SQL (postgresql)"],
     ["Conversation data keys"]),
    ("a retention period and subject keys show up",
     STORE + "  retention: {tracker_events: 30}\n  subject_keys: true\n",
     ["30 days", "Conversation data keys", "a data key per conversation"], ["no period"]),
    ("pseudonymous ids reach a secure lock store",
     STORE + "  pseudonymous_ids: true\nlock_store:\n  type: rasa_secure.stores.lock_store."
     "SecureLockStore\n  inner: {type: redis, url: cache, db: 1}\n",
     ["named by keyed pseudonyms", "Redis `cache`"], ["named by sender ids"]),
    ("a consent slot on the secure broker gates what is published",
     "event_broker:\n  type: rasa_secure.stores.event_broker.SecureEventBroker\n"
     "  inner: {type: pika, url: mq}\n  consent_slot: consent\n",
     ["only while its slot `consent` is true", "`pika`"], ["no broker"]),
    ("retention periods of the broker and the log files show up",
     STORE + "  retention: {broker_events: 7, audit_records: 400, log_files: 30}\n"
     "event_broker:\n  type: sql\n  db: events.db\n",
     ["7 days (`rasa-secure retention apply`)", "rotated files: 400 days",
      "rotated files: 30 days"], ["the broker's own retention"]),
    ("pseudonymous ids on the broker cover every producer",
     STORE + "  pseudonymous_ids: true\nevent_broker:\n"
     "  type: rasa_secure.stores.event_broker.SecureEventBroker\n  inner: {type: pika, url: mq}\n"
     "  pseudonymous_ids: true\n",
     ["under keyed pseudonyms of sender ids"], ["other producers"]),
    ("pseudonymous ids on the store alone leave other producers' ids in clear",
     STORE + "  pseudonymous_ids: true\nevent_broker:\n"
     "  type: rasa_secure.stores.event_broker.SecureEventBroker\n  inner: {type: pika, url: mq}\n",
     ["sender ids in clear from other producers"], []),
    ("a broker without a consent slot publishes every conversation",
     "event_broker:\n  type: rasa_secure.stores.event_broker.SecureEventBroker\n"
     "  inner: {type: pika, url: mq}\n",
     ["the stored events"], ["consent"]),
]  # fmt: skip


@pytest.mark.parametrize(("why", "endpoints", "present", "absent"), CASES,
                         ids=[case[0] for case in CASES])  # fmt: skip
def test_data_map_follows_the_configuration(
    why: str, endpoints: str, present: List[str], absent: List[str], tmp_path: Path
) -> None:
    path = tmp_path / "endpoints.yml"
    path.write_text(endpoints, encoding="utf-8")
    page = _generator().render(path)
    assert [text for text in present if text not in page] == [], why
    assert [text for text in absent if text in page] == [], why
