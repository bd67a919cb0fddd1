"""``SecureNLG``: the domain's responses, rendered on the guarded action server.

Rasa renders ``utter_*`` responses itself and fills ``{slot}`` placeholders with the raw slot
values, so a response that echoes a slot shows it in full to any caller, whatever the policy
says. Pointed at this endpoint (``endpoints.yml``)::

    nlg:
      type: callback
      url: https://actions:5055/webhook/nlg
      headers:
        X-Rasa-Secure-Token: ${RASA_SECURE_ACTION_TOKEN}

Rasa posts each response it wants rendered (the response name, the tracker state, the
output channel, the arguments an action passed) to ``/webhook/nlg`` instead, and the guarded
action server answers:

1. the caller must send the shared secret (the same request middleware as ``/webhook``:
   401 otherwise);
2. the identity is the attested envelope of the latest user message, read exactly as
   :class:`~rasa_secure.actions.secure_action.SecureAction` reads it; none (or an invalid
   one): every slot value is withheld;
3. the response variation is chosen as Rasa chooses it (channel, then ``condition`` on
   slots) on the slots the caller may *read* (others count as unset), and its ``{name}``
   placeholders are filled as Rasa fills them (:func:`interpolate_text`);
4. a slot value is shown as :meth:`~rasa_secure.core.identity.policy.Policy.disclosure` allows with
   ``action=<response name>`` and ``owner=<caller>``: the response counts as the action
   that shows the value, and the value belongs to the caller's own conversation. A response
   the policy does not name grants nothing, so its slot values are withheld (deny by
   default); a response without placeholders needs no grant;
5. the whole reply passes the PII pass of every action reply (values the disclosure showed
   are spared).

The route is registered by :func:`~rasa_secure.actions.server_auth.attach` when a guard with a
``domain`` is known: the one passed to ``attach``, the one ``RASA_SECURE_ACTIONS_CONFIG`` /
``RASA_SECURE_POLICY`` configures, or the one guard all the server's secure actions share.
This module imports ``rasa_sdk`` only, never ``rasa``: the renderer is our own, small copy of
Rasa 3.6's ``rasa.core.nlg`` behaviour (``interpolator.interpolate_text`` and
``ResponseVariationFilter``).
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Set, Tuple, Union

import yaml
from rasa_sdk import Tracker

from rasa_secure.actions.guard import CONFIG_ENV, INTERNAL_SLOTS, POLICY_ENV, ActionGuard
from rasa_secure.actions.outgoing import show_values, values_pattern
from rasa_secure.actions.secure_action import SecureAction
from rasa_secure.actions.secure_form import SecureFormValidationAction
from rasa_secure.core.identity import AuditDecision, Disclosure, Identity, audit
from rasa_secure.core.json_depth import json_too_deep
from rasa_secure.core.nested import map_strings
from rasa_secure.errors import AuthenticationError, ConfigError, InputError

logger = logging.getLogger(__name__)

COMPONENT = "SecureNLG"
NLG_PATH = "/webhook/nlg"
"""Where the route answers: next to the action webhook, so ``<action URL>/nlg``."""
MAX_JSON_DEPTH = 64
"""Deeper request bodies are refused (400) before parsing."""
INTERPOLATED_KEYS = ("text", "image", "custom", "buttons", "attachment", "quick_replies")
"""The keys of a response whose strings Rasa fills placeholders in."""
SELECTION_KEYS = frozenset({"condition", "channel"})
"""Keys that select a variation; they are not part of the reply."""
_PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")
"""Rasa's placeholder: ``{name}``, the name without newlines or braces."""


@dataclass(frozen=True)
class Piece:
    """A run of rendered text.

    Attributes:
        text: literal text of the template, or the value filled in, as Rasa would show it.
        name: the placeholder the value filled (``None`` for literal text).
    """

    text: str
    name: Optional[str] = None


def interpolate_text(template: str, values: Mapping[str, Any]) -> Tuple[Piece, ...]:
    """``template`` with its ``{name}`` placeholders filled from ``values``, as Rasa does.

    Rasa 3.6 (``rasa.core.nlg.interpolator.interpolate_text``) turns ``{name}`` into
    ``{0[name]}`` and calls ``str.format(values)``: values appear as ``format(value, "")``;
    a placeholder without a value, or a template Rasa cannot format, comes back unchanged
    (no value at all is filled in); a template that escapes braces (``{{name}}``) comes
    back as ``template.format({})``. The pieces say which text came from which placeholder.
    """
    unchanged = (Piece(template),)
    try:
        parsed = list(string.Formatter().parse(_PLACEHOLDER.sub(r"{0[\1]}", template)))
    except ValueError:  # Rasa would raise: show the template, fill nothing
        return unchanged
    pieces: List[Piece] = []
    for literal, field, spec, conversion in parsed:
        if literal:
            pieces.append(Piece(literal))
        if field is None:
            continue
        name = field[2:-1] if field.startswith("0[") and field.endswith("]") else None
        if name is None or spec or conversion or name.isdigit() or name not in values:
            return unchanged
        pieces.append(Piece(format(values[name], ""), name))
    if "0[" in "".join(piece.text for piece in pieces):  # an escaped placeholder
        try:
            return (Piece(template.format({})),)
        except (KeyError, IndexError, ValueError, AttributeError):
            return unchanged
    return tuple(pieces)


def load_responses(domain: Union[str, Path]) -> Dict[str, List[Dict[str, Any]]]:
    """The ``responses`` of a Rasa domain file, or of a directory of domain files.

    Raises:
        ConfigError: a file cannot be read, or a response is not a list of mappings.
    """
    path = Path(domain)
    files = sorted(path.rglob("*.yml")) + sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
    responses: Dict[str, List[Dict[str, Any]]] = {}
    for file in files:
        try:
            document = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            raise ConfigError(f"{COMPONENT}.domain", f"cannot read {file}") from None
        section = document.get("responses") if isinstance(document, Mapping) else None
        if section is None:
            continue
        if not isinstance(section, Mapping):
            raise ConfigError(f"{COMPONENT}.responses", f"expected a mapping in {file}")
        for name, variations in section.items():
            key = f"{COMPONENT}.responses.{name}"
            if not isinstance(variations, list) or not variations:
                raise ConfigError(key, f"expected a list of variations in {file}")
            for index, variation in enumerate(variations):
                if not isinstance(variation, Mapping):
                    raise ConfigError(f"{key}[{index}]", f"expected a mapping in {file}")
            responses[str(name)] = [dict(variation) for variation in variations]
    return responses


def _matches(variation: Mapping[str, Any], slots: Mapping[str, Any]) -> bool:
    """Whether the variation's ``condition`` holds (Rasa: strings compared casefolded)."""
    for constraint in variation.get("condition") or []:
        if not isinstance(constraint, Mapping):
            return False
        expected, value = constraint.get("value"), slots.get(str(constraint.get("name")))
        if isinstance(value, str) and isinstance(expected, str):
            if value.casefold() != expected.casefold():
                return False
        elif value != expected:
            return False
    return True


def eligible_variations(
    variations: Sequence[Mapping[str, Any]], channel: Optional[str], slots: Mapping[str, Any]
) -> List[Mapping[str, Any]]:
    """The variations Rasa 3.6 chooses among (``ResponseVariationFilter``).

    In order: conditional ones for this channel, unconditional ones for this channel,
    conditional ones for any channel, unconditional ones for any channel.
    """
    conditional = [v for v in variations if v.get("condition") and _matches(v, slots)]
    default = [v for v in variations if not v.get("condition")]
    for group in (conditional, default):
        chosen = [v for v in group if v.get("channel") == channel]
        if chosen:
            return chosen
    conditional_any = [v for v in conditional if v.get("channel") is None]
    return conditional_any or [v for v in default if v.get("channel") is None]


@dataclass(frozen=True)
class NLGRequest:
    """What Rasa's ``CallbackNaturalLanguageGenerator`` posts, checked.

    Attributes:
        response: the response name, e.g. ``utter_confirm_email``.
        tracker: the conversation (rasa-sdk's view of Rasa's tracker state).
        channel: the output channel's name, if given.
        arguments: values an action passed with the response (they fill placeholders first).
        variation_id: the variation Rasa picked, if the domain gives ids.
    """

    response: str
    tracker: Tracker
    channel: Optional[str]
    arguments: Mapping[str, Any]
    variation_id: Optional[str]

    @classmethod
    def from_body(cls, body: Any) -> NLGRequest:
        """Check the parsed request body.

        Raises:
            InputError: with the location of the first problem.
        """
        if not isinstance(body, dict):
            raise InputError("body", "expected a JSON object")
        response = body.get("response")
        if not isinstance(response, str) or not response:
            raise InputError("response", "expected the response name")
        state = body.get("tracker")
        if not isinstance(state, dict) or not isinstance(state.get("sender_id"), str):
            raise InputError("tracker", "expected a tracker state with a sender_id")
        for key, kind in (("slots", dict), ("events", list), ("latest_message", dict)):
            if state.get(key) is not None and not isinstance(state[key], kind):
                raise InputError(f"tracker.{key}", f"expected a {kind.__name__}")
        arguments = body.get("arguments") or {}
        if not isinstance(arguments, dict):
            raise InputError("arguments", "expected a JSON object")
        channel = body.get("channel") or {}
        name = channel.get("name") if isinstance(channel, dict) else None
        variation = body.get("id")
        return cls(
            response=response,
            tracker=Tracker.from_dict({**state, "slots": state.get("slots") or {}}),
            channel=name if isinstance(name, str) else None,
            arguments=arguments,
            variation_id=variation if isinstance(variation, str) else None,
        )


class SecureNLG:
    """Renders the domain's responses for one caller; see the module docstring.

    Args:
        guard: identity, policy and redaction (the action server's guard).
        responses: the domain's responses (default: read from the guard's ``domain``).

    Raises:
        ConfigError: neither ``responses`` nor a guard ``domain``; an invalid domain.
    """

    def __init__(
        self,
        guard: ActionGuard,
        responses: Optional[Mapping[str, Sequence[Mapping[str, Any]]]] = None,
    ) -> None:
        if responses is None:
            if guard.domain is None:
                raise ConfigError("SecureAction.domain", "SecureNLG renders the domain's responses")
            responses = load_responses(guard.domain)
        self.guard = guard
        self.responses = {name: list(variations) for name, variations in responses.items()}

    def generate(self, body: Any) -> Dict[str, Any]:
        """The reply to one request of Rasa's callback NLG (``{}``: nothing to say).

        Raises:
            InputError: a malformed request.
        """
        request = NLGRequest.from_body(body)
        variations = self.responses.get(request.response)
        if variations is None:
            audit.record(
                COMPONENT,
                AuditDecision.REJECT,
                action=request.response,
                reasons=("unknown_response",),
            )
            return {}
        identity: Optional[Identity]
        refusal: Optional[str]
        try:
            identity = self.guard.identify(request.tracker)
        except AuthenticationError as error:
            identity, refusal = None, error.reason
        else:
            refusal = None
        slots = dict(request.tracker.slots)
        policy = self.guard.policy
        readable = {
            name: value if name in INTERNAL_SLOTS or policy.can_read(identity, name) else None
            for name, value in slots.items()
        }
        eligible = eligible_variations(variations, request.channel, readable)
        if not eligible:
            return {}
        wanted = request.variation_id
        by_id = [v for v in eligible if wanted is not None and v.get("id") == wanted]
        variation = by_id[0] if by_id else secrets.choice(eligible)
        render = _Renderer(self.guard, request, identity)
        try:
            reply = render.response(variation)
        except Exception as error:  # fail closed: the error text, no partial output
            logger.error("rendering %s failed with %s", request.response, type(error).__name__)
            audit.record(
                COMPONENT, AuditDecision.ERROR, subject=_subject(identity), action=request.response,
                reasons=(type(error).__name__,),
            )  # fmt: skip
            return {"text": self.guard.config["error_text"]}
        if render.withheld:
            reasons = (refusal,) if refusal is not None else ("slot_withheld",)
            audit.record(
                COMPONENT, AuditDecision.DENY, subject=_subject(identity), action=request.response,
                categories=tuple(sorted(render.withheld)), reasons=reasons,
            )  # fmt: skip
        return reply


def _subject(identity: Optional[Identity]) -> Optional[str]:
    return identity.subject if identity is not None else None


class _Renderer:
    """Fills and redacts one chosen variation for one caller."""

    def __init__(self, guard: ActionGuard, request: NLGRequest, identity: Optional[Identity]):
        self.guard = guard
        self.request = request
        self.identity = identity
        self.slots = dict(request.tracker.slots)
        self.values = {**self.slots, **request.arguments}  # arguments win, as in Rasa
        self.withheld: Set[str] = set()
        disclosures = guard.disclosures(identity, request.response, self.slots.items())
        self.pattern = values_pattern([text for text, _ in disclosures])
        self.levels = dict(disclosures)

    def response(self, variation: Mapping[str, Any]) -> Dict[str, Any]:
        reply: Dict[str, Any] = {}
        for key, value in variation.items():
            if key in SELECTION_KEYS:
                continue
            fill = key in INTERPOLATED_KEYS and bool(self.values)  # Rasa: only with values
            reply[key] = map_strings(value, self.fill if fill else self.plain)
        return reply

    def plain(self, text: str) -> str:
        return self.redact((Piece(text),))

    def fill(self, text: str) -> str:
        return self.redact(interpolate_text(text, self.values))

    def level(self, slot: str) -> Disclosure:
        """How the caller may see ``slot``'s value in this response."""
        if slot in INTERNAL_SLOTS:
            return Disclosure.FULL
        owner = self.identity.subject if self.identity is not None else None
        level = self.guard.policy.disclosure(
            self.identity, slot, action=self.request.response, owner=owner
        )
        if level is Disclosure.NONE:
            self.withheld.add(slot)
        return level

    def redact(self, pieces: Sequence[Piece]) -> str:
        """Slot values as disclosed; the rest with slot values found and PII masked."""
        parts: List[str] = []
        shown: List[Tuple[int, int]] = []
        length = 0
        for piece in pieces:
            if piece.name is not None and piece.name not in self.request.arguments:
                text = self.level(piece.name).render(self.slots[piece.name])
                spans = [(0, len(text))]
            else:  # template text, or an argument an action passed (already redacted once)
                text, spans = show_values(piece.text, self.pattern, self.levels)
            shown += [(length + start, length + end) for start, end in spans]
            parts.append(text)
            length += len(text)
        return self.guard.sanitize("".join(parts), shown, self.request.tracker.sender_id)


def nlg_guard(
    actions: Mapping[str, Callable[..., Any]], guard: Optional[ActionGuard] = None
) -> Optional[ActionGuard]:
    """The guard the NLG route uses, or ``None`` when none is known.

    ``guard`` if given; else the environment's (``RASA_SECURE_ACTIONS_CONFIG`` /
    ``RASA_SECURE_POLICY``); else the one guard every secure action among rasa-sdk's
    registered ``actions`` uses (several different guards: ``None``, the policy to apply
    would be ambiguous).
    """
    if guard is not None:
        return guard
    if os.environ.get(CONFIG_ENV) or os.environ.get(POLICY_ENV):
        return ActionGuard.default()
    found: Dict[int, ActionGuard] = {}
    for function in actions.values():
        action = getattr(function, "__self__", None)
        if isinstance(action, (SecureAction, SecureFormValidationAction)):
            candidate = action.get_guard()
            found[id(candidate)] = candidate
    if len(found) > 1:
        logger.warning("%s off: the secure actions use %d different guards", COMPONENT, len(found))
    return next(iter(found.values())) if len(found) == 1 else None


def add_route(app: Any, nlg: SecureNLG) -> None:
    """Serve ``nlg`` on ``POST /webhook/nlg`` of the Sanic ``app``.

    The shared-secret middleware of :func:`~rasa_secure.actions.server_auth.attach` guards it
    like every path but ``/health``; a body that is not a well-formed request gets a 400
    with a JSON reason.
    """
    from sanic import response

    async def render(request: Any) -> Any:
        body = request.body or b""
        if json_too_deep(body, MAX_JSON_DEPTH):
            return response.json({"error": "Bad Request", "reason": "json_too_deep"}, status=400)
        try:
            parsed = json.loads(body)
            reply = nlg.generate(parsed)
        except (ValueError, InputError) as error:  # InputError is a ValueError
            location = error.location if isinstance(error, InputError) else "body"
            return response.json({"error": "Bad Request", "reason": location}, status=400)
        return response.json(reply)

    app.add_route(render, NLG_PATH, methods=["POST"], name="rasa_secure_nlg")


def register(
    app: Any, actions: Mapping[str, Callable[..., Any]], guard: Optional[ActionGuard] = None
) -> Optional[SecureNLG]:
    """Add the NLG route to a guarded rasa-sdk ``app`` when a guard with a domain is known.

    Raises:
        ConfigError: the guard's domain cannot be read or has invalid responses.
    """
    chosen = nlg_guard(actions, guard)
    if chosen is None or chosen.domain is None:
        logger.info("%s off: no guard with a domain to render responses from", COMPONENT)
        return None
    nlg = SecureNLG(chosen)
    add_route(app, nlg)
    logger.info("%s renders %d responses on %s", COMPONENT, len(nlg.responses), NLG_PATH)
    return nlg
