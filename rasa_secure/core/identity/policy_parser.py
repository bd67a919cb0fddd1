"""Reading a policy document: every key checked, every mistake named by its key path.

:class:`PolicyParser` turns the parsed YAML of a policy file into a :class:`ParsedPolicy`
(roles with their ancestry, action grants, slot and field rules, step-up rules), from which
:class:`~rasa_secure.core.identity.policy.Policy` is built; :func:`domain_names` reads the
names a Rasa domain defines, to check the policy against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import (
    Any,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
    Union,
)

import yaml

from rasa_secure.core.identity.grants import Disclosure, Scope, SlotRules
from rasa_secure.core.identity.stepup import CLAIM_VALUE, SlotAbove, StepUpRule
from rasa_secure.errors import PolicyError

SUPPORTED_VERSIONS = (1,)
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}")
_ACTION = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,127}")
_SLOT = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,127}")


@dataclass(frozen=True)
class ParsedPolicy:
    """A validated policy document.

    Attributes:
        ancestry: each role with every role it inherits from (itself included).
        action_grants: action -> role -> the scope granted to that role itself.
        slot_rules: slot -> its rules.
        field_rules: backend field -> role -> disclosure.
        step_up: action -> its step-up rules, in file order.
    """

    ancestry: Mapping[str, FrozenSet[str]]
    action_grants: Mapping[str, Mapping[str, Scope]]
    slot_rules: Mapping[str, SlotRules]
    field_rules: Mapping[str, Mapping[str, Disclosure]]
    step_up: Mapping[str, Tuple[StepUpRule, ...]]


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


class PolicyParser:
    """Turns a parsed YAML document into :class:`ParsedPolicy`, or a precise PolicyError."""

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

    def parse(self, data: Any) -> ParsedPolicy:
        top = self.mapping(
            data,
            "policy",
            ("version", "roles", "actions", "slots", "fields", "step_up", "anomaly"),
        )
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
        step_up = self.parse_step_up(top.get("step_up"), actions)
        return ParsedPolicy(ancestry, actions, slots, fields, step_up)

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
    ) -> Dict[str, SlotRules]:
        section = self.mapping(value, "slots")
        result: Dict[str, SlotRules] = {}
        for slot, body in section.items():
            if not _SLOT.fullmatch(slot):
                raise self.fail(f"slots.{slot}", "invalid slot name")
            path = f"slots.{slot}"
            spec = self.mapping(body, path, ("read", "write", "disclose"))
            result[slot] = SlotRules(
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

    def parse_step_up(
        self, value: Any, actions: Mapping[str, Any]
    ) -> Dict[str, Tuple[StepUpRule, ...]]:
        result: Dict[str, Tuple[StepUpRule, ...]] = {}
        for action, body in self.mapping(value, "step_up").items():
            if action not in actions:
                raise self.fail(f"step_up.{action}", "not an action granted under actions")
            if not isinstance(body, list) or not body:
                raise self.fail(f"step_up.{action}", "expected a non-empty list of rules")
            result[action] = tuple(
                self.step_up_rule(rule, f"step_up.{action}[{index}]")
                for index, rule in enumerate(body)
            )
        return result

    def step_up_rule(self, value: Any, path: str) -> StepUpRule:
        spec = self.mapping(value, path, ("acr", "amr", "max_age", "when"))
        acr = self.strings(spec.get("acr"), f"{path}.acr")
        amr = self.strings(spec.get("amr"), f"{path}.amr")
        if not acr and not amr:
            raise self.fail(path, "a step-up rule needs acr or amr")
        max_age = spec.get("max_age")
        if max_age is not None and (
            not isinstance(max_age, int) or isinstance(max_age, bool) or max_age <= 0
        ):
            raise self.fail(
                f"{path}.max_age", f"expected a positive number of seconds, got {max_age!r}"
            )
        when = None
        if "when" in spec:
            condition = self.mapping(spec["when"], f"{path}.when", ("slot", "above"))
            slot, limit = condition.get("slot"), condition.get("above")
            if not isinstance(slot, str) or not _SLOT.fullmatch(slot):
                raise self.fail(f"{path}.when.slot", "expected a slot name")
            if not isinstance(limit, (int, float)) or isinstance(limit, bool) or limit != limit:
                raise self.fail(f"{path}.when.above", f"expected a number, got {limit!r}")
            when = SlotAbove(slot, Decimal(str(limit)))
        return StepUpRule(acr, amr, max_age, when)

    def strings(self, value: Any, path: str) -> Tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(
            isinstance(item, str) and CLAIM_VALUE.fullmatch(item) for item in value
        ):
            raise self.fail(path, "expected a list of names (no spaces)")
        return tuple(dict.fromkeys(value))
