"""``rasa-secure audit verify``: check the hash chains of audit logs; ``audit report``: an
HTML report of them (:mod:`rasa_secure.monitoring.report`).

Reads every FILE (oldest first: ``audit.json.2 audit.json.1 audit.json``), any
``--checkpoints`` files and, with ``--checkpoints-redis URL``, the checkpoints kept in Redis
(:mod:`rasa_secure.monitoring.checkpoints`); each line may be a plain audit record, the
same after a log prefix, or an ECS event. Prints one line per writer: ``ok`` with the
number of verified records, or the first record modified, deleted, reordered or cut off,
with its file and line. A chain whose oldest records ``rasa-secure retention apply`` deleted
verifies from the signed retention anchor it left (pass the checkpoint files), and its line
says how many it removed. Keys come from ``RASA_SECURE_AUDIT_KEY`` and
``RASA_SECURE_AUDIT_KEY_PREVIOUS``.

Exit status: 0 when every chain verified, 1 when one did not (or there was none to verify).

``rasa-secure audit report FILE... --html OUT [--since DATE] [--until DATE]`` writes one
self-contained HTML file: decisions over time, top categories, automatic responses and
anomalies, with charts and no personal data (pseudonyms and counts). Exit status 0.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from typing import List, Optional

from rasa_secure.core.identity import AUDIT_KEY_ENV, accepted_keys, trail
from rasa_secure.errors import ConfigError

NAME = "audit"
HELP = "verify the tamper-evident audit trail (hash chains and checkpoints)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the subcommands of this command."""
    commands = parser.add_subparsers(dest="audit_command", metavar="SUBCOMMAND", required=True)
    verify = commands.add_parser("verify", help="check every writer's chain in FILE...")
    verify.add_argument("files", nargs="+", metavar="FILE", help="audit logs, oldest first")
    verify.add_argument(
        "--checkpoints",
        nargs="+",
        default=[],
        metavar="FILE",
        help="checkpoint logs kept elsewhere (they reveal a cut-off tail)",
    )
    verify.add_argument(
        "--checkpoints-redis",
        metavar="URL",
        help="also read the checkpoints kept in Redis by RedisCheckpointHandler",
    )
    verify.add_argument("--redis-key", default=None, help="the Redis hash of the checkpoints")
    report = commands.add_parser("report", help="an HTML report of FILE... for a period")
    report.add_argument("files", nargs="+", metavar="FILE", help="audit logs")
    report.add_argument("--html", required=True, metavar="OUT", help="the HTML file to write")
    for name in ("since", "until"):
        report.add_argument(f"--{name}", type=_date, help=f"{name} this UTC date or time (ISO)")


def _date(value: str) -> float:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date or time: {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()


def read_lines(path: str) -> List[str]:
    """The lines of the file at ``path`` (undecodable bytes replaced).

    Raises:
        ConfigError: it cannot be read.
    """
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.readlines()
    except OSError as error:
        raise ConfigError(path, f"cannot read it ({error.strerror or error})") from error


def _read_redis(url: str, key: Optional[str]) -> List[str]:
    from rasa_secure.monitoring.checkpoints import DEFAULT_KEY, read_checkpoints

    try:
        return read_checkpoints(url, key or DEFAULT_KEY)
    except ConfigError:
        raise
    except Exception as error:  # the client's errors (connection, auth) have no common base
        raise ConfigError("--checkpoints-redis", f"cannot read ({type(error).__name__})") from error


def run(args: argparse.Namespace) -> int:
    """Run the subcommand."""
    return _report(args) if args.audit_command == "report" else _verify(args)


def _report(args: argparse.Namespace) -> int:
    from rasa_secure.monitoring import report

    records = [entry for path in args.files for entry in report.entries(read_lines(path))]
    page = report.render(records, (args.since, args.until))
    try:
        with open(args.html, "w", encoding="utf-8") as handle:
            handle.write(page)
    except OSError as error:
        raise ConfigError(args.html, f"cannot write it ({error.strerror or error})") from error
    sys.stdout.write(f"{len(records)} audit records read; report written to {args.html}\n")
    return 0


def _verify(args: argparse.Namespace) -> int:
    """Verify and print one line per writer; 0 when every chain is intact, else 1."""
    keys = accepted_keys()
    if not keys:
        raise ConfigError(AUDIT_KEY_ENV, "set it to the audit key the records were sealed with")
    records, checkpoints, unsealed = [], [], 0
    sources = [(path, read_lines(path)) for path in [*args.files, *args.checkpoints]]
    if args.checkpoints_redis:
        sources.append(("redis", _read_redis(args.checkpoints_redis, args.redis_key)))
    for name, lines in sources:
        found, points, plain = trail.read(lines, name)
        records.extend(found)
        checkpoints.extend(points)
        unsealed += plain
    result = trail.verify(records, checkpoints, keys, unsealed)
    for chain in result.chains:
        line = str(chain.finding) if chain.finding else f"writer {chain.writer}: ok"
        removed = f", {chain.removed} removed by retention" if chain.removed else ""
        sys.stdout.write(f"{line} ({chain.verified} records verified{removed})\n")
    if unsealed:
        sys.stdout.write(f"{unsealed} audit records carry no seal (written without a chain)\n")
    if not result.chains:
        sys.stdout.write("no sealed audit records found\n")
    return 0 if result.ok else 1
