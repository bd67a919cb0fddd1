"""A stand-in identity provider for the example bot.

In production the bank's login service issues the JWTs that ``SecureRestInput`` verifies.
Here the demo and the tests mint them: HS256, signed with the secret in
``EXAMPLE_BOT_JWT_SECRET`` (which ``credentials.yml`` names), for the users the example bank
seeds, each with their role. Every token says how the user signed in (OpenID Connect
``acr``, ``amr``, ``auth_time``): :func:`sign_in_claims` gives a password sign-in
:data:`PASSWORD_ACR`, or with the second factor :data:`MFA_ACR`, which the policy's step-up
rule asks for before a transfer above 1,000 EUR.
"""

from __future__ import annotations

import time
from typing import Any, Dict, Mapping, Optional, Sequence

import jwt

ISSUER = "https://login.example-bank.test"
AUDIENCE = "example-bank-assistant"
SECRET_ENV = "EXAMPLE_BOT_JWT_SECRET"  # noqa: S105 - the name of a variable, not a secret
PASSWORD_ACR = "urn:example:pwd"  # noqa: S105 - an acr name, not a password
MFA_ACR = "urn:example:mfa"
DEMO_OTP = "123456"
"""The example bank's fixed one-time code (a stand-in for a real second factor)."""
ROLES: Mapping[str, Sequence[str]] = {
    "alice": ("customer",),
    "bob": ("customer",),
    "tina": ("teller",),
    "adam": ("admin",),
}


def sign_in_claims(second_factor: bool, auth_time: Optional[int] = None) -> Dict[str, Any]:
    """The ``acr``/``amr``/``auth_time`` claims of a sign-in with a password, and a code."""
    return {
        "acr": MFA_ACR if second_factor else PASSWORD_ACR,
        "amr": ["pwd", "otp"] if second_factor else ["pwd"],
        "auth_time": int(time.time()) if auth_time is None else auth_time,
    }


def issue_token(
    subject: str,
    secret: str,
    *,
    roles: Optional[Sequence[str]] = None,
    lifetime: int = 900,
    **claims: Any,
) -> str:
    """A signed token for ``subject`` with its seeded roles (or ``roles``) and extra claims."""
    now = int(time.time())
    payload: Dict[str, Any] = {
        "sub": subject,
        "roles": list(ROLES.get(subject, ()) if roles is None else roles),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
    }
    payload.update(claims)
    return jwt.encode(payload, secret, algorithm="HS256")
