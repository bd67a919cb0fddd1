"""Sliding windows of signals per key, and the features computed over them.

A key is a subject's pseudonym (``sub_...``) or a client address's (``cli_...``). Each
signal is added to the window of every key it names (:meth:`Signal.window_keys`); the window keeps
the last ``window_seconds`` of them, and :func:`features` turns a window into a
:class:`Features` vector. Windows live in process memory (:class:`MemoryWindows`, one
process) or in Redis (:class:`RedisWindows`, shared by replicas: one sorted set per key,
scored by time, expiring with its window). Both hold pseudonyms, lengths and counts only.
"""

from __future__ import annotations

import math
import secrets
import threading
from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import Deque, Dict, List, Protocol, Sequence, Set, Tuple

from rasa_secure.core.shared_state import redis_client
from rasa_secure.monitoring.anomaly.signals import Signal, SignalKind

BURST_SECONDS = 60.0
"""The span of :attr:`Feature.BURST`."""
STORAGE_KEY = "anomaly.storage"
"""The option that names the window storage (errors name it)."""
MAX_SIGNALS_PER_KEY = 5_000
"""A window keeps at most this many signals (the oldest go first): bounded memory per key."""


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
        return self.values[FEATURES.index(feature)]

    def as_dict(self) -> Dict[str, float]:
        """Feature name to value."""
        return {feature.value: value for feature, value in zip(FEATURES, self.values)}


def features(key: str, window: Sequence[Signal], now: float) -> Features:
    """The features of ``window`` (the signals of ``key``, any order) at ``now``."""
    counts = {kind: 0 for kind in SignalKind}
    lengths: List[int] = []
    accounts: Set[str] = set()
    burst = 0
    for signal in window:
        counts[signal.kind] += signal.count
        if signal.kind is SignalKind.MESSAGE:
            lengths.append(signal.length)
            accounts.update(signal.accounts)
            burst += signal.at >= now - BURST_SECONDS
    messages = len(lengths)
    suspicious = counts[SignalKind.BLOCKED] + counts[SignalKind.FLAGGED]
    mean = sum(lengths) / messages if messages else 0.0
    spread = math.sqrt(sum((n - mean) ** 2 for n in lengths) / messages) if messages else 0.0
    values = {
        Feature.MESSAGES: messages,
        Feature.BURST: burst,
        Feature.BLOCKED: counts[SignalKind.BLOCKED],
        Feature.FLAGGED: counts[SignalKind.FLAGGED],
        Feature.SUSPICIOUS_SHARE: min(1.0, suspicious / messages)
        if messages
        else float(suspicious > 0),
        Feature.AUTH_FAILURES: counts[SignalKind.AUTH_FAILURE],
        Feature.DENIALS: counts[SignalKind.DENIED],
        Feature.DISTINCT_ACCOUNTS: len(accounts),
        Feature.PII: counts[SignalKind.PII],
        Feature.MEAN_LENGTH: mean,
        Feature.MAX_LENGTH: max(lengths, default=0),
        Feature.LENGTH_STD: spread,
    }
    return Features(key, tuple(float(values[feature]) for feature in FEATURES))


class Windows(Protocol):
    """Where windows live: :meth:`add` a signal to its keys' windows and get them back."""

    window_seconds: float

    def add(self, signal: Signal) -> Dict[str, List[Signal]]:
        """Add ``signal`` to the window of each of its keys (:meth:`Signal.window_keys`), drop
        what is older than the window, and return each key's window (``signal`` included)."""
        ...

    def window(self, key: str, now: float) -> List[Signal]:
        """``key``'s window at ``now``, without adding anything."""
        ...


class MemoryWindows:
    """Windows in this process's memory (a deque per key; idle keys are swept)."""

    def __init__(self, window_seconds: float) -> None:
        self.window_seconds = window_seconds
        self._windows: Dict[str, Deque[Signal]] = {}
        self._lock = threading.Lock()
        self._adds = 0

    def add(self, signal: Signal) -> Dict[str, List[Signal]]:
        found: Dict[str, List[Signal]] = {}
        with self._lock:
            for key in signal.window_keys():
                window = self._windows.setdefault(key, deque(maxlen=MAX_SIGNALS_PER_KEY))
                window.append(signal)
                self._prune(window, signal.at)
                found[key] = list(window)
            self._adds += 1
            if self._adds % 10_000 == 0:
                self._sweep(signal.at)
        return found

    def window(self, key: str, now: float) -> List[Signal]:
        with self._lock:
            window = self._windows.get(key)
            if window is None:
                return []
            self._prune(window, now)
            return list(window)

    def _prune(self, window: Deque[Signal], now: float) -> None:
        start = now - self.window_seconds
        while window and window[0].at < start:
            window.popleft()

    def _sweep(self, now: float) -> None:
        start = now - self.window_seconds
        for key in [k for k, w in self._windows.items() if not w or w[-1].at < start]:
            del self._windows[key]


class RedisWindows:
    """Windows in Redis, shared by replicas: a sorted set per key, one round trip per signal.

    Args:
        url: the Redis URL.
        window_seconds: the window.
        namespace: the first part of every key.
    """

    def __init__(self, url: str, window_seconds: float, namespace: str = "rasa_secure") -> None:
        self.window_seconds = window_seconds
        self.namespace = namespace
        self._redis = redis_client(url, key=STORAGE_KEY)

    def _key(self, key: str) -> str:
        return f"{self.namespace}:anomaly:window:{key}"

    def add(self, signal: Signal) -> Dict[str, List[Signal]]:
        keys = signal.window_keys()
        member = f"{secrets.token_hex(4)}{signal.to_json()}"
        pipe = self._redis.pipeline(transaction=True)
        for key in keys:
            name = self._key(key)
            pipe.zadd(name, {member: signal.at})
            pipe.zremrangebyscore(name, "-inf", f"({signal.at - self.window_seconds}")
            pipe.zremrangebyrank(name, 0, -MAX_SIGNALS_PER_KEY - 1)
            pipe.zrange(name, 0, -1)
            pipe.expire(name, int(self.window_seconds) + 60)
        results = pipe.execute() if keys else []
        return {key: _decode(results[5 * index + 3]) for index, key in enumerate(keys)}

    def window(self, key: str, now: float) -> List[Signal]:
        start = now - self.window_seconds
        return _decode(self._redis.zrangebyscore(self._key(key), start, "+inf"))


def _decode(members: Sequence[bytes]) -> List[Signal]:
    return [Signal.from_json(member[8:].decode("utf-8")) for member in members]


def windows_for(storage: str, window_seconds: float, namespace: str) -> Windows:
    """:class:`MemoryWindows` for ``memory://``, else :class:`RedisWindows` on that URL."""
    if storage.startswith("memory://"):
        return MemoryWindows(window_seconds)
    return RedisWindows(storage, window_seconds, namespace)
