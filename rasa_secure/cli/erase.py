"""``rasa-secure erase --subject ID``: erase one customer's conversation (GDPR art. 17).

Destroys the conversation's data key (crypto-shredding: every copy of its ciphertexts, in
backups too, stops decrypting; needs ``subject_keys: true``), deletes its events from the
tracker store, and leaves a signed ``delete`` record in the audit trail. Prints what it did,
with the subject as its audit pseudonym, never the id.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from rasa_secure.cli._store import add_endpoints_argument, open_store

NAME = "erase"
HELP = "erase one subject's conversation: destroy its data key, delete its events (audited)"
AUDITED = True
"""Its audit records reach the trail (see :mod:`rasa_secure.cli`)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the options of this command."""
    parser.add_argument("--subject", required=True, help="the conversation (sender) id")
    add_endpoints_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Erase and print one JSON line of counts; 0 even when nothing was stored."""
    from rasa_secure.stores.lifecycle import erase

    done = erase(open_store(args.endpoints), args.subject)
    sys.stdout.write(json.dumps(dataclasses.asdict(done), sort_keys=True) + "\n")
    return 0
