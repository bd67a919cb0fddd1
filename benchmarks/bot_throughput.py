"""The example bot with rasa_secure against the same bot built from Rasa's plain pieces.

Both bots have the example bot's domain, NLU data, rules and replies. The *secure* bot is
``example_bot/`` as shipped: the PIIDetector and InjectionScreen in its pipeline, the JWT
channel (``SecureRestInput``), the ``SecureTrackerStore`` around SQLite and the guarded action
server (``rasa-secure actions``). The *plain* bot is generated from it for this run: the
pipeline without ``rasa_secure`` components, Rasa's ``rest`` channel, Rasa's SQL tracker store
on SQLite and a plain rasa-sdk action server running :class:`PlainCheckBalance` and its
siblings below, which give the same replies from the same bank backend
(``example_bot/actions/bank.py``) and trust the conversation id for the customer.

Both are trained once per change of their inputs (models cached under
``example_bot/models/``), started on free ports of 127.0.0.1, then a load generator on
loopback (asyncio + aiohttp) plays ``--conversations`` concurrent conversations of a fixed
script (greet, balance, a transfer, goodbye) per round. Rounds alternate between the bots
(plain, secure, secure, plain, ...), after one untimed warm-up round each, so machine noise
hits both alike; every reply of the secure bot must equal the plain bot's reply to the same
turn of the same round. Reported per bot: messages per second, p50/p95 latency, server CPU
per message (Rasa server and action server, from ``/proc/<pid>/stat``), the secure/plain
ratios, and where the Rasa server's time goes: each server runs under a wrapper (``serve``
below) that times a few methods (NLU parse, our components, the tracker store, remote
actions) and counts audit records, without logging any text.

Bounded: ``--rounds`` timed rounds, ``--time-budget`` seconds for the whole run (rounds not
started by then are skipped and reported as such), 60 s per request. Everything runs on
127.0.0.1; servers are stopped and the temporary folder is removed at the end.

    .venv/bin/python -m benchmarks.bot_throughput [--rounds 10] [--conversations 20]
        [--time-budget 1500] [--keep]

Run it from the repository root (``-m`` puts the root on the path for ``example_bot``);
``rasa_secure`` is the installed package.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import functools
import importlib.util
import inspect
import json
import os
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

REPO_DIR = Path(__file__).resolve().parent.parent
BOT_DIR = REPO_DIR / "example_bot"


def _load_bank() -> ModuleType:
    """``example_bot/actions/bank.py`` alone: importing ``example_bot.actions`` would also
    import the secure actions, and the plain action server registers every Action it sees."""
    name = "example_bot_bank_backend"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BOT_DIR / "actions" / "bank.py")
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {BOT_DIR / 'actions' / 'bank.py'}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


Bank: Any = _load_bank().Bank
BankError: Any = _load_bank().BankError
CACHE_DIR = BOT_DIR / "models" / "bot-throughput"
MAX_TRANSFER = Decimal("10000")
RECIPIENT = "2000300040"  # Bob's checking account: receives every transfer, shown to nobody
STARTING_CENTS = 100_000
SCRIPT: Tuple[str, ...] = (
    "hi",
    "what's my balance?",
    "I want to transfer money",
    "1",
    RECIPIENT,
    "bye",
)
CONFIRMATION = re.compile(r"\b(confirm|are you sure|shall I)\b", re.IGNORECASE)
CONFIRM_REPLY = "yes"
MAX_TURNS = 2 * len(SCRIPT)  # a bot that asks for confirmation forever cannot hold a round
REQUEST_TIMEOUT = 60.0
STATS_INTERVAL = 0.5


# --- the plain bot's actions (served by `python -m rasa_sdk --actions bot_throughput`) ------


def _subject(tracker: Tracker) -> str:
    """The plain bot trusts the conversation id ``<customer>:<suffix>`` for the customer."""
    sender_id: str = tracker.sender_id
    return sender_id.split(":", 1)[0]


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def _amount(value: Any) -> Optional[Decimal]:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or not Decimal("0") < amount <= MAX_TRANSFER:
        return None
    if amount != amount.quantize(Decimal("0.01")):
        return None
    return amount.quantize(Decimal("0.01"))


def _account_number(value: Any) -> Optional[str]:
    text = str(value).strip() if value is not None else ""
    return text if re.fullmatch(r"\d{10}", text) else None


class PlainCheckBalance(Action):
    """``action_check_balance`` without the guard: the customer's accounts, or the one named."""

    def name(self) -> str:
        return "action_check_balance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        bank = Bank()
        asked = next(tracker.get_latest_entity_values("account_number"), None)
        if asked is None:
            accounts = bank.accounts_of(_subject(tracker))
        else:
            number = _account_number(asked)
            account = bank.account(number) if number else None
            accounts = [account] if account else []
        if not accounts:
            dispatcher.utter_message(text="I could not find any account for you.")
            return []
        lines = [f"{a.kind} {a.number}: {_money(a.balance, a.currency)}" for a in accounts]
        heading = "Your balances:" if asked is None else "Balance:"
        dispatcher.utter_message(text=heading + "\n" + "\n".join(lines))
        return []


class PlainValidateTransferForm(FormValidationAction):
    """``validate_transfer_form``: the same checks and replies as the secure form."""

    def name(self) -> str:
        return "validate_transfer_form"

    def validate_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        amount = _amount(value)
        if amount is None:
            dispatcher.utter_message(
                text=f"Please give an amount between 0.01 and {MAX_TRANSFER:,.2f}."
            )
            return {"amount": None}
        return {"amount": float(amount)}

    def validate_recipient_account(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        number = _account_number(value)
        if number is None or Bank().account(number) is None:
            dispatcher.utter_message(text="I could not find that account. Please check the number.")
            return {"recipient_account": None}
        return {"recipient_account": number}

    def validate_transfer_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return {"transfer_confirmed": True if value is True else None}


class PlainAskTransferConfirmed(Action):
    """``action_ask_transfer_confirmed``: the same question and buttons as the secure bot."""

    def name(self) -> str:
        return "action_ask_transfer_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        amount = _amount(tracker.get_slot("amount")) or Decimal("0")
        target = _account_number(tracker.get_slot("recipient_account"))
        accounts = Bank().accounts_of(_subject(tracker))
        currency = accounts[0].currency if accounts else "EUR"
        dispatcher.utter_message(
            text=f"Please confirm: send {_money(amount, currency)} to account {target}? (yes / no)",
            buttons=[
                {"title": "Yes, send it", "payload": "/affirm"},
                {"title": "No, cancel", "payload": "/deny"},
            ],
        )
        return []


class PlainTransferMoney(Action):
    """``action_transfer_money`` from the customer's checking account."""

    def name(self) -> str:
        return "action_transfer_money"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        reset: List[EventType] = [
            SlotSet("amount", None),
            SlotSet("recipient_account", None),
            SlotSet("transfer_confirmed", None),
        ]
        if tracker.get_slot("transfer_confirmed") is not True:
            dispatcher.utter_message(text="The transfer was not confirmed, so I did not make it.")
            return reset
        amount = _amount(tracker.get_slot("amount"))
        target = _account_number(tracker.get_slot("recipient_account"))
        bank = Bank()
        accounts = bank.accounts_of(_subject(tracker))
        if amount is None or target is None or not accounts:
            dispatcher.utter_message(text="I could not find an account to transfer from.")
            return reset
        try:
            updated = bank.transfer(accounts[0].number, target, amount)
        except BankError as error:
            dispatcher.utter_message(text=str(error))
            return reset
        dispatcher.utter_message(
            text=f"Done: {_money(amount, updated.currency)} sent to {target}. "
            f"New balance of {updated.kind} {updated.number}: "
            f"{_money(updated.balance, updated.currency)}."
        )
        return reset


class PlainValidateEmailForm(FormValidationAction):
    """``validate_email_form``: something@domain.tld."""

    def name(self) -> str:
        return "validate_email_form"

    def validate_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = str(value).strip() if value is not None else ""
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}", text):
            dispatcher.utter_message(text="That does not look like an email address.")
            return {"email": None}
        return {"email": text}


class PlainUpdateEmail(Action):
    """``action_update_email`` for the customer the conversation id names."""

    def name(self) -> str:
        return "action_update_email"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        try:
            Bank().update_email(_subject(tracker), str(tracker.get_slot("email")))
        except BankError as error:
            dispatcher.utter_message(text=str(error))
        else:
            dispatcher.utter_message(text="Your contact email has been updated.")
        return [SlotSet("email", None)]


# --- the timing wrapper the Rasa servers run under (`bot_throughput.py serve`) --------------


@dataclass
class _Timer:
    calls: int = 0
    wall: float = 0.0


class Stats:
    """Call counts and wall seconds per timed method, dumped to a JSON file twice a second."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.timers: Dict[str, _Timer] = {}
        self.counts: Dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, name: str, seconds: float) -> None:
        with self._lock:
            timer = self.timers.setdefault(name, _Timer())
            timer.calls += 1
            timer.wall += seconds

    def count(self, name: str) -> None:
        with self._lock:
            self.counts[name] = self.counts.get(name, 0) + 1

    def dump(self) -> None:
        with self._lock:
            data = {
                "timers": {k: [v.calls, v.wall] for k, v in self.timers.items()},
                "counts": dict(self.counts),
            }
        partial = self.path.with_suffix(".partial")
        partial.write_text(json.dumps(data))
        partial.replace(self.path)

    def start(self) -> None:
        def loop() -> None:
            while True:
                time.sleep(STATS_INTERVAL)
                self.dump()

        threading.Thread(target=loop, name="bot-throughput-stats", daemon=True).start()
        atexit.register(self.dump)


def _timed(stats: Stats, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                stats.add(name, time.perf_counter() - start)

        return async_wrapper

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            stats.add(name, time.perf_counter() - start)

    return wrapper


def _timing_points(secure: bool) -> Iterator[Tuple[str, Any, str]]:
    """``(label, class or module, attribute)`` of every method the wrapper times."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor
    from rasa.core.tracker_store import SQLTrackerStore

    yield "NLU parse", MessageProcessor, "parse_message"
    yield "NLU graph", MessageProcessor, "_parse_message_with_graph"
    yield "policy prediction", MessageProcessor, "_predict_next_with_tracker"
    yield "SQL store save", SQLTrackerStore, "save"
    yield "SQL store retrieve", SQLTrackerStore, "retrieve"
    if secure:
        yield from _secure_timing_points()
    yield "handling a message (incl. waiting for the loop)", MessageProcessor, "handle_message"
    yield "remote action calls (incl. waiting for the loop)", RemoteAction, "run"


def _secure_timing_points() -> Iterator[Tuple[str, Any, str]]:
    from rasa_secure.channel.secure_rest import SecureRestInput
    from rasa_secure.core.pii.analyzer import _Engine
    from rasa_secure.nlu.injection_screen import InjectionScreen
    from rasa_secure.nlu.pii_detector import PIIDetector
    from rasa_secure.stores.events import EventSanitizer
    from rasa_secure.stores.tracker_store import SecureTrackerStore

    # Labels starting with spaces are parts of the point above them (not added up again).
    yield "channel checks (SecureRestInput.admit)", SecureRestInput, "admit"
    yield "PIIDetector.process", PIIDetector, "process"
    try:
        from spacy.language import Language
    except ImportError:
        pass
    else:
        yield "  inside PIIDetector: spaCy NER", Language, "__call__"
    yield "  PII engine detect (PIIDetector and store)", _Engine, "detect"
    yield "InjectionScreen.process", InjectionScreen, "process"
    yield "secure store save (total)", SecureTrackerStore, "save"
    yield "secure store: cleaning events", SecureTrackerStore, "_safe_tracker"
    yield "  inside cleaning: sanitizer.learn", EventSanitizer, "learn"
    yield "  inside cleaning: sanitizer.sanitize", EventSanitizer, "sanitize"
    yield "  inside sanitize: store-side detection", EventSanitizer, "_detect_and_redact"
    yield "  inside sanitize: audit", EventSanitizer, "_audit"
    yield "  inside cleaning: sanitizer.seal", EventSanitizer, "seal"
    yield "secure store retrieve (total)", SecureTrackerStore, "retrieve"
    yield "secure store: restoring slots", SecureTrackerStore, "_restore"


SECURE_ONLY = (
    "channel checks (SecureRestInput.admit)",
    "PIIDetector.process",
    "InjectionScreen.process",
    "secure store: cleaning events",
    "secure store: restoring slots",
)
"""Timing points that exist only in the secure bot and do not contain one another."""


def serve(stats_path: Path, secure: bool, rasa_argv: Sequence[str]) -> None:
    """Run ``rasa <rasa_argv>`` with the timing points wrapped and audit records counted."""
    stats = Stats(stats_path)
    for label, owner, attribute in _timing_points(secure):
        stats.timers[label] = _Timer()  # the report keeps this order
        setattr(owner, attribute, _timed(stats, label, getattr(owner, attribute)))
    if secure:
        from rasa_secure.core.identity import audit

        original = audit.record

        @functools.wraps(original)
        def counted(component: str, decision: str, **kwargs: Any) -> Any:
            stats.count(f"audit records: {component} {decision}")
            return original(component, decision, **kwargs)

        audit.record = counted
    stats.start()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *rasa_argv]
    rasa_main()


# --- the two bots -------------------------------------------------------------------------


def _yaml_load(path: Path) -> Any:
    import yaml

    return yaml.safe_load(path.read_text())


def _yaml_dump(data: Any, path: Path) -> Path:
    import yaml

    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def plain_config(secure: Dict[str, Any]) -> Dict[str, Any]:
    """The secure bot's ``config.yml`` without rasa_secure components."""
    plain = dict(secure)
    plain["pipeline"] = [
        step for step in secure["pipeline"] if not str(step["name"]).startswith("rasa_secure.")
    ]
    plain["assistant_id"] = f"{secure.get('assistant_id', 'bot')}_plain"
    return plain


def plain_endpoints(secure: Dict[str, Any]) -> Dict[str, Any]:
    """The secure endpoints with the inner store instead of the secure one, no action token,
    and Rasa's own rendering of responses (the plain action server has no ``/nlg``)."""
    plain = dict(secure)
    plain["tracker_store"] = dict(secure["tracker_store"]["inner"])
    plain["action_endpoint"] = {"url": secure["action_endpoint"]["url"]}
    plain.pop("nlg", None)
    return plain


def secure_credentials(secure: Dict[str, Any]) -> Dict[str, Any]:
    """The bot's credentials, with one conversation per round and customer (``sub:rN``).

    The rate limit stays on (its cost is measured) with room for the benchmark's bursts.
    """
    credentials: Dict[str, Any] = json.loads(json.dumps(secure))
    channel = credentials["rasa_secure.channel.secure_rest.SecureRestInput"]
    channel["sender_binding"] = "subject_prefix"
    channel["rate_limit"] = "10000/second"
    return credentials


def customers(count: int) -> List[str]:
    """The benchmark's customers, one per concurrent conversation."""
    return [f"bench{index:02d}" for index in range(count)]


def seed_bank(path: Path, subjects: Sequence[str]) -> None:
    """The example bank plus one customer with a checking account per conversation."""
    Bank(path)  # creates and seeds the example bank
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO customers VALUES (?, ?, ?, 'customer')",
            [(s, f"Benchmark {s}", f"{s}@example.com") for s in subjects],
        )
        db.executemany(
            "INSERT INTO accounts VALUES (?, ?, 'checking', ?, 'EUR')",
            [(f"70000000{i:02d}", s, STARTING_CENTS) for i, s in enumerate(subjects)],
        )


@dataclass
class Bot:
    """One running bot: its servers, how to reach it, and its measurements."""

    name: str
    servers: Any  # example_bot.servers.BotServers
    stats_path: Path
    webhook: str
    tokens: Dict[str, str] = field(default_factory=dict)
    rounds: List[RoundResult] = field(default_factory=list)
    stats_before: Dict[str, Any] = field(default_factory=dict)
    stats_after: Dict[str, Any] = field(default_factory=dict)

    def pids(self) -> Dict[str, int]:
        return {"rasa": self.servers.rasa.popen.pid, "actions": self.servers.actions.popen.pid}

    def read_stats(self) -> Dict[str, Any]:
        try:
            data: Dict[str, Any] = json.loads(self.stats_path.read_text())
        except (OSError, ValueError):
            return {"timers": {}, "counts": {}}
        return data


def _ensure_models(workdir: Path) -> Tuple[Path, Path]:
    from example_bot.training import ensure_model

    secure = ensure_model()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    config = _yaml_dump(
        plain_config(_yaml_load(BOT_DIR / "config.yml")), CACHE_DIR / "plain-config.yml"
    )
    plain = ensure_model(models_dir=CACHE_DIR, config=config)
    return secure, plain


def start_bots(workdir: Path, conversations: int, lifetime: int) -> Tuple[Bot, Bot]:
    """Train (or reuse) both models, write the plain bot's files, start all four servers."""
    from example_bot.identity import issue_token
    from example_bot.servers import BotServers

    secure_model, plain_model = _ensure_models(workdir)
    subjects = customers(conversations)
    here = Path(__file__).resolve()
    bots = []
    for name in ("plain", "secure"):
        folder = workdir / name
        folder.mkdir(parents=True)
        seed_bank(folder / "bank.sqlite", subjects)
        endpoints = _yaml_load(BOT_DIR / "endpoints.yml")
        credentials = _yaml_load(BOT_DIR / "credentials.yml")
        if name == "plain":
            endpoints = plain_endpoints(endpoints)
            credentials = {"rest": None}
        else:
            credentials = secure_credentials(credentials)
        servers = BotServers(
            model=plain_model if name == "plain" else secure_model,
            workdir=folder,
            endpoints=_yaml_dump(endpoints, folder / "endpoints.yml"),
            credentials=_yaml_dump(credentials, folder / "credentials.yml"),
        )
        stats = folder / "stats.json"
        rasa_argv = servers.rasa.argv[3:]  # after `python -m rasa`
        if name == "plain":
            index = rasa_argv.index("--logging-config-file")
            del rasa_argv[index : index + 2]  # Rasa's own logging, not our filter
            servers.actions.argv = [
                sys.executable, "-m", "rasa_sdk", "--actions", here.stem,
                "--port", str(servers.actions_port),
            ]  # fmt: skip
            servers.actions.cwd = here.parent
        servers.rasa.argv = [
            sys.executable, str(here), "serve", "--stats", str(stats),
            *(["--secure"] if name == "secure" else []), "--", *rasa_argv,
        ]  # fmt: skip
        bot = Bot(name, servers, stats, "secure_rest" if name == "secure" else "rest")
        bots.append(bot)
    plain_bot, secure_bot = bots
    try:
        for bot in bots:
            bot.servers.__enter__()
    except BaseException:
        for bot in bots:
            bot.servers.close()
        raise
    secret = secure_bot.servers.environment()["EXAMPLE_BOT_JWT_SECRET"]
    secure_bot.tokens = {
        s: issue_token(s, secret, roles=["customer"], lifetime=lifetime) for s in subjects
    }
    return plain_bot, secure_bot


# --- load ---------------------------------------------------------------------------------


@dataclass
class RoundResult:
    """One round of one bot."""

    index: int
    wall: float
    latencies: List[float]
    cpu: Dict[str, float]
    replies: Dict[str, List[List[str]]]
    errors: List[str]
    position: int = 0

    @property
    def messages(self) -> int:
        return len(self.latencies)


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads) from ``/proc/<pid>/stat``."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


async def conversation(
    session: Any, bot: Bot, subject: str, round_index: int
) -> Tuple[List[float], List[List[str]], List[str]]:
    """Play :data:`SCRIPT` as ``subject`` in conversation ``subject:r<round>``."""
    import aiohttp

    url = f"{bot.servers.url}/webhooks/{bot.webhook}/webhook"
    headers = {"Authorization": f"Bearer {bot.tokens[subject]}"} if bot.tokens else {}
    sender = f"{subject}:r{round_index}"
    latencies: List[float] = []
    replies: List[List[str]] = []
    errors: List[str] = []
    pending = list(SCRIPT)
    while pending and len(replies) < MAX_TURNS:
        text = pending.pop(0)
        start = time.perf_counter()
        try:
            async with session.post(
                url, json={"sender": sender, "message": text}, headers=headers
            ) as response:
                body = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            errors.append(f"turn {len(replies)}: {type(error).__name__}")
            break
        latencies.append(time.perf_counter() - start)
        if status != 200 or not isinstance(body, list):
            errors.append(f"turn {len(replies)}: HTTP {status}")
            break
        texts = [str(message.get("text", "")) for message in body]
        replies.append(texts)
        if texts and CONFIRMATION.search(texts[-1]):
            pending.insert(0, CONFIRM_REPLY)
    return latencies, replies, errors


async def play_round(bot: Bot, round_index: int, subjects: Sequence[str]) -> RoundResult:
    """All conversations of one round against ``bot``, concurrently."""
    import aiohttp

    pids = bot.pids()
    cpu_before = {role: cpu_seconds(pid) for role, pid in pids.items()}
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    connector = aiohttp.TCPConnector(limit=len(subjects))
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        start = time.perf_counter()
        results = await asyncio.gather(
            *(conversation(session, bot, subject, round_index) for subject in subjects)
        )
        wall = time.perf_counter() - start
    cpu = {role: cpu_seconds(pid) - cpu_before[role] for role, pid in pids.items()}
    return RoundResult(
        index=round_index,
        wall=wall,
        latencies=[latency for result in results for latency in result[0]],
        cpu=cpu,
        replies={subject: result[1] for subject, result in zip(subjects, results)},
        errors=[f"{subject} {e}" for subject, result in zip(subjects, results) for e in result[2]],
    )


def compare(plain: RoundResult, secure: RoundResult) -> List[str]:
    """Where the two bots answered the same turn differently (no reply text is shown)."""
    differences = []
    for subject, expected in plain.replies.items():
        got = secure.replies.get(subject, [])
        for turn in range(max(len(expected), len(got))):
            want = expected[turn] if turn < len(expected) else None
            have = got[turn] if turn < len(got) else None
            if want != have:
                differences.append(f"round {plain.index} {subject} turn {turn}")
    return differences


def schedule(rounds: int) -> List[str]:
    """Which bot plays each timed round: plain, secure, secure, plain, plain, secure, ..."""
    order = []
    for index in range(rounds):
        pair, second = divmod(index, 2)
        first = "plain" if pair % 2 == 0 else "secure"
        other = "secure" if first == "plain" else "plain"
        order.append(other if second else first)
    return order


# --- report -------------------------------------------------------------------------------


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Summary:
    """The timed rounds of one bot, together."""

    rounds: int
    messages: int
    throughput: float
    p50_ms: float
    p95_ms: float
    rasa_cpu_ms: float
    actions_cpu_ms: float

    @property
    def cpu_ms(self) -> float:
        return self.rasa_cpu_ms + self.actions_cpu_ms


def summarize(results: Sequence[RoundResult]) -> Summary:
    """Messages per second over the summed round times, latency percentiles, CPU/message."""
    messages = sum(r.messages for r in results)
    wall = sum(r.wall for r in results)
    latencies = [latency for r in results for latency in r.latencies]
    per_message = 1000.0 / messages if messages else float("nan")
    return Summary(
        rounds=len(results),
        messages=messages,
        throughput=messages / wall if wall else float("nan"),
        p50_ms=1000.0 * _percentile(latencies, 0.5),
        p95_ms=1000.0 * _percentile(latencies, 0.95),
        rasa_cpu_ms=sum(r.cpu["rasa"] for r in results) * per_message,
        actions_cpu_ms=sum(r.cpu["actions"] for r in results) * per_message,
    )


def breakdown(bot: Bot, messages: int) -> List[Tuple[str, int, float]]:
    """``(label, calls, ms per message)`` of the timed methods during the timed rounds."""
    rows = []
    before = bot.stats_before.get("timers", {})
    for label, (calls, wall) in bot.stats_after.get("timers", {}).items():
        calls0, wall0 = before.get(label, (0, 0.0))
        if calls - calls0:
            rows.append((label, calls - calls0, 1000.0 * (wall - wall0) / messages))
    before_counts = bot.stats_before.get("counts", {})
    for label, count in sorted(bot.stats_after.get("counts", {}).items()):
        if count - before_counts.get(label, 0):
            rows.append((label, count - before_counts.get(label, 0), float("nan")))
    return rows


def report(plain: Bot, secure: Bot, differences: List[str], skipped: int) -> int:
    """Print the results; returns the exit status (1 if replies differed or requests failed)."""
    p, s = summarize(plain.rounds), summarize(secure.rounds)
    print("\nPer round (timed):")
    print("round | bot    | messages | seconds | msg/s | rasa CPU ms/msg | actions CPU ms/msg")
    played = [(r, "plain") for r in plain.rounds] + [(r, "secure") for r in secure.rounds]
    for result, name in sorted(played, key=lambda pair: pair[0].position):
        per = 1000.0 / result.messages if result.messages else float("nan")
        print(
            f"{result.position:5d} | {name:6s} | {result.messages:8d} | {result.wall:7.2f} |"
            f" {result.messages / result.wall:5.1f} | {result.cpu['rasa'] * per:15.1f} |"
            f" {result.cpu['actions'] * per:18.1f}"
        )
    print("\nTotals over the timed rounds:")
    print("metric                          |    plain |   secure | secure/plain")
    rows = [
        ("messages per second", p.throughput, s.throughput),
        ("latency p50 (ms)", p.p50_ms, s.p50_ms),
        ("latency p95 (ms)", p.p95_ms, s.p95_ms),
        ("Rasa server CPU ms/message", p.rasa_cpu_ms, s.rasa_cpu_ms),
        ("action server CPU ms/message", p.actions_cpu_ms, s.actions_cpu_ms),
        ("server CPU ms/message (both)", p.cpu_ms, s.cpu_ms),
    ]
    for label, plain_value, secure_value in rows:
        print(
            f"{label:31s} | {plain_value:8.1f} | {secure_value:8.1f} |"
            f" {secure_value / plain_value:12.3f}"
        )
    pairs = [
        (pr.messages / pr.wall) and (sr.messages / sr.wall) / (pr.messages / pr.wall)
        for pr, sr in zip(plain.rounds, secure.rounds)
    ]
    if pairs:
        print(
            f"throughput ratio per round pair: min {min(pairs):.3f}, median"
            f" {statistics.median(pairs):.3f}, max {max(pairs):.3f} ({len(pairs)} pairs)"
        )
    print(f"throughput ratio implied by server CPU per message: {p.cpu_ms / s.cpu_ms:.3f}")
    print(f"messages: plain {p.messages}, secure {s.messages} in {p.rounds}+{s.rounds} rounds")
    for bot, summary in ((plain, p), (secure, s)):
        print(f"\nWhere the {bot.name} Rasa server's time goes (wall ms per message, summed):")
        for label, calls, ms in breakdown(bot, summary.messages):
            per_call = f"{calls / summary.messages:5.2f} per message"
            value = "" if ms != ms else f"{ms:7.2f} ms"
            print(f"  {label:45s} {value:>10s}  ({calls} calls, {per_call})")
        if bot is secure:
            timings = breakdown(bot, summary.messages)
            ours = sum(ms for label, _, ms in timings if label in SECURE_ONLY)
            print(
                f"  {'rasa_secure components together':45s} {ours:7.2f} ms"
                f"  (Rasa server CPU difference: {s.rasa_cpu_ms - p.rasa_cpu_ms:.2f} ms)"
            )
    errors = [e for bot in (plain, secure) for r in bot.rounds for e in r.errors]
    print(f"\nreplies compared: {len(differences)} differences" + (":" if differences else ""))
    for difference in differences[:20]:
        print(f"  {difference}")
    print(f"failed requests: {len(errors)}")
    for error in errors[:20]:
        print(f"  {error}")
    if skipped:
        print(f"rounds skipped (time budget): {skipped}")
    target = s.throughput / p.throughput
    print(f"\nthroughput secure/plain = {target:.3f} (target >= 0.92)")
    return 1 if differences or errors else 0


# --- main ---------------------------------------------------------------------------------


async def run(plain: Bot, secure: Bot, args: argparse.Namespace) -> Tuple[List[str], int]:
    """Warm-up rounds, then the timed rounds in alternation; the replies compared."""
    subjects = customers(args.conversations)
    bots = {"plain": plain, "secure": secure}
    deadline = time.monotonic() + args.time_budget
    differences: List[str] = []
    warmups = {name: await play_round(bot, 0, subjects) for name, bot in bots.items()}
    differences += compare(warmups["plain"], warmups["secure"])
    print(
        f"warm-up: plain {warmups['plain'].wall:.1f}s, secure {warmups['secure'].wall:.1f}s",
        flush=True,
    )
    await asyncio.sleep(3 * STATS_INTERVAL)
    for bot in bots.values():
        bot.stats_before = bot.read_stats()
    played = {"plain": 0, "secure": 0}
    order = schedule(args.rounds)
    skipped = 0
    for position, name in enumerate(order):
        if time.monotonic() > deadline:
            skipped = len(order) - position
            break
        played[name] += 1
        result = await play_round(bots[name], played[name], subjects)
        result.position = position + 1
        bots[name].rounds.append(result)
        print(
            f"round {played[name]} {name}: {result.messages} messages in {result.wall:.1f}s",
            flush=True,
        )
    await asyncio.sleep(3 * STATS_INTERVAL)
    for bot in bots.values():
        bot.stats_after = bot.read_stats()
    for plain_round, secure_round in zip(plain.rounds, secure.rounds):
        differences += compare(plain_round, secure_round)
    return differences, skipped


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point; ``serve`` is how the benchmark starts each Rasa server."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:
        parser = argparse.ArgumentParser(prog="bot_throughput.py serve")
        parser.add_argument("--stats", type=Path, required=True)
        parser.add_argument("--secure", action="store_true")
        parser.add_argument("rasa_argv", nargs=argparse.REMAINDER)
        options = parser.parse_args(argv[1:])
        rest = options.rasa_argv[1:] if options.rasa_argv[:1] == ["--"] else options.rasa_argv
        serve(options.stats, options.secure, rest)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="timed rounds (both bots)")
    parser.add_argument("--conversations", type=int, default=20, help="concurrent, <= 100")
    parser.add_argument("--time-budget", type=float, default=1500.0, help="seconds of load")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (logs)")
    args = parser.parse_args(argv)
    if not 2 <= args.rounds <= 100 or not 1 <= args.conversations <= 100:
        parser.error("--rounds must be 2..100 and --conversations 1..100")
    if not 10 <= args.time_budget <= 7200:
        parser.error("--time-budget must be 10..7200 seconds")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    workdir = Path(tempfile.mkdtemp(prefix="bot-throughput-"))
    bots: List[Bot] = []
    try:
        lifetime = int(args.time_budget) + 900
        plain, secure = start_bots(workdir, args.conversations, lifetime)
        bots = [plain, secure]
        print(f"plain bot on {plain.servers.url}, secure bot on {secure.servers.url}", flush=True)
        differences, skipped = asyncio.run(run(plain, secure, args))
        return report(plain, secure, differences, skipped)
    finally:
        for bot in bots:
            bot.servers.close()
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
