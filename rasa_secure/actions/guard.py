"""``ActionGuard``: identity, policy, tracker filtering and message redaction for secure actions.

One guard per action server process (:meth:`ActionGuard.default`, built from
``RASA_SECURE_ACTIONS_CONFIG`` or ``RASA_SECURE_POLICY``) serves every
:class:`~rasa_secure.actions.secure_action.SecureAction`, secure form and the NLG endpoint:
it establishes the caller's identity from the attested envelope (or the forwarded JWT,
re-verified), hides the slots the caller may not read, drops slot writes the caller lacks, and
redacts outgoing messages (slot values as disclosed, then PII). Its options are described in
``docs/components/secure-action.md``.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from pathlib import Path
from typing import (
    Any,
    Callable,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)

from rasa_sdk import Tracker

from rasa_secure.actions.outgoing import scalar_texts, show_values, values_pattern
from rasa_secure.config import Option, OptionSpec, in_range, read_yaml, resolve
from rasa_secure.core.identity import (
    METADATA_KEY,
    SHARED_SECRET_ENV,
    AuditDecision,
    AuthReason,
    Disclosure,
    Envelope,
    Generation,
    Identity,
    Keyring,
    Policy,
    SharedSecrets,
    TokenVerifier,
    attestation_key,
    audit,
    open_envelope,
)
from rasa_secure.core.nested import map_strings
from rasa_secure.core.redaction.sanitizer import PATTERN_ONLY
from rasa_secure.errors import AuthenticationError, ConfigError

logger = logging.getLogger(__name__)

COMPONENT = "SecureAction"
CONFIG_ENV = "RASA_SECURE_ACTIONS_CONFIG"
POLICY_ENV = "RASA_SECURE_POLICY"
CHANNEL_ISSUER = "rasa_secure.channel"
"""``Identity.issuer`` of identities taken from an attested envelope (not a re-verified JWT)."""
SESSION_METADATA_SLOT = "session_started_metadata"
"""Rasa's slot holding the metadata of the message that started the session."""
INTERNAL_SLOTS = frozenset({"requested_slot"})
"""Rasa's form bookkeeping (a slot *name*, never user data): always readable and writable."""
UNSCANNED_KEYS = frozenset({"response", "template"})
"""Message keys holding response names, not text: never rewritten."""

OPTIONS: OptionSpec = {
    "policy": Option(
        None, "the policy YAML file (relative paths: to the config file)", (str, type(None))
    ),
    "domain": Option(
        None,
        "domain file or directory to check the policy's names against (SecureNLG renders "
        "its responses)",
        (str, type(None)),
    ),
    "identity": Option(
        "attested",
        "'attested': trust the channel's attested envelope; 'token': re-verify the forwarded JWT",
        str,
        choices=("attested", "token"),
    ),
    "jwt": Option({}, "TokenVerifier options for identity: token", dict),
    "attestation_secret_env": Option(
        SHARED_SECRET_ENV, "environment variable with the shared secret", str
    ),
    "token_keys_env": Option(
        "RASA_SECURE_KEYS", "environment variable with the keyring (identity: token)", str
    ),
    "leeway_seconds": Option(
        30, "tolerated clock skew for the envelope's expiry", int, in_range(0, 300)
    ),
    "pii": Option(
        PATTERN_ONLY,
        "Sanitizer options for outgoing messages (pattern-only by default); null: no PII masking",
        (dict, type(None)),
    ),
    "refusal_text": Option(
        "Sorry, I can't help you with that.", "answer when the policy refuses", str
    ),
    "step_up_text": Option(
        "For this I need you to confirm it's you with a second factor. Please sign in again "
        "and retry.",
        "answer (next to the RFC 9470 challenge) when the action needs a stronger sign-in",
        str,
    ),
    "invalid_text": Option(
        "Sorry, that doesn't look right. Please check and try again.",
        "answer when a value fails validation",
        str,
    ),
    "error_text": Option(
        "Sorry, something went wrong. Please try again later.", "answer on unexpected errors", str
    ),
    "screen": Option(
        {},
        "InjectionDetector options for form slot values; null disables screening",
        (dict, type(None)),
    ),
    "screen_rejects": Option(
        "flag",
        "slot values are rejected from this injection verdict up: 'flag' or 'block'",
        str,
        choices=("flag", "block"),
    ),
    "audit_allowed": Option(False, "also audit allowed action calls", bool),
}
"""Configuration of :class:`ActionGuard`."""


class ActionGuard:
    """Identity, policy, tracker filtering and message redaction for secure actions.

    Built once per process (:meth:`default`), or explicitly for tests and custom setups.

    Args:
        config: options of :data:`OPTIONS`.
        base: directory relative ``policy``/``domain`` paths are resolved against.
        environ: environment for secrets (default ``os.environ``).

    Raises:
        ConfigError: invalid options, missing secrets; PolicyError for an invalid policy.
    """

    _default: Optional[ActionGuard] = None
    _default_lock = threading.Lock()

    def __init__(
        self,
        config: Optional[Mapping[str, Any]] = None,
        *,
        base: Optional[Path] = None,
        environ: Optional[Mapping[str, str]] = None,
        policy: Optional[Policy] = None,
    ) -> None:
        env = os.environ if environ is None else environ
        self.config = resolve(OPTIONS, config, owner="SecureAction")
        root = base or Path.cwd()
        domain_path = self.config["domain"]
        # the domain file or directory, resolved: the policy is checked against it and
        # SecureNLG renders its responses
        self.domain: Optional[Path] = None if domain_path is None else root / domain_path
        if policy is None:
            if self.config["policy"] is None:
                raise ConfigError(
                    "SecureAction.policy", f"no policy file configured (set {POLICY_ENV})"
                )
            policy = Policy.load(root / self.config["policy"], domain=self.domain)
        self.policy = policy
        secrets = SharedSecrets.from_env(
            self.config["attestation_secret_env"], env, option="SecureAction.attestation_secret_env"
        )
        self._keys = tuple(
            (generation, attestation_key(secret)) for generation, secret in secrets.accepted
        )
        self._verifier: Optional[TokenVerifier] = None
        self._keyring: Optional[Keyring] = None
        if self.config["identity"] == "token":
            self._verifier = TokenVerifier(
                self.config["jwt"], owner="SecureAction.jwt", environ=env
            )
            self._keyring = Keyring.from_env(
                self.config["token_keys_env"],
                env,
                option="SecureAction.token_keys_env",
                purpose="identity: token",
            )
        self.sanitizer = self._sanitizer(self.config["pii"])
        self._screen: Optional[Callable[[str], Optional[str]]] = None
        self._screen_lock = threading.Lock()

    @staticmethod
    def _sanitizer(options: Optional[Mapping[str, Any]]) -> Any:
        if options is None:
            return None
        from rasa_secure.core.redaction import Sanitizer

        sanitizer = Sanitizer.from_config(options)
        sanitizer.load()
        return sanitizer

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> ActionGuard:
        """Build from ``RASA_SECURE_ACTIONS_CONFIG`` (a YAML file) or ``RASA_SECURE_POLICY``."""
        env = os.environ if environ is None else environ
        path = env.get(CONFIG_ENV)
        if path:
            config = read_yaml(path, key=CONFIG_ENV) or {}
            return cls(config, base=Path(path).resolve().parent, environ=env)
        policy = env.get(POLICY_ENV)
        if not policy:
            raise ConfigError(
                CONFIG_ENV, f"set {CONFIG_ENV} (config file) or {POLICY_ENV} (policy file)"
            )
        return cls({"policy": policy}, environ=env)

    @classmethod
    def default(cls) -> ActionGuard:
        """The process-wide guard, built from the environment on first use."""
        with cls._default_lock:
            if cls._default is None:
                cls._default = cls.from_env()
            return cls._default

    # -- identity ------------------------------------------------------------------------

    def identify(self, tracker: Tracker) -> Identity:
        """The verified caller of this action call.

        The envelope is read from the latest message's metadata: its ``user`` event, or,
        when Rasa starts a session for it, the ``session_started_metadata`` slot Rasa sets to
        that message's metadata just before ``action_session_start``.

        Raises:
            AuthenticationError: no attested identity in the latest user message, or (with
                ``identity: token``) a forwarded token that does not verify or does not match.
        """
        metadata = None
        for event in reversed(tracker.events):
            if event.get("event") == "user":
                metadata = event.get("metadata")
                break
            if event.get("event") == "slot" and event.get("name") == SESSION_METADATA_SLOT:
                metadata = event.get("value")
                break
        envelope = self._open(metadata, tracker.sender_id)
        if self._verifier is None or self._keyring is None:
            return Identity(
                envelope.subject,
                envelope.roles,
                CHANNEL_ISSUER,
                envelope.expires_at,
                acr=envelope.acr,
                amr=envelope.amr,
                auth_time=envelope.auth_time,
            )
        identity = self._verifier.verify(envelope.decrypt_token(self._keyring))
        sender = tracker.sender_id
        if identity.subject != envelope.subject or not (
            sender == identity.subject or sender.startswith(f"{identity.subject}:")
        ):
            raise AuthenticationError(
                AuthReason.SUBJECT_MISMATCH, "token subject does not own the conversation"
            )
        return identity

    def _open(self, metadata: Any, sender_id: str) -> Envelope:
        """The envelope attested with the current or, during a rotation, the retiring secret."""
        refusal: Optional[AuthenticationError] = None
        for generation, key in self._keys:
            try:
                envelope = open_envelope(
                    metadata, key, sender_id=sender_id, leeway_seconds=self.config["leeway_seconds"]
                )
            except AuthenticationError as error:
                if error.reason is not AuthReason.BAD_ATTESTATION:
                    raise
                refusal = refusal or error
                continue
            if generation is Generation.PREVIOUS:
                audit.record(
                    COMPONENT,
                    AuditDecision.ALLOW,
                    subject=envelope.subject,
                    reasons=(AuthReason.PREVIOUS_SHARED_SECRET,),
                )
            return envelope
        raise refusal or AuthenticationError(
            AuthReason.BAD_ATTESTATION, "no shared secret configured"
        )

    # -- tracker view ----------------------------------------------------------------------

    def hidden_slots(self, identity: Identity, slots: Iterable[str]) -> FrozenSet[str]:
        """The slots among ``slots`` whose values ``identity`` may not read."""
        return frozenset(
            s for s in slots if s not in INTERNAL_SLOTS and not self.policy.can_read(identity, s)
        )

    def view(self, tracker: Tracker, identity: Identity) -> Tracker:
        """A copy of ``tracker`` without what the role may not read and without the envelope."""
        hidden = self.hidden_slots(identity, tracker.slots)
        events: List[Dict[str, Any]] = []
        for event in tracker.events:
            kind = event.get("event")
            if kind == "slot" and event.get("name") in hidden:
                event = {**event, "value": None}
            elif (
                kind == "user"
                and isinstance(event.get("metadata"), dict)
                and METADATA_KEY in event["metadata"]
            ):
                metadata = {k: v for k, v in event["metadata"].items() if k != METADATA_KEY}
                event = {**event, "metadata": metadata}
            events.append(event)
        slots = {name: (None if name in hidden else value) for name, value in tracker.slots.items()}
        return Tracker(
            tracker.sender_id,
            slots,
            dict(tracker.latest_message),
            events,
            tracker.is_paused(),
            tracker.followup_action,
            dict(tracker.active_loop),
            tracker.latest_action_name,
        )

    # -- events ----------------------------------------------------------------------------

    def filter_events(
        self,
        events: Sequence[Any],
        identity: Identity,
        action: str,
        *,
        clearable: FrozenSet[str] = frozenset(),
    ) -> List[Any]:
        """``events`` without slot writes the role lacks and without forged envelopes.

        ``clearable`` names slots that may be reset to ``None`` regardless (a form rejecting
        a candidate value Rasa already set).
        """
        kept: List[Any] = []
        for event in events:
            if isinstance(event, dict) and event.get("event") == "slot":
                slot = str(event.get("name"))
                cleared = slot in clearable and event.get("value") is None
                writable = slot in INTERNAL_SLOTS or self.policy.can_write(identity, slot)
                if not (cleared or writable):
                    audit.record(
                        COMPONENT, AuditDecision.DENY, subject=identity.subject, action=action,
                        categories=(slot,), reasons=("slot_write_denied",),
                    )  # fmt: skip
                    continue
            if isinstance(event, dict) and event.get("event") == "user":
                metadata = event.get("metadata")
                if isinstance(metadata, dict) and METADATA_KEY in metadata:
                    event = {
                        **event,
                        "metadata": {k: v for k, v in metadata.items() if k != METADATA_KEY},
                    }
            kept.append(event)
        return kept

    # -- outgoing messages -----------------------------------------------------------------

    def disclosures(
        self, identity: Optional[Identity], action: str, slot_values: Iterable[Tuple[str, Any]]
    ) -> List[Tuple[str, Disclosure]]:
        """Each shown form of a slot value with the disclosure ``identity`` has for its slot.

        Slot values belong to the caller's own conversation, so the roles whose grant on
        ``action`` reaches the caller's own records decide; no identity sees none of them.
        """
        found: Dict[str, Disclosure] = {}
        owner = identity.subject if identity is not None else None
        for slot, value in slot_values:
            if slot in INTERNAL_SLOTS:
                continue
            level = self.policy.disclosure(identity, slot, action=action, owner=owner)
            for text in scalar_texts(value):
                previous = found.get(text)
                if previous is None or level.rank < previous.rank:
                    found[text] = level
        return sorted(found.items(), key=lambda item: -len(item[0]))

    def redact_message(
        self, message: Dict[str, Any], disclosures: Sequence[Tuple[str, Disclosure]], scope: str
    ) -> Dict[str, Any]:
        """``message`` with every string (text, buttons, custom JSON...) redacted."""
        pattern = values_pattern([text for text, _ in disclosures])
        levels = dict(disclosures)
        return {
            key: value
            if key in UNSCANNED_KEYS
            else map_strings(value, lambda text: self._redact_text(text, pattern, levels, scope))
            for key, value in message.items()
        }

    def _redact_text(
        self,
        text: str,
        pattern: Optional[re.Pattern[str]],
        levels: Mapping[str, Disclosure],
        scope: str,
    ) -> str:
        """Slot values rendered as disclosed, then one PII pass that spares shown values."""
        return self.sanitize(*show_values(text, pattern, levels), scope)

    def sanitize(self, text: str, shown: Sequence[Tuple[int, int]], scope: str) -> str:
        """PII masked outside the ``shown`` spans; on any failure the whole text is replaced."""
        if self.sanitizer is None or not text.strip():
            return text
        try:
            findings = [
                finding
                for finding in self.sanitizer.detector.detect(text)
                if not any(finding.start < end and start < finding.end for start, end in shown)
            ]
            redacted: str = self.sanitizer.redactor.redact(text, findings, scope=scope).text
        except Exception as error:  # fail safe: redact more, never less
            audit.record(
                COMPONENT, AuditDecision.ERROR, subject=scope or None,
                reasons=("detection_failed", type(error).__name__),
            )  # fmt: skip
            failure: str = self.sanitizer.failure_text
            return failure
        return redacted

    # -- slot value screening -------------------------------------------------------------------

    def screen(self, value: str) -> Optional[str]:
        """``None`` if ``value`` passes the injection screen, else the category that fired."""
        if self.config["screen"] is None:
            return None
        with self._screen_lock:
            if self._screen is None:
                self._screen = _injection_screen(
                    self.config["screen"], self.config["screen_rejects"]
                )
        return self._screen(value)


def _injection_screen(options: Mapping[str, Any], rejects: str) -> Callable[[str], Optional[str]]:
    from rasa_secure.core.injection import InjectionDetector, ScreenDecision

    detector = InjectionDetector(options, owner="SecureAction.screen")
    block, flag = ScreenDecision.BLOCK, ScreenDecision.FLAG
    rejected = {block} if rejects == "block" else {block, flag}

    def screen(value: str) -> Optional[str]:
        verdict = detector.detect(value)
        if verdict.decision in rejected:
            return verdict.categories[0] if verdict.categories else "injection"
        return None

    return screen
