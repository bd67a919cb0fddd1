"""The anomaly monitor: signals in, rules and the model scored, responses out.

:class:`Monitor` adds every signal to the windows of its keys
(:mod:`~rasa_secure.monitoring.anomaly.windows`), computes the features of each window,
evaluates the rules that watch that kind of key and scores the model (if one is
configured), and fires the responses of what triggered: each response is an audit record of
the component ``AnomalyMonitor`` (so it reaches the SIEM, the metrics and the chain), lasting
ones are stored in the shared state, and an escalation calls the configured hook.
:meth:`Monitor.check` is what the admission gate asks before it admits a message.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from rasa_secure.config import read_yaml
from rasa_secure.core.identity import AuditDecision, AuditRecord, audit
from rasa_secure.errors import PolicyError
from rasa_secure.monitoring.anomaly import settings as settings_module
from rasa_secure.monitoring.anomaly.forest import Forest
from rasa_secure.monitoring.anomaly.settings import (
    Per,
    ResponseKind,
    ResponseSpec,
    Rule,
    Settings,
)
from rasa_secure.monitoring.anomaly.signals import MONITOR_COMPONENT, Signal, from_record
from rasa_secure.monitoring.anomaly.state import ActiveResponse, State, state_for
from rasa_secure.monitoring.anomaly.windows import (
    Feature,
    Features,
    Windows,
    windows_for,
)

logger = logging.getLogger(__name__)
signal_logger = logging.getLogger("rasa_secure.anomaly.signals")
"""Every signal as a JSON line at DEBUG (PII-free): route it to a file to fit a model (the
shipped logging YAML does with ``RASA_SECURE_ANOMALY_SIGNALS``). Written only when the logger
is enabled for DEBUG and has a handler other than a null one when the monitor is built."""

MODEL_TRIGGER = "model"
"""The trigger name of the model in events."""

_DECISION = {
    ResponseKind.FLAG: AuditDecision.FLAG,
    ResponseKind.ESCALATE: AuditDecision.FLAG,
    ResponseKind.THROTTLE: AuditDecision.DENY,
    ResponseKind.STEP_UP: AuditDecision.DENY,
    ResponseKind.LOCK_OUT: AuditDecision.DENY,
}


@dataclass(frozen=True)
class Trigger:
    """A rule or the model firing for one key.

    Attributes:
        name: the rule's name, or ``model``.
        key: the pseudonym whose window fired.
        features: the window's features when it fired.
        score: the model's score (``None`` for a rule).
        responses: what it fired.
    """

    name: str
    key: str
    features: Features
    score: Optional[float]
    responses: Tuple[ResponseSpec, ...]


@dataclass(frozen=True)
class Escalation:
    """What the escalation hook is called with (pseudonyms and numbers, never PII).

    Attributes:
        key: the pseudonym of the subject or client address.
        trigger: the rule's name, or ``model``.
        features: the window's features by name.
        score: the model's score, for the model.
        at: when it fired.
    """

    key: str
    trigger: str
    features: Mapping[str, float]
    score: Optional[float]
    at: float


@dataclass(frozen=True)
class Restriction:
    """Why the gate must refuse a message now (the strictest response in force).

    Attributes:
        kind: lock-out, step-up or throttle.
        key: the pseudonym it applies to.
        trigger: what fired it.
        retry_after: whole seconds until it expires (lock-out) or the minute has room.
        acr_values: for a step-up, the accepted authentication contexts.
    """

    kind: ResponseKind
    key: str
    trigger: str
    retry_after: int
    acr_values: Tuple[str, ...] = ()


Clock = Callable[[], float]


class Monitor:
    """Watches signals, fires responses and answers :meth:`check`.

    Args:
        settings: the validated ``anomaly`` section of the policy file.
        windows: where windows live (default: from ``settings.storage``).
        state: where responses in force live (default: from ``settings.storage``).
        model: the forest (default: ``settings.model_file``, if set).
        clock: the time source (a simulation passes its own).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        windows: Optional[Windows] = None,
        state: Optional[State] = None,
        model: Optional[Forest] = None,
        clock: Clock = time.time,
    ) -> None:
        self.settings = settings
        self.windows = windows or windows_for(
            settings.storage, settings.window_seconds, settings.namespace
        )
        self.state = state or state_for(settings.storage, settings.namespace)
        if model is None and settings.model_file is not None:
            model = Forest.load(settings.model_file)
        self.model = model
        self.threshold: Dict[Per, float] = {
            per: settings.model_threshold or value
            for per, value in (model.thresholds if model else {}).items()
        }
        self.clock = clock
        self._log_signals = signal_logger.isEnabledFor(logging.DEBUG) and any(
            not isinstance(handler, logging.NullHandler) for handler in _handlers(signal_logger)
        )
        self._rules: Dict[Per, Tuple[Rule, ...]] = {
            per: tuple(rule for rule in settings.rules if rule.per is per) for per in Per
        }

    @classmethod
    def from_policy(cls, path: Union[str, Path], **kwargs: Any) -> Monitor:
        """The monitor of the ``anomaly`` section of the policy file at ``path``.

        Raises:
            PolicyError: the file or its section is invalid (the key path says where).
        """
        data = read_yaml(path, key=str(path), error=PolicyError)
        section = data.get("anomaly") if isinstance(data, dict) else None
        if section is None:
            raise PolicyError("anomaly", f"the policy has no anomaly section ({path})")
        return cls(settings_module.parse(section, Path(path).parent), **kwargs)

    def install(self) -> Monitor:
        """Watch every audit record from now on (the audit listener), and report the number of
        keys under a lasting response in the metrics; returns ``self``."""
        from rasa_secure.monitoring.metrics import UNDER_RESPONSE

        audit.add_listener(self.on_record)
        UNDER_RESPONSE.set_function(self.under_response)
        return self

    def under_response(self) -> float:
        """How many subjects and addresses a throttle, step-up or lock-out holds now (NaN
        when the state cannot be read)."""
        try:
            return float(len({active.key for active in self.state.all(self.clock())}))
        except Exception as error:  # the Redis client's errors have no common base
            logger.warning("anomaly state unreadable (%s)", type(error).__name__)
            return float("nan")

    def uninstall(self) -> None:
        """Stop watching the audit records."""
        audit.remove_listener(self.on_record)

    def on_record(self, entry: AuditRecord) -> None:
        """The audit listener: observe the record's signal, if it is one."""
        signal = from_record(entry)
        if signal is not None:
            self.observe(signal)

    def observe(self, signal: Signal) -> List[Trigger]:
        """Add ``signal`` to its keys' windows and fire what it triggers."""
        if self._log_signals:
            signal_logger.debug(signal.to_json())
        fired: List[Trigger] = []
        windows = list(self.windows.add(signal).values())
        scores: List[Optional[float]] = [None] * len(windows)
        if self.model is not None and windows:
            scores = self.model.score_many(windows)
        for window, score in zip(windows, scores):
            per = Per.of(window.key) or Per.CLIENT
            for rule in self._rules[per]:
                if all(window[feature] >= value for feature, value in rule.when):
                    fired.extend(self._fire(rule.name, window, None, rule.respond, signal.at))
            if score is not None and score >= self.threshold[per]:
                respond = self.settings.model_respond
                fired.extend(self._fire(MODEL_TRIGGER, window, score, respond, signal.at))
        return fired

    def _fire(
        self,
        name: str,
        window: Features,
        score: Optional[float],
        responses: Tuple[ResponseSpec, ...],
        now: float,
    ) -> List[Trigger]:
        key = window.key
        if not self.state.first_firing(key, name, self.settings.window_seconds, now):
            return []
        for response in responses:
            self._respond(key, name, response, window, score, now)
        return [Trigger(name, key, window, score, responses)]

    def _respond(
        self,
        key: str,
        trigger: str,
        response: ResponseSpec,
        window: Features,
        score: Optional[float],
        now: float,
    ) -> None:
        kind = response.kind
        if kind in settings_module.LASTING:
            self.state.put(ActiveResponse(key, trigger, now + response.seconds, response), now)
        subject = key if Per.of(key) is Per.SUBJECT else None
        audit.emit(
            AuditRecord(
                component=MONITOR_COMPONENT,
                decision=_DECISION[kind],
                subject=subject,
                client=None if subject else key,
                action=kind.value,
                categories=("anomaly",),
                reasons=(trigger, response.name),
                score=None if score is None else round(score, 4),
                timestamp=now,
            )
        )
        if kind is ResponseKind.ESCALATE and self.settings.hook is not None:
            escalation = Escalation(key, trigger, window.as_dict(), score, now)
            try:
                self.settings.hook(escalation)
            except Exception as error:  # a broken hook must not stop the response
                logger.error("escalation hook failed (%s)", type(error).__name__)

    def held(self, client: Optional[str]) -> List[ActiveResponse]:
        """The responses in force on the client address ``client`` (raw), read once so that
        :meth:`check` before and after the token is verified need not read them again."""
        key = audit.client_pseudonym(client)
        return self.state.active([key], self.clock()) if key else []

    def check(
        self,
        subject: Optional[str],
        client: Optional[str],
        acr: Optional[str] = None,
        *,
        held: Optional[Sequence[ActiveResponse]] = None,
    ) -> Optional[Restriction]:
        """The restriction in force for this caller (raw ``subject`` and ``client``), or
        ``None``. A lock-out beats a step-up beats a throttle; a step-up is met by a token
        whose ``acr`` is one of its ``acr_values``. Without a subject (before the token is
        verified) only a lock-out applies: a step-up needs the verified token. ``held``: the
        client address's responses from :meth:`held`, if the caller read them already."""
        now = self.clock()
        key = audit.pseudonym(subject)
        found = [
            *(self.held(client) if held is None else held),
            *(self.state.active([key], now) if key else []),
        ]
        kinds = (ResponseKind.LOCK_OUT, ResponseKind.STEP_UP, ResponseKind.THROTTLE)
        for kind in kinds if subject is not None else kinds[:1]:
            for active in (item for item in found if item.kind is kind and item.until > now):
                restriction = self._restriction(active, acr, now)
                if restriction is not None:
                    return restriction
        return None

    def _restriction(
        self, active: ActiveResponse, acr: Optional[str], now: float
    ) -> Optional[Restriction]:
        remaining = max(1, int(active.until - now + 0.999))
        if active.kind is ResponseKind.LOCK_OUT:
            return Restriction(active.kind, active.key, active.trigger, remaining)
        if active.kind is ResponseKind.STEP_UP:
            if acr is not None and acr in active.response.acr_values:
                return None
            values = active.response.acr_values
            return Restriction(active.kind, active.key, active.trigger, remaining, values)
        window = self.windows.features(active.key, now)
        if window[Feature.BURST] < active.response.per_minute:
            return None
        return Restriction(active.kind, active.key, active.trigger, 60)


def _handlers(start: logging.Logger) -> List[logging.Handler]:
    """The handlers a record of ``start`` reaches (its own, and its ancestors' while it
    propagates)."""
    found: List[logging.Handler] = []
    current: Optional[logging.Logger] = start
    while current is not None:
        found.extend(current.handlers)
        current = current.parent if current.propagate else None
    return found
