"""SecureAction: identity, policy, filtered tracker, dropped slot writes, redacted messages."""

from __future__ import annotations

import json
import logging
import time
from decimal import Decimal
from typing import Any, Dict, List, Optional, Tuple

import jwt
import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from rasa_secure.actions import ActionContext, ActionGuard, SecureAction
from rasa_secure.actions.secure_form import SecureFormValidationAction
from rasa_secure.core.identity import METADATA_KEY, Keyring, attestation_key, generate_key, seal
from rasa_secure.errors import ConfigError
from tests.actions.conftest import ENV, GUARD_CONFIG, KEY, call, envelope, tracker
from tests.actions.sample_actions import ActionCheckBalance, ActionTransferMoney, ActionUpdateEmail

REFUSAL = "Sorry, I can't help you with that."


@pytest.fixture(autouse=True)
def use_guard(guard: ActionGuard, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SecureAction, "guard", guard)


def audit_records(caplog: pytest.LogCaptureFixture) -> List[Dict[str, Any]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "rasa_secure.audit"]


def texts(messages: List[Dict[str, Any]]) -> List[str]:
    return [m.get("text") for m in messages]


# -- allowed paths ----------------------------------------------------------------------------


def test_customer_sees_own_balances() -> None:
    events, messages = call(ActionCheckBalance(), tracker("alice"))
    assert events == []
    assert texts(messages) == ["Balances: 1000200030: 1,250.00 EUR, 1000200031: 1,250.00 EUR"]


def test_teller_looks_up_any_customer_but_sees_last_four() -> None:
    """Teller scope is 'any'; the account_number field is mask_last4 for tellers."""
    state = tracker(
        "tina", ("teller",), entities=[{"entity": "account_number", "value": "2000300040"}]
    )
    events, messages = call(ActionCheckBalance(), state)
    assert events == []
    assert texts(messages) == ["Balances: ****0040: 1,250.00 EUR"]


def test_customer_and_teller_roles_do_not_unmask_another_customers_account() -> None:
    """Issue 17 #6: roles [customer, teller] read bob's account number in full.

    Only the teller's ``any`` grant reaches bob's record, so the teller's ``mask_last4``
    applies; the customer's ``full`` is for the caller's own accounts only.
    """
    roles = ("customer", "teller")
    asked = [{"entity": "account_number", "value": "2000300040"}]
    _, messages = call(ActionCheckBalance(), tracker("alice", roles, entities=asked))
    assert texts(messages) == ["Balances: ****0040: 1,250.00 EUR"]
    own = [{"entity": "account_number", "value": "1000200030"}]
    _, messages = call(ActionCheckBalance(), tracker("alice", roles, entities=own))
    assert texts(messages) == ["Balances: 1000200030: 1,250.00 EUR"], "own record: full"


# -- refusals ---------------------------------------------------------------------------------

REFUSALS = [
    # (why, tracker, audit reason)
    ("no identity envelope at all", tracker(metadata={}), "identity_missing"),
    (
        "forged metadata roles from a client (no attestation)",
        tracker(
            metadata={"roles": ["teller"], METADATA_KEY: {"subject": "alice", "roles": ["teller"]}}
        ),
        "identity_malformed",
    ),
    (
        "envelope roles tampered after attestation",
        tracker(
            metadata={
                METADATA_KEY: {**envelope("alice", ["customer"], "alice"), "roles": ["teller"]}
            }
        ),
        "bad_attestation",
    ),
    (
        "envelope signed with another key",
        tracker(
            metadata={
                METADATA_KEY: envelope("alice", ["teller"], "alice", key=attestation_key("x" * 32))
            }
        ),
        "bad_attestation",
    ),
    (
        "alice's envelope replayed into bob's conversation",
        tracker(sender="bob", metadata={METADATA_KEY: envelope("alice", ["customer"], "alice")}),
        "wrong_conversation",
    ),
    (
        "expired identity",
        tracker(
            metadata={METADATA_KEY: envelope("alice", ["customer"], "alice", expires_in=-3600)}
        ),
        "identity_expired",
    ),
    (
        "customer reads another customer's account",
        tracker("alice", entities=[{"entity": "account_number", "value": "2000300040"}]),
        "not_owner",
    ),
    ("role unknown to the policy", tracker("eve", ("superuser",)), "no_grant"),
    (
        "the session start's metadata (set after the user event) is checked like a message's",
        tracker(
            sender="bob",
            candidates={
                "session_started_metadata": {METADATA_KEY: envelope("alice", ["customer"], "alice")}
            },
        ),
        "wrong_conversation",
    ),
]


@pytest.mark.parametrize(("why", "state", "reason"), REFUSALS, ids=[case[0] for case in REFUSALS])
def test_refusals(why: str, state: Tracker, reason: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="rasa_secure.audit"):
        events, messages = call(ActionCheckBalance(), state)
    assert (events, texts(messages)) == ([], [REFUSAL]), why
    [record] = audit_records(caplog)
    assert (record["decision"], record["reasons"], record["action"]) == (
        "deny",
        [reason],
        "sample_check_balance",
    )


def test_teller_may_not_transfer() -> None:
    state = tracker("tina", ("teller",), slots={"amount": 10, "recipient_account": "2000300040"})
    assert call(ActionTransferMoney(), state) == ([], [{**_refusal_message()}])


def _refusal_message() -> Dict[str, Any]:
    dispatcher = CollectingDispatcher()
    dispatcher.utter_message(text=REFUSAL)
    return dispatcher.messages[0]


def test_transfer_needs_ownership_of_the_source_account(caplog: pytest.LogCaptureFixture) -> None:
    """A refused action leaks nothing it prepared: no partial message, no events."""
    state = tracker(
        "alice", slots={"amount": "10", "recipient_account": "1000200031"},
        entities=[{"entity": "source_account", "value": "2000300040"}],
    )  # fmt: skip
    with caplog.at_level(logging.INFO, logger="rasa_secure.audit"):
        events, messages = call(ActionTransferMoney(), state)
    assert (events, texts(messages)) == ([], [REFUSAL])
    assert audit_records(caplog)[0]["reasons"] == ["not_owner"]
    allowed, messages = call(
        ActionTransferMoney(),
        tracker("alice", slots={"amount": "10", "recipient_account": "1000200031"}),
    )
    assert texts(messages) == ["Sent 10.00 EUR to ****0031."], "recipient_account: mask_last4"
    assert [e["name"] for e in allowed] == ["amount", "recipient_account"]


def signed_in(acr: Optional[str], amr: Tuple[str, ...], age: int) -> Dict[str, Any]:
    """Metadata of a message from alice whose token says how she signed in."""
    now = int(time.time())
    sealed = seal(
        subject="alice", roles=["customer"], sender_id="alice", expires_at=now + 300, key=KEY,
        acr=acr, amr=amr, auth_time=now - age,
    )  # fmt: skip
    return {METADATA_KEY: sealed.to_metadata()}


STEP_UP_TEXT = (
    "For this I need you to confirm it's you with a second factor. Please sign in again and retry."
)
CHALLENGE = {
    "error": "insufficient_user_authentication",
    "acr_values": "urn:bank:mfa",
    "max_age": 900,
}
STEP_UPS = [
    # (why, acr, amr, seconds since sign-in, amount, refused with the challenge)
    ("small transfer with a password", "urn:bank:pwd", ("pwd",), 60, "10", False),
    ("large transfer with a password", "urn:bank:pwd", ("pwd",), 60, "1500", True),
    ("large transfer, second factor", "urn:bank:mfa", ("pwd", "otp"), 60, "1500", False),
    ("large transfer, stale second factor", "urn:bank:mfa", ("pwd", "otp"), 3600, "1500", True),
    ("large transfer, token without acr", None, (), 60, "1500", True),
]


@pytest.mark.parametrize(
    ("why", "acr", "amr", "age", "amount", "challenged"), STEP_UPS, ids=[c[0] for c in STEP_UPS]
)
def test_step_up_per_action(
    why: str,
    acr: Optional[str],
    amr: Tuple[str, ...],
    age: int,
    amount: str,
    challenged: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A sign-in weaker than the action's step-up rule is refused with the RFC 9470 challenge
    (text plus custom payload), no events and a ``step_up_required`` audit record."""
    slots = {"amount": amount, "recipient_account": "1000200031"}
    with caplog.at_level(logging.INFO, logger="rasa_secure.audit"):
        events, messages = call(
            ActionTransferMoney(), tracker("alice", slots=slots, metadata=signed_in(acr, amr, age))
        )
    if not challenged:
        assert [e["name"] for e in events] == ["amount", "recipient_account"], why
        assert texts(messages) == [f"Sent {Decimal(amount):.2f} EUR to ****0031."], why
        return
    assert events == [], why
    assert [(m.get("text"), m.get("custom")) for m in messages] == [(STEP_UP_TEXT, CHALLENGE)], why
    [record] = audit_records(caplog)
    assert (record["decision"], record["reasons"]) == ("deny", ["step_up_required"]), why


def test_invalid_typed_value_never_reaches_the_backend(caplog: pytest.LogCaptureFixture) -> None:
    state = tracker("alice", slots={"amount": "10", "recipient_account": "1000200031' OR '1'='1"})
    with caplog.at_level(logging.INFO, logger="rasa_secure.audit"):
        events, messages = call(ActionTransferMoney(), state)
    assert events == [] and texts(messages) == [
        "Sorry, that doesn't look right. Please check and try again."
    ]
    [record] = audit_records(caplog)
    assert record["reasons"] == ["invalid_input"] and record["categories"] == [
        "slot recipient_account"
    ]
    assert "OR" not in json.dumps(record)


def test_unexpected_error_fails_closed(caplog: pytest.LogCaptureFixture) -> None:
    class Broken(SecureAction):
        def name(self) -> str:
            return "action_probe"

        async def run_authorized(
            self, dispatcher: Any, tracker: Any, domain: Any, context: Any
        ) -> List[Any]:
            dispatcher.utter_message(text="partial output with 4111111111111111")
            raise RuntimeError("backend down: customer alice@example.com")

    with caplog.at_level(logging.INFO):
        events, messages = call(Broken(), tracker("alice"))
    assert (events, texts(messages)) == (
        [],
        ["Sorry, something went wrong. Please try again later."],
    )
    assert "alice@example.com" not in caplog.text and "4111" not in caplog.text


# -- what the action sees and writes ---------------------------------------------------------


class Spy(SecureAction):
    """Records the tracker view it was given."""

    seen: List[Tracker] = []

    def name(self) -> str:
        return "action_probe"

    async def run_authorized(
        self, dispatcher: Any, tracker: Tracker, domain: Any, context: ActionContext
    ) -> List[Any]:
        Spy.seen.append(tracker)
        return []


def test_unreadable_slots_are_hidden_everywhere_in_the_view() -> None:
    """Teller may not read amount/email: None in slots and in past slot events; no envelope."""
    history = [{"event": "slot", "name": "email", "value": "alice@example.com"}]
    slots = {
        "amount": 25.0,
        "email": "alice@example.com",
        "card_number": "4111111111111111",
        "requested_slot": "amount",
    }
    original = tracker("tina", ("teller",), slots=slots, history=history)
    Spy.seen.clear()
    call(Spy(), original)
    [view] = Spy.seen
    assert view.slots == {
        "amount": None,
        "email": None,
        "card_number": "4111111111111111",
        "requested_slot": "amount",
    }
    assert {"event": "slot", "name": "email", "value": None} in view.events
    assert all(METADATA_KEY not in (e.get("metadata") or {}) for e in view.events)
    assert original.slots["email"] == "alice@example.com", "the original tracker is untouched"


def test_unwritable_slot_writes_are_dropped_and_audited(caplog: pytest.LogCaptureFixture) -> None:
    state = tracker("alice", slots={"email": "alice.new@example.com"})
    with caplog.at_level(logging.INFO, logger="rasa_secure.audit"):
        events, _ = call(ActionUpdateEmail(), state)
    assert [(e["event"], e.get("name")) for e in events] == [
        ("slot", "email"),
        ("slot", "requested_slot"),
        ("followup", "action_listen"),
    ]
    [record] = audit_records(caplog)
    assert (record["reasons"], record["categories"]) == (["slot_write_denied"], ["card_number"])


def test_every_message_part_is_redacted() -> None:
    """Card (a slot with mask_last4) and third-party emails are masked in text, buttons, custom
    JSON, image and attachment; the customer's own email (disclose: full) stays readable."""
    state = tracker(
        "alice", slots={"email": "alice.new@example.com", "card_number": "4111111111111111"}
    )
    _, [message] = call(ActionUpdateEmail(), state)
    dumped = json.dumps(message)
    assert "4111111111111111" not in dumped and "someone.else@example.com" not in dumped
    assert message["text"] == "Email set to alice.new@example.com. Card ****1111 stays linked."
    assert message["image"] == "https://img.example/****1111.png"
    assert message["attachment"] == "statement-****1111.pdf"
    assert message["custom"]["card"]["number"] == "****1111"
    assert "support@bankmail.com" not in message["buttons"][0]["title"]
    assert message["response"] == "utter_done", "response names are not text"


def test_card_number_from_backend_is_masked_by_pii_even_without_a_slot() -> None:
    """The PII pass is the safety net for values that are no slot at all."""
    state = tracker("bob", slots={"email": "bob@example.com"})
    _, [message] = call(ActionUpdateEmail(), state)
    assert "5500005555555559" not in json.dumps(message)


# -- identity: token (defence in depth) --------------------------------------------------------

SECRET = "jwt-secret-" + "z" * 32


def token_guard(keys: str) -> ActionGuard:
    jwt_config = {
        "algorithms": ["HS256"],
        "secret_env": "JWT_SECRET",
        "issuer": "idp",
        "audience": "bank",
    }
    env = {**ENV, "JWT_SECRET": SECRET, "RASA_SECURE_KEYS": keys}
    return ActionGuard(
        {**GUARD_CONFIG, "identity": "token", "jwt": jwt_config, "pii": None}, environ=env
    )


def forwarded(
    subject: str, roles: List[str], sender: str, keyring: Keyring, envelope_roles: List[str]
) -> Tracker:
    now = int(time.time())
    bearer = jwt.encode(
        {"sub": subject, "roles": roles, "iss": "idp", "aud": "bank", "iat": now, "exp": now + 60},
        SECRET,
    )
    sealed = seal(
        subject=subject,
        roles=envelope_roles,
        sender_id=sender,
        expires_at=now + 60,
        key=KEY,
        token=bearer,
        keyring=keyring,
    )
    return tracker(subject, sender=sender, metadata={METADATA_KEY: sealed.to_metadata()})


def test_token_mode_takes_roles_from_the_signed_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """A compromised Rasa server can attest any roles, but cannot sign a token with them."""
    keys = f"k1:{generate_key()}"
    keyring = Keyring.parse(keys)
    monkeypatch.setattr(SecureAction, "guard", token_guard(keys))
    minted = forwarded("tina", ["customer"], "tina", keyring, envelope_roles=["teller"])
    lookup = tracker("tina", entities=[{"entity": "account_number", "value": "2000300040"}])
    minted.latest_message = lookup.latest_message
    _, messages = call(ActionCheckBalance(), minted)
    assert texts(messages) == [REFUSAL], "the token says customer, so bob's account is refused"
    _, messages = call(
        ActionCheckBalance(), forwarded("alice", ["customer"], "alice", keyring, ["customer"])
    )
    assert texts(messages)[0].startswith("Balances: 1000200030")


def test_token_mode_refuses_missing_or_foreign_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = f"k1:{generate_key()}"
    monkeypatch.setattr(SecureAction, "guard", token_guard(keys))
    _, messages = call(ActionCheckBalance(), tracker("alice"))
    assert texts(messages) == [REFUSAL], "attested envelope without a forwarded token"
    other = Keyring.parse(f"k1:{generate_key()}")
    _, messages = call(
        ActionCheckBalance(), forwarded("alice", ["customer"], "alice", other, ["customer"])
    )
    assert texts(messages) == [REFUSAL], "token encrypted for another deployment"


# -- packaging ---------------------------------------------------------------------------------


def test_base_classes_are_not_registered_as_actions() -> None:
    """rasa-sdk registers every loaded Action subclass; our abstract bases must be skipped."""
    executor = ActionExecutor()
    executor.register_package("tests.actions.sample_actions")
    assert {"sample_check_balance", "validate_sample_form"} <= set(executor.actions)
    registered = {type(run.__self__) for run in executor.actions.values()}
    assert not registered & {SecureAction, SecureFormValidationAction}


def test_guard_configuration_errors() -> None:
    with pytest.raises(ConfigError) as caught:
        ActionGuard({**GUARD_CONFIG, "policy": None}, environ=ENV)
    assert caught.value.key == "SecureAction.policy"
    with pytest.raises(ConfigError) as caught:
        ActionGuard(GUARD_CONFIG, environ={})
    assert caught.value.key == "SecureAction.attestation_secret_env"
    with pytest.raises(ConfigError) as caught:
        ActionGuard({**GUARD_CONFIG, "identity": "trust_me"}, environ=ENV)
    assert caught.value.key == "SecureAction.identity"
    with pytest.raises(ConfigError) as caught:
        ActionGuard.from_env({})
    assert caught.value.key == "RASA_SECURE_ACTIONS_CONFIG"
