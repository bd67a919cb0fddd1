"""Step-up authentication per action (RFC 9470): how strongly the caller must have signed in.

The policy's ``step_up`` section (see ``docs/policy.md``) gives an action one or more
:class:`StepUpRule`: an accepted ``acr`` (one of a list), ``amr`` methods that must all have
been used, and a ``max_age`` in seconds since the sign-in (``auth_time``), optionally only
when a slot's number is above a limit. The claims come from the verified token and travel to
the action server in the attested identity envelope. A rule that applies and is not met
yields a :class:`StepUpChallenge`, which the customer's client answers by signing in again
more strongly (RFC 9470's ``insufficient_user_authentication``).

Fails closed: a slot value that is not a readable number counts as above the limit, a
missing ``auth_time`` as too old.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, Mapping, Optional, Protocol, Sequence, Tuple

from rasa_secure.core.identity.reasons import AuthReason
from rasa_secure.errors import AuthenticationError

INSUFFICIENT_USER_AUTHENTICATION = "insufficient_user_authentication"
"""The RFC 9470 error code of a step-up challenge."""
CLAIM_VALUE = re.compile(r"[!#-\[\]-~]{1,256}")
"""An ``acr`` or ``amr`` value: printable ASCII without space, quote or backslash, so it fits
a space-separated ``acr_values`` list in a ``WWW-Authenticate`` header."""


class Authentication(Protocol):
    """How the caller signed in (``rasa_secure.core.identity.tokens.Identity`` fits)."""

    @property
    def acr(self) -> Optional[str]:
        """The verified ``acr`` claim (authentication context class), if any."""
        ...

    @property
    def amr(self) -> Sequence[str]:
        """The verified ``amr`` claim (authentication methods), possibly empty."""
        ...

    @property
    def auth_time(self) -> Optional[int]:
        """The verified ``auth_time`` claim (seconds since the epoch), if any."""
        ...


@dataclass(frozen=True)
class SlotAbove:
    """A rule condition: the number in ``slot`` is above ``limit``.

    Attributes:
        slot: the slot whose value is compared.
        limit: the value must be strictly greater than this for the rule to apply.
    """

    slot: str
    limit: Decimal

    def holds(self, slots: Mapping[str, Any]) -> bool:
        """Whether the condition holds; an unreadable value holds (fails closed)."""
        value = slots.get(self.slot)
        if value is None:
            return False
        if isinstance(value, bool):
            return True
        try:
            number = Decimal(str(value).strip())  # "1,500" or "1.500,00": unreadable, holds
        except InvalidOperation:
            return True
        return not number.is_finite() or number > self.limit


@dataclass(frozen=True)
class StepUpChallenge:
    """What the caller must present to run the action (RFC 9470's challenge parameters).

    Attributes:
        acr_values: the accepted authentication context classes (any one will do).
        amr: authentication methods that must all have been used (an extension of RFC 9470).
        max_age: the most seconds since the sign-in that is accepted, if limited.
    """

    acr_values: Tuple[str, ...]
    amr: Tuple[str, ...] = ()
    max_age: Optional[int] = None

    def to_payload(self) -> Dict[str, Any]:
        """The machine-readable challenge sent to the client as a custom payload."""
        payload: Dict[str, Any] = {"error": INSUFFICIENT_USER_AUTHENTICATION}
        if self.acr_values:
            payload["acr_values"] = " ".join(self.acr_values)
        if self.amr:
            payload["amr_values"] = " ".join(self.amr)
        if self.max_age is not None:
            payload["max_age"] = self.max_age
        return payload


@dataclass(frozen=True)
class StepUpRule:
    """One step-up requirement of an action.

    Attributes:
        acr_values: accepted ``acr`` values (empty: any ``acr``, or none).
        amr: methods the ``amr`` claim must all contain.
        max_age: the most seconds since ``auth_time`` (``None``: no limit).
        when: the condition under which the rule applies (``None``: always).
    """

    acr_values: Tuple[str, ...] = ()
    amr: Tuple[str, ...] = ()
    max_age: Optional[int] = None
    when: Optional[SlotAbove] = None

    def applies(self, slots: Mapping[str, Any]) -> bool:
        """Whether the rule applies to a call with these slot values."""
        return self.when is None or self.when.holds(slots)

    def met_by(self, caller: Authentication, now: Optional[float] = None) -> bool:
        """Whether the caller's sign-in satisfies the rule."""
        if self.acr_values and caller.acr not in self.acr_values:
            return False
        if not set(self.amr) <= set(caller.amr):
            return False
        if self.max_age is not None:
            current = time.time() if now is None else now
            if caller.auth_time is None or current - caller.auth_time > self.max_age:
                return False
        return True

    @property
    def challenge(self) -> StepUpChallenge:
        """The challenge telling the client how to meet this rule."""
        return StepUpChallenge(self.acr_values, self.amr, self.max_age)


def unmet_rule(
    rules: Sequence[StepUpRule],
    caller: Authentication,
    slots: Mapping[str, Any],
    now: Optional[float] = None,
) -> Optional[StepUpRule]:
    """The first of ``rules`` that applies and that ``caller`` does not meet, else ``None``."""
    for rule in rules:
        if rule.applies(slots) and not rule.met_by(caller, now):
            return rule
    return None


def sign_in_claims(
    claims: Mapping[str, Any],
) -> Tuple[Optional[str], Tuple[str, ...], Optional[int]]:
    """The ``acr``, ``amr`` and ``auth_time`` claims (OpenID Connect), checked for shape."""
    acr, amr, auth_time = claims.get("acr"), claims.get("amr", []), claims.get("auth_time")
    if acr is not None and not (isinstance(acr, str) and CLAIM_VALUE.fullmatch(acr)):
        raise AuthenticationError(AuthReason.BAD_CLAIMS, "acr must be a short string")
    if not isinstance(amr, list) or not all(
        isinstance(method, str) and CLAIM_VALUE.fullmatch(method) for method in amr
    ):
        raise AuthenticationError(AuthReason.BAD_CLAIMS, "amr must be a list of short strings")
    if auth_time is not None and (
        not isinstance(auth_time, (int, float)) or isinstance(auth_time, bool)
    ):
        raise AuthenticationError(AuthReason.BAD_CLAIMS, "auth_time must be a number")
    return acr, tuple(dict.fromkeys(amr)), None if auth_time is None else int(auth_time)
