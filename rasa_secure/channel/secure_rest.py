"""``SecureRestInput``: Rasa's REST channel, but every request must prove who sends it.

Add it to ``credentials.yml`` (see ``docs/components/secure-rest-input.md``)::

    rasa_secure.channel.secure_rest.SecureRestInput:
      jwt:
        algorithms: [RS256]
        public_key_file: /etc/bank/jwt-public.pem
        issuer: https://login.bank.example
        audience: bank-assistant

Clients post to ``/webhooks/secure_rest/webhook`` like the REST channel, with
``Authorization: Bearer <JWT>``. For every request, in this order:

1. a body larger than ``max_body_bytes`` is refused with 413;
2. the token is verified (:class:`~rasa_secure.core.tokens.TokenVerifier`); failure: 401;
3. the subject's token bucket must hold a token (``rate_limit``); otherwise 429;
4. the body must be a JSON object with a string ``message``; otherwise 400;
5. the conversation must belong to the subject (``sender_binding``); otherwise 403;
6. identity-looking keys in the client's ``metadata`` are dropped, and the verified identity
   is added as an attested :class:`~rasa_secure.core.envelope.Envelope` under
   ``metadata.rasa_secure``, then the message is handed to Rasa.

A refused request never reaches Rasa, answers a JSON error, and leaves an audit record.
Everything fails closed: no valid token, no processing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, FrozenSet, Mapping, Optional, Tuple, Union

from rasa_secure.config import Option, OptionSpec, in_range, list_of, positive, resolve
from rasa_secure.core import audit
from rasa_secure.core.crypto import Keyring
from rasa_secure.core.envelope import (
    METADATA_KEY,
    MIN_SHARED_SECRET_CHARS,
    SHARED_SECRET_ENV,
    attestation_key,
    seal,
)
from rasa_secure.core.tokens import Identity, TokenVerifier
from rasa_secure.errors import AuthenticationError, ConfigError

try:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.channels.rest import RestInput
    from sanic import Blueprint, response
    from sanic.request import Request
    from sanic.response import HTTPResponse
except ImportError as error:  # pragma: no cover - exercised only without the nlu extra
    from rasa_secure.errors import DependencyMissingError

    raise DependencyMissingError("rasa", "pip install 'rasa-secure[nlu]'") from error

logger = logging.getLogger(__name__)

COMPONENT = "SecureRestInput"
IDENTITY_KEYS: Tuple[str, ...] = (
    "sub",
    "subject",
    "user",
    "userid",
    "username",
    "uid",
    "customerid",
    "accountid",
    "role",
    "roles",
    "group",
    "groups",
    "scope",
    "scopes",
    "permission",
    "permissions",
    "isadmin",
    "admin",
    "identity",
    "auth",
    "authorization",
    "claims",
    "token",
    "jwt",
    "accesstoken",
    "idtoken",
    "bearer",
    METADATA_KEY.replace("_", ""),
)
"""Metadata keys (compared lower-case, without ``_``, ``-``, ``.``) dropped at any depth."""
_SUFFIX = re.compile(r"[A-Za-z0-9_-]{1,64}")
_KEY_NOISE = re.compile(r"[_\-.\s]")
_PUBLIC_REASONS = frozenset({"token_missing", "token_expired", "token_not_yet_valid"})


def _rate_limit_check(value: Any) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, Mapping) or set(value) != {"capacity", "refill_per_second"}:
        return "expected null or {capacity: int, refill_per_second: number}"
    capacity, refill = value["capacity"], value["refill_per_second"]
    if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
        return "capacity must be an integer >= 1"
    if not isinstance(refill, (int, float)) or isinstance(refill, bool) or refill <= 0:
        return "refill_per_second must be a number > 0"
    return None


OPTIONS: OptionSpec = {
    "jwt": Option({}, "TokenVerifier options (algorithms, key source, issuer, audience...)", dict),
    "sender_binding": Option(
        "subject",
        "'subject': conversation id = subject; 'subject_prefix': subject or subject:<suffix>",
        str,
        choices=("subject", "subject_prefix"),
    ),
    "max_body_bytes": Option(
        16_384, "larger request bodies are refused with 413", int, in_range(256, 10_485_760)
    ),
    "max_message_chars": Option(4_000, "longer messages are refused with 413", int, positive),
    "rate_limit": Option(
        {"capacity": 20, "refill_per_second": 0.5},
        "token bucket per subject (null disables); bursts of capacity, then refill_per_second",
        (dict, type(None)),
        _rate_limit_check,
    ),
    "rate_limit_max_subjects": Option(
        100_000, "buckets kept in memory (least recently used evicted)", int, positive
    ),
    "identity_keys": Option(
        list(IDENTITY_KEYS), "metadata keys dropped wherever they appear", list, list_of(str)
    ),
    "attestation_secret_env": Option(
        SHARED_SECRET_ENV,
        "environment variable with the secret shared with the action server (attests identities)",
        str,
    ),
    "forward_token": Option(
        False, "forward the JWT, encrypted, so the action server can re-verify it", bool
    ),
    "token_keys_env": Option(
        "RASA_SECURE_KEYS",
        "environment variable with the keyring that encrypts forwarded tokens",
        str,
    ),
}
"""Configuration of :class:`SecureRestInput` (the ``credentials.yml`` section)."""


class TokenBucketLimiter:
    """Per-key token buckets: bursts of ``capacity`` requests, refilled continuously.

    Thread-safe; memory is bounded by ``max_keys`` (least recently used buckets are dropped).
    """

    def __init__(
        self,
        capacity: int,
        refill_per_second: float,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = capacity
        self.refill_per_second = refill_per_second
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, Tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Take one token from ``key``'s bucket; ``False`` when it is empty."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(self.capacity), now))
            tokens = min(float(self.capacity), tokens + (now - last) * self.refill_per_second)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        return allowed

    def retry_after(self, key: str) -> int:
        """Whole seconds until ``key`` has a token again."""
        with self._lock:
            tokens, _ = self._buckets.get(key, (float(self.capacity), 0.0))
        return max(1, int((1.0 - tokens) / self.refill_per_second + 0.999))


class Refusal(Exception):
    """A request refused before it reached Rasa.

    Attributes:
        status: the HTTP status (400, 401, 403, 413, 429).
        reason: machine-readable reason (also the audit reason).
        subject: the verified subject, when the token was valid.
    """

    def __init__(self, status: int, reason: str, subject: Optional[str] = None) -> None:
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason
        self.subject = subject


_ERRORS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    413: "too_large",
    429: "rate_limited",
}


class SecureRestInput(RestInput):
    """The REST channel with JWT authentication, conversation binding and rate limiting."""

    @classmethod
    def name(cls) -> str:
        """The channel name; the webhook lives at ``/webhooks/secure_rest/webhook``."""
        return "secure_rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> SecureRestInput:
        """Build from the ``credentials.yml`` section (validated; errors name the key)."""
        return cls(credentials)

    def __init__(
        self,
        config: Optional[Mapping[str, Any]] = None,
        *,
        environ: Optional[Mapping[str, str]] = None,
    ) -> None:
        env = os.environ if environ is None else environ
        self.config = resolve(OPTIONS, config, owner=COMPONENT)
        self.verifier = TokenVerifier(self.config["jwt"], owner=f"{COMPONENT}.jwt", environ=env)
        secret_env = self.config["attestation_secret_env"]
        secret = env.get(secret_env, "")
        if len(secret) < MIN_SHARED_SECRET_CHARS:
            raise ConfigError(
                f"{COMPONENT}.attestation_secret_env",
                f"{secret_env} must hold a secret of {MIN_SHARED_SECRET_CHARS}+ characters",
            )
        self._attestation_key = attestation_key(secret)
        self._keyring: Optional[Keyring] = None
        if self.config["forward_token"]:
            keys_env = self.config["token_keys_env"]
            spec = env.get(keys_env, "")
            if not spec.strip():
                raise ConfigError(
                    f"{COMPONENT}.token_keys_env",
                    f"forward_token needs keys in {keys_env} (see 'rasa-secure keygen')",
                )
            self._keyring = Keyring.parse(spec, source=keys_env)
        limit = self.config["rate_limit"]
        self.limiter = (
            None
            if limit is None
            else TokenBucketLimiter(
                limit["capacity"],
                float(limit["refill_per_second"]),
                max_keys=self.config["rate_limit_max_subjects"],
            )
        )
        self._identity_keys = frozenset(_normalise_key(key) for key in self.config["identity_keys"])

    # -- the checks, in order --------------------------------------------------------------

    def _check_size(self, request: Request) -> None:
        declared = request.headers.get("content-length")
        limit = self.config["max_body_bytes"]
        if (declared is not None and declared.isdigit() and int(declared) > limit) or len(
            request.body or b""
        ) > limit:
            raise Refusal(413, "body_too_large")

    def _authenticate(self, request: Request) -> Tuple[Identity, str]:
        header = request.headers.get("authorization")
        try:
            identity = self.verifier.verify_bearer(header)
        except AuthenticationError as error:
            raise Refusal(401, error.reason) from None
        _, _, token = header.strip().partition(" ")
        return identity, token.strip()

    def _rate_limit(self, identity: Identity) -> None:
        if self.limiter is not None and not self.limiter.allow(identity.subject):
            raise Refusal(429, "rate_limited", identity.subject)

    def _parse_body(self, request: Request, identity: Identity) -> Dict[str, Any]:
        try:
            body = json.loads(request.body or b"")
        except (ValueError, UnicodeDecodeError):
            raise Refusal(400, "invalid_json", identity.subject) from None
        if not isinstance(body, dict):
            raise Refusal(400, "body_not_object", identity.subject)
        if not isinstance(body.get("message"), str):
            raise Refusal(400, "message_not_string", identity.subject)
        if len(body["message"]) > self.config["max_message_chars"]:
            raise Refusal(413, "message_too_long", identity.subject)
        if body.get("sender") is not None and not isinstance(body["sender"], str):
            raise Refusal(400, "sender_not_string", identity.subject)
        if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
            raise Refusal(400, "metadata_not_object", identity.subject)
        return body

    def bind_sender(self, identity: Identity, requested: Optional[str]) -> str:
        """The conversation id for this request, or :class:`Refusal` (403) if not the subject's.

        With ``sender_binding: subject`` the conversation id is the subject. With
        ``subject_prefix`` it may also be ``<subject>:<suffix>`` (suffix: letters, digits,
        ``_``, ``-``), so one user can hold several conversations; subjects containing ``:``
        are then refused, so no conversation id can belong to two subjects.
        """
        subject = identity.subject
        if requested is None or requested == subject:
            if self.config["sender_binding"] == "subject_prefix" and ":" in subject:
                raise Refusal(403, "subject_not_bindable", subject)
            return subject
        if self.config["sender_binding"] == "subject_prefix" and ":" not in subject:
            owner, separator, suffix = requested.partition(":")
            if separator and owner == subject and _SUFFIX.fullmatch(suffix):
                return requested
        raise Refusal(403, "conversation_not_owned", subject)

    def clean_metadata(self, metadata: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
        """The client metadata without identity-looking keys (at any depth)."""
        cleaned = _strip(metadata or {}, self._identity_keys, depth=0)
        return cleaned if isinstance(cleaned, dict) else {}

    def _envelope(self, identity: Identity, sender_id: str, token: str) -> Dict[str, Any]:
        envelope = seal(
            subject=identity.subject,
            roles=identity.roles,
            sender_id=sender_id,
            expires_at=identity.expires_at,
            key=self._attestation_key,
            token=token if self._keyring is not None else None,
            keyring=self._keyring,
        )
        return envelope.to_metadata()

    def admit(self, request: Request) -> Tuple[str, str, Dict[str, Any]]:
        """Run every check on ``request``: ``(sender_id, text, metadata)`` or :class:`Refusal`."""
        self._check_size(request)
        identity, token = self._authenticate(request)
        self._rate_limit(identity)
        body = self._parse_body(request, identity)
        sender_id = self.bind_sender(identity, body.get("sender"))
        metadata = self.clean_metadata(body.get("metadata"))
        metadata[METADATA_KEY] = self._envelope(identity, sender_id, token)
        return sender_id, body["message"], metadata

    def refuse(self, refusal: Refusal) -> HTTPResponse:
        """The JSON error answer for ``refusal``, after recording it in the audit trail."""
        audit.record(
            COMPONENT, "deny", subject=refusal.subject, action="webhook", reasons=(refusal.reason,)
        )
        reason = refusal.reason
        if refusal.status == 401 and reason not in _PUBLIC_REASONS:
            reason = "invalid_token"
        headers: Dict[str, str] = {}
        if refusal.status == 401:
            headers["WWW-Authenticate"] = (
                f'Bearer realm="rasa", error="invalid_token", error_description="{reason}"'
            )
        if refusal.status == 429 and self.limiter is not None and refusal.subject is not None:
            headers["Retry-After"] = str(self.limiter.retry_after(refusal.subject))
        return response.json(
            {"error": _ERRORS[refusal.status], "reason": reason},
            status=refusal.status,
            headers=headers,
        )

    # -- Rasa ----------------------------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The Sanic blueprint: ``GET /`` (health) and ``POST /webhook`` (authenticated)."""
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])  # type: ignore[untyped-decorator]
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])  # type: ignore[untyped-decorator]
        async def receive(request: Request) -> Union[HTTPResponse, Any]:
            try:
                sender_id, text, metadata = self.admit(request)
            except Refusal as refusal:
                return self.refuse(refusal)
            if _stream_requested(request):
                return response.stream(
                    self.stream_response(on_new_message, text, sender_id, self.name(), metadata),
                    content_type="text/event-stream",
                )
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        text, collector, sender_id, input_channel=self.name(), metadata=metadata
                    )
                )
            except asyncio.CancelledError:
                logger.error(
                    "message handling timed out (sender pseudonym %s)", audit.pseudonym(sender_id)
                )
            except Exception as error:
                logger.error(
                    "message handling failed with %s (sender pseudonym %s)",
                    type(error).__name__,
                    audit.pseudonym(sender_id),
                )
            return response.json(collector.messages)

        return webhook


def _stream_requested(request: Request) -> bool:
    value = request.args.get("stream", "false")
    return str(value).lower() == "true"


def _normalise_key(key: str) -> str:
    return _KEY_NOISE.sub("", key).lower()


_MAX_DEPTH = 16


def _strip(value: Any, drop: FrozenSet[str], depth: int) -> Any:
    if depth > _MAX_DEPTH:
        return None
    if isinstance(value, dict):
        return {
            key: _strip(item, drop, depth + 1)
            for key, item in value.items()
            if not (isinstance(key, str) and _normalise_key(key) in drop)
        }
    if isinstance(value, list):
        return [_strip(item, drop, depth + 1) for item in value]
    return value
