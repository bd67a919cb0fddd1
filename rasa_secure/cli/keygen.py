"""``rasa-secure keygen``: print a new key entry for ``RASA_SECURE_KEYS``."""

from __future__ import annotations

import argparse
import sys

from rasa_secure.core.identity import ENV_VAR, check_key_id, generate_key

NAME = "keygen"
HELP = f"print a new AES-256 key entry (id:base64key) for {ENV_VAR}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the options of this command."""
    parser.add_argument("--id", default="k1", help="key id to put in front of the key")


def run(args: argparse.Namespace) -> int:
    """Write ``id:key`` to standard output (validated as the keyring will read it)."""
    check_key_id(args.id)
    sys.stdout.write(f"{args.id}:{generate_key()}\n")
    return 0
