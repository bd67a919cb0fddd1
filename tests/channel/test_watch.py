"""The gate and the anomaly monitor over real HTTP: a lock-out answers 403, a step-up 401
with RFC 9470's challenge until the token carries the acr, and nothing when it is off."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, List

import pytest
import requests

from rasa_secure.channel.secure_rest import SecureRestInput
from tests.channel.conftest import HS_JWT, post, token

POLICY = """
version: 1
roles: {customer: {}}
anomaly:
  window_seconds: 600
  responses:
    lock: {do: lock_out, seconds: 120}
    mfa: {do: step_up, seconds: 120, acr_values: [urn:bank:acr:mfa, urn:bank:acr:hw]}
  rules:
    stuffing: {per: client, when: {auth_failures: 3}, respond: [lock]}
    enumeration: {per: subject, when: {distinct_accounts: 3}, respond: [mfa]}
"""


@pytest.fixture
def watched(make_server: Any, tmp_path: Path) -> Iterator[Any]:
    """A channel whose gate watches with the policy above (acr kept from the token)."""
    policy = tmp_path / "policy.yml"
    policy.write_text(POLICY)
    channels: List[SecureRestInput] = []

    def start() -> str:
        config = {"jwt": HS_JWT, "anomaly_policy": str(policy)}
        url, _, channel = make_server(config)
        channels.append(channel)
        return str(url)

    yield start
    for channel in channels:
        channel.gate.watch.monitor.uninstall()


def say(url: str, text: str, bearer: str) -> requests.Response:
    return post(url, {"message": text}, bearer)


def test_failed_logins_from_one_address_lock_it_out(watched: Any) -> None:
    url = watched()
    assert say(url, "hi", token("dave")).status_code == 200
    for _ in range(3):
        assert say(url, "hi", "not-a-token").status_code == 401
    locked = say(url, "hi", token("dave"))
    assert locked.status_code == 403
    assert locked.json() == {"error": "forbidden", "reason": "locked_out"}
    assert 0 < int(locked.headers["Retry-After"]) <= 120


def test_channels_watching_with_one_policy_file_share_its_monitor(watched: Any) -> None:
    # Why: the example bot watches REST and the web chat with one file; with a monitor each,
    # an enumeration split across the channels would reach the rule on neither.
    rest, chat = watched(), watched()
    for url, account in ((rest, "11112222"), (rest, "33334444"), (chat, "55556666")):
        assert say(url, f"balance of account {account}", token("ivan")).status_code == 200
    assert say(chat, "and the next one?", token("ivan")).status_code == 401
    assert say(rest, "and the next one?", token("ivan")).status_code == 401


def test_account_enumeration_requires_a_step_up(watched: Any) -> None:
    url = watched()
    for account in ("11112222", "33334444", "55556666"):
        assert say(url, f"balance of account {account}", token("erin")).status_code == 200
    challenged = say(url, "and the next one?", token("erin"))
    assert challenged.status_code == 401
    assert challenged.json()["error"] == "insufficient_user_authentication"
    header = challenged.headers["WWW-Authenticate"]
    assert 'error="insufficient_user_authentication"' in header
    assert 'acr_values="urn:bank:acr:mfa urn:bank:acr:hw"' in header
    assert say(url, "ok", token("erin", acr="urn:bank:acr:low")).status_code == 401
    assert say(url, "ok", token("erin", acr="urn:bank:acr:hw")).status_code == 200
    assert say(url, "hello", token("frank")).status_code == 200, "other subjects are not held"


def test_without_anomaly_policy_nothing_is_watched(make_server: Any) -> None:
    url, _, channel = make_server()
    assert channel.gate.watch.monitor is None
    for _ in range(4):
        assert say(url, "hi", "not-a-token").status_code == 401
    assert say(url, "hi", token("gina")).status_code == 200


def test_the_web_chat_tells_a_step_up_its_acr_values() -> None:
    # Why: the socket.io channel has no WWW-Authenticate header; its refusal carries them.
    from rasa_secure.channel.refusal import Refusal, RefusalReason
    from rasa_secure.channel.secure_socketio import refusal_payload

    refusal = Refusal(RefusalReason.STEP_UP_REQUIRED, "erin", acr_values=("urn:a", "urn:b"))
    assert refusal_payload(refusal) == {
        "error": "insufficient_user_authentication",
        "reason": "step_up_required",
        "acr_values": "urn:a urn:b",
    }


def test_an_unreachable_state_fails_closed(make_server: Any, tmp_path: Path) -> None:
    # Why: a lock-out that cannot be read must not let its subject in.
    policy = tmp_path / "policy.yml"
    policy.write_text(POLICY.replace("window_seconds: 600", "storage: redis://127.0.0.1:1/0"))
    url, bot, channel = make_server({"jwt": HS_JWT, "anomaly_policy": str(policy)})
    try:
        refused = say(url, "hi", token("hank"))
        assert refused.status_code == 503
        assert refused.json()["reason"] == "anomaly_state_unavailable"
        assert bot.received == []
    finally:
        channel.gate.watch.monitor.uninstall()


def test_a_request_reads_the_address_responses_once(make_server: Any, tmp_path: Path) -> None:
    # Why: with Redis every read is a round trip; the address's responses, checked before
    # the token and again after it, are read once per request, the subject's once more.
    policy = tmp_path / "policy.yml"
    policy.write_text(POLICY)
    url, _, channel = make_server({"jwt": HS_JWT, "anomaly_policy": str(policy)})
    monitor = channel.gate.watch.monitor
    keys_read: List[List[str]] = []
    active = monitor.state.active

    def counting(keys: List[str], now: float) -> Any:
        keys_read.append(list(keys))
        return active(keys, now)

    monitor.state.active = counting
    try:
        assert say(url, "hi", token("olga")).status_code == 200
    finally:
        del monitor.state.active
        monitor.uninstall()
    assert [[key[:4] for key in keys] for keys in keys_read] == [["cli_"], ["sub_"]]
