"""``SecureHandoffInput``: the signed callback through which a helpdesk answers a handoff.

Add it to ``credentials.yml`` next to the customer channels (see
``docs/components/handoff.md``)::

    rasa_secure.channel.secure_handoff.SecureHandoffInput: {}

The helpdesk posts to ``/webhooks/secure_handoff/callback`` a JSON body signed like the
handoff itself (:mod:`rasa_secure.core.signing`, the same secret)::

    {"kind": "reply", "conversation": "<the handoff's reference>", "text": "...", "agent": "a-17"}
    {"kind": "handback", "conversation": "<the handoff's reference>", "agent": "a-17"}
    {"kind": "messages", "conversation": "<the handoff's reference>", "agent": "a-17"}

A reply becomes a bot utterance of the conversation (marked as the agent's in its metadata),
stored in the tracker and pushed to the customer's channel when that channel can push
(socket.io: emitted to the conversation's room; REST: the customer sees it in the tracker).
A ``messages`` callback is answered with what the customer said since the conversation was
paused (``{"messages": [{"text": ..., "timestamp": ...}]}``), each text PII-masked
(``pii``). A handback resumes the bot (Rasa's ``resume`` event), tells the customer and puts
the bot back to listening (``action_listen``), so the next message starts a fresh turn. All
three are refused unless the conversation is paused. The signature is checked in constant
time, a stale timestamp or a replayed nonce is refused, and the conversation reference must
decrypt with the server's keyring: everything fails closed, and every answer is audited.
"""

from __future__ import annotations

import json
import logging
import os
from enum import Enum
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Mapping, Optional, Tuple

from rasa_secure.channel.secure_rest import read_limited
from rasa_secure.config import Option, OptionSpec, in_range, resolve
from rasa_secure.core.handoff import AGENT_METADATA_KEY, SECRET_ENV, open_conversation
from rasa_secure.core.identity import AuditDecision, Keyring, audit
from rasa_secure.core.json_depth import json_too_deep
from rasa_secure.core.redaction import Sanitizer
from rasa_secure.core.redaction.sanitizer import PATTERN_ONLY
from rasa_secure.core.shared_state import storage_problem
from rasa_secure.core.signing import (
    SignatureError,
    SignatureProblem,
    Verifier,
    check_secret,
    nonce_cache,
)
from rasa_secure.errors import CryptoError

try:
    from rasa.core.channels.channel import InputChannel, UserMessage
    from rasa.shared.core.constants import ACTION_LISTEN_NAME
    from rasa.shared.core.events import (
        ActionExecuted,
        BotUttered,
        ConversationPaused,
        ConversationResumed,
        UserUttered,
    )
    from sanic import Blueprint, response
    from sanic.request import Request
    from sanic.response import HTTPResponse
except ImportError as error:  # pragma: no cover - exercised only without the nlu extra
    from rasa_secure.errors import DependencyMissingError

    raise DependencyMissingError("rasa", "pip install 'rasa-secure[nlu]'") from error

logger = logging.getLogger(__name__)

COMPONENT = "SecureHandoffInput"
MAX_AGENT_CHARS = 64
MAX_JSON_DEPTH = 4
"""A callback is one flat object; anything nested deeper is refused before parsing."""

OPTIONS: OptionSpec = {
    "secret_env": Option(
        SECRET_ENV, "environment variable with the signing secret shared with the helpdesk", str
    ),
    "keys_env": Option(
        "RASA_SECURE_KEYS", "keyring that opens the conversation references of handoffs", str
    ),
    "window_seconds": Option(
        300, "how far a callback's timestamp may be from now", int, in_range(5, 3600)
    ),
    "nonce_storage": Option(
        "memory://",
        "where accepted nonces live: memory:// (this process only) or a Redis URL "
        "(redis://host:6379/0) shared by every replica, so a replay to another replica is refused",
        str,
        storage_problem,
    ),
    "max_body_bytes": Option(16_384, "largest callback body accepted", int, in_range(256, 1 << 20)),
    "max_text_chars": Option(4000, "longest agent reply accepted", int, in_range(1, 100_000)),
    "pii": Option(
        PATTERN_ONLY,
        "Sanitizer options for the customer's messages a helpdesk fetches (pattern-only by "
        "default)",
        dict,
    ),
    "handback_text": Option(
        "You're back with the assistant. How else can I help?",
        "said to the customer when the agent hands the conversation back",
        str,
    ),
}
"""Configuration of :class:`SecureHandoffInput` (its ``credentials.yml`` section)."""


class CallbackKind(str, Enum):
    """What a callback does (its ``kind``)."""

    REPLY = "reply"
    HANDBACK = "handback"
    MESSAGES = "messages"


class CallbackRefused(Exception):
    """A callback that is answered with an error (internal to this module)."""

    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        self.reason = reason
        super().__init__(reason)


class SecureHandoffInput(InputChannel):
    """The helpdesk's signed callback; see the module docstring.

    Attributes:
        config: the validated options.
        verifier: checks signatures, timestamps and nonces.
        keyring: opens conversation references.
        sanitizer: masks the customer's messages a helpdesk fetches.
    """

    @classmethod
    def name(cls) -> str:
        """The channel name; the callback lives at ``/webhooks/secure_handoff/callback``."""
        return "secure_handoff"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> SecureHandoffInput:
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
        secret_key = f"{COMPONENT}.secret_env ({self.config['secret_env']})"
        secret = check_secret(env.get(self.config["secret_env"]), key=secret_key)
        window = float(self.config["window_seconds"])
        nonces = nonce_cache(self.config["nonce_storage"], window, key=f"{COMPONENT}.nonce_storage")
        self.verifier = Verifier(secret, window, nonces)
        self.keyring = Keyring.from_env(
            self.config["keys_env"], env, option=f"{COMPONENT}.keys_env", purpose=COMPONENT
        )
        self.sanitizer = Sanitizer.from_config(self.config["pii"])
        self.sanitizer.load()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """``GET /`` (health) and ``POST /callback`` (signed); no customer message enters here."""
        hook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @hook.route("/", methods=["GET"])  # type: ignore[untyped-decorator]
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/callback", methods=["POST"], stream=True)  # type: ignore[untyped-decorator]
        async def callback(request: Request) -> HTTPResponse:
            try:
                if not await read_limited(request, self.config["max_body_bytes"]):
                    raise CallbackRefused(413, "body_too_large")
                kind, sender_id, text, agent = self.admit(request.headers, request.body or b"")
                answer = await self.apply(request.app, kind, sender_id, text, agent)
            except CallbackRefused as refused:
                audit.record(COMPONENT, AuditDecision.DENY, reasons=(refused.reason,))
                return response.json({"error": refused.reason}, status=refused.status)
            audit.record(COMPONENT, AuditDecision.ALLOW, subject=sender_id, reasons=(kind.value,))
            return response.json(answer)

        return hook

    def admit(self, headers: Mapping[str, str], body: bytes) -> Tuple[CallbackKind, str, str, str]:
        """The callback's kind, conversation id, text and agent id, once it proved its origin.

        Raises:
            CallbackRefused: too large (413), badly signed, stale or replayed (401), malformed
                or nested (400), or a conversation reference that does not open (403).
        """
        if len(body) > self.config["max_body_bytes"]:
            raise CallbackRefused(413, "body_too_large")
        try:
            self.verifier.verify(headers, body)
        except SignatureError as error:
            status = 503 if error.problem is SignatureProblem.UNAVAILABLE else 401
            raise CallbackRefused(status, error.problem.value) from None
        if json_too_deep(body, MAX_JSON_DEPTH):
            raise CallbackRefused(400, "malformed_callback")
        try:
            data = json.loads(body)
            kind = CallbackKind(data.get("kind"))
        except (ValueError, AttributeError):
            raise CallbackRefused(400, "malformed_callback") from None
        reference, text, agent = data.get("conversation"), data.get("text", ""), data.get("agent")
        if (
            not isinstance(reference, str)
            or not isinstance(agent, str)
            or not isinstance(text, str)
        ):
            raise CallbackRefused(400, "malformed_callback")
        if len(agent) > MAX_AGENT_CHARS or len(text) > self.config["max_text_chars"]:
            raise CallbackRefused(400, "field_too_long")
        if kind is CallbackKind.REPLY and not text.strip():
            raise CallbackRefused(400, "empty_reply")
        try:
            sender_id = open_conversation(self.keyring, reference)
        except CryptoError:
            raise CallbackRefused(403, "unknown_conversation") from None
        return kind, sender_id, text, agent

    async def apply(
        self, app: Any, kind: CallbackKind, sender_id: str, text: str, agent: str
    ) -> Dict[str, Any]:
        """Answer ``messages``, or store the reply or the handback in the paused conversation
        and push it; returns the JSON answer.

        Raises:
            CallbackRefused: the conversation is not paused (409).
        """
        processor = app.ctx.agent.processor
        async with processor.lock_store.lock(sender_id):
            tracker = await processor.get_tracker(sender_id)
            if not tracker.is_paused():
                raise CallbackRefused(409, "conversation_not_handed_off")
            if kind is CallbackKind.MESSAGES:
                return {"status": "ok", "messages": self.since_pause(tracker.events, sender_id)}
            if kind is CallbackKind.HANDBACK:
                tracker.update(ConversationResumed())
                text = self.config["handback_text"]
            tracker.update(BotUttered(text, metadata={AGENT_METADATA_KEY: agent}))
            if kind is CallbackKind.HANDBACK:
                # the bot listens again: the next message is a fresh turn for its rules
                tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
            await processor.save_tracker(tracker)
        await push(app, tracker.get_latest_input_channel(), sender_id, text)
        return {"status": "ok"}

    def since_pause(self, events: Iterable[Any], sender_id: str) -> List[Dict[str, Any]]:
        """The customer's messages after the latest pause, PII-masked, oldest first."""
        said: List[Dict[str, Any]] = []
        for event in events:
            if isinstance(event, ConversationPaused):
                said = []
            elif isinstance(event, UserUttered) and event.text:
                text = self.sanitizer.sanitize(event.text, scope=sender_id).text
                said.append({"text": text, "timestamp": event.timestamp})
        return said


async def push(app: Any, channel: Optional[str], sender_id: str, text: str) -> None:
    """Send ``text`` to the customer if their channel can push (socket.io can, REST cannot)."""
    for candidate in getattr(app.ctx, "input_channels", None) or []:
        if candidate.name() != channel:
            continue
        output = candidate.get_output_channel()
        if output is None:
            return
        try:
            await output.send_text_message(sender_id, text)
        except Exception as error:  # stored already: the customer sees it in the history
            logger.warning("pushing an agent message failed with %s", type(error).__name__)
        return
