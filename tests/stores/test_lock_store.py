"""SecureLockStore: Rasa's conversation locks under keyed pseudonyms, on memory and Redis."""

from __future__ import annotations

import uuid
from typing import Any, Callable, Dict, List
from urllib.parse import urlparse

import pytest
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from rasa_secure.errors import ConfigError
from rasa_secure.stores.lifecycle import conversation_pseudonym
from rasa_secure.stores.lock_store import SecureLockStore
from tests.stores.conftest import run_async

PHONE = "+14155550100"
KEY = "lock-test-key"


def lock_store(**config: Any) -> SecureLockStore:
    return SecureLockStore(EndpointConfig.from_dict({"type": "x", **config}))


def held_names(store: SecureLockStore) -> List[str]:
    """The names under which the inner lock store holds locks right now."""
    inner = store.inner
    if isinstance(inner, InMemoryLockStore):
        return list(inner.conversation_locks)
    assert isinstance(inner, RedisLockStore)
    return [key.decode()[len(inner.key_prefix) :] for key in inner.red.keys(inner.key_prefix + "*")]


@pytest.fixture(params=["in_memory", pytest.param("redis", marks=pytest.mark.services)])
def inner(request: pytest.FixtureRequest) -> Dict[str, Any]:
    if request.param == "in_memory":
        return {"type": "in_memory"}
    url = urlparse(request.getfixturevalue("redis_url"))
    return {"type": "redis", "url": url.hostname, "port": url.port, "db": 15,
            "key_prefix": f"l{uuid.uuid4().hex[:12]}"}  # fmt: skip


@run_async
async def test_a_conversation_is_locked_under_its_pseudonym(
    inner: Dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Why: a Redis lock store writes the sender id (a phone number) into its keys.
    monkeypatch.setenv("RASA_SECURE_PSEUDONYM_KEY", KEY)
    store = lock_store(inner=inner)
    replica = lock_store(inner=inner)
    async with store.lock(PHONE):
        names = held_names(store)
        assert names == [conversation_pseudonym(PHONE, KEY.encode())]
        if isinstance(store.inner, RedisLockStore):  # another replica sees the same lock
            assert replica.is_someone_waiting(PHONE)
    assert held_names(store) == [], "the lock is deleted after use"


def _no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RASA_SECURE_PSEUDONYM_KEY", raising=False)


def _as_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leave the environment as the fixture set it (the key is there)."""


BAD: List[tuple[str, Dict[str, Any], Callable[[pytest.MonkeyPatch], None], str]] = [
    ("no pseudonym key: fail closed", {}, _no_key, "pseudonym_key_env"),
    ("a url at the wrong level", {"url": "localhost"}, _as_is, "SecureLockStore.url"),
    ("wrapping itself", {"inner": {"type": "x.SecureLockStore"}}, _as_is, "inner.type"),
    ("an unknown option", {"lock_ttl": 5}, _as_is, "SecureLockStore.lock_ttl"),
]


@pytest.mark.parametrize(("why", "config", "environ", "key"), BAD, ids=[c[0] for c in BAD])
def test_bad_configuration_names_its_key(
    why: str,
    config: Dict[str, Any],
    environ: Callable[[pytest.MonkeyPatch], None],
    key: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RASA_SECURE_PSEUDONYM_KEY", KEY)
    environ(monkeypatch)
    with pytest.raises(ConfigError, match=key):
        lock_store(**config)
