"""The one exception hierarchy of rasa_secure.

Every error raised on purpose by this package derives from :class:`RasaSecureError`, so a
deployment can catch them all in one place. Subclasses carry the context a caller needs as
attributes; their messages never contain user text, slot values or secrets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence

if TYPE_CHECKING:
    from rasa_secure.core.identity.reasons import AuthReason


class RasaSecureError(Exception):
    """Root of every error raised by rasa_secure."""


class ConfigError(RasaSecureError, ValueError):
    """A configuration value is missing, unknown or invalid.

    Attributes:
        key: dotted path of the offending key, e.g. ``"InjectionScreen.thresholds.xss"``.
        problem: what is wrong, in words.
        allowed: the values or the type that would have been accepted, if known.
    """

    def __init__(self, key: str, problem: str, allowed: Optional[Iterable[Any]] = None) -> None:
        self.key = key
        self.problem = problem
        self.allowed: Optional[Sequence[Any]] = tuple(allowed) if allowed is not None else None
        message = f"{key}: {problem}"
        if self.allowed is not None:
            message += f" (allowed: {', '.join(map(str, self.allowed))})"
        super().__init__(message)


class DependencyMissingError(RasaSecureError, ImportError):
    """An optional dependency (an extra or a model) is not installed.

    Attributes:
        package: the import name that failed.
        install: the command that installs it.
    """

    def __init__(self, package: str, install: str) -> None:
        self.package = package
        self.install = install
        super().__init__(f"{package} is not installed; install it with: {install}")


class DetectionError(RasaSecureError):
    """A detector failed on an input. Callers must fail safe (redact more, not less).

    Attributes:
        detector: name of the detector that failed.
    """

    def __init__(self, detector: str, problem: str) -> None:
        self.detector = detector
        super().__init__(f"{detector}: {problem}")


class BudgetExceededError(DetectionError):
    """A detector ran out of its per-message time budget before it finished.

    Attributes:
        stage: what it was doing when the budget ran out, e.g. ``"rules"``.
        budget_ms: the budget, in milliseconds.
    """

    def __init__(self, detector: str, stage: str, budget_ms: float) -> None:
        self.stage = stage
        self.budget_ms = budget_ms
        super().__init__(detector, f"time budget of {budget_ms:g} ms exhausted during {stage}")


class InputError(RasaSecureError, ValueError):
    """A record handed to a command or an API is malformed (not JSON, no ``text``...).

    Attributes:
        location: where the bad input is, e.g. ``"line 7"``.
    """

    def __init__(self, location: str, problem: str) -> None:
        self.location = location
        self.problem = problem
        super().__init__(f"{location}: {problem}")


class AuthenticationError(RasaSecureError):
    """The caller's identity could not be verified. Always fails closed (HTTP 401).

    Attributes:
        reason: why, e.g. ``AuthReason.TOKEN_EXPIRED`` (a ``str`` enum: equal to
            ``"token_expired"``).
        detail: more words for logs; never the token, a key or user data.
    """

    def __init__(self, reason: AuthReason, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)


class AuthorizationError(RasaSecureError):
    """A verified caller asked for something the policy does not grant (HTTP 403).

    Attributes:
        subject: the verified subject (an opaque id, never a name or an email).
        permission: what was asked for, e.g. ``"action:action_transfer_money"``.
        reason: why it was refused.
    """

    def __init__(self, subject: str, permission: str, reason: str) -> None:
        self.subject = subject
        self.permission = permission
        self.reason = reason
        super().__init__(f"{subject} may not {permission}: {reason}")


class PolicyError(ConfigError):
    """The authorization policy file is invalid. Raised when it is loaded, never later."""


class CryptoError(RasaSecureError):
    """A value could not be encrypted or decrypted (unknown key id, tampered ciphertext).

    Attributes:
        key_id: the key id involved, if known.
    """

    def __init__(self, problem: str, key_id: Optional[str] = None) -> None:
        self.key_id = key_id
        super().__init__(problem if key_id is None else f"{problem} (key id {key_id})")
