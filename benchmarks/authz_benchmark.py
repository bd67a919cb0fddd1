"""What SecureAction adds to an action call, side by side in one run.

Two measurements on a 40-event banking conversation:

* ``per call``: the in-process work SecureAction adds to one action call: identity (attested
  envelope), policy check, filtered tracker view, slot-write filter and redaction of the
  reply (slot disclosure + pattern-only PII). Median and p90 in milliseconds. Target: the
  median is at most 1 ms.
* ``throughput``: two real rasa-sdk action servers on localhost, each in its own process:
  a plain ``Action`` on an unguarded server, and a ``SecureAction`` doing the same work (a
  parameterized SQLite lookup and a formatted reply) on a server with the shared-secret
  guard. One keep-alive client sends the same action call in a bounded loop, alternating
  between the servers in rounds so machine noise hits both alike. Reports requests per
  second, server CPU per request and the ratio secure/plain. Target: within 10 %.

``--backend-ms`` adds the latency of a remote backend call to both actions (an awaited
sleep, as an HTTP call to a core-banking API would be); ``--no-pii`` runs SecureAction with
``pii: null`` to show what the PII pass costs.

    .venv/bin/python benchmarks/authz_benchmark.py [--calls 2000] [--requests 1500] [--rounds 4]
        [--backend-ms 0] [--no-pii]

The script is also the action package of the servers it starts (``--serve``).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Dict, List, Tuple

warnings.filterwarnings("ignore")

from rasa_sdk import Action, Tracker  # noqa: E402
from rasa_sdk.executor import CollectingDispatcher  # noqa: E402

from rasa_secure.actions import ActionContext, ActionGuard, SecureAction  # noqa: E402
from rasa_secure.core.identity import METADATA_KEY, attestation_key, seal  # noqa: E402

SHARED = "benchmark-shared-secret-0123456789"
POLICY = """
version: 1
roles:
  customer: {}
  teller: {}
actions:
  bench_secure_balance: {customer: own, teller: any}
slots:
  amount: {read: [customer], write: [customer], disclose: {customer: full}}
  recipient_account: {read: [customer], write: [customer], disclose: {customer: mask_last4}}
  email: {read: [customer], write: [customer], disclose: {customer: full}}
fields:
  account_number: {disclose: {customer: full, teller: mask_last4}}
"""
DB_ENV = "RASA_SECURE_BENCH_DB"
LATENCY_ENV = "RASA_SECURE_BENCH_BACKEND_MS"


def database(path: str) -> None:
    """A small accounts table, as a stand-in for a core-banking backend."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE IF NOT EXISTS accounts (number TEXT, owner TEXT, cents INTEGER)")
        db.execute("DELETE FROM accounts")
        rows = [
            (f"10002000{i:02d}", "alice" if i < 3 else f"user{i}", 125_000 + i) for i in range(50)
        ]
        db.executemany("INSERT INTO accounts VALUES (?, ?, ?)", rows)


async def backend_latency() -> None:
    """The network round trip of a remote core-banking API (``--backend-ms``; 0: none)."""
    delay = float(os.environ.get(LATENCY_ENV, "0"))
    if delay > 0:
        await asyncio.sleep(delay / 1000)


def lookup(owner: str) -> List[Tuple[str, int]]:
    with sqlite3.connect(os.environ[DB_ENV]) as db:
        rows: List[Tuple[str, int]] = db.execute(
            "SELECT number, cents FROM accounts WHERE owner = ? ORDER BY number", (owner,)
        ).fetchall()
    return rows


def reply(rows: List[Tuple[str, int]], show: Any) -> str:
    lines = [f"checking {show(number)}: {cents / 100:,.2f} EUR" for number, cents in rows]
    return "Your balances:\n" + "\n".join(lines) + "\nQuestions? Write to help@bankmail.com."


class PlainBalance(Action):
    """The baseline: the same lookup and reply, no protection."""

    def name(self) -> str:
        return "bench_plain_balance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Any]:
        await backend_latency()
        dispatcher.utter_message(text=reply(lookup(tracker.sender_id), str))
        return []


class SecureBalance(SecureAction):
    """The same work behind SecureAction."""

    def name(self) -> str:
        return "bench_secure_balance"

    async def run_authorized(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
        context: ActionContext,
    ) -> List[Any]:
        await backend_latency()
        rows = lookup(context.identity.subject)
        dispatcher.utter_message(
            text=reply(
                rows,
                functools.partial(context.show, "account_number", owner=context.identity.subject),
            )
        )
        return []


def conversation(action: str) -> Dict[str, Any]:
    """A 40-event conversation of alice, as Rasa sends it to the action server."""
    envelope = seal(
        subject="alice", roles=["customer"], sender_id="alice",
        expires_at=int(time.time()) + 86400, key=attestation_key(SHARED),
    ).to_metadata()  # fmt: skip
    events: List[Dict[str, Any]] = [{"event": "session_started"}]
    for turn in range(9):
        events += [
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": f"message {turn} about 25 EUR to 1000200031",
             "parse_data": {"intent": {"name": "inform", "confidence": 0.98}, "entities": []},
             "metadata": {METADATA_KEY: envelope}},
            {"event": "slot", "name": "amount", "value": 25.0},
            {"event": "bot", "text": "How much would you like to transfer?", "data": {}},
        ]  # fmt: skip
    events += [{"event": "action", "name": "action_listen"}, dict(events[-3])]
    slots = {"amount": 25.0, "recipient_account": "1000200031", "email": "alice@example.com"}
    tracker = {
        "sender_id": "alice", "slots": slots, "latest_message": events[-1]["parse_data"],
        "events": events, "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": "action_listen",
    }  # fmt: skip
    return {"next_action": action, "sender_id": "alice", "tracker": tracker, "version": "3.6.21"}


def environment(workdir: Path, *, pii: bool = True) -> Dict[str, str]:
    (workdir / "policy.yml").write_text(POLICY)
    config = {"policy": "policy.yml"} if pii else {"policy": "policy.yml", "pii": None}
    (workdir / "actions.yml").write_text(json.dumps(config))
    database(str(workdir / "bank.sqlite"))
    return {
        **os.environ,
        "RASA_SECURE_ACTION_TOKEN": SHARED,
        "RASA_SECURE_ACTIONS_CONFIG": str(workdir / "actions.yml"),
        DB_ENV: str(workdir / "bank.sqlite"),
        "RASA_SECURE_PSEUDONYM_KEY": "benchmark",
    }


# -- per call ------------------------------------------------------------------------------------


def per_call(calls: int) -> Tuple[float, float]:
    """Median and p90 ms of what SecureAction adds around run_authorized."""
    guard = ActionGuard.from_env()
    tracker = Tracker.from_dict(conversation("bench_secure_balance")["tracker"])
    rows = lookup("alice")
    timings: List[float] = []
    for _ in range(calls):
        start = time.perf_counter()
        identity = guard.identify(tracker)
        decision = guard.policy.check_action(identity, "bench_secure_balance")
        assert decision.allowed
        guard.view(tracker, identity)
        context = ActionContext(identity, decision, guard.policy, "bench_secure_balance")
        message = {
            "text": reply(
                rows, functools.partial(context.show, "account_number", owner=identity.subject)
            ),
            "buttons": [],
            "custom": {},
        }
        events = guard.filter_events([], identity, "bench_secure_balance")
        disclosures = guard.disclosures(identity, "bench_secure_balance", tracker.slots.items())
        guard.redact_message(message, disclosures, tracker.sender_id)
        timings.append((time.perf_counter() - start) * 1000)
        del events
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.9)]


# -- throughput ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(kind: str, port: int) -> None:
    """Run one action server (called in a subprocess)."""
    from rasa_sdk.endpoint import create_app

    from rasa_secure.actions import attach

    ActionGuard.default()
    app = create_app(sys.modules[__name__], cors_origins="")
    if kind == "secure":  # this module also holds the plain baseline action, ungoverned
        attach(app, {"allow_ungoverned_actions_unsafe": True})
    app.run("127.0.0.1", port, workers=1, access_log=False, debug=False)


def start(kind: str, env: Dict[str, str]) -> Tuple[subprocess.Popen, str]:  # type: ignore[type-arg]
    port = free_port()
    argv = [sys.executable, str(Path(__file__).resolve()), "--serve", kind, "--port", str(port)]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    import requests

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/health", timeout=1).ok:
                return process, url
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{kind} action server did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux ``/proc``; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def throughput(
    env: Dict[str, str], requests_per_round: int, rounds: int
) -> Tuple[Dict[str, float], Dict[str, float]]:
    """Requests per second and server CPU milliseconds per request, per server kind."""
    import requests

    servers = {kind: start(kind, env) for kind in ("plain", "secure")}
    bodies = {
        "plain": json.dumps(conversation("bench_plain_balance")),
        "secure": json.dumps(conversation("bench_secure_balance")),
    }
    headers = {
        "plain": {"Content-Type": "application/json"},
        "secure": {"Content-Type": "application/json", "X-Rasa-Secure-Token": SHARED},
    }
    sessions = {kind: requests.Session() for kind in servers}
    elapsed = {kind: 0.0 for kind in servers}
    cpu = {kind: 0.0 for kind in servers}
    try:
        for kind in servers:  # warm-up, and a check that both really answer the same
            answer = (
                sessions[kind]
                .post(f"{servers[kind][1]}/webhook", data=bodies[kind], headers=headers[kind])
                .json()
            )
            assert answer["responses"][0]["text"].startswith("Your balances:"), (kind, answer)
        for _ in range(rounds):
            for kind in ("plain", "secure"):
                url = f"{servers[kind][1]}/webhook"
                cpu_before = cpu_seconds(servers[kind][0].pid)
                start_time = time.perf_counter()
                for _ in range(requests_per_round):
                    sessions[kind].post(
                        url, data=bodies[kind], headers=headers[kind]
                    ).raise_for_status()
                elapsed[kind] += time.perf_counter() - start_time
                cpu[kind] += cpu_seconds(servers[kind][0].pid) - cpu_before
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(timeout=30)
    total = rounds * requests_per_round
    rates = {kind: total / elapsed[kind] for kind in servers}
    return rates, {kind: cpu[kind] * 1000 / total for kind in servers}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--calls", type=int, default=2000, help="in-process calls for the per-call figure"
    )
    parser.add_argument(
        "--requests", type=int, default=1500, help="HTTP requests per server and round"
    )
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds")
    parser.add_argument(
        "--backend-ms", type=float, default=0.0, help="simulated remote backend latency per call"
    )
    parser.add_argument("--no-pii", action="store_true", help="SecureAction with pii: null")
    parser.add_argument("--serve", choices=("plain", "secure"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(Path(tmp), pii=not args.no_pii)
        env[LATENCY_ENV] = str(args.backend_ms)
        os.environ.update(env)
        median, p90 = per_call(args.calls)
        redaction = "disclosure" + ("" if args.no_pii else " + PII")
        print(
            f"per call (identity + policy + view + write filter + {redaction}), {args.calls} calls:"
        )
        verdict = "OK" if median <= 1 else "MISSED"
        print(f"  median {median:.3f} ms   p90 {p90:.3f} ms   target <= 1 ms: {verdict}")
        rates, cpu = throughput(env, args.requests, args.rounds)
    ratio = rates["secure"] / rates["plain"]
    total = args.requests * args.rounds
    print(
        f"throughput, real rasa-sdk servers on localhost, {total} sequential requests each,"
        f" backend latency {args.backend_ms:g} ms:"
    )
    print(
        f"  plain Action   {rates['plain']:8.1f} req/s   server CPU {cpu['plain']:.3f} ms/request"
    )
    print(
        f"  SecureAction   {rates['secure']:8.1f} req/s   server CPU {cpu['secure']:.3f} ms/request"
        " (with the shared-secret guard)"
    )
    print(
        f"  ratio secure/plain {ratio:.3f}   target >= 0.90: {'OK' if ratio >= 0.9 else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
