"""rasa_secure: a security plugin pack for Rasa Open Source 3.6 assistants.

The package is layered so that each side of a deployment imports only what it needs:

* ``rasa_secure.core``: detection, redaction, policy and token checks. Imports neither
  ``rasa`` nor ``rasa_sdk``; serves the NLU pipeline, the action server and the CLI.
  Subpackages by subsystem: ``core.injection``, ``core.pii``, ``core.redaction``,
  ``core.identity``.
* ``rasa_secure.nlu``, ``rasa_secure.channel``, ``rasa_secure.stores``: Rasa server side.
* ``rasa_secure.actions``: action server side (``rasa_sdk`` only, no TensorFlow).
* ``rasa_secure.cli``: the ``rasa-secure`` command.

The public surface of the detection core is re-exported here (``from rasa_secure import
InjectionDetector, PIIAnalyzer, Redactor``). The names load on first use, so ``import
rasa_secure`` stays cheap for the command line and the action server; the errors are
imported eagerly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from rasa_secure.errors import (
    AuthenticationError,
    AuthorizationError,
    BudgetExceededError,
    ConfigError,
    CryptoError,
    DependencyMissingError,
    DetectionError,
    InputError,
    PolicyError,
    RasaSecureError,
)

__version__ = "0.1.0"

_LAZY = {
    # detection
    "InjectionDetector": "rasa_secure.core.injection",
    "Verdict": "rasa_secure.core.injection",
    "ScreenDecision": "rasa_secure.core.injection",
    "PIIAnalyzer": "rasa_secure.core.pii",
    "PIIFinding": "rasa_secure.core.pii",
    "PIIExplanation": "rasa_secure.core.pii",
    "RegexRecognizer": "rasa_secure.core.pii",
    # redaction
    "Redactor": "rasa_secure.core.redaction",
    "Redaction": "rasa_secure.core.redaction",
    "Sanitizer": "rasa_secure.core.redaction",
    "Operator": "rasa_secure.core.redaction",
    # identity
    "TokenVerifier": "rasa_secure.core.identity",
    "Identity": "rasa_secure.core.identity",
    "Keyring": "rasa_secure.core.identity",
    "Policy": "rasa_secure.core.identity",
    "AccessDecision": "rasa_secure.core.identity",
    "AuditDecision": "rasa_secure.core.identity",
    # shared
    "Span": "rasa_secure.core.contract",
}

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from rasa_secure.core.contract import Span
    from rasa_secure.core.identity import (
        AccessDecision,
        AuditDecision,
        Identity,
        Keyring,
        Policy,
        TokenVerifier,
    )
    from rasa_secure.core.injection import InjectionDetector, ScreenDecision, Verdict
    from rasa_secure.core.pii import PIIAnalyzer, PIIExplanation, PIIFinding, RegexRecognizer
    from rasa_secure.core.redaction import Operator, Redaction, Redactor, Sanitizer


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rasa_secure' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "AccessDecision",
    "AuditDecision",
    "AuthenticationError",
    "AuthorizationError",
    "BudgetExceededError",
    "ConfigError",
    "CryptoError",
    "DependencyMissingError",
    "DetectionError",
    "Identity",
    "InjectionDetector",
    "InputError",
    "Keyring",
    "Operator",
    "PIIAnalyzer",
    "PIIExplanation",
    "PIIFinding",
    "Policy",
    "PolicyError",
    "RasaSecureError",
    "Redaction",
    "Redactor",
    "RegexRecognizer",
    "Sanitizer",
    "ScreenDecision",
    "Span",
    "TokenVerifier",
    "Verdict",
    "__version__",
]
