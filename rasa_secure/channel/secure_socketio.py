"""``SecureSocketIOInput``: Rasa's socket.io channel (web chat widgets), every message admitted.

Add it to ``credentials.yml`` (see ``docs/components/secure-socketio-input.md``)::

    rasa_secure.channel.secure_socketio.SecureSocketIOInput:
      jwt:
        algorithms: [RS256]
        jwks_url: https://login.bank.example/.well-known/jwks.json
        issuer: https://login.bank.example
        audience: bank-assistant
      cors_allowed_origins: [https://www.bank.example]

The section holds the :class:`~rasa_secure.channel.admission.AdmissionGate`'s options (the
same as ``SecureRestInput``'s) and the socket options of :data:`SOCKET_OPTIONS`. This module
is a thin socket.io adapter over the gate; the events, in order:

``connect`` with ``auth = {"token": "<JWT>", "session_id": "<optional>"}``
    The handshake is admitted like an empty message (token, failure and rate limits, the
    conversation's owner; it counts as one request). Refused: the client gets
    ``connect_error`` with ``message`` the :class:`~rasa_secure.channel.refusal.Status` and
    ``data = {"error", "reason"[, "retry_after"]}``, and no connection. A token in the query
    string is ignored unless ``allow_query_token_unsafe`` (URLs end up in logs and histories).
``session_request`` (any payload)
    Answered with ``session_confirm`` and the conversation bound at ``connect`` (the subject,
    or ``<subject>:<suffix>`` with ``sender_binding: subject_prefix``); a session id asked for
    here is not used: a client cannot choose its way into a conversation.
``user_uttered`` ``{"message": ..., "session_id": ..., "metadata": {...}}``
    Admitted by :meth:`AdmissionGate.admit` with the token of the connection; the replies come
    as ``bot_uttered`` to the conversation's room (every socket of that conversation). A
    refusal is answered with ``refused`` ``{"error", "reason"[, "retry_after"]}``; one of the
    token other than its expiry also closes the connection.
``token_expired`` ``{"reason": "token_expired"}`` (server to client)
    The connection's token expired: sent on its own when the verifier stops accepting it
    (``exp`` plus ``leeway_seconds``), and in answer to every message until the client
    re-authenticates (the message was not handled). The client sends
    ``authenticate`` ``{"token": "<new JWT>"}`` and gets ``authenticated``
    ``{"session_id": ...}``, then sends the message again; the conversation goes on. A token
    refused there (another subject's, an invalid one) gets ``refused`` and the connection is
    closed.

Registered on an app, the channel runs the deployment check
(:func:`rasa_secure.startup.check_server`) once the server has started, as the REST channel
does. A provider's keys (``jwks_url``) are fetched in a worker thread: the event loop goes on
serving other connections meanwhile.

CORS: only the origins in ``cors_allowed_origins`` may open a connection from a browser; with
none listed, only pages served by the Rasa server itself (same origin). ``*`` is refused.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Mapping, Optional, Union
from urllib.parse import parse_qs

from rasa_secure.channel.admission import AdmissionGate, Admitted
from rasa_secure.channel.refusal import Refusal
from rasa_secure.channel.secure_rest import _with_parse_data, client_address, configure_app
from rasa_secure.config import Option, OptionSpec, list_of, resolve
from rasa_secure.core.identity import AuthReason, audit

try:
    from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
    from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
    from sanic import Blueprint, response
    from sanic.request import Request
    from sanic.response import HTTPResponse
    from socketio import AsyncServer
    from socketio.exceptions import ConnectionRefusedError as SocketRefused
except ImportError as error:  # pragma: no cover - exercised only without the nlu extra
    from rasa_secure.errors import DependencyMissingError

    raise DependencyMissingError("rasa", "pip install 'rasa-secure[nlu]'") from error

logger = logging.getLogger(__name__)

COMPONENT = "SecureSocketIOInput"
TOKEN_EXPIRED_EVENT = "token_expired"  # noqa: S105 - an event name, not a secret
"""Sent when the connection's token expired; the client answers with :data:`AUTHENTICATE_EVENT`."""
AUTHENTICATE_EVENT = "authenticate"
"""Sent by the client with ``{"token": "<new JWT>"}`` to go on after :data:`TOKEN_EXPIRED_EVENT`."""
AUTHENTICATED_EVENT = "authenticated"
"""The answer to an accepted :data:`AUTHENTICATE_EVENT`: ``{"session_id": ...}``."""
REFUSED_EVENT = "refused"
"""A refused message or re-authentication: ``{"error", "reason"[, "retry_after"]}``, and
``acr_values`` when a step-up is required."""


_ORIGIN = re.compile(r"https?://[^/?#\s]+")


def _origins_check(value: Any) -> Optional[str]:
    problem = list_of(str)(value)
    if problem is not None:
        return problem
    for origin in value:
        if origin == "*":
            return "'*' would let any web site open connections; list the origins"
        if not _ORIGIN.fullmatch(origin):
            return f"an origin is scheme://host[:port] without a path, got {origin!r}"
    return None


SOCKET_OPTIONS: OptionSpec = {
    "user_message_evt": Option("user_uttered", "event the client sends messages with", str),
    "bot_message_evt": Option("bot_uttered", "event the bot's replies are sent with", str),
    "namespace": Option(None, "socket.io namespace (default: the root one)", (str, type(None))),
    "socketio_path": Option("/socket.io", "path of the socket.io endpoint", str),
    "metadata_key": Option("metadata", "key of a message's metadata in its payload", str),
    "cors_allowed_origins": Option(
        [],
        "origins (scheme://host[:port]) whose pages may connect; none: same origin only; "
        "'*' is refused",
        list,
        _origins_check,
    ),
    "allow_query_token_unsafe": Option(
        False,
        "also accept the token as ?token= in the handshake URL (unsafe: URLs are logged)",
        bool,
    ),
}
"""The socket options of the channel's ``credentials.yml`` section (the rest is the gate's)."""


@dataclass
class Connection:
    """What the server keeps of one authenticated socket (in this process).

    Attributes:
        token: the bearer token every message of the socket is admitted with.
        sender_id: the conversation bound at the handshake.
        client: the client's address.
        expiry: the timer that sends :data:`TOKEN_EXPIRED_EVENT` when the token expires.
    """

    token: str
    sender_id: str
    client: str
    expiry: Optional[asyncio.Task[None]] = None

    def stop_timer(self) -> None:
        """Cancel the expiry timer (disconnection, a new token)."""
        if self.expiry is not None:
            self.expiry.cancel()
            self.expiry = None


class SecureSocketIOInput(InputChannel):
    """The socket.io channel with JWT authentication, conversation binding and rate limiting.

    Attributes:
        gate: the :class:`AdmissionGate` every handshake and message goes through.
        options: the validated :data:`SOCKET_OPTIONS`.
        sio: the socket.io server, once :meth:`blueprint` made it.
    """

    @classmethod
    def name(cls) -> str:
        """The channel name (the health route is ``/webhooks/secure_socketio/``)."""
        return "secure_socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> SecureSocketIOInput:
        """Build from the ``credentials.yml`` section (validated; errors name the key)."""
        return cls(credentials)

    def __init__(
        self,
        config: Optional[Mapping[str, Any]] = None,
        *,
        environ: Optional[Mapping[str, str]] = None,
    ) -> None:
        given = dict(config or {})
        socket = {key: given.pop(key) for key in list(given) if key in SOCKET_OPTIONS}
        self.options = resolve(SOCKET_OPTIONS, socket, owner=COMPONENT)
        self.gate = AdmissionGate(given, owner=COMPONENT, environ=environ)
        self.sio: Optional[AsyncServer] = None
        self.connections: Dict[str, Connection] = {}

    def get_output_channel(self) -> Optional[OutputChannel]:
        """The output channel for messages Rasa sends on its own (reminders, the HTTP API)."""
        if self.sio is None:
            return None
        return CustomPayloadOutput(self.sio, self.options["bot_message_evt"])

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The health route and the socket.io server (attached to the app on registration)."""
        origins = self.options["cors_allowed_origins"]
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=origins or None,
            max_http_buffer_size=self.gate.max_body_bytes,
        )
        self.sio = sio
        blueprint = _ChannelBlueprint(
            sio, self.options["socketio_path"], "secure_socketio_webhook", __name__
        )
        namespace = self.options["namespace"]

        @blueprint.route("/", methods=["GET"])  # type: ignore[untyped-decorator]
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)  # type: ignore[untyped-decorator]
        async def connect(sid: str, environ: Dict[str, Any], auth: Any) -> None:
            await self.connect(sid, environ, auth)

        @sio.on("disconnect", namespace=namespace)  # type: ignore[untyped-decorator]
        async def disconnect(sid: str, *_: Any) -> None:
            self._forget(sid)

        @sio.on("session_request", namespace=namespace)  # type: ignore[untyped-decorator]
        async def session_request(sid: str, _: Any = None) -> None:
            connection = self.connections.get(sid)
            if connection is not None:
                await sio.emit("session_confirm", connection.sender_id, to=sid, namespace=namespace)

        @sio.on(AUTHENTICATE_EVENT, namespace=namespace)  # type: ignore[untyped-decorator]
        async def authenticate(sid: str, data: Any = None) -> None:
            await self.authenticate(sid, data)

        @sio.on(self.options["user_message_evt"], namespace=namespace)  # type: ignore[untyped-decorator]
        async def user_message(sid: str, data: Any = None) -> None:
            await self.handle_message(sid, data, on_new_message)

        return blueprint

    # -- the events ------------------------------------------------------------------------

    async def connect(self, sid: str, environ: Mapping[str, Any], auth: Any) -> None:
        """Admit the handshake or refuse it (``connect_error``, no connection)."""
        client = _client(environ)
        token = self.handshake_token(auth, environ)
        session = auth.get("session_id") if isinstance(auth, dict) else None
        outcome = await self._admit(token, session, "", None, client)
        if isinstance(outcome, Refusal):
            raise SocketRefused(outcome.status.value, refusal_payload(outcome))
        connection = Connection(token or "", outcome.sender_id, client)
        self.connections[sid] = connection
        self._watch_expiry(sid, connection, outcome)
        await self._server.enter_room(sid, outcome.sender_id, namespace=self.options["namespace"])

    async def authenticate(self, sid: str, data: Any) -> None:
        """Replace the connection's token with a new one for the same conversation."""
        connection = self.connections.get(sid)
        if connection is None:
            return
        token = data.get("token") if isinstance(data, dict) else None
        token = token if isinstance(token, str) else None
        # the gate refuses a token whose subject does not own the bound conversation, so a
        # re-authentication can never move the connection to another subject
        outcome = await self._admit(token, connection.sender_id, "", None, connection.client)
        if isinstance(outcome, Refusal):
            await self._refuse(sid, outcome, close=True)
            return
        if self.connections.get(sid) is not connection:  # closed while the gate worked
            return
        connection.token = token or ""
        self._watch_expiry(sid, connection, outcome)
        await self._emit(AUTHENTICATED_EVENT, {"session_id": connection.sender_id}, sid)

    async def handle_message(
        self,
        sid: str,
        data: Any,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """Admit one message with the connection's token and hand it to Rasa."""
        connection = self.connections.get(sid)
        if connection is None:
            return
        data = data if isinstance(data, dict) else {}
        outcome = await self._admit(
            connection.token,
            data.get("session_id") or connection.sender_id,
            data.get("message"),
            data.get(self.options["metadata_key"]),
            connection.client,
        )
        if isinstance(outcome, Refusal):
            if outcome.reason is AuthReason.TOKEN_EXPIRED:
                await self._emit(TOKEN_EXPIRED_EVENT, {"reason": outcome.public_reason}, sid)
            else:
                await self._refuse(sid, outcome, close=isinstance(outcome.reason, AuthReason))
            return
        # another conversation of the same subject (sender_binding: subject_prefix): the
        # socket joins its room, so the replies reach it
        await self._server.enter_room(sid, outcome.sender_id, namespace=self.options["namespace"])
        await self._deliver(outcome, on_new_message)

    # -- helpers ----------------------------------------------------------------------------

    @property
    def _server(self) -> AsyncServer:
        if self.sio is None:
            raise RuntimeError("the socket.io server exists once blueprint() has run")
        return self.sio

    async def _admit(
        self, token: Optional[str], sender: Any, text: Any, metadata: Any, client: str
    ) -> Union[Admitted, Refusal]:
        """The gate's verdict; a provider's keys, when due, are fetched in a worker thread."""
        await self.gate.prepare(token)
        return self.gate.admit(token, sender, text, metadata, client=client, fetch_keys=False)

    def _watch_expiry(self, sid: str, connection: Connection, admitted: Admitted) -> None:
        """(Re)start the timer that tells the client when its token stops being accepted."""
        connection.stop_timer()
        leeway = self.gate.verifier.config["leeway_seconds"]
        delay = admitted.identity.expires_at + leeway - time.time()
        connection.expiry = asyncio.get_running_loop().create_task(self._expire(sid, delay))

    async def _expire(self, sid: str, delay: float) -> None:
        await asyncio.sleep(max(0.0, delay))
        await self._emit(TOKEN_EXPIRED_EVENT, {"reason": AuthReason.TOKEN_EXPIRED.value}, sid)

    def _forget(self, sid: str) -> None:
        connection = self.connections.pop(sid, None)
        if connection is not None:
            connection.stop_timer()

    def handshake_token(self, auth: Any, environ: Mapping[str, Any]) -> Optional[str]:
        """The handshake's token: ``auth.token``, else (only if allowed) ``?token=``."""
        token = auth.get("token") if isinstance(auth, dict) else None
        if isinstance(token, str) and token:
            return token
        if self.options["allow_query_token_unsafe"]:
            values = parse_qs(str(environ.get("QUERY_STRING", ""))).get("token", [])
            return values[0] if values else None
        return None

    async def _deliver(
        self, admitted: Admitted, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        output = CustomPayloadOutput(self._server, self.options["bot_message_evt"])
        handler = _with_parse_data(on_new_message, admitted.parse_data)
        message = UserMessage(
            admitted.text,
            output,
            admitted.sender_id,
            input_channel=self.name(),
            metadata=admitted.metadata,
        )
        try:
            await handler(message)
        except asyncio.CancelledError:
            logger.error(
                "message handling timed out (sender pseudonym %s)",
                audit.pseudonym(admitted.sender_id),
            )
        except Exception as error:
            logger.error(
                "message handling failed with %s (sender pseudonym %s)",
                type(error).__name__,
                audit.pseudonym(admitted.sender_id),
            )

    async def _refuse(self, sid: str, refusal: Refusal, *, close: bool) -> None:
        await self._emit(REFUSED_EVENT, refusal_payload(refusal), sid)
        if close:
            self._forget(sid)
            await self._server.disconnect(sid, namespace=self.options["namespace"])

    async def _emit(self, event: str, data: Any, sid: str) -> None:
        await self._server.emit(event, data, to=sid, namespace=self.options["namespace"])


class _ChannelBlueprint(SocketBlueprint):
    """Rasa's socket.io blueprint that also configures the app it is registered on (the
    deployment check; see :func:`~rasa_secure.channel.secure_rest.configure_app`)."""

    def register(self, app: Any, options: Any) -> Any:
        configure_app(app)
        return super().register(app, options)


def refusal_payload(refusal: Refusal) -> Dict[str, Union[str, int]]:
    """What the client is told of a refusal (already audited by the gate)."""
    payload: Dict[str, Union[str, int]] = {
        "error": refusal.status.value,
        "reason": refusal.public_reason,
    }
    if refusal.retry_after is not None:
        payload["retry_after"] = refusal.retry_after
    if refusal.acr_values:  # a step-up: the authentication contexts that would do (RFC 9470)
        payload["acr_values"] = " ".join(refusal.acr_values)
    return payload


def _client(environ: Mapping[str, Any]) -> str:
    """The client's address, as the REST channel reads it from the Sanic request."""
    request = environ.get("sanic.request")
    return client_address(request) if request is not None else "unknown"


class CustomPayloadOutput(SocketIOOutput):
    """Rasa's socket.io output, but a custom payload arrives as ``{"custom": payload}``.

    Rasa passes a custom payload's keys to ``emit`` as arguments (only ``{"data": ...}``
    works); a payload such as a step-up challenge (``{"error": ..., "acr_values": ...}``)
    is sent as the message's ``custom`` field instead, to the conversation's room.
    """

    async def send_custom_json(
        self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any
    ) -> None:
        if "data" in json_message:
            await super().send_custom_json(recipient_id, json_message, **kwargs)
            return
        await self.sio.emit(self.bot_message_evt, {"custom": json_message}, room=recipient_id)
