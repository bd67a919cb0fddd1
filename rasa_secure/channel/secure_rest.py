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
2. a client address over ``auth_failure_limit`` (failed authentications) is refused with 429;
3. the token is verified (:class:`TokenVerifier`); failure: 401, and
   one more failure counted for the client address;
4. the subject must be within ``rate_limit``; otherwise 429 with ``Retry-After`` (counters in
   memory or in Redis, shared by replicas: :mod:`rasa_secure.channel.rate_limit`);
5. the body must nest at most ``max_json_depth`` levels (checked before parsing) and be a
   JSON object with a string ``message``; otherwise 400;
6. the conversation must belong to the subject (``sender_binding``); otherwise 403;
7. an intent trigger (a message starting with ``/``) is refused unless allow-listed in
   ``allowed_intent_triggers``; an allowed one is screened and annotated
   (:mod:`rasa_secure.channel.triggers`);
8. identity-looking keys in the client's ``metadata`` are dropped, and the verified identity
   is added as an attested :class:`~rasa_secure.core.identity.envelope.Envelope` under
   ``metadata.rasa_secure``, then the message is handed to Rasa.

A refused request never reaches Rasa, answers a JSON error, and leaves an audit record with
the subject's pseudonym or, before authentication, the client address's. Everything fails
closed: no valid token, no processing; no reachable rate-limit store, no processing.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import os
import re
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, FrozenSet, Mapping, Optional, Tuple, Union

from rasa_secure.channel._json import json_too_deep
from rasa_secure.channel.rate_limit import (
    LimiterUnavailable,
    LimitKind,
    RateLimiter,
    Strategy,
    client_pseudonym,
    parse_limits,
)
from rasa_secure.channel.triggers import TriggerGate, TriggerRefused, is_trigger
from rasa_secure.config import Option, OptionSpec, in_range, list_of, positive, resolve
from rasa_secure.core.identity import audit
from rasa_secure.core.identity.crypto import Keyring
from rasa_secure.core.identity.envelope import (
    METADATA_KEY,
    MIN_SHARED_SECRET_CHARS,
    SHARED_SECRET_ENV,
    attestation_key,
    seal,
)
from rasa_secure.core.identity.tokens import Identity, TokenVerifier
from rasa_secure.errors import AuthenticationError, ConfigError
from rasa_secure.startup import check_server

try:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.channels.rest import RestInput
    from sanic import Blueprint, response
    from sanic.exceptions import PayloadTooLarge
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


def _storage_check(value: Any) -> Optional[str]:
    scheme = value.partition("://")[0] if isinstance(value, str) else ""
    if "://" not in str(value) or scheme not in STORAGE_SCHEMES:
        return f"expected a URI with one of the schemes {', '.join(STORAGE_SCHEMES)}"
    return None


def _triggers_check(value: Any) -> Optional[str]:
    for intent, names in value.items():
        if not isinstance(intent, str) or not intent or intent.startswith("/"):
            return f"intent names must be non-empty strings without '/', got {intent!r}"
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            return f"{intent}: expected a list of the entity names its triggers may carry"
    return None


STORAGE_SCHEMES = ("memory", "redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster")
"""Rate-limit storages: one process (``memory``) or Redis, shared by replicas."""

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
    "max_json_depth": Option(
        32,
        "JSON nested deeper (body, or a trigger's entities) is refused with 400 before parsing",
        int,
        in_range(2, 256),
    ),
    "max_message_chars": Option(4_000, "longer messages are refused with 413", int, positive),
    "rate_limit": Option(
        "30/minute",
        "requests per verified subject, in the limits notation ('20/minute', "
        "'5/second;100/hour'); null disables; over it: 429 with Retry-After",
        (str, type(None)),
        parse_limits,
    ),
    "auth_failure_limit": Option(
        "10/minute",
        "failed authentications per client address; over it, the address is refused (429) "
        "before its token is verified",
        str,
        parse_limits,
    ),
    "rate_limit_storage": Option(
        "memory://",
        "where the counters live: memory:// (this process only) or a Redis URI "
        "(redis://host:6379/0) shared by every replica",
        str,
        _storage_check,
    ),
    "rate_limit_strategy": Option(
        Strategy.MOVING_WINDOW.value,
        "how requests are counted",
        str,
        choices=tuple(strategy.value for strategy in Strategy),
    ),
    "rate_limit_namespace": Option(
        "rasa_secure", "first part of every counter key (one per deployment sharing a Redis)", str
    ),
    "allowed_intent_triggers": Option(
        {},
        "intent -> entity names: the only intent triggers (text starting with '/') users may "
        "send, e.g. button payloads; every other trigger is refused with 403",
        dict,
        _triggers_check,
    ),
    "trigger_pii": Option(
        {}, "PIIDetector options for the entity values of allowed triggers", dict
    ),
    "trigger_screen": Option(
        {}, "InjectionDetector options for the entity values of allowed triggers", dict
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


class Refusal(Exception):
    """A request refused before it reached Rasa.

    Attributes:
        status: the HTTP status (400, 401, 403, 413, 429, 503).
        reason: machine-readable reason (also the audit reason).
        subject: the verified subject, when the token was valid.
        client: the client address (audited as a pseudonym when there is no subject).
        retry_after: seconds to wait, for 429.
        categories: threat categories, when an injection screen refused the request.
    """

    def __init__(
        self,
        status: int,
        reason: str,
        subject: Optional[str] = None,
        *,
        client: Optional[str] = None,
        retry_after: Optional[int] = None,
        categories: Tuple[str, ...] = (),
    ) -> None:
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason
        self.subject = subject
        self.client = client
        self.retry_after = retry_after
        self.categories = categories


_ERRORS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    413: "too_large",
    429: "rate_limited",
    503: "unavailable",
}


@dataclass(frozen=True)
class Admission:
    """A request that passed every check.

    Attributes:
        sender_id: the conversation id (bound to the subject).
        text: the message text for Rasa.
        metadata: the cleaned metadata with the attested identity.
        parse_data: for an allowed intent trigger, the parse data Rasa uses instead of
            running its pipeline (see :mod:`rasa_secure.channel.triggers`); else ``None``.
    """

    sender_id: str
    text: str
    metadata: Dict[str, Any]
    parse_data: Optional[Dict[str, Any]] = None


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
        self.limiter = RateLimiter(
            self.config["rate_limit"],
            self.config["auth_failure_limit"],
            storage_uri=self.config["rate_limit_storage"],
            strategy=Strategy(self.config["rate_limit_strategy"]),
            namespace=self.config["rate_limit_namespace"],
        )
        self.triggers = TriggerGate(
            self.config["allowed_intent_triggers"],
            pii=self.config["trigger_pii"],
            screen=self.config["trigger_screen"],
            max_depth=self.config["max_json_depth"],
            owner=COMPONENT,
        )
        self._identity_keys = frozenset(_normalise_key(key) for key in self.config["identity_keys"])

    # -- the checks, in order --------------------------------------------------------------

    def _check_size(self, request: Request, client: str) -> None:
        declared = request.headers.get("content-length")
        limit = self.config["max_body_bytes"]
        if (declared is not None and declared.isdigit() and int(declared) > limit) or len(
            request.body or b""
        ) > limit:
            raise Refusal(413, "body_too_large", client=client)

    async def receive_body(self, request: Request) -> None:
        """Read the body of a streamed request, never more than ``max_body_bytes``.

        The webhook is a streaming route, so Sanic does not buffer a body (up to its own
        ``REQUEST_MAX_SIZE``, 100 MB) before we look at it: a declared ``Content-Length`` over
        the limit is refused before a byte is read, a chunked body as soon as it grows over it.
        """
        client = client_address(request)
        self._check_size(request, client)
        stream = getattr(request, "stream", None)
        if stream is None or not hasattr(stream, "request_max_size"):
            return
        stream.request_max_size = self.config["max_body_bytes"]
        try:
            await request.receive_body()
        except PayloadTooLarge:
            raise Refusal(413, "body_too_large", client=client) from None

    def _limit(self, kind: LimitKind, key: str, client: str, *, count: bool) -> None:
        """Refuse (429) when ``key`` is over its limit; count this request if ``count``."""
        subject = key if kind is LimitKind.SUBJECT else None
        try:
            outcome = self.limiter.hit(kind, key) if count else self.limiter.test(kind, key)
        except LimiterUnavailable:
            logger.error("rate-limit storage unavailable; request refused (fail closed)")
            raise Refusal(503, "rate_limit_unavailable", subject, client=client) from None
        if not outcome.allowed:
            raise Refusal(
                429, "rate_limited", subject, client=client, retry_after=outcome.retry_after
            )

    def _authenticate(self, request: Request, client: str) -> Tuple[Identity, str]:
        """The verified identity; a failure counts against the client address.

        An address already over ``auth_failure_limit`` is refused before verification.
        """
        self._limit(LimitKind.CLIENT, client, client, count=False)
        header = request.headers.get("authorization")
        try:
            identity = self.verifier.verify_bearer(header)
        except AuthenticationError as error:
            self._limit(LimitKind.CLIENT, client, client, count=True)
            raise Refusal(401, error.reason, client=client) from None
        _, _, token = header.strip().partition(" ")
        return identity, token.strip()

    def _parse_body(self, request: Request, identity: Identity) -> Dict[str, Any]:
        raw = request.body or b""
        if json_too_deep(raw, self.config["max_json_depth"]):
            raise Refusal(400, "json_too_deep", identity.subject)
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):
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

    def screen_trigger(self, text: str, identity: Identity) -> Tuple[str, Optional[Dict[str, Any]]]:
        """``(text, parse_data)`` for Rasa: unchanged text, or an allowed intent trigger.

        A text Rasa would read as an intent trigger (it starts with ``/``) is refused unless
        its intent is in ``allowed_intent_triggers``; see :mod:`rasa_secure.channel.triggers`.
        """
        if not is_trigger(text):
            return text, None
        try:
            admitted = self.triggers.admit(text)
        except TriggerRefused as refused:
            status = 403 if refused.forbidden else 400
            raise Refusal(
                status, refused.reason, identity.subject, categories=refused.categories
            ) from None
        return admitted.text, admitted.parse_data

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

    def admit(self, request: Request) -> Admission:
        """Run every check on ``request``: the :class:`Admission`, or :class:`Refusal`."""
        client = client_address(request)
        self._check_size(request, client)
        identity, token = self._authenticate(request, client)
        self._limit(LimitKind.SUBJECT, identity.subject, client, count=True)
        body = self._parse_body(request, identity)
        sender_id = self.bind_sender(identity, body.get("sender"))
        text, parse_data = self.screen_trigger(body["message"], identity)
        metadata = self.clean_metadata(body.get("metadata"))
        metadata[METADATA_KEY] = self._envelope(identity, sender_id, token)
        return Admission(sender_id, text, metadata, parse_data)

    def refuse(self, refusal: Refusal) -> HTTPResponse:
        """The JSON error answer for ``refusal``, after recording it in the audit trail."""
        record_refusal(
            refusal.reason,
            subject=refusal.subject,
            client=refusal.client,
            categories=refusal.categories,
        )
        reason = refusal.reason
        if refusal.status == 401 and reason not in _PUBLIC_REASONS:
            reason = "invalid_token"
        headers: Dict[str, str] = {}
        if refusal.status == 401:
            headers["WWW-Authenticate"] = (
                f'Bearer realm="rasa", error="invalid_token", error_description="{reason}"'
            )
        if refusal.retry_after is not None:
            headers["Retry-After"] = str(refusal.retry_after)
        return response.json(
            {"error": _ERRORS[refusal.status], "reason": reason},
            status=refusal.status,
            headers=headers,
        )

    # -- Rasa ----------------------------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The Sanic blueprint: ``GET /`` (health) and ``POST /webhook`` (authenticated).

        Registered on an app (by Rasa, or any Sanic app), it also raises the app's header
        limit to :data:`MAX_HEADER_BYTES` and answers Sanic's own 413 in JSON (see
        :func:`configure_app`).
        """
        webhook = _ChannelBlueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])  # type: ignore[untyped-decorator]
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"], stream=True)  # type: ignore[untyped-decorator]
        async def receive(request: Request) -> Union[HTTPResponse, Any]:
            try:
                await self.receive_body(request)
                admission = self.admit(request)
            except Refusal as refusal:
                return self.refuse(refusal)
            handler = _with_parse_data(on_new_message, admission.parse_data)
            sender_id, text, metadata = admission.sender_id, admission.text, admission.metadata
            if _stream_requested(request):
                return response.stream(
                    self.stream_response(handler, text, sender_id, self.name(), metadata),
                    content_type="text/event-stream",
                )
            collector = CollectingOutputChannel()
            try:
                await handler(
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


MAX_HEADER_BYTES = 16_384
"""The request-header limit set on the app: Sanic's ceiling, twice our largest token
(:data:`~rasa_secure.core.identity.tokens.MAX_TOKEN_CHARS`), so a token of any accepted size
reaches our own check and larger headers get our JSON 413."""


class _ChannelBlueprint(Blueprint):
    """A blueprint that configures the app it is registered on (see :func:`configure_app`)."""

    def register(self, app: Any, options: Any) -> Any:
        configure_app(app)
        return super().register(app, options)


def configure_app(app: Any) -> None:
    """Make the app's own size limits consistent with the channel's, and answer them in JSON.

    Sanic refuses headers over ``REQUEST_MAX_HEADER_SIZE`` (8 KiB by default) with a
    ``text/plain`` 413 before any handler runs; a valid token near our own cap
    (:data:`~rasa_secure.core.identity.tokens.MAX_TOKEN_CHARS`) would get it. The limit is raised to
    :data:`MAX_HEADER_BYTES` (never lowered), and Sanic's :class:`PayloadTooLarge` (headers
    over that, or a body over ``REQUEST_MAX_SIZE``) is answered with our JSON error and an
    audit record.
    """
    _raise_header_limit(app)
    app.error_handler.add(PayloadTooLarge, _payload_too_large)
    app.register_listener(_before_server_start, "before_server_start")
    app.register_listener(_after_server_start, "after_server_start")


def _raise_header_limit(app: Any) -> None:
    """Set the app's header limit to at least :data:`MAX_HEADER_BYTES`.

    Sanic keeps the limit in one class attribute per process, written whenever a config sets
    it, including by every new app's config, so it is set again when the server starts.
    """
    app.config.REQUEST_MAX_HEADER_SIZE = max(app.config.REQUEST_MAX_HEADER_SIZE, MAX_HEADER_BYTES)


async def _before_server_start(app: Any, _: Any) -> None:
    _raise_header_limit(app)


async def _after_server_start(app: Any, _: Any) -> None:
    """Warn about skipped deployment steps; the agent is loaded by now (Rasa loads it before
    the server starts). A check that fails is reported, never fatal: it only warns."""
    try:
        check_server(app)
    except Exception as error:  # a warning-only check must not stop the server
        logger.warning("rasa_secure deployment check failed (%s)", type(error).__name__)


def _payload_too_large(request: Request, error: Exception) -> HTTPResponse:
    reason = "headers_too_large" if "header" in str(error).lower() else "body_too_large"
    client = client_address(request) if request is not None else None
    record_refusal(reason, client=client)
    return response.json({"error": _ERRORS[413], "reason": reason}, status=413)


def record_refusal(
    reason: str,
    *,
    subject: Optional[str] = None,
    client: Optional[str] = None,
    categories: Tuple[str, ...] = (),
) -> audit.AuditRecord:
    """Audit a refusal with the subject's pseudonym, else the client address's.

    :func:`rasa_secure.core.identity.audit.record` takes only a subject; this builds the same record
    with a ``cli_`` pseudonym (:func:`~rasa_secure.channel.rate_limit.client_pseudonym`) when
    the request proved no identity, so every refusal says who it was about.
    """
    entry = audit.AuditRecord(
        component=COMPONENT,
        decision="deny",
        subject=audit.pseudonym(subject) if subject is not None else client_pseudonym(client),
        action="webhook",
        categories=tuple(categories),
        reasons=(reason,),
    )
    audit.logger.info(entry.to_json())
    return entry


def client_address(request: Request) -> str:
    """The client's address: the proxy-reported one when Sanic is told to trust proxies
    (``PROXIES_COUNT``, ``REAL_IP_HEADER``, ``FORWARDED_SECRET``), else the peer's."""
    try:
        return str(request.remote_addr or request.ip or "unknown")
    except Exception:  # an empty request made by Sanic for a header error has no transport
        return "unknown"


def _with_parse_data(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    parse_data: Optional[Dict[str, Any]],
) -> Callable[[UserMessage], Awaitable[Any]]:
    """``on_new_message``, handing Rasa ``parse_data`` with the message when there is some."""
    if parse_data is None:
        return on_new_message

    async def handle(message: UserMessage) -> Any:
        message.parse_data = copy.deepcopy(parse_data)
        return await on_new_message(message)

    return handle


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
