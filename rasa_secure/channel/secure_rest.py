"""``SecureRestInput``: Rasa's REST channel, but every request must prove who sends it.

Add it to ``credentials.yml`` (see ``docs/components/secure-rest-input.md``)::

    rasa_secure.channel.secure_rest.SecureRestInput:
      jwt:
        algorithms: [RS256]
        public_key_file: /etc/bank/jwt-public.pem
        issuer: https://login.bank.example
        audience: bank-assistant

Clients post to ``/webhooks/secure_rest/webhook`` like the REST channel, with
``Authorization: Bearer <JWT>``. This module is a thin HTTP adapter over the
:class:`~rasa_secure.channel.admission.AdmissionGate`, which owns every check and its options
(the section above is the gate's configuration): the adapter reads the body, never more than
``max_body_bytes`` (a declared ``Content-Length`` over it is refused before a byte is read),
hands the bearer token and the body to :meth:`AdmissionGate.admit_json`, and answers a
:class:`~rasa_secure.channel.refusal.Refusal` as a JSON error with the HTTP status of its
:class:`~rasa_secure.channel.refusal.Status` (400, 401, 403, 413, 429 with ``Retry-After``,
503; 401 with ``acr_values`` for a step-up, RFC 9470) or hands the admitted message to Rasa.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from typing import Any, Awaitable, Callable, Dict, Mapping, Optional, Union

from rasa_secure.channel.admission import AdmissionGate, Admitted
from rasa_secure.channel.refusal import Refusal, RefusalReason, Status, record_refusal
from rasa_secure.core.identity import audit, bearer_token
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
HTTP_STATUS: Mapping[Status, int] = {
    Status.BAD_REQUEST: 400,
    Status.UNAUTHORIZED: 401,
    Status.FORBIDDEN: 403,
    Status.TOO_LARGE: 413,
    Status.RATE_LIMITED: 429,
    Status.UNAVAILABLE: 503,
    Status.INSUFFICIENT_AUTHENTICATION: 401,
}
"""The HTTP status of each kind of refusal."""


class SecureRestInput(RestInput):
    """The REST channel with JWT authentication, conversation binding and rate limiting.

    Attributes:
        gate: the :class:`AdmissionGate` every request goes through.
        config: the gate's validated options.
    """

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
        self.gate = AdmissionGate(config, owner=COMPONENT, environ=environ)
        self.config = self.gate.config

    async def receive_body(self, request: Request) -> Optional[Refusal]:
        """Read the body of a streamed request, never more than ``max_body_bytes``.

        The webhook is a streaming route, so Sanic does not buffer a body (up to its own
        ``REQUEST_MAX_SIZE``, 100 MB) before we look at it: a declared ``Content-Length`` over
        the limit is refused before a byte is read, a chunked body as soon as it grows over it.
        """
        if await read_limited(request, self.gate.max_body_bytes):
            return None
        return self.gate.refuse(RefusalReason.BODY_TOO_LARGE, client=client_address(request))

    async def admit(self, request: Request) -> Union[Admitted, Refusal]:
        """Run the gate on ``request`` (its body already read); a provider's keys, when due,
        are fetched in a worker thread meanwhile."""
        bearer = bearer_token(request.headers.get("authorization"))
        await self.gate.prepare(bearer)
        body, client = request.body or b"", client_address(request)
        return self.gate.admit_json(bearer, body, client=client, fetch_keys=False)

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
            outcome = await self.receive_body(request) or await self.admit(request)
            if isinstance(outcome, Refusal):
                return answer(outcome)
            handler = _with_parse_data(on_new_message, outcome.parse_data)
            sender_id, text, metadata = outcome.sender_id, outcome.text, outcome.metadata
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


async def read_limited(request: Request, limit: int) -> bool:
    """Read the body of a streamed request (``stream=True`` route), never more than ``limit``
    bytes; ``False`` when it is larger (a declared ``Content-Length`` over the limit is
    refused before a byte is read, a chunked body as soon as it grows over it)."""
    declared = request.headers.get("content-length")
    if (declared is not None and declared.isdigit() and int(declared) > limit) or len(
        request.body or b""
    ) > limit:
        return False
    stream = getattr(request, "stream", None)
    if stream is None or not hasattr(stream, "request_max_size"):
        return True
    stream.request_max_size = limit
    try:
        await request.receive_body()
    except PayloadTooLarge:
        return False
    return True


def answer(refusal: Refusal) -> HTTPResponse:
    """The JSON error answer for ``refusal`` (already audited by the gate)."""
    status = refusal.status
    reason = refusal.public_reason
    headers: Dict[str, str] = {}
    if status is Status.UNAUTHORIZED:
        headers["WWW-Authenticate"] = (
            f'Bearer realm="rasa", error="invalid_token", error_description="{reason}"'
        )
    if status is Status.INSUFFICIENT_AUTHENTICATION:  # RFC 9470
        headers["WWW-Authenticate"] = (
            f'Bearer realm="rasa", error="{status.value}", error_description="step-up '
            f'authentication required", acr_values="{" ".join(refusal.acr_values)}"'
        )
    if refusal.retry_after is not None:
        headers["Retry-After"] = str(refusal.retry_after)
    return response.json(
        {"error": status.value, "reason": reason}, status=HTTP_STATUS[status], headers=headers
    )


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
    audit record. It also runs :func:`~rasa_secure.startup.check_server` once the server has
    started. Each of our channels calls it on registration; the first one configures the app.
    """
    if getattr(app.ctx, "rasa_secure_configured", False):  # another of our channels did
        return
    app.ctx.rasa_secure_configured = True
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
    """Sanic's own 413 (headers over the app's limit, a body over ``REQUEST_MAX_SIZE``),
    answered and audited like the gate's refusals."""
    too_large = "header" in str(error).lower()
    reason = RefusalReason.HEADERS_TOO_LARGE if too_large else RefusalReason.BODY_TOO_LARGE
    client = client_address(request) if request is not None else None
    refusal = Refusal(reason, client=client)
    record_refusal(refusal, COMPONENT)
    return answer(refusal)


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
