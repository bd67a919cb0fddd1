"""``SecureAction``: a rasa-sdk action that runs only for callers the policy allows.

Write ``run_authorized`` instead of ``run``::

    class ActionCheckBalance(SecureAction):
        def name(self) -> str:
            return "action_check_balance"

        async def run_authorized(self, dispatcher, tracker, domain, context):
            for account in bank.accounts_of(context.identity.subject):
                context.require_owner(account.owner)
                number = context.show("account_number", account.number, owner=account.owner)
                dispatcher.utter_message(text=f"{number}: {account.balance}")
            return []

Before ``run_authorized``, :class:`ActionGuard` establishes the identity (the attested
envelope the channel put in the latest user message, or the forwarded JWT re-verified) and
checks the policy for the action. The action sees a filtered tracker (slots the role may not
read are ``None``, also in past events; the identity envelope is removed). Afterwards
``SlotSet`` events for slots the role may not write are dropped, and every outgoing message
passes through the redaction: slot values shown as the policy's disclosure allows, then PII
masked. A denial, a failed ownership check, an invalid typed value or an unexpected error
answers politely, returns no events, and leaves an audit record. Everything fails closed.

Configuration (a YAML file named by ``RASA_SECURE_ACTIONS_CONFIG``, or just the policy path
in ``RASA_SECURE_POLICY``) is described in ``docs/components/secure-action.md``.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
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

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.utils import call_potential_coroutine

from rasa_secure.actions.server_auth import RETIRING_REASON, Generation, SharedSecrets
from rasa_secure.config import Option, OptionSpec, in_range, read_yaml, resolve
from rasa_secure.core.identity import audit
from rasa_secure.core.identity.crypto import Keyring
from rasa_secure.core.identity.envelope import (
    METADATA_KEY,
    SHARED_SECRET_ENV,
    Envelope,
    attestation_key,
    open_envelope,
)
from rasa_secure.core.identity.policy import Decision, Disclosure, Policy
from rasa_secure.core.identity.tokens import Identity, TokenVerifier
from rasa_secure.errors import (
    AuthenticationError,
    AuthorizationError,
    ConfigError,
    InputError,
)

logger = logging.getLogger(__name__)

CONFIG_ENV = "RASA_SECURE_ACTIONS_CONFIG"
POLICY_ENV = "RASA_SECURE_POLICY"
CHANNEL_ISSUER = "rasa_secure.channel"
"""``Identity.issuer`` of identities taken from an attested envelope (not a re-verified JWT)."""
INTERNAL_SLOTS = frozenset({"requested_slot"})
"""Rasa's form bookkeeping (a slot *name*, never user data): always readable and writable."""
UNSCANNED_KEYS = frozenset({"response", "template"})
"""Message keys holding response names, not text: never rewritten."""
DEFAULT_PII: Dict[str, Any] = {
    "detector": {
        "spacy_model": None,
        "entities": [
            "CREDIT_CARD",
            "EMAIL_ADDRESS",
            "IBAN_CODE",
            "US_SSN",
            "PASSWORD",
            "SECRET",
            "PIN",
        ],
    },
    "redaction": {"default": {"operator": "mask"}},
}

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
        DEFAULT_PII,
        "Sanitizer options for outgoing messages (pattern-only by default); null: no PII masking",
        (dict, type(None)),
    ),
    "refusal_text": Option(
        "Sorry, I can't help you with that.", "answer when the policy refuses", str
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


@dataclass(frozen=True)
class ActionContext:
    """What an authorized action knows about its caller.

    Attributes:
        identity: the verified caller.
        decision: the policy decision that let the action run (role and scope).
        policy: the policy, for finer checks.
        action: the action's name.
    """

    identity: Identity
    decision: Decision
    policy: Policy
    action: str

    def owns(self, owner: Optional[str]) -> bool:
        """Whether the grant covers a record owned by ``owner`` (always true for ``any``)."""
        return self.policy.check_owner(self.identity, self.action, owner).allowed

    def require_owner(self, owner: Optional[str]) -> None:
        """Raise :class:`AuthorizationError` unless the grant covers a record of ``owner``.

        ``SecureAction`` turns the error into a polite refusal and an audit record.
        """
        decision = self.policy.check_owner(self.identity, self.action, owner)
        if not decision.allowed:
            raise AuthorizationError(self.identity.subject, decision.permission, decision.reason)

    def show(self, name: str, value: Any, *, owner: Optional[str]) -> str:
        """``value`` of the slot or backend field ``name``, as the caller may see it.

        ``owner`` is the subject the backend says owns the record the value comes from
        (``None``: unknown). The disclosure is that of the caller's roles whose grant on
        this action reaches that record (see :meth:`Policy.disclosure`), so it is required.
        """
        level = self.policy.disclosure(self.identity, name, action=self.action, owner=owner)
        return level.render(value)


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
            self.config["attestation_secret_env"], env, key="SecureAction.attestation_secret_env"
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
            spec = env.get(self.config["token_keys_env"], "")
            if not spec.strip():
                raise ConfigError(
                    "SecureAction.token_keys_env", "identity: token needs the keyring"
                )
            self._keyring = Keyring.parse(spec, source=self.config["token_keys_env"])
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

        Raises:
            AuthenticationError: no attested identity in the latest user message, or (with
                ``identity: token``) a forwarded token that does not verify or does not match.
        """
        metadata = None
        for event in reversed(tracker.events):
            if event.get("event") == "user":
                metadata = event.get("metadata")
                break
        envelope = self._open(metadata, tracker.sender_id)
        if self._verifier is None or self._keyring is None:
            return Identity(envelope.subject, envelope.roles, CHANNEL_ISSUER, envelope.expires_at)
        identity = self._verifier.verify(envelope.decrypt_token(self._keyring))
        sender = tracker.sender_id
        if identity.subject != envelope.subject or not (
            sender == identity.subject or sender.startswith(f"{identity.subject}:")
        ):
            raise AuthenticationError(
                "subject_mismatch", "token subject does not own the conversation"
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
                if error.reason != "bad_attestation":
                    raise
                refusal = refusal or error
                continue
            if generation is Generation.PREVIOUS:
                audit.record(
                    "SecureAction", "allow", subject=envelope.subject, reasons=(RETIRING_REASON,)
                )
            return envelope
        raise refusal or AuthenticationError("bad_attestation", "no shared secret configured")

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
                        "SecureAction", "deny", subject=identity.subject, action=action,
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
            for text in _scalar_texts(value):
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
            else walk_strings(value, lambda text: self._redact_text(text, pattern, levels, scope))
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
                "SecureAction", "error", subject=scope or None,
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
    from rasa_secure.core.injection.detector import Decision as Verdict
    from rasa_secure.core.injection.detector import InjectionDetector

    detector = InjectionDetector(options, owner="SecureAction.screen")
    rejected = {Verdict.BLOCK} if rejects == "block" else {Verdict.BLOCK, Verdict.FLAG}

    def screen(value: str) -> Optional[str]:
        verdict = detector.detect(value)
        if verdict.decision in rejected:
            return verdict.categories[0] if verdict.categories else "injection"
        return None

    return screen


MIN_MASKED_CHARS = 3
"""Slot values shorter than this are not searched for in messages (too common to mask)."""


def _scalar_texts(value: Any) -> List[str]:
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, (str, int, float)):
        text = str(value).strip()
        return [text] if len(text) >= MIN_MASKED_CHARS else []
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _scalar_texts(item)]
    return []


def show_values(
    text: str, pattern: Optional[re.Pattern[str]], levels: Mapping[str, Disclosure]
) -> Tuple[str, List[Tuple[int, int]]]:
    """``text`` with the slot values ``pattern`` finds rendered as ``levels`` disclose them.

    Returns the new text and the spans of the rendered values (spared by the PII pass).
    """
    pieces: List[str] = []
    shown: List[Tuple[int, int]] = []
    position = length = 0
    for match in pattern.finditer(text) if pattern is not None else ():
        rendered = levels[match.group(0)].render(match.group(0))
        pieces += [text[position : match.start()], rendered]
        length += match.start() - position
        shown.append((length, length + len(rendered)))
        length += len(rendered)
        position = match.end()
    pieces.append(text[position:])
    return "".join(pieces), shown


def values_pattern(values: Sequence[str]) -> Optional[re.Pattern[str]]:
    """A pattern finding any of ``values`` as a whole word (``None`` for no values)."""
    if not values:
        return None
    alternatives = "|".join(re.escape(value) for value in values)
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])")


def walk_strings(value: Any, change: Callable[[str], str]) -> Any:
    """``value`` (nested dicts and lists) with every string replaced by ``change(string)``."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {key: walk_strings(item, change) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [walk_strings(item, change) for item in value]
    return value


class SecureAction(Action, ABC):
    """An action that runs only when the policy allows it; see the module docstring.

    Class attributes (hooks with safe defaults):
        guard: the :class:`ActionGuard` to use; ``None`` means :meth:`ActionGuard.default`.
    """

    guard: Optional[ActionGuard] = None

    def get_guard(self) -> ActionGuard:
        """Hook: the guard to use (default: :attr:`guard`, else :meth:`ActionGuard.default`)."""
        return self.guard if self.guard is not None else ActionGuard.default()

    @abstractmethod
    def name(self) -> str:
        """The action's name, as in the domain and the policy."""

    @abstractmethod
    async def run_authorized(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
        context: ActionContext,
    ) -> List[Dict[str, Any]]:
        """The action's work, run only after authentication and authorization succeeded."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Authenticate, authorize, run :meth:`run_authorized` on a filtered view, redact."""
        guard = self.get_guard()
        name = self.name()
        identity = authenticate(guard, tracker, dispatcher, name)
        if identity is None:
            return []
        decision = guard.policy.check_action(identity, name)
        if not decision.allowed:
            return refuse(guard, dispatcher, identity.subject, name, decision.reason)
        if guard.config["audit_allowed"]:
            audit.record(
                "SecureAction",
                "allow",
                subject=identity.subject,
                action=name,
                reasons=(decision.reason,),
            )
        inner = CollectingDispatcher()
        context = ActionContext(identity, decision, guard.policy, name)
        try:
            events = await call_potential_coroutine(
                self.run_authorized(inner, guard.view(tracker, identity), domain, context)
            )
        except AuthorizationError as error:
            return refuse(guard, dispatcher, identity.subject, name, error.reason)
        except InputError as error:
            audit.record(
                "SecureAction",
                "reject",
                subject=identity.subject,
                action=name,
                reasons=("invalid_input",),
                categories=(error.location,),
            )
            dispatcher.utter_message(text=guard.config["invalid_text"])
            return []
        except Exception as error:  # fail closed: no partial output, no events
            logger.error("action %s failed with %s", name, type(error).__name__)
            audit.record(
                "SecureAction",
                "error",
                subject=identity.subject,
                action=name,
                reasons=(type(error).__name__,),
            )
            dispatcher.utter_message(text=guard.config["error_text"])
            return []
        kept = guard.filter_events(list(events or []), identity, name)
        emit(guard, dispatcher, inner.messages, identity, tracker, kept, action=name)
        return kept


def authenticate(
    guard: ActionGuard, tracker: Tracker, dispatcher: CollectingDispatcher, action: str
) -> Optional[Identity]:
    """The caller's identity, or ``None`` after a polite refusal and an audit record."""
    try:
        return guard.identify(tracker)
    except AuthenticationError as error:
        audit.record("SecureAction", "deny", subject=None, action=action, reasons=(error.reason,))
        dispatcher.utter_message(text=guard.config["refusal_text"])
        return None


def refuse(
    guard: ActionGuard, dispatcher: CollectingDispatcher, subject: str, action: str, reason: str
) -> List[Dict[str, Any]]:
    """Answer politely, audit the denial, and return no events."""
    audit.record("SecureAction", "deny", subject=subject, action=action, reasons=(reason,))
    dispatcher.utter_message(text=guard.config["refusal_text"])
    return []


def emit(
    guard: ActionGuard,
    dispatcher: CollectingDispatcher,
    messages: Sequence[Dict[str, Any]],
    identity: Optional[Identity],
    tracker: Tracker,
    events: Sequence[Any],
    *,
    action: str,
) -> None:
    """Redact ``messages`` of ``action`` (slot disclosure, then PII) into ``dispatcher``."""
    if not messages:
        return
    values = list(tracker.slots.items())
    values.extend(
        (str(event.get("name")), event.get("value"))
        for event in events
        if isinstance(event, dict) and event.get("event") == "slot"
    )
    disclosures = guard.disclosures(identity, action, values)
    for message in messages:
        dispatcher.messages.append(guard.redact_message(message, disclosures, tracker.sender_id))
