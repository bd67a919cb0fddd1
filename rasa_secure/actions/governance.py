"""Which actions the guarded action server runs: only those the policy governs.

rasa-sdk registers every ``Action`` subclass loaded in the process. Deny by default in
:class:`~rasa_secure.actions.secure_action.SecureAction` protects nothing if a plain
``rasa_sdk.Action`` sits next to it: that one runs for anyone and sends its replies back
unredacted. So the guarded server (:func:`~rasa_secure.actions.server_auth.attach`, used by
``rasa-secure actions`` and the rasa-sdk plugin hook) checks every registered action when it
starts. An action is *governed* when

1. it is a ``SecureAction`` or a ``SecureFormValidationAction`` (identity, policy check,
   filtered tracker, checked slot writes, redacted replies),
2. it does not override ``run`` (where those checks happen), and
3. the policy of its guard names it (an action the policy does not name is refused to
   everyone: a typo, not a protection).

Any other action stops the server at start-up with a :class:`~rasa_secure.errors.ConfigError`
naming each one and why. A deployment that must keep such actions opts out with
``allow_ungoverned_actions_unsafe: true`` (``--allow-ungoverned-actions-unsafe``): they then
run for any caller, their slot writes are not checked, but their replies pass the same
redaction as a ``SecureAction``'s (slot values as the caller's roles may see them, where no
role reaches the record: withheld; then the PII pass), and every run leaves an audit record.
The same check runs on every call, so an action that appears later (``--auto-reload``) is
refused too.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher
from rasa_sdk.interfaces import ActionExecutionRejection

from rasa_secure.actions.guard import ActionGuard
from rasa_secure.actions.secure_action import SecureAction, emit
from rasa_secure.actions.secure_form import SecureFormValidationAction
from rasa_secure.core.identity import AuditDecision, Identity, audit
from rasa_secure.errors import AuthenticationError, ConfigError

logger = logging.getLogger(__name__)

COMPONENT = "ActionGovernance"
UNSAFE_OPTION = "allow_ungoverned_actions_unsafe"
"""The option (and, with dashes, the ``rasa-secure actions`` flag) that lets them run."""


class Ungoverned(enum.Enum):
    """Why the policy does not govern an action."""

    NOT_SECURE = "not_secure_action"
    """Not a ``SecureAction`` or ``SecureFormValidationAction``: nothing checks the caller."""
    OVERRIDES_RUN = "overrides_run"
    """A secure action class that overrides ``run``, where the checks happen."""
    NOT_IN_POLICY = "not_in_policy"
    """A secure action whose name the policy does not mention."""

    @property
    def explanation(self) -> str:
        """The reason in words, for the start-up error."""
        return _EXPLANATIONS[self]


_EXPLANATIONS = {
    Ungoverned.NOT_SECURE: "not a SecureAction or SecureFormValidationAction",
    Ungoverned.OVERRIDES_RUN: "overrides run(), where SecureAction checks the caller",
    Ungoverned.NOT_IN_POLICY: "not named in the policy",
}


@dataclass(frozen=True)
class UngovernedAction:
    """A registered action the policy does not govern.

    Attributes:
        name: the action's name.
        reason: why it is not governed.
    """

    name: str
    reason: Ungoverned

    def __str__(self) -> str:
        return f"{self.name} ({self.reason.explanation})"


def ungoverned_reason(name: str, function: Callable[..., Any]) -> Optional[Ungoverned]:
    """Why the registered ``function`` of action ``name`` is not governed, or ``None``.

    ``function`` is what rasa-sdk's executor calls: the bound ``run`` of an action instance
    (or a plain function registered with ``register_function``).

    Raises:
        ConfigError: the guard of a secure action cannot be built (no policy configured).
    """
    action = getattr(function, "__self__", None)
    if not isinstance(action, (SecureAction, SecureFormValidationAction)):
        return Ungoverned.NOT_SECURE
    guarded_run = (
        SecureAction.run if isinstance(action, SecureAction) else SecureFormValidationAction.run
    )
    if getattr(function, "__func__", None) is not guarded_run:
        return Ungoverned.OVERRIDES_RUN
    if name not in action.get_guard().policy.actions:
        return Ungoverned.NOT_IN_POLICY
    return None


def find_ungoverned(actions: Mapping[str, Callable[..., Any]]) -> List[UngovernedAction]:
    """The actions among rasa-sdk's registered ``actions`` that the policy does not govern."""
    found = [
        UngovernedAction(name, reason)
        for name, function in sorted(actions.items())
        if (reason := ungoverned_reason(name, function)) is not None
    ]
    return found


def action_executor(app: Any) -> ActionExecutor:
    """The ``ActionExecutor`` behind the ``/webhook`` route of a rasa-sdk Sanic ``app``.

    rasa-sdk's ``create_app`` keeps it in its route handlers only; it is read from there.

    Raises:
        ConfigError: no executor found (not a rasa-sdk app, or an unknown rasa-sdk layout):
            the server cannot know which actions it would run, so it does not start.
    """
    for route in app.router.routes:
        for cell in getattr(route.handler, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if isinstance(value, ActionExecutor):
                return value
    raise ConfigError(
        COMPONENT,
        "no rasa-sdk action executor found in the app (build it with "
        "rasa_sdk.endpoint.create_app); the guard cannot check which actions it runs",
    )


class Governance:
    """Runs only governed actions; redacts the replies of ungoverned ones when allowed.

    Built by :func:`govern`; wraps the executor's ``run``.

    Args:
        executor: rasa-sdk's executor of the app.
        allow_unsafe: run ungoverned actions (replies redacted) instead of refusing them.
        guard: the guard whose policy and redaction apply to ungoverned actions' replies
            (``None``: :meth:`ActionGuard.default`, built when first needed).
    """

    def __init__(
        self, executor: ActionExecutor, *, allow_unsafe: bool, guard: Optional[ActionGuard]
    ) -> None:
        self._executor = executor
        self._allow_unsafe = allow_unsafe
        self._guard = guard
        self._run: Callable[[Any], Awaitable[Optional[Dict[str, Any]]]] = executor.run

    def check(self) -> List[UngovernedAction]:
        """Check the registered actions at start-up.

        Returns:
            the ungoverned actions allowed to run (empty unless ``allow_unsafe``).

        Raises:
            ConfigError: an action is not governed and ``allow_unsafe`` is off, or it is on
                and no guard can be built for redacting their replies.
        """
        ungoverned = find_ungoverned(self._executor.actions)
        if not ungoverned:
            return []
        names = "; ".join(map(str, ungoverned))
        if not self._allow_unsafe:
            raise ConfigError(
                f"ActionServerAuth.{UNSAFE_OPTION}",
                f"the action server would run actions the policy does not govern: {names}. "
                "Make them SecureActions granted in the policy, or start with "
                f"--{UNSAFE_OPTION.replace('_', '-')} to run them for any caller with only "
                "their replies redacted",
            )
        self.guard()
        logger.warning(
            "%s: running actions the policy does not govern, for any caller: %s",
            UNSAFE_OPTION,
            names,
        )
        return ungoverned

    def guard(self) -> ActionGuard:
        """The guard for ungoverned actions' replies.

        Raises:
            ConfigError: no SecureAction configuration in the environment.
        """
        if self._guard is None:
            self._guard = ActionGuard.default()
        return self._guard

    async def run(self, action_call: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        """rasa-sdk's ``executor.run``, for governed actions only (see the module docstring).

        Raises:
            ActionExecutionRejection: the action is not governed (rasa-sdk answers 400).
        """
        name = action_call.get("next_action")
        function = self._executor.actions.get(name) if isinstance(name, str) else None
        if not isinstance(name, str) or function is None:  # rasa-sdk answers: none, not found
            return await self._run(action_call)
        reason = ungoverned_reason(name, function)
        if reason is None:
            return await self._run(action_call)
        if not self._allow_unsafe:
            audit.record(
                COMPONENT, AuditDecision.DENY, action=name, reasons=("ungoverned", reason.value)
            )
            raise ActionExecutionRejection(name, f"action {name} is not governed by the policy")
        result = await self._run(action_call)
        audit.record(
            COMPONENT, AuditDecision.ALLOW, action=name, reasons=(UNSAFE_OPTION, reason.value)
        )
        return self._redact(name, action_call, result)

    def _redact(
        self, action: str, action_call: Dict[str, Any], result: Optional[Dict[str, Any]]
    ) -> Optional[Dict[str, Any]]:
        """``result`` with its replies redacted as a SecureAction's would be."""
        if not result or not result.get("responses"):
            return result
        guard = self.guard()
        tracker = Tracker.from_dict(action_call["tracker"])
        identity: Optional[Identity]
        try:
            identity = guard.identify(tracker)
        except AuthenticationError:
            identity = None  # no role reaches anything: every slot value is withheld
        dispatcher = CollectingDispatcher()
        events = result.get("events") or []
        emit(guard, dispatcher, result["responses"], identity, tracker, events, action=action)
        return {**result, "responses": dispatcher.messages}


def govern(
    app: Any, *, allow_unsafe: bool = False, guard: Optional[ActionGuard] = None
) -> Governance:
    """Check the actions of a rasa-sdk ``app`` and make its executor run governed ones only.

    Raises:
        ConfigError: see :meth:`Governance.check` and :func:`action_executor`.
    """
    executor = action_executor(app)
    governance = Governance(executor, allow_unsafe=allow_unsafe, guard=guard)
    governance.check()
    executor.run = governance.run
    return governance
