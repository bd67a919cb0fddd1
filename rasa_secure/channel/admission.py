"""The admission gate: every check a user message passes before it reaches Rasa, on any channel.

:class:`AdmissionGate` owns the rules: size caps, rate limits (per verified subject, and per
client address for failed authentications), token verification, sender binding, the
intent-trigger policy, the cleaning of client metadata and the attested identity envelope. It
knows no transport: nothing here imports a web framework.

The channel-adapter contract
----------------------------
A channel adapter (the REST webhook of :mod:`rasa_secure.channel.secure_rest`, a socket.io
server...) knows its transport and nothing of the rules. For every user message it:

1. reads at most :attr:`AdmissionGate.max_body_bytes` of the request; a larger one is refused
   with ``gate.refuse(RefusalReason.BODY_TOO_LARGE, client=address)`` without being read;
2. on an event loop, first ``await gate.prepare(bearer)`` (fetches a provider's keys in a
   worker thread when due) and passes ``fetch_keys=False`` below; then
   calls ``gate.admit(bearer, sender, text, metadata, client=address)`` with what the client
   sent, unchecked: the bearer token (``None`` without one), the requested conversation id,
   the text, the metadata, and the client's address (for the failure limit and the audit).
   A transport carrying the REST channel's JSON body (``{"sender", "message", "metadata"}``)
   calls ``gate.admit_json(bearer, body, client=address)`` instead, which bounds and parses it;
3. on an :class:`Admitted`, hands Rasa ``UserMessage(admitted.text, output,
   admitted.sender_id, metadata=admitted.metadata)``, and ``admitted.parse_data`` as the
   message's parse data when it is not ``None`` (an allowed intent trigger, see
   :mod:`rasa_secure.channel.triggers`);
4. on a :class:`~rasa_secure.channel.refusal.Refusal`, hands Rasa nothing and answers in its
   transport's terms: ``refusal.status``, ``refusal.public_reason`` and, when rate limited,
   ``refusal.retry_after``.

The gate audits every refusal it returns (``refuse`` included), so an adapter never records
one itself. The checks of ``admit``, in order (``admit_json`` first refuses a body over
``max_body_bytes``, and after step 3 one nested deeper than ``max_json_depth``, not JSON, or
not an object):

1. a client address over ``auth_failure_limit`` (failed authentications) or locked out by the
   anomaly monitor (``anomaly_policy``, :mod:`rasa_secure.channel.watch`) is refused;
2. the token is verified (:class:`~rasa_secure.core.identity.tokens.TokenVerifier`); a failure
   is refused and counted for the client address;
3. no automatic response may hold the caller (lock-out, step-up, throttle), and the subject
   must be within ``rate_limit`` (:mod:`rasa_secure.channel.rate_limit`; counters in
   memory or in Redis, shared by replicas);
4. the text must be a string of at most ``max_message_chars``, the sender a string or absent,
   the metadata an object or absent;
5. the conversation must belong to the subject (``sender_binding``);
6. an intent trigger (a text starting with ``/``) is refused unless allow-listed in
   ``allowed_intent_triggers``; an allowed one is screened and annotated;
7. identity-looking keys in the metadata are dropped at any depth, and the verified identity
   is added as an attested :class:`~rasa_secure.core.identity.envelope.Envelope` under
   ``metadata.rasa_secure``.

Everything fails closed: no valid token, no message; no reachable rate-limit store, no message.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from dataclasses import dataclass
from typing import Any, Dict, Mapping, NoReturn, Optional, Tuple, Union

from rasa_secure.channel.gate_options import OPTIONS
from rasa_secure.channel.rate_limit import (
    LimiterUnavailable,
    LimitKind,
    RateLimiter,
    Strategy,
)
from rasa_secure.channel.refusal import Reason, Refusal, RefusalReason, record_refusal
from rasa_secure.channel.triggers import TriggerGate, TriggerRefused, is_trigger
from rasa_secure.channel.watch import Watch
from rasa_secure.config import resolve
from rasa_secure.core.identity import (
    METADATA_KEY,
    Envelope,
    Identity,
    Keyring,
    SharedSecrets,
    TokenVerifier,
    attestation_key,
    seal,
)
from rasa_secure.core.json_depth import json_too_deep
from rasa_secure.core.nested import map_strings
from rasa_secure.errors import AuthenticationError

logger = logging.getLogger(__name__)

METADATA_DEPTH = 17
"""Metadata containers nested deeper than this are dropped (replaced by ``None``)."""
_SUFFIX = re.compile(r"[A-Za-z0-9_-]{1,64}")
_KEY_NOISE = re.compile(r"[_\-.\s]")


@dataclass(frozen=True)
class Admitted:
    """A message that passed every check, ready for Rasa.

    Attributes:
        identity: the verified caller.
        sender_id: the conversation id (bound to the subject).
        text: the message text for Rasa.
        metadata: the client's metadata, cleaned, with the envelope under ``rasa_secure``.
        envelope: the attested identity (also in ``metadata``).
        parse_data: for an allowed intent trigger, the parse data Rasa uses instead of
            running its pipeline (see :mod:`rasa_secure.channel.triggers`); else ``None``.
    """

    identity: Identity
    sender_id: str
    text: str
    metadata: Dict[str, Any]
    envelope: Envelope
    parse_data: Optional[Dict[str, Any]] = None


class _Refused(Exception):
    """Internal: stops the checks at the first refusal."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.reason.value)
        self.refusal = refusal


def _refuse(reason: Reason, subject: Optional[str] = None, **details: Any) -> NoReturn:
    raise _Refused(Refusal(reason, subject, **details))


class AdmissionGate:
    """Every check on a user message, for any channel adapter (see the module docstring).

    Args:
        config: options of :data:`OPTIONS` (merged over the defaults, then validated).
        owner: the adapter's name, in configuration errors and audit records.
        environ: environment for secrets and keys (default ``os.environ``).

    Raises:
        ConfigError: an invalid option, a missing or short shared secret, or (with
            ``forward_token``) a missing keyring; the error names the option.
    """

    def __init__(
        self,
        config: Optional[Mapping[str, Any]] = None,
        *,
        owner: str = "AdmissionGate",
        environ: Optional[Mapping[str, str]] = None,
    ) -> None:
        env = os.environ if environ is None else environ
        self.owner = owner
        self.config = resolve(OPTIONS, config, owner=owner)
        self.verifier = TokenVerifier(self.config["jwt"], owner=f"{owner}.jwt", environ=env)
        secrets = SharedSecrets.from_env(
            self.config["attestation_secret_env"],
            env,
            option=f"{owner}.attestation_secret_env",
            accept_previous=False,
        )
        self._attestation_key = attestation_key(secrets.current)
        self._keyring: Optional[Keyring] = None
        if self.config["forward_token"]:
            self._keyring = Keyring.from_env(
                self.config["token_keys_env"],
                env,
                option=f"{owner}.token_keys_env",
                purpose="forward_token",
            )
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
            owner=owner,
        )
        self._identity_keys = frozenset(_normalise_key(key) for key in self.config["identity_keys"])
        self.watch = Watch(self.config["anomaly_policy"])

    @property
    def max_body_bytes(self) -> int:
        """The most an adapter may read of one request."""
        limit: int = self.config["max_body_bytes"]
        return limit

    # -- the entry points ----------------------------------------------------------------

    def admit(
        self,
        bearer: Optional[str],
        sender: Any,
        text: Any,
        metadata: Any,
        *,
        client: str,
        fetch_keys: bool = True,
    ) -> Union[Admitted, Refusal]:
        """Run every check on one message: :class:`Admitted`, or an audited :class:`Refusal`.

        Args:
            bearer: the bearer token (without ``Bearer``), ``None`` when the client sent none.
            sender: the conversation id the client asked for (``None``: the subject's own).
            text: the message text.
            metadata: the client's metadata (``None``: none).
            client: the client's address.
            fetch_keys: ``False``: never fetch a provider's keys here (after :meth:`prepare`).
        """
        try:
            identity = self._identify(bearer, client, fetch_keys)
            admitted = self._admit(identity, bearer or "", sender, text, metadata)
            self.watch.seen(identity.subject, client, admitted.text)
            return admitted
        except _Refused as refused:
            return self._audited(refused.refusal)

    def admit_json(
        self, bearer: Optional[str], body: bytes, *, client: str, fetch_keys: bool = True
    ) -> Union[Admitted, Refusal]:
        """:meth:`admit` for a JSON body ``{"sender": ..., "message": ..., "metadata": ...}``.

        The size is checked before the token, the nesting and the syntax after it (so an
        unauthenticated client learns nothing about its body).
        """
        try:
            if len(body) > self.max_body_bytes:
                _refuse(RefusalReason.BODY_TOO_LARGE, client=client)
            identity = self._identify(bearer, client, fetch_keys)
            parsed = self._parse(body, identity.subject)
            sender, text = parsed.get("sender"), parsed.get("message")
            admitted = self._admit(identity, bearer or "", sender, text, parsed.get("metadata"))
            self.watch.seen(identity.subject, client, admitted.text)
            return admitted
        except _Refused as refused:
            return self._audited(refused.refusal)

    async def prepare(self, bearer: Optional[str]) -> None:
        """Fetch a provider's keys for ``bearer`` in a worker thread when they are due, so
        the event loop goes on serving meanwhile (within ``jwks_timeout_seconds``)."""
        if self.verifier.keys_due(bearer):
            await asyncio.get_running_loop().run_in_executor(None, self.verifier.fetch_keys, bearer)

    def refuse(
        self, reason: Reason, *, client: Optional[str] = None, subject: Optional[str] = None
    ) -> Refusal:
        """An audited refusal made by an adapter itself (a body too large to read)."""
        return self._audited(Refusal(reason, subject, client=client))

    def _audited(self, refusal: Refusal) -> Refusal:
        record_refusal(refusal, self.owner)
        return refusal

    # -- the checks, in order ------------------------------------------------------------

    def _limit(self, kind: LimitKind, key: str, client: str, *, count: bool) -> None:
        """Refuse when ``key`` is over its limit; count this message if ``count``."""
        subject = key if kind is LimitKind.SUBJECT else None
        try:
            outcome = self.limiter.hit(kind, key) if count else self.limiter.test(kind, key)
        except LimiterUnavailable:
            logger.error("rate-limit storage unavailable; request refused (fail closed)")
            _refuse(RefusalReason.RATE_LIMIT_UNAVAILABLE, subject, client=client)
        if not outcome.allowed:
            _refuse(
                RefusalReason.RATE_LIMITED, subject, client=client, retry_after=outcome.retry_after
            )

    def _identify(self, bearer: Optional[str], client: str, fetch_keys: bool) -> Identity:
        """The verified identity, within its rate limit.

        A failed verification counts against the client address; an address already over
        ``auth_failure_limit`` is refused before verification.
        """
        self._limit(LimitKind.CLIENT, client, client, count=False)
        visit = self.watch.visit(client)
        _restricted(visit.check())
        try:
            identity = self.verifier.verify(bearer, fetch_keys=fetch_keys)
        except AuthenticationError as error:
            self._limit(LimitKind.CLIENT, client, client, count=True)
            _refuse(error.reason, client=client)
        _restricted(visit.check(identity.subject, identity.acr))
        self._limit(LimitKind.SUBJECT, identity.subject, client, count=True)
        return identity

    def _parse(self, body: bytes, subject: str) -> Mapping[str, Any]:
        if json_too_deep(body, self.config["max_json_depth"]):
            _refuse(RefusalReason.JSON_TOO_DEEP, subject)
        try:
            parsed = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            _refuse(RefusalReason.INVALID_JSON, subject)
        if not isinstance(parsed, dict):
            _refuse(RefusalReason.BODY_NOT_OBJECT, subject)
        return parsed

    def _admit(
        self, identity: Identity, token: str, sender: Any, text: Any, metadata: Any
    ) -> Admitted:
        subject = identity.subject
        if not isinstance(text, str):
            _refuse(RefusalReason.MESSAGE_NOT_STRING, subject)
        if len(text) > self.config["max_message_chars"]:
            _refuse(RefusalReason.MESSAGE_TOO_LONG, subject)
        if sender is not None and not isinstance(sender, str):
            _refuse(RefusalReason.SENDER_NOT_STRING, subject)
        if metadata is not None and not isinstance(metadata, dict):
            _refuse(RefusalReason.METADATA_NOT_OBJECT, subject)
        sender_id = self.bind_sender(identity, sender)
        text, parse_data = self._screen_trigger(text, subject)
        envelope = seal(
            subject=subject, roles=identity.roles, sender_id=sender_id,
            expires_at=identity.expires_at, key=self._attestation_key,
            token=token if self._keyring is not None else None, keyring=self._keyring,
            acr=identity.acr, amr=identity.amr, auth_time=identity.auth_time,
        )  # fmt: skip
        cleaned = self.clean_metadata(metadata)
        cleaned[METADATA_KEY] = envelope.to_metadata()
        return Admitted(identity, sender_id, text, cleaned, envelope, parse_data)

    def bind_sender(self, identity: Identity, requested: Optional[str]) -> str:
        """The conversation id for this message, if it is the subject's.

        With ``sender_binding: subject`` the conversation id is the subject. With
        ``subject_prefix`` it may also be ``<subject>:<suffix>`` (suffix: letters, digits,
        ``_``, ``-``), so one user can hold several conversations; subjects containing ``:``
        are then refused, so no conversation id can belong to two subjects.
        """
        subject = identity.subject
        prefixed = self.config["sender_binding"] == "subject_prefix"
        if requested is None or requested == subject:
            if prefixed and ":" in subject:
                _refuse(RefusalReason.SUBJECT_NOT_BINDABLE, subject)
            return subject
        if prefixed and ":" not in subject:
            owner, separator, suffix = requested.partition(":")
            if separator and owner == subject and _SUFFIX.fullmatch(suffix):
                return requested
        _refuse(RefusalReason.CONVERSATION_NOT_OWNED, subject)

    def _screen_trigger(self, text: str, subject: str) -> Tuple[str, Optional[Dict[str, Any]]]:
        """``(text, parse_data)`` for Rasa: unchanged text, or an allowed intent trigger."""
        if not is_trigger(text):
            return text, None
        try:
            admitted = self.triggers.admit(text)
        except TriggerRefused as refused:
            _refuse(refused.reason, subject, categories=refused.categories)
        return admitted.text, admitted.parse_data

    def clean_metadata(self, metadata: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
        """The client metadata without identity-looking keys (at any depth)."""
        drop = self._identity_keys
        cleaned = map_strings(
            metadata or {},
            lambda text: text,
            max_depth=METADATA_DEPTH,
            keep_key=lambda key: not (isinstance(key, str) and _normalise_key(key) in drop),
        )
        return cleaned if isinstance(cleaned, dict) else {}


def _restricted(refusal: Optional[Refusal]) -> None:
    if refusal is not None:
        raise _Refused(refusal)


def _normalise_key(key: str) -> str:
    return _KEY_NOISE.sub("", key).lower()
