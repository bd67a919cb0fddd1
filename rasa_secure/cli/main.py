"""Entry point of the ``rasa-secure`` console script."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import pkgutil
import sys
from types import ModuleType
from typing import Any, ContextManager, List, Optional, Sequence, TextIO

import rasa_secure
import rasa_secure.cli
from rasa_secure.errors import RasaSecureError

_NOT_COMMANDS = {"main"}


def _command_modules() -> List[ModuleType]:
    names = sorted(
        info.name
        for info in pkgutil.iter_modules(rasa_secure.cli.__path__)
        if info.name not in _NOT_COMMANDS and not info.name.startswith("_")
    )
    return [importlib.import_module(f"rasa_secure.cli.{name}") for name in names]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="rasa-secure",
        description="Security tools for Rasa assistants: screen, redact, keys, servers.",
    )
    parser.add_argument("--version", action="version", version=rasa_secure.__version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        sub = commands.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(handler=module.run, audited=getattr(module, "AUDITED", False))
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 2
    try:
        audited: ContextManager[Any] = contextlib.nullcontext()
        if args.audited:
            from rasa_secure.monitoring.ecs import command_audit

            audited = command_audit()
        with audited:
            status: int = args.handler(args)
        sys.stdout.flush()
    except RasaSecureError as error:
        sys.stderr.write(f"rasa-secure: error: {error}\n")
        return 1
    except OSError as error:
        # A full disk or a closed pipe on output: say so, without a traceback. Python's own
        # flush at exit would fail again on the same stream, so detach it first.
        sys.stderr.write(f"rasa-secure: error: {error.strerror or error}\n")
        _discard(sys.stdout)
        return 1
    return status


def _discard(stream: TextIO) -> None:
    """Point ``stream``'s file descriptor at /dev/null, so the exit flush cannot fail."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
