"""What the tamper-evident chain, the ECS format and the metrics cost per audit record.

Logs the same screen-block record to an in-memory handler, in rounds that alternate the
setups so machine noise hits all alike, and prints the median and p90 microseconds per record:

* ``plain, unsealed``: the record built and written as a JSON line, without a chain (what an
  audit record cost before the chain);
* ``plain, sealed``: :func:`rasa_secure.core.identity.audit.record` (pseudonyms, the chain's
  MAC, the JSON line), plain text handler;
* ``ECS, sealed``: the same written by :class:`rasa_secure.monitoring.ecs.AuditEcsFormatter`;
* ``ECS, sealed, metrics``: and counted by :mod:`rasa_secure.monitoring.metrics`.

    .venv/bin/python benchmarks/audit_overhead.py [--records 5000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import statistics
import time
from typing import Callable, Dict, List, Optional

os.environ.setdefault("RASA_SECURE_AUDIT_KEY", "benchmark-audit-key-0123456789")
os.environ.setdefault("RASA_SECURE_AUDIT_CHECKPOINT_EVERY", "100")

from rasa_secure.core.identity import AuditDecision, AuditRecord, audit
from rasa_secure.monitoring.ecs import AuditEcsFormatter

PLAIN = logging.Formatter("%(asctime)s %(levelname)-8s %(name)s - %(message)s")
SUBJECT, CLIENT = "customer-1001", "203.0.113.9"


def unsealed() -> None:
    entry = AuditRecord(
        "InjectionScreen", AuditDecision.BLOCK, subject=audit.pseudonym(SUBJECT),
        client=audit.client_pseudonym(CLIENT), categories=("sqli",),
        reasons=("sqli.union",), score=0.97,
    )  # fmt: skip
    audit.logger.info(entry.to_json())


def sealed() -> None:
    audit.record("InjectionScreen", "block", subject=SUBJECT, client=CLIENT,
                 categories=("sqli",), reasons=("sqli.union",), score=0.97)  # fmt: skip


def use(formatter: logging.Formatter, metrics: bool) -> None:
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(formatter)
    for name in (audit.LOGGER_NAME, audit.checkpoint_logger.name):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.propagate = False
        logger.setLevel(logging.INFO)
    audit._listeners[:] = []
    if metrics:
        from rasa_secure.monitoring.metrics import count

        audit.add_listener(count)


SETUPS: Dict[str, tuple] = {
    "plain, unsealed": (unsealed, PLAIN, False),
    "plain, sealed": (sealed, PLAIN, False),
    "ECS, sealed": (sealed, AuditEcsFormatter(), False),
    "ECS, sealed, metrics": (sealed, AuditEcsFormatter(), True),
}


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5000, help="records per setup per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    times: Dict[str, List[float]] = {name: [] for name in SETUPS}
    for _ in range(args.rounds):
        for name, (write, formatter, metrics) in SETUPS.items():
            use(formatter, metrics)
            emit: Callable[[], None] = write
            for _ in range(args.records):
                began = time.perf_counter()
                emit()
                times[name].append((time.perf_counter() - began) * 1e6)
    base = statistics.median(times["plain, unsealed"])
    print("| Setup | median µs | p90 µs | added to unsealed, µs |")
    print("|---|---:|---:|---:|")
    for name, values in times.items():
        median = statistics.median(values)
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"| {name} | {median:.1f} | {p90:.1f} | {median - base:+.1f} |")


if __name__ == "__main__":
    main()
