"""A stand-in identity provider for the example bot.

In production the bank's login service issues the JWTs that ``SecureRestInput`` verifies.
Here the demo and the tests mint them: HS256, signed with the secret in
``EXAMPLE_BOT_JWT_SECRET`` (which ``credentials.yml`` names), for the users the example bank
seeds, each with their role.
"""

from __future__ import annotations

import time
from typing import Any, Dict, Mapping, Optional, Sequence

import jwt

ISSUER = "https://login.example-bank.test"
AUDIENCE = "example-bank-assistant"
SECRET_ENV = "EXAMPLE_BOT_JWT_SECRET"  # noqa: S105 - the name of a variable, not a secret
ROLES: Mapping[str, Sequence[str]] = {
    "alice": ("customer",),
    "bob": ("customer",),
    "tina": ("teller",),
    "adam": ("admin",),
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
