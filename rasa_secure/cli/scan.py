"""``rasa-secure scan``: screen JSON Lines for injection attacks.

Each input line is a JSON object with a ``text`` (other fields are kept); each output line is
the same object with ``security``: ``{verdict, score, categories, reasons}``, exactly what the
``InjectionScreen`` NLU component stores in the parse data, from the same detector with the
same defaults. ``--config`` takes a YAML mapping of detector options (``thresholds``,
``allow_list``, ``max_length``...; see ``docs/cli/scan.md``).

A bad line (not UTF-8, not JSON, no ``text``...) becomes ``{"line": N, "error": "..."}`` and
the command exits 1 after processing every line; an output that cannot be written stops it
with one line on stderr (see :mod:`rasa_secure.cli._jsonl`). ``-`` reads stdin or writes
stdout.
"""

from __future__ import annotations

import argparse
from typing import Any, Dict, Mapping

from rasa_secure.cli._jsonl import open_input, open_output, process
from rasa_secure.config import read_yaml
from rasa_secure.errors import ConfigError

NAME = "scan"
HELP = "screen JSON Lines (a 'text' field per line) for prompt injection, jailbreaks, SQLi, XSS..."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the options of this command."""
    parser.add_argument("--input", required=True, help="JSON Lines file, or - for stdin")
    parser.add_argument("--output", required=True, help="JSON Lines file, or - for stdout")
    parser.add_argument("--config", help="YAML file of detector options")


def load_config(path: str) -> Mapping[str, Any]:
    """Read the YAML file of detector options (validated when the detector is built).

    Raises:
        ConfigError: unreadable, not YAML, or not a mapping.
    """
    data = read_yaml(path, key=path) or {}
    if not isinstance(data, dict):
        raise ConfigError(
            path, f"expected a mapping of detector options, got {type(data).__name__}"
        )
    return data


def run(args: argparse.Namespace) -> int:
    """Process every line; 0 when all succeeded, 1 when some became error objects."""
    from rasa_secure.core.injection import InjectionDetector

    config = load_config(args.config) if args.config else {}
    detector = InjectionDetector(config, owner=args.config or "scan")

    def handle(text: str) -> Dict[str, Any]:
        return {"security": detector.detect(text).to_dict()}

    with open_input(args.input) as source, open_output(args.output) as sink:
        errors = process(source, sink, handle)
    return 1 if errors else 0
