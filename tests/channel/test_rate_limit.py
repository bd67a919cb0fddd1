"""Rate limits shared by replicas (two channels on one Redis) and failed authentication limited."""

from __future__ import annotations

import uuid
from typing import Any, Dict, List

import pytest
import redis

from rasa_secure.channel.rate_limit import LimitKind, RateLimiter, client_pseudonym
from rasa_secure.errors import ConfigError
from tests.channel.conftest import ENV, HS_JWT, post, token

BAD_SIGNATURE = token(key="y" * 40)


def _shared(redis_url: str, **overrides: Any) -> Dict[str, Any]:
    """A channel configuration whose counters live in Redis under a namespace of this test."""
    return {
        "jwt": HS_JWT,
        "rate_limit_storage": redis_url,
        "rate_limit_namespace": f"rasa_secure_test_{uuid.uuid4().hex[:12]}",
        **overrides,
    }


@pytest.mark.services
def test_a_subject_throttled_on_one_replica_is_throttled_on_the_other(
    make_server: Any, redis_url: str
) -> None:
    """Replica A and replica B count the same subject: 3 per minute in total, not per replica."""
    config = _shared(redis_url, rate_limit="3/minute")
    url_a, bot_a, _ = make_server(config)
    url_b, bot_b, _ = make_server(config)
    statuses = [
        post(url, {"message": "hi"}, token("alice")).status_code
        for url in (url_a, url_b, url_a, url_b, url_a)
    ]
    assert statuses == [200, 200, 200, 429, 429]
    limited = post(url_b, {"message": "hi"}, token("alice"))
    assert limited.status_code == 429
    assert limited.json() == {"error": "rate_limited", "reason": "rate_limited"}
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert post(url_b, {"message": "hi"}, token("bob")).status_code == 200
    assert len(bot_a.received) + len(bot_b.received) == 4


@pytest.mark.services
def test_badly_signed_requests_are_limited_per_client_across_replicas(
    make_server: Any, redis_url: str
) -> None:
    """200 badly signed requests, alternating replicas: only the first 10 are even verified.

    Once the address is over ``auth_failure_limit``, it is refused before verification, a
    valid token included, on both replicas.
    """
    config = _shared(redis_url, auth_failure_limit="10/minute")
    url_a, bot_a, _ = make_server(config)
    url_b, bot_b, _ = make_server(config)
    replies = [
        post(url_a if index % 2 else url_b, {"message": "hi"}, BAD_SIGNATURE)
        for index in range(200)
    ]
    statuses = [reply.status_code for reply in replies]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429] * 190
    assert all(int(reply.headers["Retry-After"]) >= 1 for reply in replies[10:])
    assert replies[-1].json() == {"error": "rate_limited", "reason": "rate_limited"}
    assert post(url_a, {"message": "hi"}, token("alice")).status_code == 429
    assert bot_a.received == [] and bot_b.received == []


@pytest.mark.services
def test_redis_keys_hold_pseudonyms_only(make_server: Any, redis_url: str) -> None:
    """Neither the subject nor the client address is written to the shared store in clear."""
    config = _shared(redis_url)
    url, _, _ = make_server(config)
    post(url, {"message": "hi"}, token("alice"))
    post(url, {"message": "hi"}, BAD_SIGNATURE)
    client = redis.Redis.from_url(redis_url)
    keys = [key.decode() for key in client.keys(f"*{config['rate_limit_namespace']}*")]
    assert len(keys) == 2
    assert not any("alice" in key or "127.0.0.1" in key for key in keys)
    assert any(str(client_pseudonym("127.0.0.1")) in key for key in keys)


def test_failed_authentication_is_limited_in_memory_too(make_server: Any) -> None:
    """The embedded default (one process, counters in memory) limits failures as well."""
    url, bot, _ = make_server({"jwt": HS_JWT, "auth_failure_limit": "5/minute"})
    statuses = [post(url, {"message": "hi"}, BAD_SIGNATURE).status_code for _ in range(8)]
    assert statuses == [401] * 5 + [429] * 3
    assert bot.received == []


def test_unreachable_storage_fails_closed(make_server: Any) -> None:
    """No reachable Redis, no processing: a JSON 503, never an unlimited request."""
    url, bot, _ = make_server({"jwt": HS_JWT, "rate_limit_storage": "redis://127.0.0.1:1/0"})
    reply = post(url, {"message": "hi"}, token())
    assert reply.status_code == 503
    assert reply.json() == {"error": "unavailable", "reason": "rate_limit_unavailable"}
    assert bot.received == []


def test_a_disabled_subject_limit_still_limits_failures() -> None:
    """``rate_limit: null`` switches off the per-subject limit only."""
    limiter = RateLimiter(None, "2/minute", namespace=f"t{uuid.uuid4().hex}")
    assert all(limiter.hit(LimitKind.SUBJECT, "alice").allowed for _ in range(50))
    outcomes = [limiter.hit(LimitKind.CLIENT, "10.0.0.1") for _ in range(3)]
    assert [o.allowed for o in outcomes] == [True, True, False]
    assert outcomes[-1].retry_after >= 1


BAD_CONFIGS: List[Any] = [
    # (why, key, value)
    ("the previous token-bucket form", "rate_limit", {"capacity": 3, "refill_per_second": 1}),
    ("not the limits notation", "rate_limit", "lots"),
    ("no failure limit", "auth_failure_limit", None),
    ("unknown storage scheme", "rate_limit_storage", "mysql://db/limits"),
    ("unknown strategy", "rate_limit_strategy", "token-bucket"),
]


@pytest.mark.parametrize(("why", "key", "value"), BAD_CONFIGS, ids=[c[0] for c in BAD_CONFIGS])
def test_rate_limit_configuration_errors_name_the_key(why: str, key: str, value: Any) -> None:
    from rasa_secure.channel.secure_rest import SecureRestInput

    with pytest.raises(ConfigError) as caught:
        SecureRestInput({"jwt": HS_JWT, key: value}, environ=ENV)
    assert caught.value.key == f"SecureRestInput.{key}", why
