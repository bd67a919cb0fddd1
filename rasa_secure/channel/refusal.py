"""Why the admission gate refused a message, in terms no transport owns.

A :class:`Refusal` names its reason (an :class:`~rasa_secure.core.identity.reasons.AuthReason`
when the token failed, else a :class:`RefusalReason`); the reason decides the
:class:`Status`, which each channel adapter translates into its transport (the REST channel:
an HTTP status code). :func:`record_refusal` writes the audit record every refusal leaves.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Mapping, Optional, Tuple, Union

from rasa_secure.channel.rate_limit import client_pseudonym
from rasa_secure.core.identity import (
    INSUFFICIENT_USER_AUTHENTICATION,
    PUBLIC_REASONS,
    AuthReason,
    audit,
)


class Status(str, Enum):
    """What kind of refusal it is; the values are the ``error`` of the REST channel's answer."""

    BAD_REQUEST = "bad_request"
    """The message is malformed (HTTP 400)."""
    UNAUTHORIZED = "unauthorized"
    """No valid token (HTTP 401)."""
    FORBIDDEN = "forbidden"
    """A valid caller asked for something not theirs or not allowed (HTTP 403)."""
    TOO_LARGE = "too_large"
    """Over a size cap (HTTP 413)."""
    RATE_LIMITED = "rate_limited"
    """Over a rate limit; retry after ``retry_after`` seconds (HTTP 429)."""
    UNAVAILABLE = "unavailable"
    """A check could not run (the rate-limit store); fail closed (HTTP 503)."""
    INSUFFICIENT_AUTHENTICATION = INSUFFICIENT_USER_AUTHENTICATION
    """A step-up is required: a token with one of ``acr_values`` (HTTP 401, RFC 9470)."""


class RefusalReason(str, Enum):
    """Why the gate refused a message, other than a failed token (a ``str`` enum: wire values)."""

    BODY_TOO_LARGE = "body_too_large"
    HEADERS_TOO_LARGE = "headers_too_large"
    MESSAGE_TOO_LONG = "message_too_long"
    JSON_TOO_DEEP = "json_too_deep"
    INVALID_JSON = "invalid_json"
    BODY_NOT_OBJECT = "body_not_object"
    MESSAGE_NOT_STRING = "message_not_string"
    SENDER_NOT_STRING = "sender_not_string"
    METADATA_NOT_OBJECT = "metadata_not_object"
    RATE_LIMITED = "rate_limited"
    RATE_LIMIT_UNAVAILABLE = "rate_limit_unavailable"
    SUBJECT_NOT_BINDABLE = "subject_not_bindable"
    """With ``sender_binding: subject_prefix``, a subject containing ``:``."""
    CONVERSATION_NOT_OWNED = "conversation_not_owned"
    INTENT_TRIGGER_MALFORMED = "intent_trigger_malformed"
    INTENT_TRIGGER_NOT_ALLOWED = "intent_trigger_not_allowed"
    TRIGGER_ENTITY_NOT_ALLOWED = "trigger_entity_not_allowed"
    TRIGGER_VALUE_BLOCKED = "trigger_value_blocked"
    LOCKED_OUT = "locked_out"
    """An automatic response of the anomaly monitor locked the subject or address out."""
    THROTTLED = "throttled"
    """An automatic response of the anomaly monitor throttles the subject or address."""
    STEP_UP_REQUIRED = "step_up_required"
    """An automatic response of the anomaly monitor requires a stronger authentication."""
    ANOMALY_STATE_UNAVAILABLE = "anomaly_state_unavailable"
    """The anomaly monitor's shared state could not be read: fail closed."""


Reason = Union[AuthReason, RefusalReason]
"""A refusal's reason: a failed token, or one of the gate's own checks."""

STATUS: Mapping[RefusalReason, Status] = {
    RefusalReason.BODY_TOO_LARGE: Status.TOO_LARGE,
    RefusalReason.HEADERS_TOO_LARGE: Status.TOO_LARGE,
    RefusalReason.MESSAGE_TOO_LONG: Status.TOO_LARGE,
    RefusalReason.JSON_TOO_DEEP: Status.BAD_REQUEST,
    RefusalReason.INVALID_JSON: Status.BAD_REQUEST,
    RefusalReason.BODY_NOT_OBJECT: Status.BAD_REQUEST,
    RefusalReason.MESSAGE_NOT_STRING: Status.BAD_REQUEST,
    RefusalReason.SENDER_NOT_STRING: Status.BAD_REQUEST,
    RefusalReason.METADATA_NOT_OBJECT: Status.BAD_REQUEST,
    RefusalReason.RATE_LIMITED: Status.RATE_LIMITED,
    RefusalReason.RATE_LIMIT_UNAVAILABLE: Status.UNAVAILABLE,
    RefusalReason.SUBJECT_NOT_BINDABLE: Status.FORBIDDEN,
    RefusalReason.CONVERSATION_NOT_OWNED: Status.FORBIDDEN,
    RefusalReason.INTENT_TRIGGER_MALFORMED: Status.BAD_REQUEST,
    RefusalReason.INTENT_TRIGGER_NOT_ALLOWED: Status.FORBIDDEN,
    RefusalReason.TRIGGER_ENTITY_NOT_ALLOWED: Status.FORBIDDEN,
    RefusalReason.TRIGGER_VALUE_BLOCKED: Status.BAD_REQUEST,
    RefusalReason.LOCKED_OUT: Status.FORBIDDEN,
    RefusalReason.THROTTLED: Status.RATE_LIMITED,
    RefusalReason.STEP_UP_REQUIRED: Status.INSUFFICIENT_AUTHENTICATION,
    RefusalReason.ANOMALY_STATE_UNAVAILABLE: Status.UNAVAILABLE,
}
"""The status of each of the gate's own reasons (every token reason is ``UNAUTHORIZED``)."""


@dataclass(frozen=True)
class Refusal:
    """A message refused before it reached Rasa.

    Attributes:
        reason: why (also the audit reason).
        subject: the verified subject, when the token was valid.
        client: the client address (audited as a pseudonym when there is no subject).
        retry_after: seconds to wait, for ``RATE_LIMITED``.
        categories: threat categories, when an injection screen refused the message.
        acr_values: for ``STEP_UP_REQUIRED``, the authentication contexts that would do.
    """

    reason: Reason
    subject: Optional[str] = None
    client: Optional[str] = None
    retry_after: Optional[int] = None
    categories: Tuple[str, ...] = ()
    acr_values: Tuple[str, ...] = ()

    @property
    def status(self) -> Status:
        """What kind of refusal it is (the adapter's transport decides how to say it)."""
        if isinstance(self.reason, AuthReason):
            return Status.UNAUTHORIZED
        return STATUS[self.reason]

    @property
    def public_reason(self) -> str:
        """The reason the client is told: a token failure outside
        :data:`~rasa_secure.core.identity.reasons.PUBLIC_REASONS` becomes ``invalid_token``."""
        if isinstance(self.reason, AuthReason) and self.reason not in PUBLIC_REASONS:
            return AuthReason.INVALID_TOKEN.value
        public: str = self.reason.value
        return public


def record_refusal(refusal: Refusal, component: str) -> audit.AuditRecord:
    """Audit ``refusal`` with the subject's pseudonym, else the client address's.

    :func:`rasa_secure.core.identity.audit.record` takes only a subject; this builds the same
    record with a ``cli_`` pseudonym (:func:`~rasa_secure.channel.rate_limit.client_pseudonym`)
    when the message proved no identity, so every refusal says who it was about.
    """
    subject = refusal.subject
    entry = audit.AuditRecord(
        component=component,
        decision=audit.AuditDecision.DENY,
        subject=audit.pseudonym(subject)
        if subject is not None
        else client_pseudonym(refusal.client),
        client=client_pseudonym(refusal.client),
        action="webhook",
        categories=tuple(refusal.categories),
        reasons=(refusal.reason.value,),
    )
    return audit.emit(entry)
