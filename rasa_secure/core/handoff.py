"""Handoffs to human staff: what is sent to a helpdesk, and how it gets there.

A :class:`Handoff` is the payload (reason, priority, pseudonymised customer, an opaque
conversation reference, the redacted transcript); :class:`HandoffClient` posts it to the
helpdesk's webhook signed (:mod:`rasa_secure.core.signing`), retries with exponential backoff
(aiohttp-retry) on network errors, timeouts, 408, 429 and 5xx, and sends the same
``handoff_id`` (also as the ``Idempotency-Key`` header) on every attempt, so a helpdesk that
deduplicates on it opens one ticket however often a request is retried. It knows nothing
about Rasa; the action server's :class:`~rasa_secure.actions.handoff.HandoffAction` builds
the payload from a conversation. See ``docs/components/handoff.md``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from rasa_secure.config import Option, OptionSpec, in_range, positive, resolve
from rasa_secure.core.signing import check_secret, sign
from rasa_secure.errors import ConfigError

URL_ENV = "RASA_SECURE_HANDOFF_URL"
SECRET_ENV = "RASA_SECURE_HANDOFF_SECRET"  # noqa: S105 - the name of a variable
IDEMPOTENCY_HEADER = "Idempotency-Key"
AGENT_METADATA_KEY = "rasa_secure_handoff_agent"
"""Metadata key of the bot utterances that are an agent's replies (its value: the agent's
opaque id as the helpdesk gave it)."""
RETRIED_STATUSES = frozenset({408, 429})
"""Retried besides every 5xx; any other answer is final."""


class HandoffReason(str, Enum):
    """Why a conversation goes to a person (the ``reason`` of the payload)."""

    CUSTOMER_REQUEST = "customer_request"
    SECURITY_RESPONSE = "security_response"
    DISTRESS = "distress"
    COERCION = "coercion"
    REPEATED_FAILURE = "repeated_failure"


class Priority(str, Enum):
    """How urgently a person should pick the handoff up (the ``priority`` of the payload)."""

    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        """0 for normal, 1 for high, 2 for urgent."""
        return list(Priority).index(self)


DEFAULT_PRIORITY: Mapping[HandoffReason, Priority] = {
    HandoffReason.CUSTOMER_REQUEST: Priority.NORMAL,
    HandoffReason.REPEATED_FAILURE: Priority.NORMAL,
    HandoffReason.SECURITY_RESPONSE: Priority.HIGH,
    HandoffReason.DISTRESS: Priority.HIGH,
    HandoffReason.COERCION: Priority.URGENT,
}
"""The priority of a reason when whoever asks for the handoff names none."""

HINT_KEY = "rasa_secure_handoff"
"""The key of a message's parse data under which an NLU component asks for a handoff."""


def handoff_hint(reason: HandoffReason, priority: Optional[Priority] = None) -> Dict[str, str]:
    """What an NLU component stores under :data:`HINT_KEY` of a message to ask for a handoff
    (``message.set(HINT_KEY, handoff_hint(...), add_to_output=True)``): the handoff that
    message leads to gets this reason, and this priority unless another source is more
    urgent."""
    return {"reason": reason.value, "priority": (priority or DEFAULT_PRIORITY[reason]).value}


def most_urgent(*priorities: Optional[Priority]) -> Priority:
    """The most urgent of ``priorities`` (``None`` ignored; none at all: normal)."""
    order = list(Priority)
    return max((p for p in priorities if p is not None), key=order.index, default=Priority.NORMAL)


class Speaker(str, Enum):
    """Who said a line of the transcript."""

    CUSTOMER = "customer"
    BOT = "bot"
    AGENT = "agent"


@dataclass(frozen=True)
class TranscriptLine:
    """One message of the conversation, redacted of personal data.

    Attributes:
        speaker: who said it.
        text: the redacted text.
        timestamp: when (Unix seconds), as the tracker recorded it.
    """

    speaker: Speaker
    text: str
    timestamp: float


@dataclass(frozen=True)
class Handoff:
    """What is posted to the helpdesk (as JSON, keys as the attribute names).

    Attributes:
        handoff_id: stable for one request of one conversation turn; the helpdesk
            deduplicates on it (also sent as the ``Idempotency-Key`` header).
        reason: why.
        priority: how urgent.
        customer: the keyed pseudonym of the verified customer (``sub_<hex>``), never the id.
        conversation: an opaque, encrypted reference the helpdesk returns in its callbacks.
        channel: the channel the customer is on (``secure_rest``, ``secure_socketio``...).
        transcript: the conversation so far, redacted, oldest first.
        created_at: when the handoff was asked for (Unix seconds).
        original: the unredacted transcript as JSON, encrypted with the keyring of the agents
            entitled to it (``original_keys_env``), or ``None``.
        evidence: for a ``security_response`` of the anomaly monitor, what fired (``trigger``,
            the window's ``features``, the model's ``score``; numbers and names only), else
            ``None``.
    """

    handoff_id: str
    reason: HandoffReason
    priority: Priority
    customer: str
    conversation: str
    channel: str
    transcript: Tuple[TranscriptLine, ...]
    created_at: float
    original: Optional[str] = None
    evidence: Optional[Dict[str, Any]] = None

    def to_json(self) -> bytes:
        """The request body: compact JSON with sorted keys (what the signature covers)."""
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":")).encode("utf-8")


class DeliveryStatus(str, Enum):
    """How a delivery ended."""

    DELIVERED = "delivered"
    """The helpdesk answered 2xx (also when it already had the handoff)."""
    REFUSED = "refused"
    """The helpdesk answered a final 4xx (bad signature, bad payload): not retried."""
    FAILED = "failed"
    """Every attempt failed (network, timeout, 408, 429, 5xx)."""


@dataclass(frozen=True)
class Delivery:
    """The outcome of :meth:`HandoffClient.deliver`.

    Attributes:
        status: how it ended.
        attempts: how many requests were made.
        http_status: the last HTTP status, if any answer came.
        problem: the last error's type name (no message: it may hold a URL), or ``""``.
    """

    status: DeliveryStatus
    attempts: int
    http_status: Optional[int] = None
    problem: str = ""

    @property
    def delivered(self) -> bool:
        """Whether the helpdesk has the handoff."""
        return self.status is DeliveryStatus.DELIVERED


OPTIONS: OptionSpec = {
    "url_env": Option(URL_ENV, "environment variable with the helpdesk's webhook URL", str),
    "secret_env": Option(
        SECRET_ENV, "environment variable with the signing secret (32 characters or more)", str
    ),
    "attempts": Option(
        4, "requests made at most (the first and its retries)", int, in_range(1, 10)
    ),
    "backoff_seconds": Option(
        0.5, "wait before the first retry; doubles on each further retry", (int, float), positive
    ),
    "max_backoff_seconds": Option(4.0, "longest wait between two attempts", (int, float), positive),
    "timeout_seconds": Option(
        5.0, "time limit of one request (connect and answer)", (int, float), positive
    ),
}
"""Configuration of :class:`HandoffClient` (the ``helpdesk`` mapping of HandoffAction)."""


def check_url(url: str, *, key: str) -> str:
    """``url`` if it is HTTPS, or plain HTTP to a loopback address; else :class:`ConfigError`."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return url
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme == "http" and loopback:
        return url
    raise ConfigError(key, "the helpdesk URL must be https:// (plain http only to a loopback host)")


class HandoffClient:
    """Posts handoffs to one helpdesk webhook, signed, retried and idempotent.

    Args:
        config: options of :data:`OPTIONS`.
        environ: where the URL and the secret are read (default ``os.environ``).

    Raises:
        ConfigError: an invalid option, or the URL or the secret missing or unsafe.
    """

    def __init__(
        self,
        config: Optional[Mapping[str, Any]] = None,
        *,
        environ: Optional[Mapping[str, str]] = None,
        owner: str = "HandoffClient",
    ) -> None:
        env = os.environ if environ is None else environ
        self.config = resolve(OPTIONS, config, owner=owner)
        url_key = f"{owner}.url_env ({self.config['url_env']})"
        url = env.get(self.config["url_env"])
        if not url:
            raise ConfigError(url_key, "no helpdesk URL is set")
        self.url = check_url(url, key=url_key)
        self._secret = check_secret(
            env.get(self.config["secret_env"]),
            key=f"{owner}.secret_env ({self.config['secret_env']})",
        )

    def signed_headers(self, handoff: Handoff, body: bytes) -> Dict[str, str]:
        """The headers of one attempt: content type, idempotency key, a fresh signature."""
        return {
            "Content-Type": "application/json",
            IDEMPOTENCY_HEADER: handoff.handoff_id,
            **sign(self._secret, body),
        }

    async def deliver(self, handoff: Handoff) -> Delivery:
        """Post ``handoff`` until the helpdesk has it or the attempts run out; never raises
        for network or HTTP errors (they are the :class:`Delivery`'s ``FAILED``)."""
        import aiohttp
        from aiohttp_retry import ExponentialRetry, RequestParams, RetryClient

        body = handoff.to_json()
        attempts: List[int] = []

        async def count(_: Any, __: Any, ___: aiohttp.TraceRequestStartParams) -> None:
            attempts.append(1)

        trace = aiohttp.TraceConfig()
        # aiohttp 3.9 annotates its signals' callbacks wrongly (a callback of a callback)
        trace.on_request_start.append(count)  # type: ignore[arg-type]
        retry = ExponentialRetry(
            attempts=self.config["attempts"],
            start_timeout=float(self.config["backoff_seconds"]) / 2,  # aiohttp-retry doubles first
            max_timeout=float(self.config["max_backoff_seconds"]),
            statuses=set(RETRIED_STATUSES),
            exceptions={aiohttp.ClientError, asyncio.TimeoutError},
        )
        # one set of headers per attempt: each attempt is signed with its own nonce and time
        params = [
            RequestParams(
                "POST", self.url, self.signed_headers(handoff, body), kwargs={"data": body}
            )
            for _ in range(self.config["attempts"])
        ]
        timeout = aiohttp.ClientTimeout(total=float(self.config["timeout_seconds"]))
        try:
            async with aiohttp.ClientSession(timeout=timeout, trace_configs=[trace]) as session:
                client = RetryClient(client_session=session, retry_options=retry)
                async with client.requests(params_list=params) as response:
                    status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            return Delivery(DeliveryStatus.FAILED, len(attempts), problem=type(error).__name__)
        if 200 <= status < 300:
            return Delivery(DeliveryStatus.DELIVERED, len(attempts), status)
        final = status >= 500 or status in RETRIED_STATUSES
        outcome = DeliveryStatus.FAILED if final else DeliveryStatus.REFUSED
        return Delivery(outcome, len(attempts), status, problem=f"http_{status}")


CONVERSATION_CONTEXT = "rasa_secure.handoff.conversation"
"""The authenticated context of the encrypted conversation reference."""


def seal_conversation(keyring: Any, sender_id: str) -> str:
    """The opaque reference to conversation ``sender_id`` sent to the helpdesk."""
    token: str = keyring.encrypt(sender_id, context=CONVERSATION_CONTEXT)
    return token


def open_conversation(keyring: Any, reference: str) -> str:
    """The conversation id of a reference made by :func:`seal_conversation`.

    Raises:
        CryptoError: not a reference of ours (unknown key, tampered, another context).
    """
    sender_id: str = keyring.decrypt(reference, context=CONVERSATION_CONTEXT)
    return sender_id
