"""The anomaly monitor: signals from audit records, windows in memory and Redis, the rules
and responses of the policy file, and what the gate is told while a response holds."""

from __future__ import annotations

import random
import statistics
from typing import Any, Dict, Iterator, List, Optional
from unittest.mock import patch

import pytest

from rasa_secure.core.identity import AuditDecision, AuditRecord, audit
from rasa_secure.errors import PolicyError
from rasa_secure.monitoring.anomaly import Feature, Monitor, ResponseKind, Signal, SignalKind
from rasa_secure.monitoring.anomaly import settings as anomaly_settings
from rasa_secure.monitoring.anomaly.settings import Per
from rasa_secure.monitoring.anomaly.signals import from_record, message, read
from rasa_secure.monitoring.anomaly.state import ActiveResponse, MemoryState, RedisState
from rasa_secure.monitoring.anomaly.windows import MemoryWindows, RedisWindows, features

SUB = "sub_00000000000000aa"
CLI = "cli_00000000000000bb"

POLICY: Dict[str, Any] = {
    "window_seconds": 600,
    "escalation_hook": "tests.monitoring.test_anomaly:remember",
    "responses": {
        "lock": {"do": "lock_out", "seconds": 900},
        "mfa": {"do": "step_up", "seconds": 300, "acr_values": ["urn:bank:mfa"]},
        "slow": {"do": "throttle", "seconds": 300, "per_minute": 2},
        "soc": {"do": "escalate"},
        "note": {"do": "flag"},
    },
    "rules": {
        "repeated_blocks": {"when": {"blocked": 3}, "respond": ["lock", "soc"]},
        "stuffing": {"per": "client", "when": {"auth_failures": 4}, "respond": ["lock"]},
        "enumeration": {"when": {"distinct_accounts": 3}, "respond": ["mfa"]},
        "scraping": {"when": {"burst": 5}, "respond": ["slow", "note"]},
    },
}

ESCALATIONS: List[Any] = []


def remember(escalation: Any) -> None:
    """The escalation hook of :data:`POLICY` (a module:function path, as in a policy file)."""
    ESCALATIONS.append(escalation)


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def record(decision: str, **fields: Any) -> AuditRecord:
    return AuditRecord(
        component=fields.pop("component", "Test"), decision=AuditDecision(decision), **fields
    )


# -- signals ------------------------------------------------------------------------------

SIGNAL_CASES = [
    # (why, record, expected kind or None)
    ("a screen block", record("block", subject=SUB, categories=("sqli",)), SignalKind.BLOCKED),
    ("a screen flag", record("flag", subject=SUB), SignalKind.FLAGGED),
    (
        "a refused token",
        record("deny", subject=CLI, client=CLI, reasons=("bad_signature",)),
        SignalKind.AUTH_FAILURE,
    ),
    ("a policy denial", record("deny", subject=SUB, reasons=("no_grant",)), SignalKind.DENIED),
    (
        "a blocked trigger value is a block",
        record("deny", subject=SUB, reasons=("trigger_value_blocked",)),
        SignalKind.BLOCKED,
    ),
    ("PII redacted", record("redact", subject=SUB, categories=("EMAIL", "IBAN")), SignalKind.PII),
    ("an allow is no signal", record("allow", subject=SUB), None),
    (
        "the monitor's own record is not fed back",
        record("deny", component="AnomalyMonitor", subject=SUB),
        None,
    ),
    (
        "a customer in distress is not suspicious (never locked out for it)",
        record("flag", component="DistressDetector", subject=SUB, categories=("coercion",)),
        None,
    ),
    (
        "the gate carrying out a lock-out is not fed back",
        record("deny", subject=SUB, reasons=("locked_out",)),
        None,
    ),
]


@pytest.mark.parametrize(("why", "entry", "kind"), SIGNAL_CASES, ids=[c[0] for c in SIGNAL_CASES])
def test_audit_records_become_signals(
    why: str, entry: AuditRecord, kind: Optional[SignalKind]
) -> None:
    signal = from_record(entry)
    assert (signal.kind if signal else None) is kind, why


def test_a_refusal_without_identity_counts_for_the_address_only() -> None:
    # Why: the gate audits an unauthenticated refusal with the cli_ pseudonym as subject.
    signal = from_record(record("deny", subject=CLI, client=CLI, reasons=("token_missing",)))
    assert signal is not None and signal.window_keys() == (CLI,)


def test_a_message_signal_holds_pseudonyms_and_a_length_never_the_text() -> None:
    text = "send 10 to account 12345678 and account 87654321, my mail is a@b.example"
    signal = message("alice", "10.0.0.1", text, at=5.0)
    line = signal.to_json()
    assert signal.length == len(text) and len(signal.accounts) == 2
    for secret in ("alice", "10.0.0.1", "12345678", "87654321", "a@b.example"):
        assert secret not in line, secret
    assert Signal.from_json(line) == signal


def test_signals_are_read_from_signal_logs_and_audit_logs_alike() -> None:
    sealed = audit.emit(record("block", subject=SUB, client=CLI))
    lines = [
        Signal(SignalKind.MESSAGE, SUB, CLI, at=1.0, length=12).to_json(),
        "INFO rasa_secure.audit - " + sealed.to_json(),
        '{"kind": "checkpoint", "writer": "w", "seq": 1}',
        "not json",
    ]
    assert [s.kind for s in read(lines)] == [SignalKind.MESSAGE, SignalKind.BLOCKED]


# -- windows and features -----------------------------------------------------------------


def test_features_of_a_window() -> None:
    window = [
        Signal(SignalKind.MESSAGE, SUB, at=0.0, length=10, accounts=("acc_1",)),
        Signal(SignalKind.MESSAGE, SUB, at=100.0, length=30, accounts=("acc_1", "acc_2")),
        Signal(SignalKind.BLOCKED, SUB, at=100.0),
        Signal(SignalKind.PII, SUB, at=100.0, count=2),
        Signal(SignalKind.AUTH_FAILURE, SUB, at=100.0),
    ]
    values = features(SUB, window, now=100.0)
    expected = {
        Feature.MESSAGES: 2,
        Feature.BURST: 1,
        Feature.BLOCKED: 1,
        Feature.SUSPICIOUS_SHARE: 0.5,
        Feature.DISTINCT_ACCOUNTS: 2,
        Feature.PII: 2,
        Feature.AUTH_FAILURES: 1,
        Feature.MEAN_LENGTH: 20,
        Feature.MAX_LENGTH: 30,
        Feature.LENGTH_STD: 10,
    }
    assert {f: values[f] for f in expected} == expected


@pytest.fixture
def redis_windows(redis_url: str) -> Iterator[RedisWindows]:
    windows = RedisWindows(redis_url, 60, namespace="anomaly-test")
    windows._redis.flushdb()
    yield windows
    windows._redis.flushdb()


def test_memory_and_redis_windows_slide_alike(redis_windows: RedisWindows) -> None:
    # Why: replicas share the Redis windows; they must see what one process would.
    memory = MemoryWindows(60)
    for at in (0.0, 30.0, 59.0, 61.0, 90.0, 125.0):
        signal = Signal(SignalKind.MESSAGE, SUB, CLI, at=at, length=int(at))
        assert memory.add(signal) == redis_windows.add(signal)
    assert memory.features(SUB, 125.0)[Feature.MESSAGES] == 2
    assert redis_windows.features(SUB, 125.0) == memory.features(SUB, 125.0)
    assert memory.features(SUB, 200.0)[Feature.MESSAGES] == 0


def _brute_force(window: List[Signal], now: float) -> Dict[Feature, float]:
    """The features by their definitions, recomputed from the whole window."""
    messages = [s for s in window if s.kind is SignalKind.MESSAGE]
    lengths = [s.length for s in messages]
    total = {kind: sum(s.count for s in window if s.kind is kind) for kind in SignalKind}
    mean = statistics.fmean(lengths) if lengths else 0.0
    return {
        Feature.MESSAGES: len(messages),
        Feature.BURST: sum(s.at >= now - 60 for s in messages),
        Feature.BLOCKED: total[SignalKind.BLOCKED],
        Feature.FLAGGED: total[SignalKind.FLAGGED],
        Feature.AUTH_FAILURES: total[SignalKind.AUTH_FAILURE],
        Feature.DENIALS: total[SignalKind.DENIED],
        Feature.PII: total[SignalKind.PII],
        Feature.DISTINCT_ACCOUNTS: len({a for s in messages for a in s.accounts}),
        Feature.MEAN_LENGTH: mean,
        Feature.MAX_LENGTH: max(lengths, default=0),
        Feature.LENGTH_STD: statistics.pstdev(lengths) if lengths else 0.0,
    }


@pytest.mark.parametrize("seed", range(5))
def test_running_windows_equal_the_definitions(seed: int) -> None:
    # Why: windows keep running sums (add at the back, remove at the front); a slip in a
    # removal (the longest message, an account named twice, the burst) would drift silently.
    rng = random.Random(seed)
    windows, sent, at = MemoryWindows(300), [], 0.0
    with patch("rasa_secure.monitoring.anomaly.windows.MAX_SIGNALS_PER_KEY", 40):
        for _ in range(600):
            at += rng.choice((0.0, 1.0, 5.0, 30.0, 200.0))
            kind = rng.choice([SignalKind.MESSAGE] * 4 + list(SignalKind))
            accounts = tuple(rng.sample(["acc_1", "acc_2", "acc_3", "acc_4"], rng.randint(0, 2)))
            signal = Signal(
                kind, SUB, at=at, length=rng.randint(0, 90) if kind is SignalKind.MESSAGE else 0,
                count=rng.randint(1, 3) if kind is SignalKind.PII else 1,
                accounts=accounts if kind is SignalKind.MESSAGE else (),
            )  # fmt: skip
            sent.append(signal)
            got = windows.add(signal)[SUB]
            expected = _brute_force([s for s in sent if s.at >= at - 300][-40:], at)
            assert {f: got[f] for f in expected} == pytest.approx(expected)


# -- settings -----------------------------------------------------------------------------

BAD_SETTINGS = [
    ("an unknown key", {"windows": 5}, "anomaly.windows"),
    (
        "an unknown feature",
        {"rules": {"r": {"when": {"blockd": 3}, "respond": ["x"]}}, "responses": {"x": {}}},
        "anomaly.rules.r.when.blockd",
    ),
    (
        "a rule without condition",
        {"rules": {"r": {"respond": ["x"]}}, "responses": {"x": {}}},
        "anomaly.rules.r.when",
    ),
    (
        "an unknown response",
        {"rules": {"r": {"when": {"blocked": 3}, "respond": ["nope"]}}},
        r"anomaly.rules.r.respond\[0\]",
    ),
    (
        "a step-up without acr_values",
        {"responses": {"x": {"do": "step_up"}}},
        "anomaly.responses.x.acr_values",
    ),
    ("an unknown response kind", {"responses": {"x": {"do": "ban"}}}, "anomaly.responses.x.do"),
    (
        "a hook that is not importable",
        {"escalation_hook": "no.such:thing"},
        "anomaly.escalation_hook",
    ),
    ("a model without responses", {"model": "m.json"}, "anomaly.model_respond"),
    ("a storage that is neither memory nor Redis", {"storage": "postgres://x"}, "anomaly.storage"),
]


@pytest.mark.parametrize(("why", "section", "path"), BAD_SETTINGS, ids=[c[0] for c in BAD_SETTINGS])
def test_a_bad_section_is_a_policy_error_naming_the_key(why: str, section: Any, path: str) -> None:
    with pytest.raises(PolicyError, match=path):
        anomaly_settings.parse(section)


# -- rules and responses --------------------------------------------------------------------


@pytest.fixture(params=["memory", "redis"])
def monitor(request: pytest.FixtureRequest) -> Iterator[Monitor]:
    """A monitor on the policy above, with its state in memory or in (real) Redis."""
    clock = Clock()
    parsed = anomaly_settings.parse(POLICY)
    if request.param == "memory":
        windows: Any = MemoryWindows(parsed.window_seconds)
        state: Any = MemoryState()
    else:
        url = request.getfixturevalue("redis_url")
        windows = RedisWindows(url, parsed.window_seconds, namespace="anomaly-test")
        state = RedisState(url, namespace="anomaly-test")
        windows._redis.flushdb()
    ESCALATIONS.clear()
    yield Monitor(parsed, windows=windows, state=state, clock=clock)
    if request.param == "redis":
        windows._redis.flushdb()


def feed(monitor: Monitor, kind: SignalKind, times: int, **fields: Any) -> List[str]:
    fired: List[str] = []
    for _ in range(times):
        monitor.clock.now += 1  # type: ignore[attr-defined]
        signal = Signal(kind, at=monitor.clock(), **fields)
        fired += [trigger.name for trigger in monitor.observe(signal)]
    return fired


def test_three_blocks_lock_the_subject_out_and_escalate(monitor: Monitor) -> None:
    assert feed(monitor, SignalKind.BLOCKED, 2, subject=SUB) == []
    assert feed(monitor, SignalKind.BLOCKED, 1, subject=SUB) == ["repeated_blocks"]
    assert feed(monitor, SignalKind.BLOCKED, 3, subject=SUB) == [], "once per window and key"
    found = monitor.check(None, None) or monitor.state.active([SUB], monitor.clock())
    assert [a.kind for a in found] == [ResponseKind.LOCK_OUT]  # type: ignore[union-attr]
    assert [(e.key, e.trigger) for e in ESCALATIONS] == [(SUB, "repeated_blocks")]
    assert ESCALATIONS[0].features["blocked"] == 3


def test_a_lock_out_expires(monitor: Monitor) -> None:
    feed(monitor, SignalKind.AUTH_FAILURE, 4, client=CLI)
    assert [a.kind for a in monitor.state.active([CLI], monitor.clock())] == [ResponseKind.LOCK_OUT]
    monitor.clock.now += 901  # type: ignore[attr-defined]
    assert monitor.state.active([CLI], monitor.clock()) == []


def test_a_client_rule_ignores_subject_windows(monitor: Monitor) -> None:
    # Why: "per: client" counts failures per address; a subject's own failures do not lock it.
    assert feed(monitor, SignalKind.AUTH_FAILURE, 6, subject=SUB) == []


def test_every_response_is_an_audit_event(monitor: Monitor) -> None:
    seen: List[AuditRecord] = []
    audit.add_listener(seen.append)
    try:
        feed(monitor, SignalKind.MESSAGE, 5, subject=SUB)
    finally:
        audit.remove_listener(seen.append)
    ours = [(r.decision, r.action, r.reasons) for r in seen if r.component == "AnomalyMonitor"]
    assert ours == [
        (AuditDecision.DENY, "throttle", ("scraping", "slow")),
        (AuditDecision.FLAG, "flag", ("scraping", "note")),
    ]


def test_the_model_fires_for_a_key_above_its_kinds_threshold(monitor: Monitor) -> None:
    # Why: subjects and client addresses are scored in forests of their own, calibrated
    # apart: each window is compared with the threshold of its kind of key.
    class Model:  # a stand-in scoring 0.9 when any message is over 500 characters
        def score_many(self, windows: Any) -> List[float]:
            return [0.9 if window[Feature.MAX_LENGTH] > 500 else 0.1 for window in windows]

    monitor.model = Model()  # type: ignore[assignment]
    monitor.threshold = {Per.SUBJECT: 0.7, Per.CLIENT: 0.95}
    assert feed(monitor, SignalKind.MESSAGE, 1, subject=SUB, client=CLI, length=20) == []
    monitor.clock.now += 1  # type: ignore[attr-defined]
    long = Signal(SignalKind.MESSAGE, subject=SUB, client=CLI, at=monitor.clock(), length=900)
    assert [(trigger.name, trigger.key) for trigger in monitor.observe(long)] == [("model", SUB)]


def test_the_monitor_reads_its_section_from_the_policy_file(tmp_path: Any) -> None:
    path = tmp_path / "policy.yml"
    path.write_text("version: 1\nroles: {customer: {}}\nanomaly:\n  window_seconds: 60\n")
    assert Monitor.from_policy(path).settings.window_seconds == 60
    path.write_text("version: 1\nroles: {customer: {}}\n")
    with pytest.raises(PolicyError, match="anomaly"):
        Monitor.from_policy(path)


# -- what the gate is told ------------------------------------------------------------------


def check_cases() -> List[Any]:
    return [
        # (why, signals to feed, acr of the token, expected kind or None)
        ("nothing fired", [], None, None),
        (
            "a lock-out holds whatever the token",
            [(SignalKind.BLOCKED, 3)],
            "urn:bank:mfa",
            ResponseKind.LOCK_OUT,
        ),
        ("a step-up without the acr", [(SignalKind.MESSAGE, 1)], None, ResponseKind.STEP_UP),
        ("a step-up met by the token's acr", [(SignalKind.MESSAGE, 1)], "urn:bank:mfa", None),
    ]


@pytest.mark.parametrize(
    ("why", "signals", "acr", "kind"), check_cases(), ids=[c[0] for c in check_cases()]
)
def test_check_tells_the_gate_what_holds(
    monitor: Monitor, why: str, signals: Any, acr: Optional[str], kind: Optional[ResponseKind]
) -> None:
    subject = audit.pseudonym("alice")
    accounts = ("acc_1", "acc_2", "acc_3")  # a message naming three accounts: enumeration
    for signal_kind, times in signals:
        extra = {"accounts": accounts} if signal_kind is SignalKind.MESSAGE else {}
        feed(monitor, signal_kind, times, subject=subject, **extra)
    found = monitor.check("alice", "10.0.0.9", acr)
    assert (found.kind if found else None) is kind, why
    if kind is ResponseKind.STEP_UP:
        assert found is not None and found.acr_values == ("urn:bank:mfa",)


def test_before_the_token_is_verified_only_a_lock_out_applies(monitor: Monitor) -> None:
    # Why: a step-up of an address is met by the token's acr, which is unknown before it is
    # verified; refusing then would make the step-up impossible to meet.
    client = audit.client_pseudonym("10.9.9.9")
    mfa = next(spec for spec in monitor.settings.rules if spec.name == "enumeration").respond[0]
    monitor.state.put(
        ActiveResponse(str(client), "test", monitor.clock() + 60, mfa), monitor.clock()
    )
    assert monitor.check(None, "10.9.9.9") is None
    held = monitor.check("ivan", "10.9.9.9")
    assert held is not None and held.kind is ResponseKind.STEP_UP
    assert monitor.check("ivan", "10.9.9.9", "urn:bank:mfa") is None


def test_a_throttle_refuses_only_over_its_rate(monitor: Monitor) -> None:
    subject = audit.pseudonym("bob")
    feed(monitor, SignalKind.MESSAGE, 5, subject=subject)  # scraping: throttled to 2 a minute
    found = monitor.check("bob", None)
    assert found is not None and found.kind is ResponseKind.THROTTLE
    monitor.clock.now += 120  # type: ignore[attr-defined]
    assert monitor.check("bob", None) is None, "a quiet minute later there is room again"


def test_the_metrics_report_who_is_under_a_response(monitor: Monitor) -> None:
    from prometheus_client import REGISTRY

    monitor.install()
    try:
        feed(monitor, SignalKind.BLOCKED, 3, subject=SUB)  # locked out
        feed(monitor, SignalKind.AUTH_FAILURE, 4, client=CLI)  # locked out
        assert REGISTRY.get_sample_value("rasa_secure_under_automatic_response") == 2
    finally:
        monitor.uninstall()


@pytest.mark.parametrize("routed", [True, False], ids=["routed", "not routed"])
def test_signals_are_logged_for_fitting_only_when_routed(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, routed: bool
) -> None:
    # Why: `anomaly fit` learns from the signal log; the shipped logging YAML writes it to
    # RASA_SECURE_ANOMALY_SIGNALS, and without the variable nothing is serialised at all.
    import logging

    from rasa_secure.monitoring.anomaly.monitor import signal_logger
    from rasa_secure.monitoring.ecs import SIGNAL_LOG_ENV, signal_handler

    path = tmp_path / "signals.log"
    if routed:
        monkeypatch.setenv(SIGNAL_LOG_ENV, str(path))
    else:
        monkeypatch.delenv(SIGNAL_LOG_ENV, raising=False)
    handler = signal_handler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    signal_logger.handlers[:] = [handler]  # as the shipped YAML configures it
    signal_logger.setLevel(logging.DEBUG)
    signal_logger.propagate = False
    monitor = Monitor(anomaly_settings.parse(POLICY), clock=Clock())
    sent = [Signal(SignalKind.MESSAGE, SUB, CLI, at=float(n), length=n) for n in range(1, 4)]
    for signal in sent:
        monitor.observe(signal)
    handler.close()
    assert list(read(path.read_text().splitlines()) if routed else []) == (sent if routed else [])
    assert path.exists() is routed
