"""``rasa-secure pii``: find and redact personal data in JSON Lines.

Each input line is a JSON object with a ``text``; each output line is the same object with

* ``pii``: ``[{type, start, end, score, recognizer}, ...]``, offsets into the original text;
* ``redacted``: the text with every finding replaced (operators from ``--config``).

A bad line (not UTF-8, not JSON, no ``text``...) becomes ``{"line": N, "error": "..."}`` and
the command exits 1 after processing every line; an output that cannot be written stops it
with one line on stderr (see :mod:`rasa_secure.cli._jsonl`). ``--config`` takes a YAML file
with ``detector:`` (PIIAnalyzer options) and ``redaction:`` (Redactor options); see
``docs/cli/pii.md``.
"""

from __future__ import annotations

import argparse
from typing import Any, Dict, Mapping

from rasa_secure.cli._jsonl import open_input, open_output, process
from rasa_secure.config import Option, OptionSpec, read_yaml, resolve
from rasa_secure.core.pii import PIIAnalyzer
from rasa_secure.core.redaction import Redactor

NAME = "pii"
HELP = "find and redact personal data in JSON Lines (a 'text' field per line)"

CONFIG_OPTIONS: OptionSpec = {
    "detector": Option({}, "PIIAnalyzer options", dict),
    "redaction": Option({}, "Redactor options", dict),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the options of this command."""
    parser.add_argument("--input", required=True, help="JSON Lines file, or - for stdin")
    parser.add_argument("--output", required=True, help="JSON Lines file, or - for stdout")
    parser.add_argument("--config", help="YAML file with 'detector' and 'redaction' options")
    parser.add_argument("--scope", default="", help="scope of pseudonyms (e.g. a conversation id)")


def load_config(path: str) -> Dict[str, Any]:
    """Read and validate the YAML configuration file.

    Raises:
        ConfigError: unreadable, not YAML, or unknown keys.
    """
    data = read_yaml(path, key=path) or {}
    return resolve(CONFIG_OPTIONS, data, owner=path)


def run(args: argparse.Namespace) -> int:
    """Process every line; 0 when all succeeded, 1 when some became error objects."""
    config: Mapping[str, Any] = (
        load_config(args.config) if args.config else resolve(CONFIG_OPTIONS, {}, owner="pii")
    )
    detector = PIIAnalyzer(config["detector"])
    redactor = Redactor(config["redaction"])
    detector.load()

    def handle(text: str) -> Dict[str, Any]:
        findings = detector.detect(text)
        redaction = redactor.redact(text, findings, scope=args.scope)
        return {"pii": [f.to_wire() for f in findings], "redacted": redaction.text}

    with open_input(args.input) as source, open_output(args.output) as sink:
        errors = process(source, sink, handle)
    return 1 if errors else 0
