"""Identity and authorization end to end: the example bot's Rasa server and action server,
real processes, real HTTP, SecureRestInput in front and the shared-secret guard behind.

Allowed paths work; every refusal listed in issue 5 is exercised: forged metadata roles,
missing/expired/not-yet-valid tokens, wrong issuer/audience, ``alg: none``, HS/RS key
confusion, a token for user A on user B's conversation, action-server calls without the
shared secret, writes to slots the role may not write, reads of other customers' accounts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import jwt
import pytest
import requests
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from example_bot.actions.bank import Bank
from example_bot.servers import REPO_DIR, BotServers
from example_bot.training import BOT_DIR
from rasa_secure.core.identity import METADATA_KEY, attestation_key, seal

pytestmark = pytest.mark.e2e

ISSUER = "https://login.example-bank.test"
AUDIENCE = "example-bank-assistant"
SHARED = secrets.token_urlsafe(32)
REFUSAL = "Sorry, I can't help you with that."
INVALID = "Sorry, that doesn't look right. Please check and try again."
NLU_REFUSAL = "I can't process that message. If you need help, please rephrase your request."
PRIVATE_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = PRIVATE_KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)


def token(subject: str, roles: List[str], **claims: Any) -> str:
    now = int(time.time())
    payload: Dict[str, Any] = {
        "sub": subject,
        "roles": roles,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 600,
    }
    payload.update(claims)
    return jwt.encode(payload, PRIVATE_KEY, algorithm="RS256")


def bearer(value: str) -> Dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


# Who says what: a fresh token is minted for each message (see ``say``), so a module that runs
# late in a long suite never sends a token that expired while it waited.
Caller = Tuple[str, List[str]]
ALICE: Caller = ("alice", ["customer"])
BOB: Caller = ("bob", ["customer"])
TINA: Caller = ("tina", ["teller"])


@pytest.fixture(scope="module")
def secure_bot(bot_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotServers]:
    """The example bot behind SecureRestInput (RS256) with a guarded action server.

    The plain ``rest`` channel stays enabled on purpose: it shows that a client bypassing
    the secure channel still cannot act with a forged identity.
    """
    workdir = tmp_path_factory.mktemp("secure-bot")
    (workdir / "jwt-public.pem").write_bytes(PUBLIC_PEM)
    credentials = {
        "rest": None,
        "rasa_secure.channel.secure_rest.SecureRestInput": {
            "jwt": {
                "algorithms": ["RS256"],
                "public_key_file": str(workdir / "jwt-public.pem"),
                "issuer": ISSUER,
                "audience": AUDIENCE,
            },
            "rate_limit": "600/minute",
            "auth_failure_limit": "600/minute",  # the refusal tests below fail on purpose
        },
    }
    endpoints = {
        "action_endpoint": {
            "url": "${RASA_SECURE_ACTION_URL}",
            "headers": {"X-Rasa-Secure-Token": "${RASA_SECURE_ACTION_TOKEN}"},
        },
        "tracker_store": {"type": "SQL", "dialect": "sqlite", "db": "${RASA_SECURE_TRACKER_DB}"},
    }
    (workdir / "credentials.yml").write_text(yaml.safe_dump(credentials))
    (workdir / "endpoints.yml").write_text(yaml.safe_dump(endpoints))
    plugins = workdir / "plugins" / "rasa_sdk_plugins"
    plugins.mkdir(parents=True)
    (plugins / "__init__.py").write_text(
        "from rasa_secure.actions.server_auth import init_hooks  # noqa: F401\n"
    )
    env = {
        "RASA_SECURE_ACTION_TOKEN": SHARED,
        "PYTHONPATH": os.pathsep.join([str(plugins.parent), str(REPO_DIR)]),
    }
    servers = BotServers(
        model=bot_model,
        workdir=workdir,
        endpoints=workdir / "endpoints.yml",
        credentials=workdir / "credentials.yml",
        env=env,
    )
    with servers:
        yield servers


def say(bot: BotServers, caller: Caller, text: str, **kwargs: Any) -> List[str]:
    return bot.say(
        kwargs.pop("sender", None),
        text,
        headers=bearer(token(*caller)),
        webhook="secure_rest",
        **kwargs,
    )


def events_of(bot: BotServers, sender: str) -> int:
    """How many events the tracker store holds for ``sender``."""
    path = bot.workdir / "tracker.sqlite"
    if not path.exists():
        return 0
    with sqlite3.connect(path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "events" not in tables:
            return 0
        count: int = db.execute(
            "SELECT COUNT(*) FROM events WHERE sender_id = ?", (bot.stored_id(sender),)
        ).fetchone()[0]
        return count


# -- allowed paths ------------------------------------------------------------------------------


def test_customer_sees_only_own_balances(secure_bot: BotServers) -> None:
    [notice, reply] = say(secure_bot, ALICE, "what's my balance?")  # alice's first contact
    assert notice.startswith("Privacy notice:")
    assert reply.startswith("Your balances:")
    assert "1000200030" in reply and "1000200031" in reply
    assert "2000300040" not in reply and "3000400050" not in reply


def test_teller_looks_up_any_customer_with_masked_number(secure_bot: BotServers) -> None:
    [notice, reply] = say(secure_bot, TINA, "what is the balance of account 2000300040")
    assert notice.startswith("Privacy notice:"), "staff see it on first contact too"
    assert reply.startswith("Balance:")
    assert "****0040" in reply and "2000300040" not in reply


def test_customer_transfer_from_own_account(secure_bot: BotServers) -> None:
    bank = Bank(secure_bot.workdir / "bank.sqlite")
    before = bank.account("2000300040")
    assert before is not None
    say(secure_bot, BOB, "I want to transfer money")
    say(secure_bot, BOB, "20")
    confirm = say(secure_bot, BOB, "1000200031")
    assert confirm[0].startswith("Please confirm: send 20.00 EUR to account 1000200031?")
    assert bank.account("2000300040") == before, "nothing moves before the confirmation"
    done = say(secure_bot, BOB, "yes")
    assert done[0].startswith("Done: 20.00 EUR sent to 1000200031")
    after = bank.account("2000300040")
    assert after is not None and after.balance == before.balance - Decimal("20")


# -- refusals at the channel ---------------------------------------------------------------------

NOW = int(time.time())


MALLORY = {"sub": "mallory", "roles": ["admin"], "iss": ISSUER, "aud": AUDIENCE, "exp": NOW + 600}


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _forge(alg: str, key: Optional[bytes]) -> str:
    """A token for mallory, unsigned (``key=None``) or MACed with ``key``."""
    header = _b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = _b64(json.dumps(MALLORY).encode())
    mac = b"" if key is None else _b64(hmac.new(key, header + b"." + body, hashlib.sha256).digest())
    return b".".join([header, body, mac]).decode()


CHANNEL_REFUSALS = [
    # (why, Authorization header or None)
    ("missing token", None),
    ("expired token", token("mallory", ["admin"], iat=NOW - 4000, exp=NOW - 3600)),
    ("not yet valid", token("mallory", ["admin"], nbf=NOW + 3600)),
    ("wrong issuer", token("mallory", ["admin"], iss="https://evil.example")),
    ("wrong audience", token("mallory", ["admin"], aud="another-app")),
    ("alg none", _forge("none", None)),
    # HS256 MACed with the server's *public* key: the classic RS/HS confusion attack.
    ("HS/RS key confusion", _forge("HS256", PUBLIC_PEM)),
    (
        "signed by another key",
        jwt.encode(
            {"sub": "mallory", "iss": ISSUER, "aud": AUDIENCE, "exp": NOW + 600},
            rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "RS256",
        ),
    ),
]


@pytest.mark.parametrize(
    ("why", "credential"), CHANNEL_REFUSALS, ids=[c[0] for c in CHANNEL_REFUSALS]
)
def test_bad_tokens_are_refused_and_never_processed(
    secure_bot: BotServers, why: str, credential: Optional[str]
) -> None:
    headers = bearer(credential) if credential is not None else {}
    reply = secure_bot.send(
        "mallory",
        "what is the balance of account 2000300040",
        headers=headers,
        webhook="secure_rest",
    )
    assert reply.status_code == 401, why
    assert reply.json()["error"] == "unauthorized"
    assert events_of(secure_bot, "mallory") == 0, "a refused request never reaches the tracker"


def test_token_for_a_cannot_post_into_b_conversation(secure_bot: BotServers) -> None:
    before = events_of(secure_bot, "bob")
    reply = secure_bot.send(
        "bob", "I want to transfer money", headers=bearer(token(*ALICE)), webhook="secure_rest"
    )
    assert reply.status_code == 403
    assert reply.json() == {"error": "forbidden", "reason": "conversation_not_owned"}
    assert events_of(secure_bot, "bob") == before


# -- refusals at the action server ----------------------------------------------------------------


def test_reads_of_other_customers_accounts_are_refused(secure_bot: BotServers) -> None:
    assert say(secure_bot, ALICE, "what is the balance of account 2000300040") == [REFUSAL]


def test_forged_metadata_roles_are_ignored(secure_bot: BotServers) -> None:
    """Alice claims to be a teller in metadata: the channel replaces it by her verified roles."""
    forged = {"roles": ["teller"], METADATA_KEY: {"subject": "alice", "roles": ["teller"]}}
    assert say(secure_bot, ALICE, "what is the balance of account 3000400050", metadata=forged) == [
        REFUSAL
    ]


def test_plain_rest_channel_with_forged_identity_is_refused(secure_bot: BotServers) -> None:
    """Bypassing the secure channel: the unattested identity is refused by the action server."""
    forged = {
        METADATA_KEY: {
            "v": 1,
            "subject": "mallory",
            "roles": ["teller"],
            "sender_id": "mallory",
            "expires_at": NOW + 600,
            "token": None,
            "signature": "0" * 64,
        }
    }
    # refused from the session start on (which then cannot start: Rasa falls back)
    replies = secure_bot.say(
        "mallory", "what is the balance of account 2000300040", metadata=forged
    )
    assert replies[0] == REFUSAL and not any("Balance" in reply for reply in replies)
    assert secure_bot.say("alice", "what's my balance?") == [REFUSAL], "no identity at all"


def test_teller_may_not_write_transfer_slots_or_transfer(secure_bot: BotServers) -> None:
    """The form's validation refuses the teller's slot writes, so no transfer ever happens."""
    bank = Bank(secure_bot.workdir / "bank.sqlite")
    balances = {a.number: a.balance for a in bank.accounts_of("alice")}
    say(secure_bot, TINA, "I want to transfer money")
    reply = say(secure_bot, TINA, "50")
    assert REFUSAL in reply
    assert {a.number: a.balance for a in bank.accounts_of("alice")} == balances


def test_injection_in_a_form_value_is_refused(secure_bot: BotServers) -> None:
    """The email form takes free text: a SQL payload never reaches the bank.

    Whichever layer stops it first (the NLU InjectionScreen, when the bot's pipeline has it,
    or the form's own screen on the action server), the reply is a refusal and the stored
    email is unchanged; the action-server screen itself is checked directly below.
    """
    bank = Bank(secure_bot.workdir / "bank.sqlite")
    say(secure_bot, BOB, "I want to update my email")
    reply = say(secure_bot, BOB, "x'; DROP TABLE customers; --")
    assert reply[0] in (INVALID, NLU_REFUSAL)
    customer = bank.customer("bob")
    assert customer is not None and customer.email == "bob.okafor@example.com"


def test_form_screen_on_the_action_server(secure_bot: BotServers) -> None:
    """Called as Rasa calls it, validate_email_form resets a payload candidate."""
    right = {"X-Rasa-Secure-Token": SHARED}
    form = _action_call("validate_email_form", "bob", ["customer"], {"email": "a@b.com' OR '1'='1"})
    reply = requests.post(secure_bot.actions_url, json=form, headers=right, timeout=30).json()
    assert {e["name"]: e["value"] for e in reply["events"] if e["event"] == "slot"} == {
        "email": None
    }
    assert [response["text"] for response in reply["responses"]] == [INVALID]


def _action_call(
    action: str, subject: str, roles: List[str], slots: Optional[Dict[str, Any]] = None
) -> Dict[str, Any]:
    envelope = seal(
        subject=subject,
        roles=roles,
        sender_id=subject,
        expires_at=int(time.time()) + 60,
        key=attestation_key(SHARED),
    )
    events: List[Dict[str, Any]] = [
        {"event": "action", "name": "action_listen"},
        {
            "event": "user",
            "text": "hi",
            "parse_data": {"intent": {"name": "inform"}, "entities": []},
            "metadata": {METADATA_KEY: envelope.to_metadata()},
        },
    ]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (slots or {}).items()]
    tracker = {
        "sender_id": subject,
        "slots": dict(slots or {}),
        "latest_message": {"text": "hi", "entities": []},
        "events": events,
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": None,
    }
    domain = yaml.safe_load((BOT_DIR / "domain.yml").read_text())
    return {
        "next_action": action,
        "sender_id": subject,
        "tracker": tracker,
        "domain": domain,
        "version": "3.6.21",
    }


def test_action_server_refuses_calls_without_the_shared_secret(secure_bot: BotServers) -> None:
    call = _action_call("action_check_balance", "alice", ["customer"])
    assert requests.post(secure_bot.actions_url, json=call, timeout=30).status_code == 401
    wrong = {"X-Rasa-Secure-Token": "not-the-secret"}
    assert (
        requests.post(secure_bot.actions_url, json=call, headers=wrong, timeout=30).status_code
        == 401
    )
    right = {"X-Rasa-Secure-Token": SHARED}
    reply = requests.post(secure_bot.actions_url, json=call, headers=right, timeout=30)
    assert reply.status_code == 200
    assert reply.json()["responses"][0]["text"].startswith("Your balances:")


def test_action_server_drops_slot_writes_the_role_may_not_make(secure_bot: BotServers) -> None:
    """Called directly (as Rasa would), the teller's transfer and form writes are refused."""
    right = {"X-Rasa-Secure-Token": SHARED}
    transfer = _action_call(
        "action_transfer_money",
        "tina",
        ["teller"],
        {"amount": 10.0, "recipient_account": "1000200030"},
    )
    reply = requests.post(secure_bot.actions_url, json=transfer, headers=right, timeout=30).json()
    assert reply["events"] == []
    assert [response["text"] for response in reply["responses"]] == [REFUSAL]
    form = _action_call("validate_transfer_form", "tina", ["teller"], {"amount": 10.0})
    reply = requests.post(secure_bot.actions_url, json=form, headers=right, timeout=30).json()
    assert {e["name"]: e["value"] for e in reply["events"] if e["event"] == "slot"} == {
        "amount": None
    }
