"""``PIIDetector``: a Rasa 3.6 NLU component that finds personal data in user messages.

Put it first in the pipeline, before the tokenizer::

    pipeline:
      - name: rasa_secure.nlu.pii_detector.PIIDetector
        rasa_entities: {EMAIL_ADDRESS: email}   # a form can still collect the e-mail
        mask_text: true                         # intent models never see raw PII
      - name: WhitespaceTokenizer
      ...

For every message it:

* records the findings as the output property ``pii``: a list of ``{type, start, end, score,
  recognizer}`` with offsets into the original text, never the value;
* optionally adds Rasa entities for the types in ``rasa_entities`` (entity value = the real
  value, which a form needs; the secure tracker store redacts it at rest);
* optionally (``mask_text``) replaces the message text with a masked one
  (``my email is <EMAIL_ADDRESS>``) for every later component. Training examples are masked
  the same way in ``process_training_data`` (registered as a message featurizer, so Rasa runs
  it on the training data too), so intent models train and predict on the same kind of text.

With ``mask_text``, the parse data ``text`` is the masked text and every entity offset
(ours and those of later extractors) points into it; the original text stays only in Rasa's
``UserUttered`` event, which the secure tracker store redacts before persisting. Messages that
start with ``/`` (intent triggers from buttons) are never masked, because Rasa parses their
JSON. Annotated training entities that overlap masked PII are moved onto the placeholder,
or dropped when this component emits that entity itself (so DIET does not learn to extract a
placeholder as a value).

If detection fails on a message, the component fails safe: no entities, ``pii_failed: true``
in the parse data, an audit record, and with ``mask_text`` the whole text becomes
``<REDACTED>``.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Mapping, Optional, Sequence

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ENTITIES, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_secure.config import Option, OptionSpec, defaults, resolve
from rasa_secure.core.identity import audit
from rasa_secure.core.pii import OPTIONS as DETECTOR_OPTIONS
from rasa_secure.core.pii import PIIAnalyzer, PIIFinding
from rasa_secure.core.redaction import Redaction, Redactor
from rasa_secure.errors import ConfigError
from rasa_secure.monitoring.metrics import timed

logger = logging.getLogger(__name__)

PII_PROPERTY = "pii"
FAILED_PROPERTY = "pii_failed"
EXTRACTOR_NAME = "PIIDetector"


def _entity_names(value: Any) -> Optional[str]:
    if not all(isinstance(k, str) and isinstance(v, str) and v for k, v in value.items()):
        return "must map names to names, e.g. {EMAIL_ADDRESS: email}"
    return None


def _types(value: Any) -> Optional[str]:
    if not all(isinstance(item, str) for item in value):
        return "must be a list of entity types"
    return None


COMPONENT_OPTIONS: OptionSpec = {
    "rasa_entities": Option(
        {},
        "entity type -> Rasa entity name emitted with the real value, e.g. EMAIL_ADDRESS: email",
        dict,
        _entity_names,
    ),
    "mask_text": Option(False, "hand later components the text with placeholders", bool),
    "mask_entities": Option([], "entity types to mask; empty means every type found", list, _types),
    "slot_types": Option(
        {},
        "slot -> entity type: while a form asks for the slot, a value of that type is judged "
        "as that type first (recipient_account: BANK_ACCOUNT keeps an account number from "
        "being taken for a phone number)",
        dict,
        _entity_names,
    ),
    "failure_text": Option(
        "<REDACTED>", "the message text when detection fails and mask_text is on", str
    ),
}

OPTIONS: OptionSpec = {**DETECTOR_OPTIONS, **COMPONENT_OPTIONS}
"""Every key of the core detector (languages, countries, spacy_model...) plus ours."""


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class PIIDetector(GraphComponent):
    """Find PII in messages; record it, emit entities, mask the text (see module docs)."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """The defaults of every option (see ``docs/components/pii-detector.md``)."""
        return defaults(OPTIONS)

    def __init__(self, config: Mapping[str, Any]) -> None:
        """Validate the configuration; the detector loads on first use, or now when
        ``slot_types`` is set (its types are checked against the types it reports).

        Raises:
            ConfigError: an unknown key or an invalid value, named.
        """
        self.config = resolve(OPTIONS, config, owner=EXTRACTOR_NAME)
        detector_config = {key: self.config[key] for key in DETECTOR_OPTIONS}
        self.detector = PIIAnalyzer(detector_config)
        self.redactor = Redactor({"default": {"operator": "placeholder", "style": "type"}})
        self.rasa_entities: Dict[str, str] = dict(self.config["rasa_entities"])
        self.mask_types = frozenset(self.config["mask_entities"])
        self.slot_types: Dict[str, str] = dict(self.config["slot_types"])
        if self.slot_types:
            self._check_slot_types()
        unknown = set(self.rasa_entities) & set(self.detector.config["exclude_entities"])
        if unknown:
            raise ConfigError(
                f"{EXTRACTOR_NAME}.rasa_entities",
                f"{sorted(unknown)} are listed in exclude_entities and never found",
            )

    def _check_slot_types(self) -> None:
        """Each slot's type must be one the detector reports (this loads the detector)."""
        allowed = self.detector.supported_entities()
        for slot, entity in self.slot_types.items():
            if entity not in allowed:
                raise ConfigError(
                    f"{EXTRACTOR_NAME}.slot_types.{slot}",
                    f"{entity!r} is not an entity type this detector reports",
                    allowed,
                )

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PIIDetector:
        """Create the component (Rasa calls this for training and for inference)."""
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Mask training examples exactly as messages are masked at inference.

        Raises:
            DetectionError: detection failed; training stops rather than train on raw PII.
        """
        if not self.config["mask_text"]:
            return training_data
        for example in training_data.training_examples:
            text = example.get(TEXT)
            if not isinstance(text, str) or not text or text.startswith(INTENT_MESSAGE_PREFIX):
                continue
            findings = self.detector.detect(text)
            redaction = self._mask(text, findings)
            if not redaction.items:
                continue
            example.set(TEXT, redaction.text)
            entities = example.get(ENTITIES)
            if entities:
                example.set(ENTITIES, self._remap_annotations(entities, findings, redaction))
        return training_data

    def process(
        self, messages: List[Message], tracker: Optional[DialogueStateTracker] = None
    ) -> List[Message]:
        """Record findings, emit entities and mask the text of each message.

        ``tracker`` (Rasa passes the conversation's) says which slot an active form asks
        for; its type in ``slot_types`` is the type the detector judges the answer by first.
        """
        expected = self._expected_type(tracker)
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str) and text:
                with timed(EXTRACTOR_NAME):
                    self._process_one(message, text, expected)
        return messages

    def _expected_type(self, tracker: Optional[DialogueStateTracker]) -> Optional[str]:
        if tracker is None or not self.slot_types or tracker.active_loop_name is None:
            return None
        requested = tracker.get_slot(REQUESTED_SLOT)
        return self.slot_types.get(requested) if isinstance(requested, str) else None

    def _process_one(self, message: Message, text: str, expected: Optional[str]) -> None:
        try:
            findings = self.detector.detect(text, expected)
        except Exception as error:  # fail safe: report, redact more
            audit.record(
                EXTRACTOR_NAME,
                "error",
                subject=audit.attested_subject(message.get(METADATA)),
                reasons=("detection_failed", error.__class__.__name__),
            )
            message.set(PII_PROPERTY, [], add_to_output=True)
            message.set(FAILED_PROPERTY, True, add_to_output=True)
            if self.config["mask_text"] and not text.startswith(INTENT_MESSAGE_PREFIX):
                message.set(TEXT, self.config["failure_text"])
            return
        message.set(PII_PROPERTY, [f.to_wire() for f in findings], add_to_output=True)
        message.set(FAILED_PROPERTY, False, add_to_output=True)
        masked = self.config["mask_text"] and not text.startswith(INTENT_MESSAGE_PREFIX)
        redaction = self._mask(text, findings) if masked else Redaction(text=text)
        entities = self._entities(text, findings, redaction)
        if entities:
            message.set(ENTITIES, [*message.get(ENTITIES, []), *entities], add_to_output=True)
        if redaction.items:
            message.set(TEXT, redaction.text)

    def _mask(self, text: str, findings: Sequence[PIIFinding]) -> Redaction:
        chosen = [f for f in findings if not self.mask_types or f.entity_type in self.mask_types]
        return self.redactor.redact(text, chosen)

    def _entities(
        self, text: str, findings: Sequence[PIIFinding], redaction: Redaction
    ) -> List[Dict[str, Any]]:
        entities = []
        for finding in findings:
            name = self.rasa_entities.get(finding.entity_type)
            if name is None:
                continue
            entities.append(
                {
                    "entity": name,
                    "start": redaction.redacted_offset(finding.start, end=False),
                    "end": redaction.redacted_offset(finding.end, end=True),
                    "value": text[finding.start : finding.end],
                    "confidence_entity": finding.score,
                    "extractor": EXTRACTOR_NAME,
                }
            )
        return entities

    def _remap_annotations(
        self,
        entities: Sequence[Dict[str, Any]],
        findings: Sequence[PIIFinding],
        redaction: Redaction,
    ) -> List[Dict[str, Any]]:
        types = {(f.start, f.end): f.entity_type for f in findings}
        remapped = []
        for entity in entities:
            start, end = entity["start"], entity["end"]
            hit = [i for i in redaction.items if i.start < end and start < i.end]
            if any(self.rasa_entities.get(types.get((i.start, i.end), "")) for i in hit):
                continue  # emitted by this component at inference
            new_start = redaction.redacted_offset(start, end=False)
            new_end = redaction.redacted_offset(end, end=True)
            updated = dict(entity, start=new_start, end=new_end)
            if hit:
                updated["value"] = redaction.text[new_start:new_end]
            remapped.append(updated)
        return remapped


__all__ = ["OPTIONS", "PII_PROPERTY", "PIIDetector"]
