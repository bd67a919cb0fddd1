"""Tests for core.identity.policy: golden policies, validation errors, property tests."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rasa_secure.core.identity import Disclosure, Identity, Policy, Scope, domain_names
from rasa_secure.errors import PolicyError

POLICIES = Path(__file__).resolve().parent.parent / "data" / "policies"


def who(subject: str, *roles: str) -> Identity:
    return Identity(subject=subject, roles=tuple(roles), issuer="test", expires_at=0)


@pytest.fixture(scope="module")
def bank() -> Policy:
    return Policy.load(POLICIES / "bank.yml", domain=POLICIES / "domain.yml")


ALICE = who("alice", "customer")
BOB = who("bob", "customer")
TINA = who("tina", "teller")
ADAM = who("adam", "admin")

# (why, identity, action, record owner, allowed, reason)
ACTION_CASES = [
    ("customer checks own balance", ALICE, "action_check_balance", "alice", True, "granted"),
    (
        "customer reads another customer's balance",
        ALICE,
        "action_check_balance",
        "bob",
        False,
        "not_owner",
    ),
    (
        "own scope with unknown owner is refused",
        ALICE,
        "action_check_balance",
        None,
        False,
        "not_owner",
    ),
    ("teller looks up any customer", TINA, "action_check_balance", "bob", True, "granted"),
    ("teller may not transfer", TINA, "action_transfer_money", "tina", False, "no_grant"),
    ("admin inherits teller lookups", ADAM, "action_check_balance", "alice", True, "granted"),
    (
        "admin does not inherit customer grants",
        ADAM,
        "action_transfer_money",
        "adam",
        False,
        "no_grant",
    ),
    (
        "customer transfers from own account",
        ALICE,
        "action_transfer_money",
        "alice",
        True,
        "granted",
    ),
    (
        "customer transfers from someone else's",
        BOB,
        "action_transfer_money",
        "alice",
        False,
        "not_owner",
    ),
    (
        "action not in the policy is denied",
        TINA,
        "action_delete_everything",
        None,
        False,
        "unknown_action",
    ),
    (
        "forged role unknown to the policy grants nothing",
        who("eve", "superuser"),
        "action_check_balance",
        "eve",
        False,
        "no_grant",
    ),
    ("no roles at all", who("eve"), "action_check_balance", "eve", False, "no_grant"),
    ("no identity", None, "action_check_balance", "alice", False, "no_identity"),
]


@pytest.mark.parametrize(
    ("why", "identity", "action", "owner", "allowed", "reason"),
    ACTION_CASES,
    ids=[case[0] for case in ACTION_CASES],
)
def test_action_and_ownership(
    bank: Policy,
    why: str,
    identity: Optional[Identity],
    action: str,
    owner: Optional[str],
    allowed: bool,
    reason: str,
) -> None:
    decision = bank.check_owner(identity, action, owner)
    assert (decision.allowed, decision.reason) == (allowed, reason), why
    assert decision.permission == f"action:{action}"


def test_decision_names_the_granting_role_and_scope(bank: Policy) -> None:
    """Audit records say which role granted what; the broadest grant wins for multi-role users."""
    both = who("tina", "customer", "teller")
    decision = bank.check_action(both, "action_check_balance")
    assert decision.allowed and decision.role == "teller" and decision.scope is Scope.ANY
    assert bank.check_owner(both, "action_check_balance", "bob").allowed
    assert not bank.check_action(TINA, "action_transfer_money")


# (why, identity, slot, read, write, disclosure)
SLOT_CASES = [
    (
        "customer reads and writes their transfer amount",
        ALICE,
        "amount",
        True,
        True,
        Disclosure.FULL,
    ),
    ("teller cannot read the transfer amount", TINA, "amount", False, False, Disclosure.NONE),
    (
        "card number is shown as last four to customers",
        ALICE,
        "card_number",
        False,
        False,
        Disclosure.MASK_LAST4,
    ),
    (
        "teller reads card numbers but sees only last four",
        TINA,
        "card_number",
        True,
        False,
        Disclosure.MASK_LAST4,
    ),
    ("admin inherits teller read", ADAM, "card_number", True, False, Disclosure.MASK_LAST4),
    ("teller may not see emails", TINA, "email", False, False, Disclosure.NONE),
    ("admin's own grant beats the inherited none", ADAM, "email", False, False, Disclosure.FULL),
    ("slot not in the policy", ALICE, "session_started_metadata", False, False, Disclosure.NONE),
    (
        "backend field: customer sees own account numbers",
        ALICE,
        "account_number",
        False,
        False,
        Disclosure.FULL,
    ),
    (
        "backend field: teller sees last four only",
        TINA,
        "account_number",
        False,
        False,
        Disclosure.MASK_LAST4,
    ),
    ("no identity", None, "amount", False, False, Disclosure.NONE),
]


@pytest.mark.parametrize(
    ("why", "identity", "slot", "read", "write", "disclosure"),
    SLOT_CASES,
    ids=[case[0] for case in SLOT_CASES],
)
def test_slots(
    bank: Policy,
    why: str,
    identity: Optional[Identity],
    slot: str,
    read: bool,
    write: bool,
    disclosure: Disclosure,
) -> None:
    assert bank.can_read(identity, slot) is read, why
    assert bank.can_write(identity, slot) is write, why
    owner = identity.subject if identity is not None else None  # the caller's own record
    level = bank.disclosure(identity, slot, action="action_check_balance", owner=owner)
    assert level is disclosure, why


CUSTOMER_TELLER = who("alice", "customer", "teller")

# (why, identity, action, field, record owner, disclosure)
DISCLOSURE_CASES = [
    (
        "issue 17 #6: customer+teller on another customer's account: only the teller's "
        "'any' grant reaches it, so the teller's mask_last4 applies, not the customer's full",
        CUSTOMER_TELLER, "action_check_balance", "account_number", "bob", Disclosure.MASK_LAST4,
    ),
    (
        "customer+teller on their own account: both roles reach it, the customer's full wins",
        CUSTOMER_TELLER, "action_check_balance", "account_number", "alice", Disclosure.FULL,
    ),
    (
        "customer+teller, record of unknown owner: only 'any' reaches it",
        CUSTOMER_TELLER, "action_check_balance", "account_number", None, Disclosure.MASK_LAST4,
    ),
    (
        "customer+teller in an action only the customer role is granted: the teller role "
        "counts for nothing there, and the customer's own grant does not reach bob",
        CUSTOMER_TELLER, "action_transfer_money", "account_number", "bob", Disclosure.NONE,
    ),
    (
        "customer alone on another customer's record (the action would refuse it anyway)",
        ALICE, "action_check_balance", "account_number", "bob", Disclosure.NONE,
    ),
    (
        "teller's any reaches every record",
        TINA, "action_check_balance", "account_number", "bob", Disclosure.MASK_LAST4,
    ),
    (
        "admin's own level applies on records its inherited grant reaches",
        ADAM, "action_check_balance", "email", "bob", Disclosure.FULL,
    ),
    (
        "an action the policy does not know discloses nothing",
        ALICE, "action_unknown", "account_number", "alice", Disclosure.NONE,
    ),
    (
        "a role the policy does not define discloses nothing",
        who("alice", "superuser"), "action_check_balance", "account_number", "alice",
        Disclosure.NONE,
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("why", "identity", "action", "name", "owner", "expected"),
    DISCLOSURE_CASES,
    ids=[case[0][:60] for case in DISCLOSURE_CASES],
)
def test_disclosure_follows_the_role_that_reaches_the_record(
    bank: Policy,
    why: str,
    identity: Identity,
    action: str,
    name: str,
    owner: Optional[str],
    expected: Disclosure,
) -> None:
    assert bank.disclosure(identity, name, action=action, owner=owner) is expected, why


def test_inherited_roles_do_not_combine_scope_and_disclosure_either() -> None:
    """A role inheriting customer and teller is the token [customer, teller] in one role."""
    roles = {"customer": {}, "teller": {}, "manager": {"inherits": ["customer", "teller"]}}
    levels = {"customer": "full", "teller": "mask_last4"}
    policy = Policy.from_dict(
        {
            "version": 1,
            "roles": roles,
            "actions": {"action_check_balance": {"customer": "own", "teller": "any"}},
            "fields": {"account_number": {"disclose": levels}},
        }
    )
    manager = who("mia", "manager")
    show = functools.partial(policy.disclosure, manager, "account_number")
    assert show(action="action_check_balance", owner="bob") is Disclosure.MASK_LAST4
    assert show(action="action_check_balance", owner="mia") is Disclosure.FULL


def test_slot_decision_reasons(bank: Policy) -> None:
    """Reasons distinguish a missing grant from a slot the policy does not know."""
    assert bank.check_write(TINA, "amount").reason == "no_grant"
    assert bank.check_write(TINA, "unknown").reason == "unknown_slot"
    assert bank.check_read(None, "amount").reason == "no_identity"
    assert bank.check_write(ALICE, "amount").permission == "slot.write:amount"


@pytest.mark.parametrize(
    ("level", "value", "shown"),
    [
        (Disclosure.FULL, "4111111111111111", "4111111111111111"),
        (Disclosure.MASK_LAST4, "4111111111111111", "****1111"),
        (Disclosure.MASK_LAST4, "1000200030", "****0030"),
        # Short values would be mostly revealed by their last four: masked entirely.
        (Disclosure.MASK_LAST4, "12345", "****"),
        (Disclosure.NONE, "alice@example.com", "[withheld]"),
        (Disclosure.FULL, 12.5, "12.5"),
    ],
)
def test_disclosure_rendering(level: Disclosure, value: Any, shown: str) -> None:
    assert level.render(value) == shown


# -- validation ------------------------------------------------------------------------------

INVALID = [
    # (file, key path named in the error)
    ("cycle.yml", "roles.admin.inherits"),
    ("unknown_role_in_action.yml", "actions.action_check_balance.tellr"),
    ("unknown_role_in_slot.yml", "slots.amount.read[1]"),
    ("unknown_inherited_role.yml", "roles.admin.inherits[0]"),
    ("bad_scope.yml", "actions.action_check_balance.teller"),
    ("bad_disclosure.yml", "slots.card_number.disclose.customer"),
    ("unknown_slot_key.yml", "slots.amount.writes"),
    ("unknown_top_key.yml", "policy.permissions"),
    ("no_version.yml", "version"),
    ("no_roles.yml", "roles"),
    ("role_list_not_list.yml", "slots.amount.read"),
    ("not_yaml.yml", str(POLICIES / "invalid" / "not_yaml.yml")),
    ("field_shadows_slot.yml", "fields.email"),
    ("field_with_write.yml", "fields.account_number.write"),
]


@pytest.mark.parametrize(("name", "key"), INVALID, ids=[case[0] for case in INVALID])
def test_invalid_policies_name_the_key(name: str, key: str) -> None:
    """Each golden invalid policy (its file says why it is wrong) fails at load, naming the key."""
    with pytest.raises(PolicyError) as caught:
        Policy.load(POLICIES / "invalid" / name)
    assert caught.value.key == key


def test_cycle_error_shows_the_cycle() -> None:
    with pytest.raises(PolicyError, match=r"admin -> teller -> admin|teller -> admin -> teller"):
        Policy.load(POLICIES / "invalid" / "cycle.yml")


def test_domain_check_refuses_unknown_names(tmp_path: Path) -> None:
    """A policy granting a misspelt action/slot would protect nothing: refuse against the domain."""
    text = (POLICIES / "bank.yml").read_text()
    (tmp_path / "typo_action.yml").write_text(
        text.replace("action_update_email:", "action_update_mail:")
    )
    with pytest.raises(PolicyError) as caught:
        Policy.load(tmp_path / "typo_action.yml", domain=POLICIES / "domain.yml")
    assert caught.value.key == "actions.action_update_mail"
    (tmp_path / "typo_slot.yml").write_text(text.replace("  card_number:", "  card_numbr:"))
    with pytest.raises(PolicyError) as caught:
        Policy.load(tmp_path / "typo_slot.yml", domain=POLICIES / "domain.yml")
    assert caught.value.key == "slots.card_numbr"


def test_fields_are_not_checked_against_the_domain(bank: Policy) -> None:
    """Fields name backend data, not slots: the domain check must not require them."""
    assert "account_number" in bank.fields
    assert "account_number" not in bank.slots


def test_domain_names_from_directory(tmp_path: Path) -> None:
    """Rasa allows a domain split over a directory; forms count as actions."""
    (tmp_path / "a.yml").write_text(
        "slots:\n  amount: {type: float}\nforms:\n  transfer_form: {}\n"
    )
    (tmp_path / "b.yml").write_text("actions:\n  - action_x\n")
    slots, actions = domain_names(tmp_path)
    assert slots == {"amount"}
    assert actions == {"action_x", "transfer_form"}


def test_missing_file() -> None:
    with pytest.raises(PolicyError, match="cannot read"):
        Policy.load(POLICIES / "does-not-exist.yml")


# -- property-based: the policy grants exactly what the file says, never more ---------------

ROLE_NAMES = [f"r{index}" for index in range(5)]
ACTIONS = ["act_a", "act_b", "act_c"]
SLOTS = ["slot_a", "slot_b"]
LEVELS = [level.value for level in Disclosure]


@st.composite
def policies(draw: Any) -> Dict[str, Any]:
    """Random acyclic policies: a role may only inherit from roles defined before it."""
    count = draw(st.integers(1, len(ROLE_NAMES)))
    names = ROLE_NAMES[:count]
    roles = {
        name: {"inherits": draw(st.lists(st.sampled_from(names[:index]), unique=True))}
        if index
        else {}
        for index, name in enumerate(names)
    }
    role_subsets = st.lists(st.sampled_from(names), unique=True)
    actions = {
        action: draw(st.dictionaries(st.sampled_from(names), st.sampled_from(["own", "any"])))
        for action in draw(st.lists(st.sampled_from(ACTIONS), unique=True))
    }
    slots = {
        slot: {
            "read": draw(role_subsets),
            "write": draw(role_subsets),
            "disclose": draw(st.dictionaries(st.sampled_from(names), st.sampled_from(LEVELS))),
        }
        for slot in draw(st.lists(st.sampled_from(SLOTS), unique=True))
    }
    return {"version": 1, "roles": roles, "actions": actions, "slots": slots}


def reach(data: Dict[str, Any], role: str) -> Set[str]:
    """Naive oracle: the role and everything it inherits, by graph search."""
    seen, todo = set(), [role]
    while todo:
        current = todo.pop()
        if current in seen or current not in data["roles"]:
            continue
        seen.add(current)
        todo.extend((data["roles"][current] or {}).get("inherits", []))
    return seen


def effective(data: Dict[str, Any], roles: Tuple[str, ...]) -> Set[str]:
    found: Set[str] = set()
    for role in roles:
        found |= reach(data, role)
    return found


identities = st.builds(
    who,
    st.sampled_from(["alice", "bob"]),
    *[st.sampled_from([*ROLE_NAMES, "admin", "root"]) for _ in range(2)],
)


@settings(max_examples=300, deadline=None)
@given(
    data=policies(),
    identity=identities,
    action=st.sampled_from([*ACTIONS, "act_unknown"]),
    owner=st.sampled_from(["alice", "bob", None]),
)
def test_no_ungranted_action_ever_succeeds(
    data: Dict[str, Any], identity: Identity, action: str, owner: Optional[str]
) -> None:
    policy = Policy.from_dict(data)
    held = effective(data, identity.roles)
    grants = data["actions"].get(action, {})
    scopes = {grants[role] for role in held if role in grants}
    decision = policy.check_owner(identity, action, owner)
    expected = "any" in scopes or ("own" in scopes and owner == identity.subject)
    assert decision.allowed is expected
    if decision.allowed:
        assert decision.role in identity.roles


@settings(max_examples=300, deadline=None)
@given(data=policies(), identity=identities, slot=st.sampled_from([*SLOTS, "slot_unknown"]))
def test_no_ungranted_slot_access_ever_succeeds(
    data: Dict[str, Any], identity: Identity, slot: str
) -> None:
    policy = Policy.from_dict(data)
    held = effective(data, identity.roles)
    rules = data["slots"].get(slot, {"read": [], "write": [], "disclose": {}})
    assert policy.can_read(identity, slot) is bool(held & set(rules["read"]))
    assert policy.can_write(identity, slot) is bool(held & set(rules["write"]))


def most_generous(levels: Iterable[Disclosure]) -> Disclosure:
    return max(levels, key=lambda level: level.rank, default=Disclosure.NONE)


def reaches(
    data: Dict[str, Any], role: str, action: str, subject: str, owner: Optional[str]
) -> bool:
    """Naive oracle: does ``role`` alone (with what it inherits) reach the record of ``owner``?"""
    grants = data["actions"].get(action, {})
    scopes = {grants[r] for r in reach(data, role) if r in grants}
    return "any" in scopes or ("own" in scopes and owner == subject)


def own_level(data: Dict[str, Any], role: str, name: str) -> Disclosure:
    """The level the file writes for ``role`` itself on slot ``name`` (``none`` without one)."""
    rules = data["slots"].get(name, {"disclose": {}})
    return Disclosure(rules["disclose"].get(role, "none"))


disclosure_requests = {
    "data": policies(),
    "subject": st.sampled_from(["alice", "bob"]),
    "roles": st.lists(st.sampled_from([*ROLE_NAMES, "root"]), max_size=4, unique=True),
    "action": st.sampled_from([*ACTIONS, "act_unknown"]),
    "name": st.sampled_from([*SLOTS, "slot_unknown"]),
    "owner": st.sampled_from(["alice", "bob", None]),
}


@settings(max_examples=500, deadline=None)
@given(**disclosure_requests)
def test_disclosure_of_a_role_set_is_the_best_of_the_roles_that_reach_the_record(
    data: Dict[str, Any],
    subject: str,
    roles: List[str],
    action: str,
    name: str,
    owner: Optional[str],
) -> None:
    """Issue 17 #6, for random policies, role sets, records and owners.

    1. The disclosure of a record for a set of roles equals the most generous disclosure
       among the roles that individually grant access to that record.
    2. It agrees with a naive model of the file: each held role (inherited ones included)
       that reaches the record contributes the level written for it.
    3. A record no held role reaches discloses nothing.
    """
    policy = Policy.from_dict(data)
    identity = who(subject, *roles)
    level = policy.disclosure(identity, name, action=action, owner=owner)
    alone = [who(subject, role) for role in roles]
    assert level is most_generous(
        policy.disclosure(one, name, action=action, owner=owner)
        for one in alone
        if policy.check_owner(one, action, owner).allowed
    )
    reaching = [
        role
        for role in effective(data, tuple(roles))
        if reaches(data, role, action, subject, owner)
    ]
    assert level is most_generous(own_level(data, role, name) for role in reaching)
    if not policy.check_owner(identity, action, owner).allowed:
        assert level is Disclosure.NONE
