"""Responses in force: throttles, step-ups and lock-outs, each expiring, per key.

:class:`MemoryState` holds them for one process; :class:`RedisState` in Redis, where every
replica sees them, each a key with a time to live (``<namespace>:anomaly:response:<key>:<kind>``),
so a lock expires even if no process is left to lift it. Operators list and lift them with
``rasa-secure anomaly locks`` and ``rasa-secure anomaly lift``. Both also remember which
rule fired for which key in the current window (:meth:`first_firing`), so a rule fires once
per window and key, however many replicas see the signals.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass
from typing import Dict, List, Optional, Protocol, Sequence, Tuple, Union

from rasa_secure.core.shared_state import redis_client
from rasa_secure.monitoring.anomaly.settings import LASTING, ResponseKind, ResponseSpec
from rasa_secure.monitoring.anomaly.windows import STORAGE_KEY


@dataclass(frozen=True)
class ActiveResponse:
    """A response in force.

    Attributes:
        key: the pseudonym it applies to (``sub_...`` or ``cli_...``).
        trigger: the rule (or ``model``) that fired it.
        until: when it expires (seconds since the epoch).
        response: the declared response (its kind, rate, ``acr_values``).
    """

    key: str
    trigger: str
    until: float
    response: ResponseSpec

    @property
    def kind(self) -> ResponseKind:
        """Throttle, step-up or lock-out."""
        return self.response.kind

    def to_json(self) -> str:
        """The response as one JSON object."""
        spec = asdict(self.response)
        spec["kind"] = self.kind.value
        data = {"key": self.key, "trigger": self.trigger, "until": self.until, "response": spec}
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: Union[str, bytes]) -> ActiveResponse:
        """Read :meth:`to_json`."""
        data = json.loads(text)
        spec = data["response"]
        response = ResponseSpec(
            name=str(spec["name"]),
            kind=ResponseKind(spec["kind"]),
            seconds=int(spec["seconds"]),
            per_minute=int(spec["per_minute"]),
            acr_values=tuple(map(str, spec["acr_values"])),
        )
        return cls(str(data["key"]), str(data["trigger"]), float(data["until"]), response)


class State(Protocol):
    """Where responses in force live."""

    def put(self, response: ActiveResponse, now: float) -> None:
        """Store ``response`` until it expires (replacing one of the same key and kind)."""
        ...

    def active(self, keys: Sequence[str], now: float) -> List[ActiveResponse]:
        """The responses in force on any of ``keys``."""
        ...

    def all(self, now: float) -> List[ActiveResponse]:
        """Every response in force."""
        ...

    def lift(self, key: str, kind: Optional[ResponseKind] = None) -> int:
        """Remove ``key``'s responses (of ``kind`` only, if given); returns how many."""
        ...

    def first_firing(self, key: str, trigger: str, seconds: float, now: float) -> bool:
        """Whether ``trigger`` fires for ``key`` for the first time in ``seconds``."""
        ...


class MemoryState:
    """Responses in force in this process's memory."""

    def __init__(self) -> None:
        self._responses: Dict[Tuple[str, ResponseKind], ActiveResponse] = {}
        self._fired: Dict[Tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def put(self, response: ActiveResponse, now: float) -> None:
        with self._lock:
            self._responses[(response.key, response.kind)] = response

    def active(self, keys: Sequence[str], now: float) -> List[ActiveResponse]:
        with self._lock:
            found = [self._responses.get((key, kind)) for key in keys for kind in LASTING]
            return [item for item in found if item is not None and item.until > now]

    def all(self, now: float) -> List[ActiveResponse]:
        with self._lock:
            return [item for item in self._responses.values() if item.until > now]

    def lift(self, key: str, kind: Optional[ResponseKind] = None) -> int:
        with self._lock:
            gone = [k for k in self._responses if k[0] == key and kind in (None, k[1])]
            for item in gone:
                del self._responses[item]
            return len(gone)

    def first_firing(self, key: str, trigger: str, seconds: float, now: float) -> bool:
        with self._lock:
            if self._fired.get((key, trigger), 0.0) > now:
                return False
            if len(self._fired) > 100_000:
                self._fired = {k: v for k, v in self._fired.items() if v > now}
            self._fired[(key, trigger)] = now + seconds
            return True


class RedisState:
    """Responses in force in Redis, shared by replicas; each expires on its own.

    Args:
        url: the Redis URL.
        namespace: the first part of every key.
    """

    def __init__(self, url: str, namespace: str = "rasa_secure") -> None:
        self._redis = redis_client(url, key=STORAGE_KEY)
        self._prefix = f"{namespace}:anomaly:response:"
        self._fired = f"{namespace}:anomaly:fired:"

    def put(self, response: ActiveResponse, now: float) -> None:
        ttl = max(1, int(response.until - now + 0.999))
        name = f"{self._prefix}{response.key}:{response.kind.value}"
        self._redis.set(name, response.to_json(), ex=ttl)

    def active(self, keys: Sequence[str], now: float) -> List[ActiveResponse]:
        names = [f"{self._prefix}{key}:{kind.value}" for key in keys for kind in LASTING]
        found = [ActiveResponse.from_json(v) for v in self._redis.mget(names) if v is not None]
        return [item for item in found if item.until > now]

    def all(self, now: float) -> List[ActiveResponse]:
        names = list(self._redis.scan_iter(match=f"{self._prefix}*", count=500))
        values = self._redis.mget(names) if names else []
        found = [ActiveResponse.from_json(v) for v in values if v is not None]
        return sorted((item for item in found if item.until > now), key=lambda i: i.until)

    def lift(self, key: str, kind: Optional[ResponseKind] = None) -> int:
        kinds = LASTING if kind is None else (kind,)
        removed: int = self._redis.delete(*(f"{self._prefix}{key}:{k.value}" for k in kinds))
        return removed

    def first_firing(self, key: str, trigger: str, seconds: float, now: float) -> bool:
        name = f"{self._fired}{key}:{trigger}"
        return bool(self._redis.set(name, "1", nx=True, ex=max(1, int(seconds))))


def state_for(storage: str, namespace: str) -> State:
    """:class:`MemoryState` for ``memory://``, else :class:`RedisState` on that URL."""
    if storage.startswith("memory://"):
        return MemoryState()
    return RedisState(storage, namespace)
