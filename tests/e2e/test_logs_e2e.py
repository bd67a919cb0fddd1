"""The Rasa server's own log holds no card number, name or address, at INFO and at DEBUG.

Each test starts the example bot (real Rasa server and action server processes, logging
through ``rasa_secure/stores/logging.yml``), talks to it over HTTP and searches the captured
server log for the raw values. Each also checks that the log line it is about is there,
redacted, so a test cannot pass because Rasa stopped writing the line.
"""

from __future__ import annotations

import re
import secrets
from typing import Iterable, List

import pytest
import requests

from tests.e2e.conftest import StartBot

pytestmark = pytest.mark.e2e

CARD_TRIGGERS = {
    # Well-formed trigger, unknown entity: Rasa would warn with the whole line.
    '/inform{"card": "4242 4242 4242 4242"}': "4242 4242 4242 4242",
    # Not a trigger at all: Rasa would warn with the whole line and treat it as text.
    "/my card is 6011 0009 9013 9424": "6011 0009 9013 9424",
    # An allowed button with an entity it may not carry.
    '/affirm{"card": "5555 5555 5555 4444"}': "5555 5555 5555 4444",
}
QUERY_CARD = "4000 0566 5566 5556"


def raw_hits(log: str, values: Iterable[str]) -> List[str]:
    """The values (or their digits-only form) found in ``log``."""
    found = []
    for value in values:
        forms = {value, re.sub(r"\s", "", value)}
        found += [form for form in forms if form in log]
    return found


@pytest.mark.parametrize("debug", [False, True], ids=["info", "debug"])
def test_malformed_intent_triggers_and_access_log_leave_no_card_or_token(
    start_bot: StartBot, debug: bool
) -> None:
    # Why: Rasa reports a malformed `/intent` line through Python `warnings` with the user's
    # whole text, and Sanic's access log puts the request line (query string included) in
    # `extra` attributes; neither passed the filter. The channel now refuses such lines
    # before Rasa sees them (the filter's warnings path has its unit tests); its refusal must
    # not log them either. The HTTP API takes its token in the query string.
    # LOG_LEVEL_LIBRARIES=INFO turns Sanic's access log on, as a deployment investigating an
    # incident would.
    api_token = secrets.token_hex(8)
    bot = start_bot(
        rasa_args=("--enable-api", "--auth-token", api_token, *(["--debug"] if debug else [])),
        env={"LOG_LEVEL_LIBRARIES": "INFO"},
    )
    for text in CARD_TRIGGERS:
        refused = requests.post(
            f"{bot.url}/webhooks/secure_rest/webhook",
            json={"message": text},
            headers={"Authorization": f"Bearer {bot.token('cust-log-1')}"},
            timeout=60,
        )
        assert refused.status_code in (400, 403), refused.status_code
        assert refused.json()["reason"].startswith(("intent_trigger", "trigger")), refused.text
    response = requests.post(
        f"{bot.url}/webhooks/secure_rest/webhook",
        params={"card": QUERY_CARD},
        json={"message": "hi"},
        headers={"Authorization": f"Bearer {bot.token('cust-log-1')}"},
        timeout=60,
    )
    assert response.ok
    assert requests.get(f"{bot.url}/status", params={"token": api_token}, timeout=60).ok
    bot.close()
    log = bot.rasa.log.read_text(errors="replace")
    both = log + bot.actions.log.read_text(errors="replace")
    assert raw_hits(both, [*CARD_TRIGGERS.values(), QUERY_CARD, api_token]) == []
    assert "+".join(QUERY_CARD.split()) not in log, "nor URL-encoded"
    assert "/status?token=<SECRET>" in log, "the access log is written"
    assert "?card=<CREDIT_CARD>" in log


def test_debug_tracker_states_leave_no_name_or_address(start_bot: StartBot) -> None:
    # Why: at --debug RulePolicy logs `current_states` with the user's text ("user text: my
    # name is Ada Byron | ..."); a name or an address is no pattern the filter could find.
    bot = start_bot(rasa_args=("--debug",))
    values = ["Ada Byron", "Baker Street"]
    assert bot.chat("cust-log-2", "my name is Ada Byron")
    assert bot.chat("cust-log-2", "I live at 221B Baker Street, London")
    bot.close()
    log = bot.rasa.log.read_text(errors="replace")
    assert raw_hits(log + bot.actions.log.read_text(errors="replace"), values) == []
    assert "rule_policy.actions.find" in log and "user text: <redacted>" in log
    assert "previous action name: action_listen" in log, "the states stay readable"
