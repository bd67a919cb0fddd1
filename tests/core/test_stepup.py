"""Step-up rules of the policy (RFC 9470): parsing errors name the key, decisions per sign-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

import pytest

from rasa_secure.core.identity import AccessReason, Identity, Policy, StepUpChallenge
from rasa_secure.errors import PolicyError

POLICIES = Path(__file__).resolve().parent.parent / "data" / "policies"
NOW = 1_700_000_000


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy.load(POLICIES / "stepup.yml")


def signed_in(
    acr: Optional[str] = None, amr: Tuple[str, ...] = (), age: Optional[int] = None
) -> Identity:
    return Identity(
        "alice", ("customer",), "test", NOW + 300,
        acr=acr, amr=amr, auth_time=None if age is None else NOW - age,
    )  # fmt: skip


PASSWORD = signed_in("urn:bank:pwd", ("pwd",), 60)
MFA = signed_in("urn:bank:mfa", ("pwd", "otp"), 60)
PAY_CHALLENGE = StepUpChallenge(("urn:bank:mfa", "urn:bank:hwk"), (), 900)
KEYS_CHALLENGE = StepUpChallenge((), ("hwk",), 300)

DECISIONS = [
    # (why, caller, action, slots, expected challenge or None when allowed)
    ("small payment: the rule's condition does not hold", PASSWORD, "pay", {"amount": 20}, None),
    ("exactly the limit is not above it", PASSWORD, "pay", {"amount": 1000}, None),
    ("no amount yet: nothing to step up for", PASSWORD, "pay", {"amount": None}, None),
    ("above the limit, password only", PASSWORD, "pay", {"amount": 1000.01}, PAY_CHALLENGE),
    (
        "thousands separator: unreadable, fails closed",
        PASSWORD,
        "pay",
        {"amount": "1,500"},
        PAY_CHALLENGE,
    ),
    ("decimal comma: never read as 1.5", PASSWORD, "pay", {"amount": "1.500,00"}, PAY_CHALLENGE),
    ("a number as text is read", PASSWORD, "pay", {"amount": " 999.99 "}, None),
    (
        "unreadable amount counts as above (fails closed)",
        PASSWORD,
        "pay",
        {"amount": "lots"},
        PAY_CHALLENGE,
    ),
    ("infinite amount counts as above", PASSWORD, "pay", {"amount": "Infinity"}, PAY_CHALLENGE),
    ("a bool is no amount: fails closed", PASSWORD, "pay", {"amount": True}, PAY_CHALLENGE),
    ("no acr at all (older token)", signed_in(age=60), "pay", {"amount": 5000}, PAY_CHALLENGE),
    ("second factor, signed in a minute ago", MFA, "pay", {"amount": 5000}, None),
    (
        "the other accepted acr",
        signed_in("urn:bank:hwk", ("hwk",), 60),
        "pay",
        {"amount": 5000},
        None,
    ),
    (
        "second factor, but signed in too long ago",
        signed_in("urn:bank:mfa", ("otp",), 901),
        "pay",
        {"amount": 5000},
        PAY_CHALLENGE,
    ),
    (
        "second factor without auth_time: age unknown",
        signed_in("urn:bank:mfa", ("otp",)),
        "pay",
        {"amount": 5000},
        PAY_CHALLENGE,
    ),
    ("unconditional amr rule: otp is not hwk", MFA, "rotate_keys", {}, KEYS_CHALLENGE),
    ("unconditional amr rule met", signed_in(None, ("pwd", "hwk"), 10), "rotate_keys", {}, None),
    ("action without step-up rules needs nothing more", PASSWORD, "check_balance", {}, None),
]


@pytest.mark.parametrize(
    ("why", "caller", "action", "slots", "challenge"), DECISIONS, ids=[c[0] for c in DECISIONS]
)
def test_step_up_decisions(
    policy: Policy,
    why: str,
    caller: Identity,
    action: str,
    slots: Mapping[str, Any],
    challenge: Optional[StepUpChallenge],
) -> None:
    decision = policy.check_step_up(caller, action, slots, now=NOW)
    assert decision.allowed is (challenge is None), why
    assert decision.challenge == challenge, why
    if challenge is not None:
        assert decision.reason is AccessReason.STEP_UP_REQUIRED


def test_no_identity_is_denied(policy: Policy) -> None:
    decision = policy.check_step_up(None, "check_balance", {}, now=NOW)
    assert (decision.allowed, decision.reason) == (False, AccessReason.NO_IDENTITY)


def test_challenge_payload_is_rfc_9470_shaped() -> None:
    """The custom payload a client acts on: the RFC 9470 error and parameters."""
    assert PAY_CHALLENGE.to_payload() == {
        "error": "insufficient_user_authentication",
        "acr_values": "urn:bank:mfa urn:bank:hwk",
        "max_age": 900,
    }
    assert KEYS_CHALLENGE.to_payload() == {
        "error": "insufficient_user_authentication",
        "amr_values": "hwk",
        "max_age": 300,
    }


def document(step_up: Any) -> Dict[str, Any]:
    return {
        "version": 1,
        "roles": {"customer": {}},
        "actions": {"pay": {"customer": "own"}},
        "step_up": step_up,
    }


INVALID = [
    # (why, step_up section, key path named in the error)
    ("an action the policy grants nowhere", {"payy": [{"acr": ["a"]}]}, "step_up.payy"),
    ("rules must be a list", {"pay": {"acr": ["a"]}}, "step_up.pay"),
    ("an empty list requires nothing: a mistake", {"pay": []}, "step_up.pay"),
    ("a rule with neither acr nor amr", {"pay": [{"max_age": 60}]}, "step_up.pay[0]"),
    ("misspelt key", {"pay": [{"acr": ["a"], "max_ag": 60}]}, "step_up.pay[0].max_ag"),
    ("acr given as a string", {"pay": [{"acr": "urn:a"}]}, "step_up.pay[0].acr"),
    ("acr value with a space", {"pay": [{"acr": ["urn a"]}]}, "step_up.pay[0].acr"),
    ("amr not a list of names", {"pay": [{"amr": [1]}]}, "step_up.pay[0].amr"),
    ("max_age zero", {"pay": [{"acr": ["a"], "max_age": 0}]}, "step_up.pay[0].max_age"),
    ("max_age as text", {"pay": [{"acr": ["a"], "max_age": "15m"}]}, "step_up.pay[0].max_age"),
    ("max_age a bool", {"pay": [{"acr": ["a"], "max_age": True}]}, "step_up.pay[0].max_age"),
    (
        "condition on an unknown operator",
        {"pay": [{"acr": ["a"], "when": {"slot": "amount", "below": 5}}]},
        "step_up.pay[0].when.below",
    ),
    (
        "condition without a slot",
        {"pay": [{"acr": ["a"], "when": {"above": 5}}]},
        "step_up.pay[0].when.slot",
    ),
    (
        "limit as text",
        {"pay": [{"acr": ["a"], "when": {"slot": "amount", "above": "1000"}}]},
        "step_up.pay[0].when.above",
    ),
    (
        "limit not a number",
        {"pay": [{"acr": ["a"], "when": {"slot": "amount", "above": float("nan")}}]},
        "step_up.pay[0].when.above",
    ),
    (
        "second rule wrong, first fine",
        {"pay": [{"acr": ["a"]}, {"amr": "otp"}]},
        "step_up.pay[1].amr",
    ),
]


@pytest.mark.parametrize(("why", "step_up", "key"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_step_up_rules_name_the_key(why: str, step_up: Any, key: str) -> None:
    with pytest.raises(PolicyError) as caught:
        Policy.from_dict(document(step_up))
    assert caught.value.key == key, why


def test_domain_check_covers_condition_slots() -> None:
    """A condition on a slot the domain lacks would never hold: refused at load."""
    rules = {"pay": [{"acr": ["a"], "when": {"slot": "amout", "above": 5}}]}
    policy = Policy.from_dict(document(rules))
    with pytest.raises(PolicyError) as caught:
        policy.check_domain({"slots": {"amount": {}}, "actions": ["pay"]})
    assert caught.value.key == "step_up"
    assert "amout" in str(caught.value)
