"""What PIILogFilter adds per log record, side by side with the same logger unfiltered.

Typical Rasa / rasa-sdk log lines (with and without digits, with PII) are logged to an
in-memory handler, alternating a plain logger and one whose handler has the filter; prints the
median microseconds per record and the ratio, per kind of line.

    .venv/bin/python benchmarks/log_filter_overhead.py [--records 2000]
"""

from __future__ import annotations

import argparse
import io
import logging
import statistics
import time
import warnings
from typing import Dict, List, Optional, Tuple

warnings.filterwarnings("ignore")

from rasa_secure.stores.log_filter import PIILogFilter  # noqa: E402

LINES: List[Tuple[str, str, Tuple[object, ...]]] = [
    ("no digits", "Starting to process message for sender %s", ("default",)),
    (
        "numbers",
        "Predicted next action '%s' with confidence %.2f in %.3f s",
        ("utter_greet", 0.97, 0.012),
    ),
    (
        "pii",
        "Received user message %s",
        ("my email is jane.doe@example.org, card 4111 1111 1111 1111",),
    ),
    ("phone-like", "Tracker %s has %d events since 1795257617", ("a1b2c3", 46)),
]


def logger_with(handler: logging.Handler, name: str) -> logging.Logger:
    logger = logging.getLogger(name)
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    args = parser.parse_args(argv)
    log_filter = PIILogFilter(install=False)
    plain_handler = logging.StreamHandler(io.StringIO())
    filtered_handler = logging.StreamHandler(io.StringIO())
    filtered_handler.addFilter(log_filter)
    plain = logger_with(plain_handler, "bench.plain")
    filtered = logger_with(filtered_handler, "bench.filtered")
    print(f"{'line':<11} {'plain us':>9} {'filtered us':>12} {'added us':>9} {'ratio':>6}")
    for kind, message, values in LINES:
        times: Dict[bool, List[float]] = {False: [], True: []}
        for _ in range(args.records):
            for is_filtered, logger in ((False, plain), (True, filtered)):
                began = time.perf_counter()
                logger.info(message, *values)
                times[is_filtered].append((time.perf_counter() - began) * 1e6)
        p50 = statistics.median(times[False])
        f50 = statistics.median(times[True])
        print(f"{kind:<11} {p50:>9.1f} {f50:>12.1f} {f50 - p50:>9.1f} {f50 / p50:>6.1f}")


if __name__ == "__main__":
    main()
