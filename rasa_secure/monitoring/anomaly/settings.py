"""The ``anomaly`` section of the policy file: windows, rules, the model and the responses.

::

    anomaly:
      window_seconds: 600
      storage: redis://redis:6379/0      # memory:// for one process
      model: anomaly-model.json          # from `rasa-secure anomaly fit` (relative to the policy)
      model_respond: [soc]
      escalation_hook: bank.soc:page_on_call
      responses:
        lock: {do: lock_out, seconds: 900}
        mfa: {do: step_up, seconds: 900, acr_values: [urn:bank:acr:mfa]}
        slow: {do: throttle, seconds: 600, per_minute: 3}
        soc: {do: escalate}
      rules:
        repeated_blocks: {per: subject, when: {blocked: 3}, respond: [lock, soc]}
        credential_stuffing: {per: client, when: {auth_failures: 10}, respond: [lock]}

A rule fires when every feature it names (:class:`~.windows.Feature`) reaches its value in
the window of its key, at most once per window and key. Every key is validated when the
policy is loaded; a mistake is a :class:`~rasa_secure.errors.PolicyError` naming its path.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Tuple

from rasa_secure.config import Option, OptionSpec, in_range, list_of, positive, resolve
from rasa_secure.core.shared_state import storage_problem
from rasa_secure.errors import ConfigError, PolicyError
from rasa_secure.monitoring.anomaly.windows import Feature


class ResponseKind(str, Enum):
    """What an automatic response does (the ``do`` of a response)."""

    FLAG = "flag"
    """Only an event."""
    THROTTLE = "throttle"
    """At most ``per_minute`` messages a minute (429), for ``seconds``."""
    STEP_UP = "step_up"
    """A token with one of ``acr_values`` is required (401, RFC 9470), for ``seconds``."""
    LOCK_OUT = "lock_out"
    """Every message refused (403), for ``seconds``."""
    ESCALATE = "escalate"
    """An event, and the ``escalation_hook`` is called."""


LASTING = (ResponseKind.THROTTLE, ResponseKind.STEP_UP, ResponseKind.LOCK_OUT)
"""Responses that hold for a period (and can be listed and lifted)."""


class Per(str, Enum):
    """Whose window a rule watches."""

    SUBJECT = "subject"
    CLIENT = "client"

    @property
    def prefix(self) -> str:
        """The pseudonym prefix of its keys."""
        return "sub_" if self is Per.SUBJECT else "cli_"

    @classmethod
    def of(cls, key: str) -> Optional[Per]:
        """Whose window ``key`` is (``sub_...`` or ``cli_...``), or ``None``."""
        return _BY_PREFIX.get(key[:4])


_BY_PREFIX = {per.prefix: per for per in Per}
"""Each kind by its key prefix (both four characters: a dictionary lookup on the hot path)."""

OPTIONS: OptionSpec = {
    "window_seconds": Option(600, "length of the sliding windows", int, in_range(10, 86_400)),
    "storage": Option(
        "memory://",
        "memory:// (one process) or a Redis URL shared by replicas",
        str,
        storage_problem,
    ),
    "namespace": Option("rasa_secure", "first part of every Redis key", str),
    "model": Option(
        None,
        "IsolationForest file of `rasa-secure anomaly fit` (null: rules only)",
        (str, type(None)),
    ),
    "model_threshold": Option(
        None,
        "anomaly score (0-1) at which the model fires, for both kinds of key (null: the file's)",
        (float, int, type(None)),
        lambda value: None if value is None or 0 < value <= 1 else "expected a score from 0 to 1",
    ),
    "model_respond": Option(
        [], "names of the responses when the model fires (needed with a model)", list, list_of(str)
    ),
    "escalation_hook": Option(
        None, "'module:function' called with each Escalation", (str, type(None))
    ),
    "responses": Option({}, "name -> response (see below)", dict),
    "rules": Option({}, "name -> rule (see below)", dict),
}
"""The ``anomaly`` section of the policy file."""

RESPONSE_OPTIONS: OptionSpec = {
    "do": Option(
        "flag", "what the response does", str, choices=tuple(kind.value for kind in ResponseKind)
    ),
    "seconds": Option(900, "how long a throttle, step-up or lock-out holds", int, positive),
    "per_minute": Option(3, "messages a minute allowed under a throttle", int, positive),
    "acr_values": Option(
        [], "authentication context classes a step-up accepts (RFC 9470)", list, list_of(str)
    ),
}
"""One entry of ``anomaly.responses``."""

RULE_OPTIONS: OptionSpec = {
    "per": Option("subject", "whose window", str, choices=tuple(per.value for per in Per)),
    "when": Option({}, "feature -> the value it must reach (all of them)", dict),
    "respond": Option([], "names of the responses to fire", list, list_of(str)),
}
"""One entry of ``anomaly.rules``."""

SPECS: Mapping[str, OptionSpec] = {
    "anomaly": OPTIONS,
    "anomaly.responses.NAME": RESPONSE_OPTIONS,
    "anomaly.rules.NAME": RULE_OPTIONS,
}
"""The section's tables, for the options reference."""


@dataclass(frozen=True)
class ResponseSpec:
    """A declared response.

    Attributes:
        name: its name in the policy.
        kind: what it does.
        seconds: how long it holds (lasting kinds).
        per_minute: the throttle's rate.
        acr_values: the step-up's accepted authentication contexts.
    """

    name: str
    kind: ResponseKind
    seconds: int
    per_minute: int
    acr_values: Tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    """A declared rule: fires when every ``when`` feature reaches its value.

    Attributes:
        name: its name in the policy (the trigger in events).
        per: whose window it watches.
        when: feature and threshold pairs.
        respond: the responses it fires.
    """

    name: str
    per: Per
    when: Tuple[Tuple[Feature, float], ...]
    respond: Tuple[ResponseSpec, ...]


Hook = Callable[[Any], None]


@dataclass(frozen=True)
class Settings:
    """The validated ``anomaly`` section.

    Attributes:
        window_seconds, storage, namespace: the windows.
        model_file: the model's path (resolved against the policy file), if any.
        model_threshold: the score at which the model fires for both kinds of key (``None``:
            the file's threshold of each kind).
        model_respond: the responses of the model.
        rules: the rules.
        hook: the escalation hook, if any.
    """

    window_seconds: int
    storage: str
    namespace: str
    model_file: Optional[Path]
    model_threshold: Optional[float]
    model_respond: Tuple[ResponseSpec, ...]
    rules: Tuple[Rule, ...]
    hook: Optional[Hook] = None


def _fail(error: ConfigError) -> PolicyError:
    return PolicyError(error.key, error.problem, error.allowed)


def parse(section: Any, base: Path = Path(".")) -> Settings:
    """Validate the ``anomaly`` section; ``base`` is the policy file's directory.

    Raises:
        PolicyError: naming the key path of the first mistake.
    """
    try:
        top = resolve(OPTIONS, section, owner="anomaly")
        responses = {}
        for name, body in top["responses"].items():
            spec = resolve(RESPONSE_OPTIONS, body, owner=f"anomaly.responses.{name}")
            kind = ResponseKind(spec["do"])
            if kind is ResponseKind.STEP_UP and not spec["acr_values"]:
                raise ConfigError(f"anomaly.responses.{name}.acr_values", "a step-up needs one")
            values = (name, kind, spec["seconds"], spec["per_minute"], tuple(spec["acr_values"]))
            responses[name] = ResponseSpec(*values)
        rules = tuple(_rule(name, body, responses) for name, body in top["rules"].items())
        respond = _responses(top["model_respond"], responses, "anomaly.model_respond")
        if top["model"] is not None and not respond:
            raise ConfigError("anomaly.model_respond", "a model needs at least one response")
        hook = _hook(top["escalation_hook"]) if top["escalation_hook"] else None
    except ConfigError as error:
        raise _fail(error) from None
    model = top["model"]
    return Settings(
        window_seconds=top["window_seconds"],
        storage=top["storage"],
        namespace=top["namespace"],
        model_file=None if model is None else base / model,
        model_threshold=top["model_threshold"],
        model_respond=respond,
        rules=rules,
        hook=hook,
    )


def _responses(
    names: Any, responses: Mapping[str, ResponseSpec], path: str
) -> Tuple[ResponseSpec, ...]:
    for index, name in enumerate(names):
        if name not in responses:
            raise ConfigError(f"{path}[{index}]", f"unknown response {name!r}", sorted(responses))
    return tuple(responses[name] for name in names)


def _rule(name: str, body: Any, responses: Mapping[str, ResponseSpec]) -> Rule:
    path = f"anomaly.rules.{name}"
    spec = resolve(RULE_OPTIONS, body, owner=path)
    names = [feature.value for feature in Feature]
    when = []
    for feature, value in spec["when"].items():
        if feature not in names:
            raise ConfigError(f"{path}.when.{feature}", "unknown feature", names)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ConfigError(f"{path}.when.{feature}", "expected a number greater than 0")
        when.append((Feature(feature), float(value)))
    if not when:
        raise ConfigError(f"{path}.when", "a rule needs at least one feature")
    respond = _responses(spec["respond"], responses, f"{path}.respond")
    if not respond:
        raise ConfigError(f"{path}.respond", "a rule needs at least one response")
    return Rule(name, Per(spec["per"]), tuple(when), respond)


def _hook(path: str) -> Hook:
    module, _, name = path.partition(":")
    try:
        hook = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError, ValueError):
        raise ConfigError("anomaly.escalation_hook", "expected 'module:function'") from None
    if not callable(hook):
        raise ConfigError("anomaly.escalation_hook", "not callable")
    return hook  # type: ignore[no-any-return]
