"""The authorization policy: who may run which action and read, write or see which slot.

A policy is a YAML file validated completely when it is loaded (:meth:`Policy.load`); a
mistake raises :class:`~rasa_secure.errors.PolicyError` naming the key path, e.g.
``slots.amount.read[1]``. After that every check is a pure function of the policy and the
caller's verified identity, and **anything not granted is denied**::

    version: 1
    roles:
      customer: {}
      teller: {}
      admin: {inherits: [teller]}      # admin gets every grant of teller
    actions:
      action_check_balance:
        customer: own                  # only on records the subject owns
        teller: any                    # on any record
    slots:
      recipient_account:
        read: [customer]
        write: [customer]
        disclose: {customer: mask_last4, teller: full}
    fields:                            # backend values that are not slots
      card_number:
        disclose: {customer: mask_last4}

Roles a token carries that the policy does not define grant nothing. Inherited action
grants merge upwards (``any`` beats ``own``). Disclosure is decided per record: among the
roles the caller holds (inherited ones included), only those whose own action grant reaches
that record count, and the most generous of their levels applies (``full`` beats
``mask_last4`` beats ``none``). A teller who is also a customer sees another customer's
account as a teller, never with the customer's ``full``. See ``docs/policy.md`` for the
full format. :mod:`~rasa_secure.core.identity.policy_parser` reads the file;
:mod:`~rasa_secure.core.identity.grants` holds the scopes and disclosure levels.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Protocol, Sequence, Tuple, Union

from rasa_secure.config import read_yaml
from rasa_secure.core.identity.grants import SCOPE_RANK, Disclosure, Scope, SlotRules
from rasa_secure.core.identity.policy_parser import PolicyParser, domain_names
from rasa_secure.core.identity.stepup import Authentication, StepUpChallenge, StepUpRule, unmet_rule
from rasa_secure.errors import PolicyError


class Principal(Protocol):
    """What the policy needs of a caller (``rasa_secure.core.identity.tokens.Identity`` fits)."""

    @property
    def subject(self) -> str:
        """The verified subject id."""
        ...

    @property
    def roles(self) -> Sequence[str]:
        """The verified roles."""
        ...


class AccessReason(str, Enum):
    """Why an :class:`AccessDecision` went the way it did (a ``str`` enum: wire values)."""

    GRANTED = "granted"
    NO_IDENTITY = "no_identity"
    """No verified caller: denied everything."""
    NO_GRANT = "no_grant"
    """None of the caller's roles (inherited ones included) has a grant."""
    UNKNOWN_ACTION = "unknown_action"
    """The policy does not mention the action: denied by default."""
    UNKNOWN_SLOT = "unknown_slot"
    """The policy does not mention the slot: denied by default."""
    NOT_OWNER = "not_owner"
    """An ``own`` grant, on a record of someone else (or of no known owner)."""
    STEP_UP_REQUIRED = "step_up_required"
    """The caller signed in less strongly than a ``step_up`` rule of the action asks."""


@dataclass(frozen=True)
class AccessDecision:
    """The answer to one authorization question.

    Attributes:
        allowed: whether the request is granted.
        permission: what was asked, e.g. ``"action:action_transfer_money"`` or
            ``"slot.write:amount"``.
        reason: why (:class:`AccessReason`).
        role: the role whose grant allowed it (``None`` when denied).
        scope: for action grants, how far the grant reaches.
        challenge: for ``step_up_required``, what the caller must sign in with.
    """

    allowed: bool
    permission: str
    reason: AccessReason
    role: Optional[str] = None
    scope: Optional[Scope] = None
    challenge: Optional[StepUpChallenge] = None

    def __bool__(self) -> bool:
        return self.allowed


class Policy:
    """A validated policy. Build it with :meth:`load` or :meth:`from_dict`.

    Attributes:
        source: where the policy came from (used in error messages).
        roles: the defined role names.
        actions: the action names the policy mentions.
        slots: the slot names the policy mentions.
        fields: the backend field names the policy mentions (disclosure only).
        step_up_slots: the slots that ``step_up`` conditions compare.
    """

    def __init__(
        self,
        *,
        source: str,
        ancestry: Mapping[str, FrozenSet[str]],
        action_grants: Mapping[str, Mapping[str, Scope]],
        slot_rules: Mapping[str, SlotRules],
        field_rules: Optional[Mapping[str, Mapping[str, Disclosure]]] = None,
        step_up: Optional[Mapping[str, Tuple[StepUpRule, ...]]] = None,
    ) -> None:
        self.source = source
        self._step_up: Dict[str, Tuple[StepUpRule, ...]] = dict(step_up or {})
        self._ancestry = dict(ancestry)
        self.roles: FrozenSet[str] = frozenset(ancestry)
        self.actions: FrozenSet[str] = frozenset(action_grants)
        self.slots: FrozenSet[str] = frozenset(slot_rules)
        self.fields: FrozenSet[str] = frozenset(field_rules or {})
        self.step_up_slots: FrozenSet[str] = frozenset(
            rule.when.slot for rules in self._step_up.values() for rule in rules if rule.when
        )
        self._actions: Dict[str, Dict[str, Scope]] = {}
        for action, grants in action_grants.items():
            effective: Dict[str, Scope] = {}
            for role in self.roles:
                scopes = [grants[a] for a in ancestry[role] if a in grants]
                if scopes:
                    effective[role] = max(scopes, key=SCOPE_RANK.__getitem__)
            self._actions[action] = effective
        self._read: Dict[str, FrozenSet[str]] = {}
        self._write: Dict[str, FrozenSet[str]] = {}
        self._disclose: Dict[str, Mapping[str, Disclosure]] = {}
        for slot, rules in slot_rules.items():
            self._read[slot] = frozenset(r for r in self.roles if ancestry[r] & rules.read)
            self._write[slot] = frozenset(r for r in self.roles if ancestry[r] & rules.write)
            self._disclose[slot] = dict(rules.disclose)
        for name, disclose in (field_rules or {}).items():
            self._disclose[name] = dict(disclose)

    # -- loading --------------------------------------------------------------------------

    @classmethod
    def load(
        cls, path: Union[str, Path], *, domain: Union[str, Path, Mapping[str, Any], None] = None
    ) -> Policy:
        """Read and validate a policy file, optionally checking names against a domain.

        Args:
            path: the policy YAML file.
            domain: a Rasa domain (file, directory of files, or the parsed mapping); when
                given, every slot and action the policy names must exist in it.

        Raises:
            PolicyError: the file is unreadable or invalid; the key path says where.
        """
        source = str(path)
        data = read_yaml(path, key=source, error=PolicyError)
        policy = cls.from_dict(data, source=source)
        if domain is not None:
            policy.check_domain(domain)
        return policy

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "policy") -> Policy:
        """Validate a parsed policy document.

        Raises:
            PolicyError: naming the key path of the first problem found.
        """
        parsed = PolicyParser(source).parse(data)
        return cls(
            source=source,
            ancestry=parsed.ancestry,
            action_grants=parsed.action_grants,
            slot_rules=parsed.slot_rules,
            field_rules=parsed.field_rules,
            step_up=parsed.step_up,
        )

    def check_domain(self, domain: Union[str, Path, Mapping[str, Any]]) -> None:
        """Check that every slot and action named by the policy exists in ``domain``.

        Raises:
            PolicyError: naming the first unknown slot or action.
        """
        slots, actions = domain_names(domain)
        unknown_actions = sorted(self.actions - actions)
        if unknown_actions:
            raise PolicyError(
                f"actions.{unknown_actions[0]}", f"not an action of the domain ({self.source})"
            )
        unknown_slots = sorted(self.slots - slots)
        if unknown_slots:
            raise PolicyError(
                f"slots.{unknown_slots[0]}", f"not a slot of the domain ({self.source})"
            )
        unknown_conditions = sorted(self.step_up_slots - slots)
        if unknown_conditions:
            raise PolicyError(
                "step_up", f"condition on {unknown_conditions[0]!r}, not a slot of the domain"
            )

    # -- questions ------------------------------------------------------------------------

    def _known_roles(self, identity: Optional[Principal]) -> List[str]:
        if identity is None:
            return []
        return [role for role in identity.roles if role in self._ancestry]

    def check_action(self, identity: Optional[Principal], action: str) -> AccessDecision:
        """May ``identity`` run ``action`` at all (ownership aside)?"""
        permission = f"action:{action}"
        if identity is None:
            return AccessDecision(False, permission, AccessReason.NO_IDENTITY)
        grants = self._actions.get(action)
        if grants is None:
            return AccessDecision(False, permission, AccessReason.UNKNOWN_ACTION)
        best: Optional[Tuple[str, Scope]] = None
        for role in self._known_roles(identity):
            scope = grants.get(role)
            if scope is not None and (best is None or SCOPE_RANK[scope] > SCOPE_RANK[best[1]]):
                best = (role, scope)
        if best is None:
            return AccessDecision(False, permission, AccessReason.NO_GRANT)
        return AccessDecision(True, permission, AccessReason.GRANTED, role=best[0], scope=best[1])

    def check_owner(
        self, identity: Optional[Principal], action: str, owner: Optional[str]
    ) -> AccessDecision:
        """May ``identity`` run ``action`` on a record owned by ``owner``?

        ``owner`` is the subject the backend says owns the record (``None``: no owner
        known, which only an ``any`` grant covers).
        """
        decision = self.check_action(identity, action)
        if not decision.allowed or decision.scope is Scope.ANY:
            return decision
        assert identity is not None
        if owner is not None and owner == identity.subject:
            return decision
        return AccessDecision(False, decision.permission, AccessReason.NOT_OWNER)

    def check_step_up(
        self,
        caller: Optional[Authentication],
        action: str,
        slots: Mapping[str, Any],
        *,
        now: Optional[float] = None,
    ) -> AccessDecision:
        """Did ``caller`` sign in strongly enough to run ``action`` with these slot values?

        Asked after :meth:`check_action` allowed the action. Denied with
        ``step_up_required`` and the :class:`StepUpChallenge` of the first ``step_up`` rule
        that applies and is not met; an action without rules needs nothing more.
        """
        permission = f"action:{action}"
        if caller is None:
            return AccessDecision(False, permission, AccessReason.NO_IDENTITY)
        rule = unmet_rule(self._step_up.get(action, ()), caller, slots, now)
        if rule is not None:
            return AccessDecision(
                False, permission, AccessReason.STEP_UP_REQUIRED, challenge=rule.challenge
            )
        return AccessDecision(True, permission, AccessReason.GRANTED)

    def _check_slot(
        self,
        identity: Optional[Principal],
        slot: str,
        kind: str,
        table: Mapping[str, FrozenSet[str]],
    ) -> AccessDecision:
        permission = f"slot.{kind}:{slot}"
        if identity is None:
            return AccessDecision(False, permission, AccessReason.NO_IDENTITY)
        granted = table.get(slot)
        if granted is None:
            return AccessDecision(False, permission, AccessReason.UNKNOWN_SLOT)
        for role in self._known_roles(identity):
            if role in granted:
                return AccessDecision(True, permission, AccessReason.GRANTED, role=role)
        return AccessDecision(False, permission, AccessReason.NO_GRANT)

    def check_read(self, identity: Optional[Principal], slot: str) -> AccessDecision:
        """May the actions run for ``identity`` see the value of ``slot``?"""
        return self._check_slot(identity, slot, "read", self._read)

    def check_write(self, identity: Optional[Principal], slot: str) -> AccessDecision:
        """May the actions run for ``identity`` set ``slot``?"""
        return self._check_slot(identity, slot, "write", self._write)

    def can_read(self, identity: Optional[Principal], slot: str) -> bool:
        """Shorthand for ``check_read(...).allowed``."""
        return self.check_read(identity, slot).allowed

    def can_write(self, identity: Optional[Principal], slot: str) -> bool:
        """Shorthand for ``check_write(...).allowed``."""
        return self.check_write(identity, slot).allowed

    def disclosure(
        self, identity: Optional[Principal], name: str, *, action: str, owner: Optional[str]
    ) -> Disclosure:
        """How much of a slot's or field's value ``identity`` may see in a bot message.

        The value belongs to a record of ``owner`` (``None``: unknown owner; a slot value of
        the caller's own conversation belongs to the caller) and is shown by ``action``.
        Only the roles ``identity`` holds (inherited ones included) whose grant on
        ``action`` reaches that record count; the most generous of their own levels for
        ``name`` applies, ``none`` when no role counts. So the level never comes from a role
        that could not have reached the record itself.
        """
        levels = self._disclose.get(name, {})
        best = Disclosure.NONE
        for role in self._reaching_roles(identity, action, owner):
            level = levels.get(role, Disclosure.NONE)
            if level.rank > best.rank:
                best = level
        return best

    def _reaching_roles(
        self, identity: Optional[Principal], action: str, owner: Optional[str]
    ) -> FrozenSet[str]:
        """The held roles (inherited included) whose grant on ``action`` reaches the record."""
        grants = self._actions.get(action)
        if identity is None or grants is None:
            return frozenset()
        own = owner is not None and owner == identity.subject
        held = frozenset().union(*(self._ancestry[role] for role in self._known_roles(identity)))
        return frozenset(
            role
            for role in held
            if grants.get(role) is Scope.ANY or (own and grants.get(role) is Scope.OWN)
        )
