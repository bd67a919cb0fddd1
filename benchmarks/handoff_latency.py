"""What a handoff costs: signing, verifying, and delivering to a helpdesk on localhost.

Prints, for a handoff with a 50-message transcript:

* ``sign + verify``: :func:`rasa_secure.core.signing.sign` and
  :meth:`~rasa_secure.core.signing.Verifier.verify` of its body, microseconds per request;
* ``deliver, helpdesk up``: :meth:`HandoffClient.deliver` to the example bot's helpdesk
  (``example_bot/helpdesk.py``) serving on 127.0.0.1, milliseconds per handoff (each a new
  ``handoff_id``, so each is stored);
* ``deliver, one 503 first``: the same when the first attempt fails (one backoff wait);
* ``give up, helpdesk down``: how long until a customer hears the alternatives when
  nothing listens, with the default options (4 attempts) and with ``attempts: 2``.

    .venv/bin/python benchmarks/handoff_latency.py [--rounds 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any, Dict, List

from example_bot.helpdesk import Helpdesk
from example_bot.servers import free_port
from rasa_secure.core.handoff import (
    SECRET_ENV,
    URL_ENV,
    Handoff,
    HandoffClient,
    HandoffReason,
    Priority,
    Speaker,
    TranscriptLine,
)
from rasa_secure.core.signing import Verifier, sign
from tests.serving import serve_aiohttp

SECRET = "benchmark-handoff-secret-0123456789abcdef"  # noqa: S105 - a throwaway test secret


def handoff(number: int) -> Handoff:
    lines = tuple(
        TranscriptLine(
            Speaker.CUSTOMER if i % 2 else Speaker.BOT,
            "a message of about fifty characters, redacted",
            float(i),
        )
        for i in range(50)
    )
    return Handoff(
        f"ho_{number:016x}", HandoffReason.CUSTOMER_REQUEST, Priority.NORMAL,
        "sub_0123456789abcdef", "enc:k1:" + "x" * 80, "secure_rest", lines, time.time(),
    )  # fmt: skip


def signing(rounds: int) -> List[float]:
    body = handoff(0).to_json()
    verifier = Verifier.create(SECRET.encode())
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        verifier.verify(sign(SECRET.encode(), body), body)
        times.append((time.perf_counter() - started) * 1e6)
    return times


def deliveries(url: str, desk: Helpdesk, rounds: int, failures: int) -> List[float]:
    client = HandoffClient({}, environ={URL_ENV: url, SECRET_ENV: SECRET})
    times = []
    for number in range(rounds):
        desk.failures, desk.after_storing = failures, False
        started = time.perf_counter()
        outcome = asyncio.run(client.deliver(handoff(number + 1)))
        times.append((time.perf_counter() - started) * 1e3)
        assert outcome.delivered, outcome
    return times


def give_up(options: Dict[str, Any]) -> float:
    url = f"http://127.0.0.1:{free_port()}/handoffs"
    client = HandoffClient(options, environ={URL_ENV: url, SECRET_ENV: SECRET})
    started = time.perf_counter()
    outcome = asyncio.run(client.deliver(handoff(0)))
    assert not outcome.delivered
    return time.perf_counter() - started


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    sign_times = signing(args.rounds * 10)
    desk = Helpdesk(SECRET.encode(), "http://127.0.0.1:9/unused")
    with serve_aiohttp(desk.app()) as base:
        url = f"{base}/handoffs"
        up = deliveries(url, desk, args.rounds, failures=0)
        retried = deliveries(url, desk, max(args.rounds // 10, 5), failures=1)
    print(f"Handoff body: {len(handoff(0).to_json())} bytes (50 transcript lines).\n")
    print("| Step | median |")
    print("|---|---:|")
    print(f"| sign + verify | {statistics.median(sign_times):.0f} µs |")
    print(f"| deliver, helpdesk up | {statistics.median(up):.1f} ms |")
    print(f"| deliver, first attempt 503 | {statistics.median(retried):.0f} ms |")
    print(f"| give up, helpdesk down (defaults: 4 attempts) | {give_up({}):.2f} s |")
    print(f"| give up, helpdesk down (`attempts: 2`) | {give_up({'attempts': 2}):.2f} s |")


if __name__ == "__main__":
    main()
