"""Sliding windows of signals per key, and the features computed over them.

A key is a subject's pseudonym (``sub_...``) or a client address's (``cli_...``). Each
signal is added to the window of every key it names (:meth:`Signal.window_keys`); the window keeps
the last ``window_seconds`` of them, and a :class:`Tally` of running sums turns a window into a
:class:`Features` vector (:func:`features` for a list of signals). Windows live in process
memory (:class:`MemoryWindows`, one process, a tally kept per key) or in Redis
(:class:`RedisWindows`, shared by replicas: one sorted set per key, scored by time, expiring
with its window, tallied when read). Both hold pseudonyms, lengths and counts only.
"""

from __future__ import annotations

import math
import secrets
import threading
from collections import Counter, deque
from dataclasses import dataclass
from enum import Enum
from typing import Deque, Dict, List, Protocol, Sequence, Tuple

from rasa_secure.core.shared_state import redis_client
from rasa_secure.monitoring.anomaly.signals import Signal, SignalKind

BURST_SECONDS = 60.0
"""The span of :attr:`Feature.BURST`."""
STORAGE_KEY = "anomaly.storage"
"""The option that names the window storage (errors name it)."""
MAX_SIGNALS_PER_KEY = 5_000
"""A window keeps at most this many signals (the oldest go first): bounded memory per key."""
DECODED_SIGNALS = 100_000
""":class:`RedisWindows` keeps at most about this many decoded signals (tens of megabytes)."""


class Feature(str, Enum):
    """One feature of a window (a ``str`` enum: the names in rules and model files)."""

    MESSAGES = "messages"
    """Messages admitted in the window."""
    BURST = "burst"
    """Messages in the last minute of the window (scraping, scripted clients)."""
    BLOCKED = "blocked"
    """Messages a detector blocked."""
    FLAGGED = "flagged"
    """Messages a detector flagged."""
    SUSPICIOUS_SHARE = "suspicious_share"
    """Blocked and flagged messages over all messages (0 to 1)."""
    AUTH_FAILURES = "auth_failures"
    """Refused tokens and identities."""
    DENIALS = "denials"
    """Other refusals: policy denials, rate limits, conversations not owned."""
    DISTINCT_ACCOUNTS = "distinct_accounts"
    """Different account numbers named in messages."""
    PII = "pii"
    """Types of personal data found (summed over redactions)."""
    MEAN_LENGTH = "mean_length"
    """Mean message length in characters."""
    MAX_LENGTH = "max_length"
    """Longest message."""
    LENGTH_STD = "length_std"
    """Standard deviation of message lengths."""


FEATURES: Tuple[Feature, ...] = tuple(Feature)
"""The order of the features in a vector (the model's columns)."""
_COLUMN = {feature: column for column, feature in enumerate(FEATURES)}


@dataclass(frozen=True)
class Features:
    """The features of one key's window at one moment.

    Attributes:
        key: the pseudonym the window belongs to.
        values: one value per :data:`FEATURES` entry, in that order.
    """

    key: str
    values: Tuple[float, ...]

    def __getitem__(self, feature: Feature) -> float:
        return self.values[_COLUMN[feature]]

    def as_dict(self) -> Dict[str, float]:
        """Feature name to value."""
        return {feature.value: value for feature, value in zip(FEATURES, self.values)}


class Tally:
    """Running sums over one key's window: signals are added at the back and removed from
    the front, and :meth:`features` costs the same however long the window is.

    Lengths are summed as integers, so the mean and spread are exact up to the last division;
    the longest message is kept with a monotonic queue, the accounts with a count each.
    """

    def __init__(self) -> None:
        self.counts = dict.fromkeys(SignalKind, 0)
        self.messages = 0
        self.length_sum = 0
        self.length_squares = 0
        self.accounts: Counter[str] = Counter()
        self._longest: Deque[Tuple[int, int]] = deque()
        """(arrival number, length), lengths decreasing: the front is the longest kept."""
        self._times: Deque[float] = deque()
        """When the messages of the last :data:`BURST_SECONDS` arrived."""
        self._added = 0
        self._removed = 0

    def add(self, signal: Signal) -> None:
        """Count ``signal`` (the newest of the window)."""
        self.counts[signal.kind] += signal.count
        self._added += 1
        if signal.kind is not SignalKind.MESSAGE:
            return
        self.messages += 1
        self.length_sum += signal.length
        self.length_squares += signal.length * signal.length
        self.accounts.update(signal.accounts)
        while self._longest and self._longest[-1][1] <= signal.length:
            self._longest.pop()
        self._longest.append((self._added, signal.length))
        self._times.append(signal.at)

    def remove(self, signal: Signal) -> None:
        """Forget ``signal``, the oldest of the window (signals leave in arrival order)."""
        self.counts[signal.kind] -= signal.count
        self._removed += 1
        if signal.kind is not SignalKind.MESSAGE:
            return
        self.messages -= 1
        self.length_sum -= signal.length
        self.length_squares -= signal.length * signal.length
        for account in signal.accounts:
            self.accounts[account] -= 1
            if not self.accounts[account]:
                del self.accounts[account]
        if self._longest and self._longest[0][0] <= self._removed:
            self._longest.popleft()
        if len(self._times) > self.messages:  # it was still within the burst span
            self._times.popleft()

    def features(self, key: str, now: float) -> Features:
        """The window's features at ``now``."""
        while self._times and self._times[0] < now - BURST_SECONDS:
            self._times.popleft()
        counts, messages = self.counts, self.messages
        suspicious = counts[SignalKind.BLOCKED] + counts[SignalKind.FLAGGED]
        mean = self.length_sum / messages if messages else 0.0
        spread = (
            math.sqrt(max(0, messages * self.length_squares - self.length_sum**2)) / messages
            if messages
            else 0.0
        )
        values = {
            Feature.MESSAGES: messages,
            Feature.BURST: len(self._times),
            Feature.BLOCKED: counts[SignalKind.BLOCKED],
            Feature.FLAGGED: counts[SignalKind.FLAGGED],
            Feature.SUSPICIOUS_SHARE: min(1.0, suspicious / messages)
            if messages
            else float(suspicious > 0),
            Feature.AUTH_FAILURES: counts[SignalKind.AUTH_FAILURE],
            Feature.DENIALS: counts[SignalKind.DENIED],
            Feature.DISTINCT_ACCOUNTS: len(self.accounts),
            Feature.PII: counts[SignalKind.PII],
            Feature.MEAN_LENGTH: mean,
            Feature.MAX_LENGTH: self._longest[0][1] if self._longest else 0,
            Feature.LENGTH_STD: spread,
        }
        return Features(key, tuple(float(values[feature]) for feature in FEATURES))


def features(key: str, window: Sequence[Signal], now: float) -> Features:
    """The features of ``window`` (the signals of ``key``, oldest first) at ``now``."""
    tally = Tally()
    for signal in window:
        tally.add(signal)
    return tally.features(key, now)


class Windows(Protocol):
    """Where windows live: :meth:`add` a signal to its keys' windows, read their features."""

    window_seconds: float

    def add(self, signal: Signal) -> Dict[str, Features]:
        """Add ``signal`` to the window of each of its keys (:meth:`Signal.window_keys`), drop
        what is older than the window, and return each key's features (``signal`` included)."""
        ...

    def features(self, key: str, now: float) -> Features:
        """The features of ``key``'s window at ``now``, without adding anything."""
        ...


class _Window:
    """One key's signals, oldest first, and their :class:`Tally`."""

    __slots__ = ("signals", "tally")

    def __init__(self) -> None:
        self.signals: Deque[Signal] = deque()
        self.tally = Tally()

    def add(self, signal: Signal) -> None:
        self.signals.append(signal)
        self.tally.add(signal)
        if len(self.signals) > MAX_SIGNALS_PER_KEY:
            self.tally.remove(self.signals.popleft())

    def prune(self, start: float) -> None:
        signals = self.signals
        while signals and signals[0].at < start:
            self.tally.remove(signals.popleft())


class MemoryWindows:
    """Windows in this process's memory: a deque and a :class:`Tally` per key, so adding a
    signal and reading the features cost the same however full the window (idle keys are
    swept)."""

    def __init__(self, window_seconds: float) -> None:
        self.window_seconds = window_seconds
        self._windows: Dict[str, _Window] = {}
        self._lock = threading.Lock()
        self._adds = 0

    def add(self, signal: Signal) -> Dict[str, Features]:
        found: Dict[str, Features] = {}
        start = signal.at - self.window_seconds
        with self._lock:
            for key in signal.window_keys():
                window = self._windows.get(key)
                if window is None:
                    window = self._windows[key] = _Window()
                window.add(signal)
                window.prune(start)
                found[key] = window.tally.features(key, signal.at)
            self._adds += 1
            if self._adds % 10_000 == 0:
                self._sweep(start)
        return found

    def features(self, key: str, now: float) -> Features:
        with self._lock:
            window = self._windows.get(key)
            if window is None:
                return Tally().features(key, now)
            window.prune(now - self.window_seconds)
            return window.tally.features(key, now)

    def _sweep(self, start: float) -> None:
        idle = [k for k, w in self._windows.items() if not w.signals or w.signals[-1].at < start]
        for key in idle:
            del self._windows[key]


_ADD_SCRIPT = """
local windows = {}
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, ARGV[2], ARGV[1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[3])
  redis.call('ZREMRANGEBYRANK', key, 0, -tonumber(ARGV[4]) - 1)
  redis.call('EXPIRE', key, ARGV[5])
  windows[i] = table.concat(redis.call('ZRANGE', key, 0, -1), '\\n')
end
return windows
"""
"""Add a member to each window, drop what fell out of it, and return each window as one
string, a member per line (members are JSON, which has no raw newline): one command, atomic,
and one reply to parse per key rather than one per member."""


class RedisWindows:
    """Windows in Redis, shared by replicas: a sorted set per key, one round trip per signal
    (a Lua script).

    Every replica reads the whole window back, so the members it has decoded once are kept
    (by their bytes, which are unique) and only new ones are parsed.

    Args:
        url: the Redis URL.
        window_seconds: the window.
        namespace: the first part of every key.
    """

    def __init__(self, url: str, window_seconds: float, namespace: str = "rasa_secure") -> None:
        self.window_seconds = window_seconds
        self.namespace = namespace
        self._redis = redis_client(url, key=STORAGE_KEY)
        self._decoded: Dict[bytes, Signal] = {}
        self._lock = threading.Lock()
        self._add = self._redis.register_script(_ADD_SCRIPT)

    def _key(self, key: str) -> str:
        return f"{self.namespace}:anomaly:window:{key}"

    def add(self, signal: Signal) -> Dict[str, Features]:
        keys = signal.window_keys()
        if not keys:
            return {}
        start = signal.at - self.window_seconds
        member = f"{secrets.token_hex(4)}{signal.to_json()}"
        found = self._add(
            keys=[self._key(key) for key in keys],
            args=[member, repr(signal.at), f"({start!r}", MAX_SIGNALS_PER_KEY,
                  int(self.window_seconds) + 60],
        )  # fmt: skip
        windows = [self._decode(joined.split(b"\n") if joined else [], start) for joined in found]
        return {key: features(key, window, signal.at) for key, window in zip(keys, windows)}

    def features(self, key: str, now: float) -> Features:
        start = now - self.window_seconds
        members = self._redis.zrangebyscore(self._key(key), start, "+inf")
        return features(key, self._decode(members, start), now)

    def _decode(self, members: Sequence[bytes], start: float) -> List[Signal]:
        with self._lock:
            cache = self._decoded
            if len(cache) > DECODED_SIGNALS:
                self._decoded = cache = {m: s for m, s in cache.items() if s.at >= start}
                if len(cache) > DECODED_SIGNALS // 2:
                    cache.clear()
            return [
                cache.get(member) or cache.setdefault(member, _decode(member)) for member in members
            ]


def _decode(member: bytes) -> Signal:
    return Signal.from_json(member[8:].decode("utf-8"))


def windows_for(storage: str, window_seconds: float, namespace: str) -> Windows:
    """:class:`MemoryWindows` for ``memory://``, else :class:`RedisWindows` on that URL."""
    if storage.startswith("memory://"):
        return MemoryWindows(window_seconds)
    return RedisWindows(storage, window_seconds, namespace)
