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
full format.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from pathlib import Path
from typing import (
    Any,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Mapping,
    Optional,
    Protocol,
    Sequence,
    Set,
    Tuple,
    Union,
)

import yaml

from rasa_secure.config import read_yaml
from rasa_secure.errors import PolicyError

SUPPORTED_VERSIONS = (1,)
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}")
_ACTION = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,127}")
_SLOT = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,127}")
MASK = "****"
WITHHELD = "[withheld]"


class Scope(enum.Enum):
    """How far an action grant reaches."""

    OWN = "own"
    """Only on records whose owner is the caller's subject."""
    ANY = "any"
    """On any record."""


_SCOPE_RANK = {Scope.OWN: 1, Scope.ANY: 2}


class Disclosure(enum.Enum):
    """How much of a slot value a role may see in a bot message."""

    NONE = "none"
    MASK_LAST4 = "mask_last4"
    FULL = "full"

    @property
    def rank(self) -> int:
        """Order of generosity: ``none`` < ``mask_last4`` < ``full``."""
        return _DISCLOSURE_RANK[self]

    def render(self, value: Any) -> str:
        """The value as this level lets it appear.

        ``mask_last4`` shows the last four characters only for values of eight characters
        or more (shorter values would be mostly revealed) behind a fixed-width mask, so the
        length is not revealed either.
        """
        text = str(value)
        if self is Disclosure.FULL:
            return text
        if self is Disclosure.MASK_LAST4:
            return MASK + text[-4:] if len(text) >= 8 else MASK
        return WITHHELD


_DISCLOSURE_RANK = {Disclosure.NONE: 0, Disclosure.MASK_LAST4: 1, Disclosure.FULL: 2}


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


@dataclass(frozen=True)
class Decision:
    """The answer to one authorization question.

    Attributes:
        allowed: whether the request is granted.
        permission: what was asked, e.g. ``"action:action_transfer_money"`` or
            ``"slot.write:amount"``.
        reason: machine-readable why: ``granted``, ``no_identity``, ``no_grant``,
            ``unknown_action``, ``unknown_slot``, ``not_owner``.
        role: the role whose grant allowed it (``None`` when denied).
        scope: for action grants, how far the grant reaches.
    """

    allowed: bool
    permission: str
    reason: str
    role: Optional[str] = None
    scope: Optional[Scope] = None

    def __bool__(self) -> bool:
        return self.allowed


@dataclass(frozen=True)
class _SlotRules:
    read: FrozenSet[str]
    write: FrozenSet[str]
    disclose: Mapping[str, Disclosure]


class Policy:
    """A validated policy. Build it with :meth:`load` or :meth:`from_dict`.

    Attributes:
        source: where the policy came from (used in error messages).
        roles: the defined role names.
        actions: the action names the policy mentions.
        slots: the slot names the policy mentions.
        fields: the backend field names the policy mentions (disclosure only).
    """

    def __init__(
        self,
        *,
        source: str,
        ancestry: Mapping[str, FrozenSet[str]],
        action_grants: Mapping[str, Mapping[str, Scope]],
        slot_rules: Mapping[str, _SlotRules],
        field_rules: Optional[Mapping[str, Mapping[str, Disclosure]]] = None,
    ) -> None:
        self.source = source
        self._ancestry = dict(ancestry)
        self.roles: FrozenSet[str] = frozenset(ancestry)
        self.actions: FrozenSet[str] = frozenset(action_grants)
        self.slots: FrozenSet[str] = frozenset(slot_rules)
        self.fields: FrozenSet[str] = frozenset(field_rules or {})
        self._actions: Dict[str, Dict[str, Scope]] = {}
        for action, grants in action_grants.items():
            effective: Dict[str, Scope] = {}
            for role in self.roles:
                scopes = [grants[a] for a in ancestry[role] if a in grants]
                if scopes:
                    effective[role] = max(scopes, key=_SCOPE_RANK.__getitem__)
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
        return _Parser(source).parse(data)

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

    # -- questions ------------------------------------------------------------------------

    def _known_roles(self, identity: Optional[Principal]) -> List[str]:
        if identity is None:
            return []
        return [role for role in identity.roles if role in self._ancestry]

    def check_action(self, identity: Optional[Principal], action: str) -> Decision:
        """May ``identity`` run ``action`` at all (ownership aside)?"""
        permission = f"action:{action}"
        if identity is None:
            return Decision(False, permission, "no_identity")
        grants = self._actions.get(action)
        if grants is None:
            return Decision(False, permission, "unknown_action")
        best: Optional[Tuple[str, Scope]] = None
        for role in self._known_roles(identity):
            scope = grants.get(role)
            if scope is not None and (best is None or _SCOPE_RANK[scope] > _SCOPE_RANK[best[1]]):
                best = (role, scope)
        if best is None:
            return Decision(False, permission, "no_grant")
        return Decision(True, permission, "granted", role=best[0], scope=best[1])

    def check_owner(
        self, identity: Optional[Principal], action: str, owner: Optional[str]
    ) -> Decision:
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
        return Decision(False, decision.permission, "not_owner")

    def _check_slot(
        self,
        identity: Optional[Principal],
        slot: str,
        kind: str,
        table: Mapping[str, FrozenSet[str]],
    ) -> Decision:
        permission = f"slot.{kind}:{slot}"
        if identity is None:
            return Decision(False, permission, "no_identity")
        granted = table.get(slot)
        if granted is None:
            return Decision(False, permission, "unknown_slot")
        for role in self._known_roles(identity):
            if role in granted:
                return Decision(True, permission, "granted", role=role)
        return Decision(False, permission, "no_grant")

    def check_read(self, identity: Optional[Principal], slot: str) -> Decision:
        """May the actions run for ``identity`` see the value of ``slot``?"""
        return self._check_slot(identity, slot, "read", self._read)

    def check_write(self, identity: Optional[Principal], slot: str) -> Decision:
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


def domain_names(domain: Union[str, Path, Mapping[str, Any]]) -> Tuple[Set[str], Set[str]]:
    """The slot names and the action names (custom actions and forms) of a Rasa domain.

    Args:
        domain: a domain mapping, a domain YAML file, or a directory of domain files.

    Raises:
        PolicyError: a domain file cannot be read.
    """
    documents: List[Any] = []
    if isinstance(domain, Mapping):
        documents.append(domain)
    else:
        path = Path(domain)
        files = (
            sorted(path.rglob("*.yml")) + sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
        )
        for file in files:
            try:
                documents.append(yaml.safe_load(file.read_text(encoding="utf-8")))
            except (OSError, yaml.YAMLError):
                raise PolicyError(str(file), "cannot read the domain file") from None
    slots: Set[str] = set()
    actions: Set[str] = set()
    for document in documents:
        if not isinstance(document, Mapping):
            continue
        slots.update(str(name) for name in (document.get("slots") or {}))
        for entry in document.get("actions") or []:
            actions.update(map(str, entry) if isinstance(entry, Mapping) else [str(entry)])
        actions.update(str(name) for name in (document.get("forms") or {}))
    return slots, actions


class _Parser:
    """Turns a parsed YAML document into a :class:`Policy`, or a precise PolicyError."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, problem: str, allowed: Optional[Iterable[Any]] = None) -> PolicyError:
        return PolicyError(path, f"{problem} ({self.source})", allowed)

    def mapping(
        self, value: Any, path: str, keys: Optional[Sequence[str]] = None
    ) -> Mapping[str, Any]:
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            raise self.fail(path, f"expected a mapping, got {type(value).__name__}")
        for key in value:
            if not isinstance(key, str):
                raise self.fail(f"{path}.{key}", "keys must be strings")
            if keys is not None and key not in keys:
                raise self.fail(f"{path}.{key}", "unknown key", keys)
        return value

    def role_list(self, value: Any, path: str, roles: Iterable[str]) -> FrozenSet[str]:
        if value is None:
            return frozenset()
        if not isinstance(value, list):
            raise self.fail(path, f"expected a list of roles, got {type(value).__name__}")
        known = sorted(roles)
        for index, role in enumerate(value):
            if role not in known:
                raise self.fail(f"{path}[{index}]", f"unknown role {role!r}", known)
        return frozenset(value)

    def parse(self, data: Any) -> Policy:
        top = self.mapping(data, "policy", ("version", "roles", "actions", "slots", "fields"))
        if not top:
            raise self.fail("policy", "the policy is empty")
        if top.get("version") not in SUPPORTED_VERSIONS:
            raise self.fail(
                "version", f"unsupported version {top.get('version')!r}", SUPPORTED_VERSIONS
            )
        roles = self.parse_roles(top.get("roles"))
        ancestry = self.ancestry(roles)
        actions = self.parse_actions(top.get("actions"), ancestry)
        slots = self.parse_slots(top.get("slots"), ancestry)
        fields = self.parse_fields(top.get("fields"), ancestry, slots)
        return Policy(
            source=self.source,
            ancestry=ancestry,
            action_grants=actions,
            slot_rules=slots,
            field_rules=fields,
        )

    def parse_roles(self, value: Any) -> Dict[str, Tuple[str, ...]]:
        section = self.mapping(value, "roles")
        if not section:
            raise self.fail("roles", "at least one role must be defined")
        parents: Dict[str, Tuple[str, ...]] = {}
        for name, body in section.items():
            if not _NAME.fullmatch(name):
                raise self.fail(f"roles.{name}", "invalid role name")
            spec = self.mapping(body, f"roles.{name}", ("inherits", "description"))
            if not isinstance(spec.get("description", ""), str):
                raise self.fail(f"roles.{name}.description", "expected a string")
            inherits = spec.get("inherits") or []
            parents[name] = tuple(
                sorted(self.role_list(inherits, f"roles.{name}.inherits", section))
            )
        return parents

    def ancestry(self, parents: Mapping[str, Tuple[str, ...]]) -> Dict[str, FrozenSet[str]]:
        """Each role with every role it inherits from (itself included); cycles are errors."""
        done: Dict[str, FrozenSet[str]] = {}

        def visit(role: str, trail: Tuple[str, ...]) -> FrozenSet[str]:
            if role in trail:
                cycle = " -> ".join((*trail[trail.index(role) :], role))
                raise self.fail(f"roles.{trail[-1]}.inherits", f"inheritance cycle {cycle}")
            if role not in done:
                found = {role}
                for parent in parents[role]:
                    found |= visit(parent, (*trail, role))
                done[role] = frozenset(found)
            return done[role]

        for role in parents:
            visit(role, ())
        return done

    def parse_actions(
        self, value: Any, ancestry: Mapping[str, FrozenSet[str]]
    ) -> Dict[str, Dict[str, Scope]]:
        section = self.mapping(value, "actions")
        scopes = [scope.value for scope in Scope]
        result: Dict[str, Dict[str, Scope]] = {}
        for action, body in section.items():
            if not _ACTION.fullmatch(action):
                raise self.fail(f"actions.{action}", "invalid action name")
            grants = self.mapping(body, f"actions.{action}")
            parsed: Dict[str, Scope] = {}
            for role, scope in grants.items():
                if role not in ancestry:
                    raise self.fail(
                        f"actions.{action}.{role}", f"unknown role {role!r}", sorted(ancestry)
                    )
                if scope not in scopes:
                    raise self.fail(f"actions.{action}.{role}", f"invalid scope {scope!r}", scopes)
                parsed[role] = Scope(scope)
            result[action] = parsed
        return result

    def parse_slots(
        self, value: Any, ancestry: Mapping[str, FrozenSet[str]]
    ) -> Dict[str, _SlotRules]:
        section = self.mapping(value, "slots")
        result: Dict[str, _SlotRules] = {}
        for slot, body in section.items():
            if not _SLOT.fullmatch(slot):
                raise self.fail(f"slots.{slot}", "invalid slot name")
            path = f"slots.{slot}"
            spec = self.mapping(body, path, ("read", "write", "disclose"))
            result[slot] = _SlotRules(
                read=self.role_list(spec.get("read"), f"{path}.read", ancestry),
                write=self.role_list(spec.get("write"), f"{path}.write", ancestry),
                disclose=self.disclose(spec.get("disclose"), f"{path}.disclose", ancestry),
            )
        return result

    def disclose(
        self, value: Any, path: str, ancestry: Mapping[str, FrozenSet[str]]
    ) -> Dict[str, Disclosure]:
        levels = [level.value for level in Disclosure]
        parsed: Dict[str, Disclosure] = {}
        for role, level in self.mapping(value, path).items():
            if role not in ancestry:
                raise self.fail(f"{path}.{role}", f"unknown role {role!r}", sorted(ancestry))
            if level not in levels:
                raise self.fail(f"{path}.{role}", f"invalid disclosure {level!r}", levels)
            parsed[role] = Disclosure(level)
        return parsed

    def parse_fields(
        self, value: Any, ancestry: Mapping[str, FrozenSet[str]], slots: Mapping[str, Any]
    ) -> Dict[str, Dict[str, Disclosure]]:
        result: Dict[str, Dict[str, Disclosure]] = {}
        for name, body in self.mapping(value, "fields").items():
            if not _SLOT.fullmatch(name):
                raise self.fail(f"fields.{name}", "invalid field name")
            if name in slots:
                raise self.fail(f"fields.{name}", "already defined under slots")
            spec = self.mapping(body, f"fields.{name}", ("disclose",))
            result[name] = self.disclose(spec.get("disclose"), f"fields.{name}.disclose", ancestry)
        return result
