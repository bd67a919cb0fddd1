"""The store wrapper contract (rasa_secure/stores/wrapper.py), checked on every wrapper.

One table entry per wrapper: how to build it around an inner store we can read back, and how
to write a conversation through it. Each test is one clause of the contract.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Callable, Dict, List

import pytest
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_secure.errors import ConfigError
from rasa_secure.stores.event_broker import SecureEventBroker
from rasa_secure.stores.tracker_store import SecureTrackerStore
from rasa_secure.stores.wrapper import StoreWrapper, sanitizer_for
from tests.stores.conftest import leaks, pii_turns, run_async, store_options


class _Inbox:
    """An inner broker that keeps what it is given."""

    def __init__(self) -> None:
        self.published: List[Dict[str, Any]] = []

    def publish(self, event: Dict[str, Any]) -> None:
        self.published.append(event)


@dataclass
class Wrapper:
    """A wrapper around an inner store we can read back.

    Attributes:
        name: the wrapper's component name (in errors and audit records).
        build: the wrapper, from the domain.
        write: writes a conversation through the wrapper (awaitable).
        dump: everything the inner store holds, as text.
    """

    name: str
    build: Callable[[Domain], StoreWrapper]
    write: Callable[[Any, str], Any]
    dump: Callable[[Any], str]


async def _save(store: SecureTrackerStore, sender: str) -> None:
    events = [event for turn in pii_turns() for event in turn]
    await store.save(DialogueStateTracker.from_events(sender, events))


async def _publish(broker: SecureEventBroker, sender: str) -> None:
    for event in (event for turn in pii_turns() for event in turn):
        broker.publish({"sender_id": sender, **event.as_dict()})


def _memory(store: SecureTrackerStore) -> str:
    assert isinstance(store.inner, InMemoryTrackerStore)
    return json.dumps(store.inner.store)


WRAPPERS = [
    pytest.param(
        Wrapper(
            "SecureTrackerStore",
            lambda domain: SecureTrackerStore(
                domain, inner={"type": "in_memory"}, **store_options()
            ),
            _save,
            _memory,
        ),
        id="tracker store",
    ),
    pytest.param(
        Wrapper(
            "SecureEventBroker",
            lambda _domain: SecureEventBroker(
                _Inbox(),  # type: ignore[arg-type]
                sanitizer_for(
                    store_options(), component="SecureEventBroker", url=None, noun="broker"
                ),
            ),
            _publish,
            lambda broker: json.dumps(broker.inner.published),
        ),
        id="event broker",
    ),
]


@pytest.mark.parametrize("wrapper", WRAPPERS)
@run_async
async def test_sanitize_on_write(keys: str, domain: Domain, wrapper: Wrapper) -> None:
    """Clause 2: the inner store receives only sanitized events."""
    wrapped = wrapper.build(domain)
    await wrapper.write(wrapped, "contract-write")
    dump = wrapper.dump(wrapped)
    assert "contract-write" in dump, "the conversation reached the inner store"
    assert leaks(dump) == []


@pytest.mark.parametrize("wrapper", WRAPPERS)
@run_async
async def test_fail_safe_and_audit(
    keys: str,
    domain: Domain,
    wrapper: Wrapper,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Clauses 3 and 4: a broken detector fails no write, leaks nothing, and the failure is
    audited under the wrapper's name."""
    wrapped = wrapper.build(domain)

    def broken(text: str) -> Any:
        raise RuntimeError("model crashed")

    monkeypatch.setattr(wrapped.sanitizer.sanitizer.detector, "detect", broken)
    with caplog.at_level(logging.INFO, logger="rasa_secure.audit"):
        await wrapper.write(wrapped, "contract-fail")
    dump = wrapper.dump(wrapped)
    assert "<REDACTED>" in dump and leaks(dump) == []
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "rasa_secure.audit"]
    assert any(
        r["component"] == wrapper.name and "detection_failed" in r.get("reasons", [])
        for r in records
    )


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_configured_once(keys: str, wrapper: Wrapper) -> None:
    """Clause 1: the shared options are validated, and errors name the wrapper's key."""
    with pytest.raises(ConfigError, match=rf"{wrapper.name}\.url"):
        sanitizer_for({}, component=wrapper.name, url="http://x", noun="store")
    with pytest.raises(ConfigError, match=rf"{wrapper.name}\.sensitive_slot\b"):
        sanitizer_for({"sensitive_slot": []}, component=wrapper.name, url=None, noun="store")
