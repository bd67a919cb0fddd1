"""``rasa-secure anomaly``: fit the anomaly model, list and lift automatic responses.

* ``anomaly fit --events FILE... --out MODEL``: replays the signals in FILE (the signal log
  ``rasa_secure.anomaly.signals``, audit logs, or both) through the windows, fits an
  IsolationForest per kind of key (subjects, client addresses) on their windows' features and
  saves them as JSON (no pickle; see :mod:`rasa_secure.monitoring.anomaly.forest`). Fit on
  normal traffic only.
* ``anomaly locks --storage URL``: the throttles, step-ups and lock-outs in force.
* ``anomaly lift --storage URL (--subject ID | --client ADDRESS | --key PSEUDONYM)``: removes
  the responses of one subject or address (all kinds, or ``--kind``). Subjects and addresses
  are pseudonymised with ``RASA_SECURE_AUDIT_KEY``, as the monitor does.

Exit status: 0 on success; 1 when nothing was lifted, or on an error.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from typing import Any, Optional

from rasa_secure.cli.audit import read_lines
from rasa_secure.errors import ConfigError

NAME = "anomaly"
HELP = "fit the anomaly model; list and lift automatic responses (locks) in the shared state"
KINDS = ("throttle", "step_up", "lock_out")
AUDITED = True
"""Its audit records reach the trail (see :mod:`rasa_secure.cli`)."""
COMPONENT = "rasa-secure anomaly"
"""The component of a lift's audit record."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the subcommands of this command."""
    commands = parser.add_subparsers(dest="anomaly_command", metavar="SUBCOMMAND", required=True)
    fit = commands.add_parser("fit", help="fit IsolationForests on normal traffic")
    fit.add_argument("--events", nargs="+", required=True, metavar="FILE", help="signal/audit logs")
    fit.add_argument("--out", required=True, help="the model file to write (JSON)")
    fit.add_argument("--window-seconds", type=int, default=600, help="as in the policy")
    fit.add_argument("--trees", type=int, default=100, help="number of trees")
    fit.add_argument(
        "--quantile",
        type=float,
        default=0.999,
        help="each kind's threshold is this quantile of its training keys' highest scores",
    )
    for name, text in (("locks", "list responses in force"), ("lift", "lift responses")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--storage", required=True, help="the policy's anomaly.storage URL")
        sub.add_argument("--namespace", default="rasa_secure", help="the policy's namespace")
    lift = commands.choices["lift"]
    who = lift.add_mutually_exclusive_group(required=True)
    who.add_argument("--subject", help="the raw subject id (pseudonymised here)")
    who.add_argument("--client", help="the client address (pseudonymised here)")
    who.add_argument("--key", help="a pseudonym as in the events (sub_... or cli_...)")
    lift.add_argument("--kind", choices=KINDS, help="only this kind (default: all)")


def _fit(args: argparse.Namespace) -> int:
    from rasa_secure.monitoring.anomaly import forest, signals

    if not 0.5 <= args.quantile < 1.0:
        raise ConfigError("--quantile", "expected a number from 0.5 to below 1")
    found = [s for path in args.events for s in signals.read(read_lines(path))]
    windows = forest.training_windows(found, args.window_seconds)
    model = forest.fit(windows, trees=args.trees, quantile=args.quantile)
    model.save(args.out)
    thresholds = ", ".join(f"{per.value} {value:.4f}" for per, value in model.thresholds.items())
    sys.stdout.write(
        f"fitted on {len(windows)} windows from {len(found)} signals; "
        f"thresholds {thresholds}; written to {args.out}\n"
    )
    return 0


def _state(args: argparse.Namespace) -> Any:
    from rasa_secure.monitoring.anomaly.state import state_for

    if not args.storage.partition("://")[0].startswith("redis"):
        raise ConfigError("--storage", "expected the Redis URL the servers share (redis://...)")
    return state_for(args.storage, args.namespace)


def _key(args: argparse.Namespace) -> Optional[str]:
    from rasa_secure.core.identity import audit

    if args.subject is not None:
        return audit.pseudonym(args.subject)
    if args.client is not None:
        return audit.client_pseudonym(args.client)
    from rasa_secure.monitoring.anomaly.settings import Per

    key: str = args.key
    if Per.of(key) is None:
        raise ConfigError("--key", "expected a pseudonym starting with sub_ or cli_")
    return key


def _locks(args: argparse.Namespace) -> int:
    import time

    active = _guarded(lambda: _state(args).all(time.time()))
    for item in active:
        until = datetime.datetime.fromtimestamp(item.until, datetime.timezone.utc)
        sys.stdout.write(
            f"{item.key} {item.kind.value} until {until:%Y-%m-%dT%H:%M:%SZ} ({item.trigger})\n"
        )
    sys.stdout.write(f"{len(active)} responses in force\n")
    return 0


def _lift(args: argparse.Namespace) -> int:
    from rasa_secure.monitoring.anomaly.settings import ResponseKind

    key = _key(args)
    kind = ResponseKind(args.kind) if args.kind else None
    removed = _guarded(lambda: _state(args).lift(str(key), kind))
    _audit_lift(str(key), args.kind or "all", removed)
    sys.stdout.write(f"{removed} responses lifted for {key}\n")
    return 0 if removed else 1


def _audit_lift(key: str, kind: str, removed: int) -> None:
    """An operator's lift is an event of the trail too (``allow``, action ``lift``)."""
    from rasa_secure.core.identity import AuditDecision, AuditRecord, audit
    from rasa_secure.monitoring.anomaly.settings import Per

    subject = key if Per.of(key) is Per.SUBJECT else None
    audit.emit(
        AuditRecord(
            component=COMPONENT,
            decision=AuditDecision.ALLOW,
            subject=subject,
            client=None if subject else key,
            action="lift",
            categories=("anomaly",),
            reasons=(kind, f"removed={removed}"),
        )
    )


def _guarded(call: Any) -> Any:
    try:
        return call()
    except ConfigError:
        raise
    except Exception as error:  # the Redis client's errors have no common base
        raise ConfigError("--storage", f"cannot reach it ({type(error).__name__})") from error


def run(args: argparse.Namespace) -> int:
    """Run the subcommand."""
    commands = {"fit": _fit, "locks": _locks, "lift": _lift}
    status: int = commands[args.anomaly_command](args)
    return status
