"""The shipped escalation hook against the local helpdesk (example_bot.helpdesk, a real
HTTP server): the monitor's ``escalate`` response opens one signed ``security_response``
ticket that holds pseudonyms and numbers, never text."""

from __future__ import annotations

import time
from typing import Any, Dict, Tuple

import pytest

from example_bot.helpdesk import Helpdesk
from rasa_secure.core.handoff import SECRET_ENV, URL_ENV, DeliveryStatus
from rasa_secure.errors import ConfigError
from rasa_secure.monitoring.anomaly import Escalation, Monitor, Signal, SignalKind
from rasa_secure.monitoring.anomaly import settings as anomaly_settings
from rasa_secure.monitoring.anomaly.hooks import deliver, helpdesk, security_handoff
from tests.core.test_handoff import SECRET
from tests.core.test_handoff import helpdesk as local_helpdesk  # noqa: F401 - a fixture

SUB = "sub_00000000000000aa"
HOOK = "rasa_secure.monitoring.anomaly.hooks:helpdesk"
ESCALATION = Escalation(SUB, "repeated_blocks", {"blocked": 3.0, "messages": 5.0}, None, 1000.0)


def environ(url: str) -> Dict[str, str]:
    return {URL_ENV: url, SECRET_ENV: SECRET}


def test_the_ticket_says_what_fired_and_holds_no_text(
    local_helpdesk: Tuple[Helpdesk, str],  # noqa: F811 - the fixture imported above
) -> None:
    """The helpdesk verifies the signature and stores a security response for the
    pseudonym, with the trigger and features as evidence and an empty transcript."""
    desk, url = local_helpdesk
    assert deliver(ESCALATION, environ(url)).status is DeliveryStatus.DELIVERED
    (ticket,) = desk.tickets.values()
    assert (ticket["reason"], ticket["priority"], ticket["customer"]) == (
        "security_response",
        "high",
        SUB,
    )
    assert (ticket["transcript"], ticket["conversation"], ticket["original"]) == ([], "", None)
    assert ticket["evidence"] == {
        "trigger": "repeated_blocks",
        "features": {"blocked": 3.0, "messages": 5.0},
        "score": None,
    }


def test_one_escalation_is_one_ticket(
    local_helpdesk: Tuple[Helpdesk, str],  # noqa: F811 - the fixture imported above
) -> None:
    """Delivered twice (a retry after a lost answer), the same escalation keeps its
    handoff_id, and the helpdesk acknowledges the second without a new ticket; another
    trigger is another ticket."""
    desk, url = local_helpdesk
    deliver(ESCALATION, environ(url))
    deliver(ESCALATION, environ(url))
    other = Escalation(SUB, "model", {"blocked": 1.0}, 0.93, 1000.0)
    deliver(other, environ(url))
    assert [t["attempts"] for t in desk.tickets.values()] == [2, 1]
    assert security_handoff(ESCALATION).handoff_id != security_handoff(other).handoff_id


def test_the_monitor_escalates_through_the_hook(
    local_helpdesk: Tuple[Helpdesk, str],  # noqa: F811 - the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A policy naming the hook: the third block fires ``escalate`` and the helpdesk gets
    the ticket, delivered on the hook's own thread (the monitor did not wait)."""
    desk, url = local_helpdesk
    for name, value in environ(url).items():
        monkeypatch.setenv(name, value)
    policy: Dict[str, Any] = {
        "escalation_hook": HOOK,
        "responses": {"soc": {"do": "escalate"}},
        "rules": {"repeated_blocks": {"when": {"blocked": 3}, "respond": ["soc"]}},
    }
    monitor = Monitor(anomaly_settings.parse(policy), clock=lambda: 1000.0)
    fired = [
        trigger.name
        for _ in range(3)
        for trigger in monitor.observe(Signal(SignalKind.BLOCKED, subject=SUB, at=1000.0))
    ]
    assert fired == ["repeated_blocks"]
    deadline = time.monotonic() + 10
    while not desk.tickets and time.monotonic() < deadline:
        time.sleep(0.05)
    (ticket,) = desk.tickets.values()
    assert (ticket["reason"], ticket["customer"]) == ("security_response", SUB)
    assert ticket["evidence"]["trigger"] == "repeated_blocks"


def test_without_a_helpdesk_the_hook_fails_closed_and_quietly(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No URL configured: delivering is a ConfigError naming the option; the hook logs it
    on its thread and never raises into the monitor."""
    monkeypatch.delenv(URL_ENV, raising=False)
    with pytest.raises(ConfigError, match="url_env"):
        deliver(ESCALATION, {})
    helpdesk(ESCALATION).join(timeout=10)
    assert "no helpdesk URL is set" in caplog.text
