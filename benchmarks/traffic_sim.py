"""Traffic simulation: normal customers and attackers against the anomaly detectors.

Every message goes through the real admission gate (HS256 tokens verified, refusals audited)
and the real injection detector (its blocks and flags audited as the InjectionScreen does),
in one process, on a simulated clock: a thousand customers with human pacing spread over
hours cannot be replayed in real time. The gate's own real-time rate limits are off (the
clock is simulated); the static baseline below holds the same thresholds in simulated time.

Five monitors watch the same signal stream side by side, none of them acting on the traffic:

* ``rules``: the rule layer of ``docs/anomaly.md``'s example policy;
* ``model``: the model (an IsolationForest per kind of key, with its envelope) fitted in this
  run on simulated normal traffic made from the **train** split's banking utterances (a seed
  of its own); evaluation uses the **test** split and ``--seed``;
* ``forests alone`` and ``envelope alone``: the same model without its envelope, and its
  envelope without the forests (what each part of the model finds);
* ``static``: fixed per-key thresholds like the gate's limits and the alert rules of
  ``docs/monitoring.md`` (10 blocks, 10 failed authentications, 10 refusals, 30 messages a
  minute).

Normal customers: banking utterances of ``screening.jsonl`` (banking77, financial-demo; test
split), 3 to 12 messages 5 to 60 s apart, 10 % with a typo, 10 % repeating a question, 30 %
naming one or two own account numbers, 3 % starting with an expired token, 15 % behind one of
ten shared (NAT) addresses. Attackers (20 of each profile): credential stuffing (tokens for
many subjects from one address, 90 % forged), account enumeration (one subject, a new account
number per message), injection probing (the test split's attacks, 15 to 40 s apart),
scraping (benign questions every 1 to 2 s), low and slow (one attack in three messages, 30 to
90 s apart). The cost is the median time of what the gate adds per admitted message with a
monitor running rules and the model (its two checks, signal, windows, rules, forest), in
memory and, with ``--redis``, in Redis; an audit record and a Redis PING are timed in the same
run for reference (under ``nice`` on a busy machine, every round trip to Redis also waits for
the scheduler).

    .venv/bin/python benchmarks/traffic_sim.py [--sessions 1000] [--attackers 20] [--seed 1]
        [--redis URL] [--data ../shared/benchmarks] [--write]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import statistics
import string
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

os.environ.setdefault("RASA_SECURE_AUDIT_KEY", "benchmark-audit-key-0123456789")
os.environ.setdefault("RASA_SECURE_AUDIT_CHECKPOINT_EVERY", "100000")

import jwt

from rasa_secure.channel.admission import AdmissionGate, Admitted
from rasa_secure.core.identity import audit
from rasa_secure.core.injection import InjectionDetector
from rasa_secure.monitoring.anomaly import Monitor, Signal
from rasa_secure.monitoring.anomaly import settings as anomaly_settings
from rasa_secure.monitoring.anomaly.forest import Forest, fit, training_windows
from rasa_secure.monitoring.anomaly.signals import from_record, message
from rasa_secure.monitoring.anomaly.state import MemoryState, RedisState
from rasa_secure.monitoring.anomaly.windows import MemoryWindows, RedisWindows

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks"
PAGE = Path(__file__).resolve().parent.parent / "docs" / "benchmarks" / "traffic-sim.md"
SECRET, ISSUER, AUDIENCE = "traffic-sim-jwt-secret-" + "x" * 20, "https://idp.sim", "bank"
ENV = {"JWT_SECRET": SECRET, "RASA_SECURE_ACTION_TOKEN": "traffic-sim-shared-secret-0123"}
RESPONSES = {
    "note": {"do": "flag"},
    "lock": {"do": "lock_out", "seconds": 900},
    "mfa": {"do": "step_up", "seconds": 900, "acr_values": ["urn:bank:acr:mfa"]},
    "slow": {"do": "throttle", "seconds": 600, "per_minute": 4},
    "soc": {"do": "escalate"},
}
RULES = {
    "repeated_blocks": {"when": {"blocked": 3}, "respond": ["lock", "soc"]},
    "credential_stuffing": {
        "per": "client", "when": {"auth_failures": 5}, "respond": ["lock", "soc"]
    },
    "account_enumeration": {"when": {"distinct_accounts": 4}, "respond": ["mfa"]},
    "scraping": {"when": {"burst": 12}, "respond": ["slow"]},
}  # fmt: skip
STATIC = {
    "blocks": {"when": {"blocked": 10}, "respond": ["note"]},
    "auth": {"per": "client", "when": {"auth_failures": 10}, "respond": ["note"]},
    "refusals": {"when": {"denials": 10}, "respond": ["note"]},
    "rate": {"when": {"burst": 30}, "respond": ["note"]},
}


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Session:
    """One simulated client: its messages (time, bearer, text) and who it is."""

    profile: str
    client: str
    subject: str
    messages: List[Tuple[float, Optional[str], str]] = field(default_factory=list)

    def keys(self) -> Tuple[str, str]:
        return str(audit.pseudonym(self.subject)), str(audit.client_pseudonym(self.client))


def bearer(subject: str, now: float, *, forged: bool = False, expired: bool = False) -> str:
    """A token valid in real time (the verifier's clock), or forged, or expired."""
    issued = int(time.time()) - (4000 if expired else 10)
    claims = {"sub": subject, "roles": ["customer"], "iss": ISSUER, "aud": AUDIENCE,
              "iat": issued, "exp": issued + 3600}  # fmt: skip
    return jwt.encode(claims, "forged-" + SECRET if forged else SECRET, algorithm="HS256")


def typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    at = rng.randrange(len(text) - 1)
    return text[:at] + text[at + 1] + text[at] + text[at + 2 :]


def account(rng: random.Random) -> str:
    return "".join(rng.choice(string.digits) for _ in range(rng.choice((8, 10, 12))))


def normal(rng: random.Random, number: int, start: float, texts: List[str], tag: str) -> Session:
    nat = rng.random() < 0.15
    client = (
        f"198.51.100.{rng.randrange(10)}" if nat else f"10.{tag}.{number // 250}.{number % 250}"
    )
    session = Session("normal", client, f"customer-{tag}-{number}")
    own = [account(rng) for _ in range(rng.choice((1, 1, 2)))]
    at, asked = start, []
    if rng.random() < 0.03:
        session.messages.append((at, bearer(session.subject, at, expired=True), "hi"))
        at += rng.uniform(5, 20)
    for _ in range(rng.randint(3, 12)):
        text = rng.choice(asked) if asked and rng.random() < 0.1 else rng.choice(texts)
        asked.append(text)
        if rng.random() < 0.1:
            text = typo(rng, text)
        if rng.random() < 0.3 / 3:
            text = f"{text} account {rng.choice(own)}"
        session.messages.append((at, bearer(session.subject, at), text))
        at += rng.uniform(5, 60)
    return session


def attacker(
    rng: random.Random, profile: str, number: int, start: float, pools: Dict[str, List[str]]
) -> Session:
    session = Session(profile, f"203.0.113.{number}", f"attacker-{profile}-{number}")
    at = start
    for index in range(40):
        subject, forged, text = session.subject, False, rng.choice(pools["banking"])
        if profile == "credential_stuffing":
            subject, forged, gap = f"victim-{number}-{index}", rng.random() < 0.9, rng.uniform(2, 5)
        elif profile == "account_enumeration":
            text, gap = f"what is the balance of account {account(rng)}", rng.uniform(10, 20)
        elif profile == "injection_probing":
            text, gap = (
                pools["attacks"][(number * 40 + index) % len(pools["attacks"])],
                rng.uniform(15, 40),
            )
        elif profile == "scraping":
            gap = rng.uniform(1, 2)
        else:  # low and slow
            if index % 3 == 2:
                text = rng.choice(pools["attacks"])
            gap = rng.uniform(30, 90)
        session.messages.append((at, bearer(subject, at, forged=forged), text))
        at += gap
    return session  # fmt: skip


PROFILES = (
    "credential_stuffing",
    "account_enumeration",
    "injection_probing",
    "scraping",
    "low_and_slow",
)


class Simulation:
    """The gate, the detector, and monitors fed from one signal stream."""

    def __init__(
        self, monitors: Dict[str, Monitor], clock: Clock, detector: InjectionDetector
    ) -> None:
        jwt_config = {"algorithms": ["HS256"], "secret_env": "JWT_SECRET", "issuer": ISSUER,
                      "audience": AUDIENCE, "leeway_seconds": 0}  # fmt: skip
        config = {"jwt": jwt_config, "rate_limit": None, "auth_failure_limit": "1000000/second"}
        self.gate = AdmissionGate(config, environ=ENV)
        self.monitors, self.clock, self.detector = monitors, clock, detector
        self.alerts: Dict[str, Dict[str, List[Tuple[float, Tuple[str, ...]]]]] = {
            n: {} for n in monitors
        }
        self.signals: List[Signal] = []
        self.costs: List[float] = []
        self._verdicts: Dict[str, Any] = {}
        self.timed: Optional[Monitor] = None

    def relay(self, entry: audit.AuditRecord) -> None:
        signal = from_record(entry)
        if signal is not None:
            self.observe(replace(signal, at=self.clock()))

    def observe(self, signal: Signal) -> None:
        self.signals.append(signal)
        for name, monitor in self.monitors.items():
            for trigger in monitor.observe(signal):
                kinds = tuple(response.kind.value for response in trigger.responses)
                self.alerts[name].setdefault(trigger.key, []).append((signal.at, kinds))

    def run(self, sessions: List[Session]) -> None:
        events = sorted((at, i, b, t) for i, s in enumerate(sessions) for at, b, t in s.messages)
        audit.add_listener(self.relay)
        try:
            for at, index, token, text in events:
                self.clock.now = at
                self.one(sessions[index], token, text)
        finally:
            audit.remove_listener(self.relay)

    def one(self, session: Session, token: Optional[str], text: str) -> None:
        outcome = self.gate.admit(token, None, text, None, client=session.client)
        if not isinstance(outcome, Admitted):
            return  # refused and audited: the relay saw it
        subject = outcome.identity.subject
        if self.timed is not None:
            began = time.perf_counter()  # what the gate's Watch does for an admitted message
            held = self.timed.held(session.client)
            self.timed.check(None, session.client, held=held)
            self.timed.check(subject, session.client, None, held=held)
            self.timed.observe(message(subject, session.client, text, self.clock()))
            self.costs.append((time.perf_counter() - began) * 1e6)
        self.observe(message(subject, session.client, text, self.clock()))
        verdict = self._verdicts.get(text) or self._verdicts.setdefault(
            text, self.detector.detect(text)
        )
        if verdict.decision.value != "allow":
            decision, categories = verdict.decision.value, verdict.categories
            audit.record("InjectionScreen", decision, subject=subject, client=session.client,
                         categories=categories, score=verdict.score)  # fmt: skip


def monitor(
    rules: Dict[str, Any], clock: Clock, model: Any = None, storage: Optional[str] = None
) -> Monitor:
    section = {"responses": RESPONSES, "rules": rules, "model_respond": ["note"] if model else []}
    parsed = anomaly_settings.parse(section)
    if storage is None:
        windows: Any = MemoryWindows(parsed.window_seconds)
        state: Any = MemoryState()
    else:
        windows = RedisWindows(storage, parsed.window_seconds, namespace="traffic-sim")
        state = RedisState(storage, namespace="traffic-sim")
        for key in list(windows._redis.scan_iter(match="traffic-sim:*")):  # ours only
            windows._redis.delete(key)
    return Monitor(parsed, windows=windows, state=state, model=model, clock=clock)


def without_envelope(model: Forest) -> Forest:
    """``model``'s forests and thresholds with no envelope (limits no window reaches)."""
    return Forest(model.features, {per: replace(trees, envelope=[1e300] * len(trees.envelope))
                                   for per, trees in model.kinds.items()})  # fmt: skip


def envelope_alone(model: Forest) -> Forest:
    """``model`` firing only beyond its envelope (threshold 1: a forest's score stays below)."""
    return Forest(model.features, {per: replace(trees, threshold=1.0)
                                   for per, trees in model.kinds.items()})  # fmt: skip


def load_pools(data: Path) -> Dict[str, List[str]]:
    rows = [json.loads(line) for line in (data / "screening.jsonl").open(encoding="utf-8")]

    def pick(split: str, banking: bool) -> List[str]:
        return [
            r["text"]
            for r in rows
            if r["split"] == split
            and (r["category"] == "benign_chat_banking" if banking else r["label"] == 1)
        ]

    return {"banking": pick("test", True), "attacks": pick("test", False),
            "train_banking": pick("train", True)}  # fmt: skip


def detection(
    sim: Simulation, name: str, session: Session
) -> Tuple[Optional[int], Tuple[str, ...]]:
    """(messages sent when first detected or None, responses fired) for one session."""
    start, end = session.messages[0][0], session.messages[-1][0]
    subject, client = session.keys()
    keys = {subject, client}
    if session.profile == "credential_stuffing":  # each attempt names another subject
        keys |= {
            str(audit.pseudonym(f"victim-{session.client.rsplit('.', 1)[1]}-{i}"))
            for i in range(40)
        }
    hits = [(at, kinds) for key in keys for at, kinds in sim.alerts[name].get(key, [])
            if key == subject or start <= at <= end]  # fmt: skip
    if not hits:
        return None, ()
    first = min(at for at, _ in hits)
    sent = sum(1 for at, _, _ in session.messages if at <= first)
    fired = tuple(sorted({kind for at, kinds in hits if at == first for kind in kinds}))
    return sent, fired


def table(sim: Simulation, sessions: List[Session], names: List[str]) -> List[str]:
    lines = ["| Profile | " + " | ".join(f"{n}: detected, median messages" for n in names) +
             " | rules: responses |", "|---|" + "---:|" * len(names) + "---|"]  # fmt: skip
    for profile in PROFILES:
        group = [s for s in sessions if s.profile == profile]
        cells, responses = [], set()
        for name in names:
            found = [detection(sim, name, s) for s in group]
            sent = [n for n, _ in found if n is not None]
            median = f"{statistics.median(sent):.0f} (max {max(sent)})" if sent else "-"
            cells.append(f"{len(sent)}/{len(group)}, {median}")
            if name == "rules":
                responses |= {kind for _, kinds in found for kind in kinds}
        lines.append(f"| {profile} | " + " | ".join(cells) + f" | {', '.join(sorted(responses))} |")
    normal = [s for s in sessions if s.profile == "normal"]
    alerts = [
        sum(detection(sim, n, s)[0] is not None for s in normal) * 1000 / len(normal) for n in names
    ]
    lines.append(
        "| false alerts per 1,000 normal sessions | "
        + " | ".join(f"{a:.1f}" for a in alerts)
        + " | |"
    )
    return lines


TIMED = "both checks, signal, windows, rules and model"
"""What the cost per admitted message covers."""


def row(name: str, micros: List[float]) -> str:
    """A table row: median and p90 microseconds."""
    median, p90 = statistics.median(micros), statistics.quantiles(micros, n=10)[-1]
    return f"| {name} | {median:.1f} | {p90:.1f} |"


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000, help="normal sessions evaluated")
    parser.add_argument("--attackers", type=int, default=20, help="sessions per attacker profile")
    parser.add_argument("--hours", type=float, default=4.0, help="span over which sessions start")
    parser.add_argument(
        "--quantile", type=float, default=0.999, help="the forest's threshold quantile"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the evaluated sessions")
    parser.add_argument("--data", type=Path, default=DATA, help="the directory of screening.jsonl")
    parser.add_argument("--redis", help="also time the monitor with its state in this Redis")
    parser.add_argument("--write", action="store_true", help=f"write the tables to {PAGE.name}")
    args = parser.parse_args(argv)
    for name in (audit.LOGGER_NAME, audit.checkpoint_logger.name, "rasa_secure"):
        logging.getLogger(name).handlers[:] = [logging.NullHandler()]
        logging.getLogger(name).propagate = False
    pools, detector, span = load_pools(args.data), InjectionDetector(), args.hours * 3600
    rng, clock = random.Random(20261206), Clock()
    # fit on normal traffic made from the train split, with seeds of its own
    training = [normal(rng, i, clock.now + rng.uniform(0, span), pools["train_banking"], "t")
                for i in range(args.sessions)]  # fmt: skip
    collect = Simulation({}, clock, detector)
    collect.run(training)
    model = fit(training_windows(collect.signals, 600), quantile=args.quantile)
    clock.now += span + 7200
    rng = random.Random(args.seed)
    start = clock.now
    sessions = [
        normal(rng, i, start + rng.uniform(0, span), pools["banking"], "e")
        for i in range(args.sessions)
    ]
    sessions += [attacker(rng, p, n + 20 * k, start + rng.uniform(0, span), pools)
                 for k, p in enumerate(PROFILES) for n in range(args.attackers)]  # fmt: skip
    monitors = {
        "rules": monitor(RULES, clock),
        "model": monitor({}, clock, model),
        "forests alone": monitor({}, clock, without_envelope(model)),
        "envelope alone": monitor({}, clock, envelope_alone(model)),
        "static": monitor(STATIC, clock),
    }
    sim = Simulation(monitors, clock, detector)
    sim.timed = monitor(RULES, clock, model)
    sim.run(sessions)
    names = list(monitors)
    lines = table(sim, sessions, names)
    messages = sum(len(s.messages) for s in sessions)
    cost = [row("monitor, memory", sim.costs)]
    reference = []
    for _ in range(2000):
        began = time.perf_counter()
        audit.record(
            "Reference", "flag", subject="customer-1", client="10.0.0.1", categories=("x",)
        )
        reference.append((time.perf_counter() - began) * 1e6)
    cost.append(row("one audit record, for reference", reference))
    if args.redis:
        timed = Simulation({}, clock, detector)
        timed.timed = monitor(RULES, clock, model, storage=args.redis)
        timed.run([s for s in sessions if s.profile == "normal"][:200])
        cost.append(row("monitor, Redis", timed.costs))
        client, pings = timed.timed.state._redis, []  # type: ignore[attr-defined]
        for _ in range(2000):
            began = time.perf_counter()
            client.ping()
            pings.append((time.perf_counter() - began) * 1e6)
        cost.append(row("one Redis PING, for reference", pings))
    thresholds = ", ".join(f"{per.value} {value:.4f}" for per, value in model.thresholds.items())
    report = [
        f"{len(sessions)} sessions (seed {args.seed}), {messages} messages; forest fitted on "
        f"{len(training)} sessions of the train split, thresholds {thresholds} (quantile "
        f"{args.quantile} of the training keys' highest scores).", "",
        *lines, "", f"Cost per admitted message ({TIMED}), µs:", "",
        "| What | median | p90 |", "|---|---:|---:|", *cost, "",
        f"Load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.",
    ]  # fmt: skip
    print("\n".join(report))
    if args.write:
        head = PAGE.read_text(encoding="utf-8").split("<!-- figures -->")[0]
        PAGE.write_text(head + "<!-- figures -->\n\n" + "\n".join(report) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
