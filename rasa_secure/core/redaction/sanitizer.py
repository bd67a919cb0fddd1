"""The :class:`Sanitizer`: detect, redact, fail safe; the one place that does all three.

It runs a :class:`~rasa_secure.core.pii.PIIAnalyzer` and a
:class:`~rasa_secure.core.redaction.redactor.Redactor`, redacting along with the detector's
findings any known from elsewhere (``extra_findings``: the NLU component's, sensitive values),
and fails safe: if detection or redaction raises, the whole text becomes ``<REDACTED>``,
:attr:`Redaction.failed` is set and an audit record reports the failure. Raw text never
leaks because a detector broke. Code that redacts findings it already has (``detect=False``)
goes through it too, for the same fail-safe.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Sequence

from rasa_secure.config import Option, OptionSpec, resolve
from rasa_secure.core.identity import audit
from rasa_secure.core.identity.crypto import Keyring
from rasa_secure.core.redaction.redactor import RedactedItem, Redaction, Redactor
from rasa_secure.errors import InputError, RasaSecureError

if TYPE_CHECKING:  # the PII detector imports the placeholder shapes from this package
    from rasa_secure.core.pii import PIIAnalyzer, PIIFinding

logger = logging.getLogger(__name__)

FAILED_ENTITY = "UNKNOWN"
"""Entity type of the single item of a failed (fully redacted) :class:`Redaction`."""

PATTERN_ONLY: Dict[str, Any] = {
    "detector": {
        "spacy_model": None,
        "entities": [
            "CREDIT_CARD",
            "EMAIL_ADDRESS",
            "IBAN_CODE",
            "US_SSN",
            "PASSWORD",
            "SECRET",
            "PIN",
        ],
    },
    "redaction": {"default": {"operator": "mask"}},
}
"""Sanitizer options that need no spaCy model: pattern recognizers for credentials, cards,
IBANs, SSNs and emails, masked (the default ``pii`` of SecureAction and SecureHandoffInput)."""

OPTIONS: OptionSpec = {
    "detector": Option({}, "PIIAnalyzer options", dict),
    "redaction": Option({}, "Redactor options", dict),
    "failure_text": Option("<REDACTED>", "what a text becomes when detection fails", str),
    "audit_redactions": Option(
        False, "emit an audit record for every redacted text (not only failures)", bool
    ),
}
"""Configuration of :meth:`Sanitizer.from_config`."""


class Sanitizer:
    """Detect and redact in one call, failing safe.

    Attributes:
        detector: the PII detector.
        redactor: the redactor.
        failure_text: the whole text's replacement when anything fails.
    """

    def __init__(
        self,
        detector: PIIAnalyzer,
        redactor: Redactor,
        *,
        failure_text: str = "<REDACTED>",
        audit_redactions: bool = False,
    ) -> None:
        self.detector = detector
        self.redactor = redactor
        self.failure_text = failure_text
        self.audit_redactions = audit_redactions

    @classmethod
    def from_config(
        cls, config: Optional[Mapping[str, Any]] = None, *, keyring: Optional[Keyring] = None
    ) -> Sanitizer:
        """Build from ``{detector: {...}, redaction: {...}, failure_text, audit_redactions}``.

        Raises:
            ConfigError: invalid options (models are not loaded yet; see :meth:`load`).
        """
        from rasa_secure.core.pii import PIIAnalyzer  # see the imports

        options = resolve(OPTIONS, config, owner="Sanitizer")
        return cls(
            PIIAnalyzer(options["detector"]),
            Redactor(options["redaction"], keyring=keyring),
            failure_text=options["failure_text"],
            audit_redactions=options["audit_redactions"],
        )

    def load(self) -> None:
        """Load the detector now (call at start-up to surface a missing model early).

        Raises:
            DependencyMissingError: Presidio, spaCy or the configured model is missing.
        """
        self.detector.load()

    def sanitize(
        self,
        text: str,
        *,
        scope: str = "",
        extra_findings: Sequence[PIIFinding] = (),
        detect: bool = True,
    ) -> Redaction:
        """The redacted ``text``; on any failure the whole text is replaced, never returned raw.

        Args:
            text: the text to sanitize.
            scope: the conversation id (sender id); placeholders are stable within it and the
                audit record's subject is its pseudonym.
            extra_findings: findings known from elsewhere (the NLU component's
                ``parse_data.pii``, values declared sensitive) that point into ``text``;
                redacted together with what the detector finds. A finding outside the text
                is a failure like any other: the whole text is replaced.
            detect: run the detector; ``False`` redacts ``extra_findings`` only (for texts
                another detector already analysed).

        Raises:
            InputError: ``text`` is not a string.
        """
        if not isinstance(text, str):
            raise InputError("text", f"expected str, got {type(text).__name__}")
        if not text:
            return Redaction(text=text)
        try:
            found = self.detector.detect(text) if detect else ()
            findings = (*found, *extra_findings) if extra_findings else found
            result = self.redactor.redact(text, findings, scope=scope)
        except Exception as error:  # fail safe: redact more, never less
            reason = error.__class__.__name__
            audit.record(
                "Sanitizer",
                "error",
                subject=scope or None,
                reasons=("detection_failed", reason),
                categories=(FAILED_ENTITY,),
            )
            if not isinstance(error, RasaSecureError):
                logger.error("PII detection failed (%s); the whole text was redacted", reason)
            item = RedactedItem(FAILED_ENTITY, 0, len(text), 0, len(self.failure_text), "failsafe")
            return Redaction(text=self.failure_text, items=(item,), failed=True)
        if self.audit_redactions and result.items:
            audit.record(
                "Sanitizer", "redact", subject=scope or None, categories=result.entity_types
            )
        return result
