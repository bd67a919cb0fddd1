"""``InjectionScreen``: a Rasa 3.6 NLU component that screens every message for injection.

Put it after the intent classifier (and after entity extractors, whose entities it drops
from blocked messages)::

    pipeline:
      - name: WhitespaceTokenizer
      ...
      - name: DIETClassifier
      - name: rasa_secure.nlu.injection_screen.InjectionScreen
        blocked_intent: security_threat
        thresholds: {sql_injection: {block: 0.7}}
        allow_list: ["^/\\w+$"]

For every message it runs :class:`rasa_secure.core.injection.InjectionDetector` and:

* records the verdict as the output property ``security`` (``verdict``, ``score``,
  ``categories``, ``reasons``), so Rasa stores it in the ``parse_data`` of the user event and
  the action server sees it in ``tracker.latest_message``;
* on ``block``: replaces the intent with ``blocked_intent`` (confidence 1.0, first in the
  ranking, the previous ranking kept below it with its confidences) and drops every entity,
  so no slot is ever filled from attack text;
* on ``flag``: only annotates;
* records an audit event (never the text) for ``flag`` and ``block``, naming the subject
  by its pseudonym when the message carries the identity ``SecureRestInput`` attested
  (:func:`rasa_secure.core.identity.audit.attested_subject`).

When Rasa loads it, it runs the start-up checks of :mod:`rasa_secure.startup` once per
process (a warning when Rasa's telemetry is on or ``RASA_SECURE_AUDIT_KEY`` is missing).

Messages starting with ``/`` (intent triggers sent by buttons) are screened like any other
text. Training data is untouched (the component is not trainable), so ``rasa train`` runs
exactly as before. If screening itself fails on a message, the component fails closed: the
message is blocked with the reason ``screen_error``.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Mapping

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    METADATA,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from rasa_secure.config import Option, OptionSpec, defaults, resolve
from rasa_secure.core.identity import audit
from rasa_secure.core.injection import OPTIONS as DETECTOR_OPTIONS
from rasa_secure.core.injection import InjectionDetector, Reason, ScreenDecision, Verdict
from rasa_secure.monitoring.metrics import timed
from rasa_secure.nlu.intent import replace_intent
from rasa_secure.startup import check_deployment

logger = logging.getLogger(__name__)

SECURITY_PROPERTY = "security"
COMPONENT_NAME = "InjectionScreen"


def _intent_name(value: Any) -> Any:
    return None if value.strip() else "must not be empty"


COMPONENT_OPTIONS: OptionSpec = {
    "blocked_intent": Option(
        "security_threat",
        "intent that replaces the prediction of a blocked message",
        str,
        _intent_name,
    ),
    "keep_ranking": Option(
        True, "keep the classifier's ranking below the blocked intent (for analysis)", bool
    ),
}

OPTIONS: OptionSpec = {**DETECTOR_OPTIONS, **COMPONENT_OPTIONS}
"""Every option of the core detector (thresholds, allow_list, max_length...) plus ours."""


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class InjectionScreen(GraphComponent):
    """Screen messages for injection attacks; annotate, and on block override the intent."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """The defaults of every option (see ``docs/components/injection-screen.md``)."""
        return defaults(OPTIONS)

    def __init__(self, config: Mapping[str, Any]) -> None:
        """Validate the configuration and load the detector.

        Raises:
            ConfigError: an unknown key or an invalid value, named
                (e.g. ``InjectionScreen.thresholds``).
        """
        self.config = resolve(OPTIONS, config, owner=COMPONENT_NAME)
        detector_config = {key: self.config[key] for key in DETECTOR_OPTIONS}
        self.detector = InjectionDetector(detector_config, owner=COMPONENT_NAME)
        self.blocked_intent: str = self.config["blocked_intent"]

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> InjectionScreen:
        """Create the component (Rasa calls this for training and for inference).

        Also runs the start-up checks once per process (telemetry, audit key; see
        :mod:`rasa_secure.startup`).
        """
        check_deployment()
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        """Screen every message in place and return them."""
        for message in messages:
            with timed(COMPONENT_NAME):
                self.screen(message)
        return messages

    def screen(self, message: Message) -> Verdict:
        """Screen one message: annotate it and, on block, override intent and entities."""
        text = message.get(TEXT)
        if not isinstance(text, str):
            text = ""
        try:
            verdict = self.detector.detect(text)
        except Exception as error:  # fail closed: an unscreened message is not trusted
            logger.error("injection screening failed (%s); blocking", error.__class__.__name__)
            reason = Reason("screen_error", "", 1.0, "raw", None, error.__class__.__name__)
            verdict = Verdict(ScreenDecision.BLOCK, 1.0, (), (reason,), {})
        message.set(SECURITY_PROPERTY, verdict.to_dict(), add_to_output=True)
        if verdict.decision is ScreenDecision.BLOCK:
            self._block(message)
        if verdict.decision is not ScreenDecision.ALLOW:
            audit.record(
                COMPONENT_NAME,
                verdict.decision.value,
                subject=audit.attested_subject(message.get(METADATA)),
                categories=verdict.categories,
                reasons=tuple(dict.fromkeys(r.source for r in verdict.reasons)),
                score=verdict.score,
            )
        return verdict

    def _block(self, message: Message) -> None:
        replace_intent(message, self.blocked_intent, keep_ranking=self.config["keep_ranking"])
        message.set(ENTITIES, [], add_to_output=True)
