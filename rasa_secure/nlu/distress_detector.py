"""``DistressDetector``: a Rasa 3.6 NLU component that reads how the customer is doing.

Put it anywhere in the pipeline (it reads the text and writes one property); with a
``PIIDetector`` masking the text, after it is fine, because no cue needs personal data::

    pipeline:
      - name: rasa_secure.nlu.pii_detector.PIIDetector
      ...
      - name: rasa_secure.nlu.distress_detector.DistressDetector
        thresholds: {fraud_victim: 0.7}

For every message it runs :class:`rasa_secure.core.distress.DistressDetector` and records the
result as the output property ``distress``: ``sentiment`` (-1..1), ``sentiment_label``,
``categories`` (those at or above their threshold), ``scores`` (every category),
``priority`` (``normal``, ``high``, ``urgent``), ``handoff`` (``coercion``, ``distress`` or
null) and ``cues`` (which cues matched, as offsets, never text). Rasa stores it in the
``parse_data`` of the user event, so the action server reads it in
``tracker.latest_message["distress"]``. It never blocks, and it changes the intent only
where ``intents`` says so: what to do (raise the priority, hold a payment, hand over) is the
assistant's policy.

``intents`` maps categories to an intent that replaces the classifier's prediction when the
category is detected (confidence 1.0, the classifier's ranking kept below it, entities kept),
so that a rule can answer at once whatever the customer's words were classified as::

      - name: rasa_secure.nlu.distress_detector.DistressDetector
        intents: {self_harm_or_crisis: crisis}   # a rule: crisis -> help now, then a person

With several mapped categories detected, the most urgent one's intent wins. Put the detector
after the intent classifiers (and before the ``InjectionScreen``, which has the final say).

A message whose priority reaches ``handoff_from`` (``high`` by default) is also marked for a
handoff (:func:`~rasa_secure.core.handoff.handoff_hint` under ``rasa_secure_handoff``):
reason ``coercion`` or ``distress``, and its priority. When that message leads to
``action_handoff``, the handoff takes that reason; a later handoff of the same conversation
is at least that urgent. The mark asks for nothing by itself.

A message with a detected category gets an audit record (decision ``flag``, the categories,
the highest score; never the text). If detection fails, the message carries
``distress: null`` and ``distress_failed: true`` and an audit record says so.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Mapping, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message

from rasa_secure.config import Option, OptionSpec, defaults, resolve
from rasa_secure.core.distress import COMPONENT_NAME, DistressCategory, DistressResult
from rasa_secure.core.distress import OPTIONS as DETECTOR_OPTIONS
from rasa_secure.core.distress import DistressDetector as CoreDetector
from rasa_secure.core.distress.options import per_category
from rasa_secure.core.handoff import HINT_KEY, HandoffReason, Priority, handoff_hint
from rasa_secure.core.identity import audit
from rasa_secure.monitoring.metrics import timed
from rasa_secure.nlu.intent import replace_intent

logger = logging.getLogger(__name__)

DISTRESS_PROPERTY = "distress"
FAILED_PROPERTY = "distress_failed"


def _intent_name(category: str, intent: Any) -> Optional[str]:
    if not isinstance(intent, str) or not intent.strip():
        return f"{category}: expected an intent name"
    return None


OPTIONS: OptionSpec = {
    **DETECTOR_OPTIONS,
    "intents": Option(
        {},
        "category -> intent that replaces the classifier's prediction when it is detected "
        "(e.g. {self_harm_or_crisis: crisis}); {}: the intent is never changed",
        dict,
        per_category(_intent_name),
    ),
    "handoff_from": Option(
        Priority.HIGH.value,
        "lowest priority (normal, high, urgent) at which a message is marked for a handoff; "
        "null: never",
        (str, type(None)),
        choices=(None, *(priority.value for priority in Priority)),
    ),
}
"""The core detector's options (thresholds, priorities, negative_priority...),
``handoff_from`` and ``intents``."""


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DistressDetector(GraphComponent):
    """Annotate messages with sentiment and distress categories (see module docs)."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """The defaults of every option (see ``docs/components/distress-detector.md``)."""
        return defaults(OPTIONS)

    def __init__(self, config: Mapping[str, Any]) -> None:
        """Validate the configuration and load the cue table and the sentiment model.

        Raises:
            ConfigError: an unknown key or an invalid value, named
                (e.g. ``DistressDetector.thresholds``).
        """
        self.config = resolve(OPTIONS, config, owner=COMPONENT_NAME)
        core = {key: value for key, value in self.config.items() if key in DETECTOR_OPTIONS}
        self.detector = CoreDetector(core, owner=COMPONENT_NAME)
        start = self.config["handoff_from"]
        self.handoff_from = None if start is None else Priority(start)
        self.intents: Dict[DistressCategory, str] = {
            DistressCategory(category): str(intent)
            for category, intent in self.config["intents"].items()
        }

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DistressDetector:
        """Create the component (Rasa calls this for training and for inference)."""
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        """Annotate every message in place and return them."""
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str) and text:
                with timed(COMPONENT_NAME):
                    self.annotate(message, text)
        return messages

    def annotate(self, message: Message, text: str) -> None:
        """Detect, store the result on ``message`` and audit a detection."""
        subject = audit.attested_subject(message.get(METADATA))
        try:
            result = self.detector.detect(text)
        except Exception as error:  # never block a customer over a failed annotation
            logger.error("distress detection failed (%s)", error.__class__.__name__)
            message.set(DISTRESS_PROPERTY, None, add_to_output=True)
            message.set(FAILED_PROPERTY, True, add_to_output=True)
            audit.record(
                COMPONENT_NAME,
                audit.AuditDecision.ERROR,
                subject=subject,
                reasons=("detection_failed", error.__class__.__name__),
            )
            return
        message.set(DISTRESS_PROPERTY, result.to_dict(), add_to_output=True)
        message.set(FAILED_PROPERTY, False, add_to_output=True)
        if result.distressed:
            intent = self._intent(result)
            self._audit(result, subject, intent)
            if self.handoff_from is not None and result.priority.rank >= self.handoff_from.rank:
                reason = result.handoff or HandoffReason.DISTRESS
                message.set(HINT_KEY, handoff_hint(reason, result.priority), add_to_output=True)
            if intent is not None:
                replace_intent(message, intent)

    def _intent(self, result: DistressResult) -> Optional[str]:
        """The ``intents`` entry of the most urgent detected category that has one."""
        priorities = self.detector.priorities
        mapped = [c for c in result.categories if c in self.intents]
        if not mapped:
            return None
        most = max(mapped, key=lambda c: (priorities[c].rank, result.scores[c]))
        return self.intents[most]

    @staticmethod
    def _audit(result: DistressResult, subject: Any, intent: Optional[str]) -> None:
        audit.record(
            COMPONENT_NAME,
            audit.AuditDecision.FLAG,
            subject=subject,
            categories=tuple(category.value for category in result.categories),
            reasons=(f"priority:{result.priority.value}",)
            + (() if result.handoff is None else (f"handoff:{result.handoff.value}",))
            + (() if intent is None else (f"intent:{intent}",)),
            score=max(result.scores[category] for category in result.categories),
        )


__all__ = ["DISTRESS_PROPERTY", "FAILED_PROPERTY", "OPTIONS", "DistressDetector"]
