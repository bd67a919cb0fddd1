"""``rasa-secure export --subject ID``: hand a customer their conversation (GDPR art. 15).

Writes the conversation as JSON (Rasa's tracker format, every session), with sensitive slots
decrypted by the keyring; texts stay as stored (redacted). Leaves an ``export`` record in the
audit trail. Exit status 1 when nothing is stored for the subject.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from rasa_secure.cli._store import add_endpoints_argument, open_store
from rasa_secure.errors import ConfigError

NAME = "export"
HELP = "write one subject's conversation as JSON, sensitive slots decrypted (audited)"
AUDITED = True
"""Its audit records reach the trail (see :mod:`rasa_secure.cli`)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the options of this command."""
    parser.add_argument("--subject", required=True, help="the conversation (sender) id")
    parser.add_argument("--output", default="-", help="JSON file, or - for stdout")
    add_endpoints_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Export; 0 when written, 1 when the subject has no stored conversation."""
    from rasa_secure.stores.lifecycle import export

    state = asyncio.run(export(open_store(args.endpoints), args.subject))
    if state is None:
        sys.stderr.write("rasa-secure: nothing is stored for this subject\n")
        return 1
    text = json.dumps(state, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
        return 0
    try:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        raise ConfigError("--output", f"cannot write it ({error.strerror or error})") from error
    return 0
