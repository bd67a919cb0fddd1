"""HandoffClient against a real helpdesk (example_bot.helpdesk on a localhost port).

Signature, retry with backoff, idempotency (nothing twice), outage and refusal.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Dict, Iterator, Tuple

import pytest
import requests

from example_bot.helpdesk import Helpdesk
from example_bot.servers import free_port
from rasa_secure.core.handoff import (
    SECRET_ENV,
    URL_ENV,
    Delivery,
    DeliveryStatus,
    Handoff,
    HandoffClient,
    HandoffReason,
    Priority,
    Speaker,
    TranscriptLine,
    check_url,
)
from rasa_secure.errors import ConfigError
from tests.serving import serve_aiohttp

SECRET = "handoff-secret-" + "x" * 32
FAST = {"attempts": 3, "backoff_seconds": 0.05, "max_backoff_seconds": 0.2, "timeout_seconds": 2}


def handoff(handoff_id: str = "ho_1") -> Handoff:
    return Handoff(
        handoff_id=handoff_id,
        reason=HandoffReason.CUSTOMER_REQUEST,
        priority=Priority.NORMAL,
        customer="sub_0123456789abcdef",
        conversation="enc:k1:opaque",
        channel="secure_rest",
        transcript=(TranscriptLine(Speaker.CUSTOMER, "a person please", 1.0),),
        created_at=2.0,
    )


@pytest.fixture
def helpdesk() -> Iterator[Tuple[Helpdesk, str]]:
    """The local helpdesk, serving on a free port; yields it and its handoff URL."""
    desk = Helpdesk(SECRET.encode(), "http://127.0.0.1:9/unused")
    with serve_aiohttp(desk.app()) as url:
        yield desk, f"{url}/handoffs"


def client(url: str, secret: str = SECRET, **options: Any) -> HandoffClient:
    return HandoffClient({**FAST, **options}, environ={URL_ENV: url, SECRET_ENV: secret})


def deliver(url: str, item: Handoff, **options: Any) -> Delivery:
    return asyncio.run(client(url, **options).deliver(item))


def test_delivered_once_and_signed(helpdesk: Tuple[Helpdesk, str]) -> None:
    """The helpdesk verifies the signature and stores the payload as sent."""
    desk, url = helpdesk
    outcome = deliver(url, handoff())
    assert outcome == Delivery(DeliveryStatus.DELIVERED, 1, 200)
    ticket = desk.tickets["ho_1"]
    assert ticket["reason"] == "customer_request" and ticket["priority"] == "normal"
    assert ticket["transcript"] == [
        {"speaker": "customer", "text": "a person please", "timestamp": 1.0}
    ]
    assert desk.refused == []


def test_retried_after_outage_with_backoff(helpdesk: Tuple[Helpdesk, str]) -> None:
    """Two 503s, then success: three attempts, waiting 0.05 s then 0.1 s between them."""
    desk, url = helpdesk
    desk.failures = 2
    started = time.monotonic()
    outcome = deliver(url, handoff())
    elapsed = time.monotonic() - started
    assert outcome.status is DeliveryStatus.DELIVERED and outcome.attempts == 3
    assert elapsed >= 0.15
    assert list(desk.tickets) == ["ho_1"]


def test_a_lost_answer_does_not_make_a_second_ticket(helpdesk: Tuple[Helpdesk, str]) -> None:
    """The helpdesk stored the handoff but its answer was a 503: the retry carries the same
    idempotency key, so it is acknowledged without a second ticket."""
    desk, url = helpdesk
    desk.failures, desk.after_storing = 1, True
    outcome = deliver(url, handoff())
    assert outcome.status is DeliveryStatus.DELIVERED and outcome.attempts == 2
    assert list(desk.tickets) == ["ho_1"] and desk.tickets["ho_1"]["attempts"] == 2


def test_asked_again_for_the_same_turn_is_not_sent_twice(helpdesk: Tuple[Helpdesk, str]) -> None:
    """The same handoff_id delivered twice (the action re-run): one ticket."""
    desk, url = helpdesk
    deliver(url, handoff())
    deliver(url, handoff())
    assert list(desk.tickets) == ["ho_1"]


def test_outage_fails_after_every_attempt(helpdesk: Tuple[Helpdesk, str]) -> None:
    """The helpdesk answers 503 to everything: FAILED after the configured attempts."""
    desk, url = helpdesk
    desk.failures = 10
    outcome = deliver(url, handoff())
    assert outcome == Delivery(DeliveryStatus.FAILED, 3, 503, "http_503")
    assert desk.tickets == {}


def test_nothing_listening_fails_without_raising() -> None:
    """A helpdesk that is down (connection refused): FAILED, the error type kept, no URL."""
    outcome = deliver(f"http://127.0.0.1:{free_port()}/handoffs", handoff())
    assert outcome.status is DeliveryStatus.FAILED and outcome.attempts == 3
    assert outcome.problem.endswith("Error") and "127.0.0.1" not in outcome.problem


def test_a_wrong_secret_is_refused_and_not_retried(helpdesk: Tuple[Helpdesk, str]) -> None:
    """A 401 is final: retrying a request the helpdesk distrusts cannot help."""
    desk, url = helpdesk
    outcome = asyncio.run(client(url, secret="w" * 40).deliver(handoff()))
    assert outcome == Delivery(DeliveryStatus.REFUSED, 1, 401, "http_401")
    assert desk.refused == ["signature_invalid"] and desk.tickets == {}


def test_a_captured_request_cannot_be_replayed(helpdesk: Tuple[Helpdesk, str]) -> None:
    """Resending exactly what was sent (same nonce and signature) is refused."""
    _, url = helpdesk
    item = handoff("ho_replayed")
    body = item.to_json()
    headers: Dict[str, str] = client(url).signed_headers(item, body)
    assert requests.post(url, data=body, headers=headers, timeout=10).status_code == 200
    again = requests.post(url, data=body, headers=headers, timeout=10)
    assert again.status_code == 401 and json.loads(again.text) == {"error": "nonce_replayed"}


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://helpdesk.bank.example/hooks", True),
        ("http://127.0.0.1:8090/handoffs", True),
        ("http://localhost/handoffs", True),
        ("http://helpdesk.bank.example/hooks", False),  # plain HTTP over a network
        ("ftp://127.0.0.1/handoffs", False),
        ("https:///no-host", False),
    ],
)
def test_only_https_or_loopback_http(url: str, ok: bool) -> None:
    if ok:
        assert check_url(url, key="k") == url
    else:
        with pytest.raises(ConfigError):
            check_url(url, key="k")


@pytest.mark.parametrize(
    ("environ", "key"),
    [
        ({SECRET_ENV: SECRET}, f"HandoffClient.url_env ({URL_ENV})"),
        ({URL_ENV: "https://h.example/x"}, f"HandoffClient.secret_env ({SECRET_ENV})"),
    ],
    ids=["no URL", "no secret"],
)
def test_missing_settings_fail_at_construction(environ: Dict[str, str], key: str) -> None:
    """Fail closed and early: the error names the setting, never a value."""
    with pytest.raises(ConfigError) as caught:
        HandoffClient(environ=environ)
    assert caught.value.key == key


def test_options_are_validated_by_name() -> None:
    with pytest.raises(ConfigError) as caught:
        HandoffClient({"attempts": 0}, environ={URL_ENV: "https://h.example", SECRET_ENV: SECRET})
    assert caught.value.key == "HandoffClient.attempts"
