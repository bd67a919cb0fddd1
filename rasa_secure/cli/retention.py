"""``rasa-secure retention apply``: delete what is older than its retention period.

Reads the periods from the ``retention`` option of the ``SecureTrackerStore`` entry in
``endpoints.yml`` (``{tracker_events: 90}``, in days), deletes older tracker events (a
conversation left without events is deleted whole, with its data key), rows of the SQL
event broker of the same file (``broker_events``) and rotated log files (``audit_records``,
each audit file after a signed retention anchor of its records, so that ``rasa-secure audit
verify`` accepts what is left; ``log_files``), and leaves a ``delete`` audit record with the
counts. Run it from cron or a
Kubernetes CronJob, with the assistant's environment (the log files' variables included).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from rasa_secure.cli._store import add_endpoints_argument, open_sql_broker, open_store

NAME = "retention"
HELP = "apply the configured retention periods (for cron): delete older data, audited"
AUDITED = True
"""Its audit records reach the trail (see :mod:`rasa_secure.cli`)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the subcommands of this command."""
    commands = parser.add_subparsers(dest="retention_command", metavar="SUBCOMMAND", required=True)
    apply = commands.add_parser("apply", help="delete what is older than its period")
    add_endpoints_argument(apply)


def run(args: argparse.Namespace) -> int:
    """Apply and print one JSON line of counts."""
    from rasa_secure.stores.lifecycle import DataClass, apply_retention

    store = open_store(args.endpoints)
    broker = None
    if DataClass.BROKER_EVENTS.value in store.retention:
        broker = open_sql_broker(args.endpoints)
    done = apply_retention(store, broker=broker)
    sys.stdout.write(json.dumps(dataclasses.asdict(done), sort_keys=True) + "\n")
    return 0
