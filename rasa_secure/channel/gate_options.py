"""The options of :class:`~rasa_secure.channel.admission.AdmissionGate`, declared once.

Every channel adapter (REST, socket.io) resolves its ``credentials.yml`` section against
:data:`OPTIONS`; errors name the key.
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

from rasa_secure.channel.rate_limit import Strategy, parse_limits
from rasa_secure.config import Option, OptionSpec, in_range, list_of, positive
from rasa_secure.core.identity import METADATA_KEY, SHARED_SECRET_ENV

IDENTITY_KEYS: Tuple[str, ...] = (
    "sub",
    "subject",
    "user",
    "userid",
    "username",
    "uid",
    "customerid",
    "accountid",
    "role",
    "roles",
    "group",
    "groups",
    "scope",
    "scopes",
    "permission",
    "permissions",
    "isadmin",
    "admin",
    "identity",
    "auth",
    "authorization",
    "claims",
    "token",
    "jwt",
    "accesstoken",
    "idtoken",
    "bearer",
    METADATA_KEY.replace("_", ""),
)
"""Metadata keys (compared lower-case, without ``_``, ``-``, ``.``) dropped at any depth."""


def _storage_check(value: Any) -> Optional[str]:
    scheme = value.partition("://")[0] if isinstance(value, str) else ""
    if "://" not in str(value) or scheme not in STORAGE_SCHEMES:
        return f"expected a URI with one of the schemes {', '.join(STORAGE_SCHEMES)}"
    return None


def _triggers_check(value: Any) -> Optional[str]:
    for intent, names in value.items():
        if not isinstance(intent, str) or not intent or intent.startswith("/"):
            return f"intent names must be non-empty strings without '/', got {intent!r}"
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            return f"{intent}: expected a list of the entity names its triggers may carry"
    return None


STORAGE_SCHEMES = ("memory", "redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster")
"""Rate-limit storages: one process (``memory``) or Redis, shared by replicas."""

OPTIONS: OptionSpec = {
    "jwt": Option({}, "TokenVerifier options (algorithms, key source, issuer, audience...)", dict),
    "sender_binding": Option(
        "subject",
        "'subject': conversation id = subject; 'subject_prefix': subject or subject:<suffix>",
        str,
        choices=("subject", "subject_prefix"),
    ),
    "max_body_bytes": Option(
        16_384, "larger request bodies are refused with 413", int, in_range(256, 10_485_760)
    ),
    "max_json_depth": Option(
        32,
        "JSON nested deeper (body, or a trigger's entities) is refused with 400 before parsing",
        int,
        in_range(2, 256),
    ),
    "max_message_chars": Option(4_000, "longer messages are refused with 413", int, positive),
    "rate_limit": Option(
        "30/minute",
        "requests per verified subject, in the limits notation ('20/minute', "
        "'5/second;100/hour'); null disables; over it: 429 with Retry-After",
        (str, type(None)),
        parse_limits,
    ),
    "auth_failure_limit": Option(
        "10/minute",
        "failed authentications per client address; over it, the address is refused (429) "
        "before its token is verified",
        str,
        parse_limits,
    ),
    "rate_limit_storage": Option(
        "memory://",
        "where the counters live: memory:// (this process only) or a Redis URI "
        "(redis://host:6379/0) shared by every replica",
        str,
        _storage_check,
    ),
    "rate_limit_strategy": Option(
        Strategy.MOVING_WINDOW.value,
        "how requests are counted",
        str,
        choices=tuple(strategy.value for strategy in Strategy),
    ),
    "rate_limit_namespace": Option(
        "rasa_secure", "first part of every counter key (one per deployment sharing a Redis)", str
    ),
    "allowed_intent_triggers": Option(
        {},
        "intent -> entity names: the only intent triggers (text starting with '/') users may "
        "send, e.g. button payloads; every other trigger is refused with 403",
        dict,
        _triggers_check,
    ),
    "trigger_pii": Option(
        {}, "PIIDetector options for the entity values of allowed triggers", dict
    ),
    "trigger_screen": Option(
        {}, "InjectionDetector options for the entity values of allowed triggers", dict
    ),
    "identity_keys": Option(
        list(IDENTITY_KEYS), "metadata keys dropped wherever they appear", list, list_of(str)
    ),
    "attestation_secret_env": Option(
        SHARED_SECRET_ENV,
        "environment variable with the secret shared with the action server (attests identities)",
        str,
    ),
    "forward_token": Option(
        False, "forward the JWT, encrypted, so the action server can re-verify it", bool
    ),
    "anomaly_policy": Option(None, "policy file with an anomaly section", (str, type(None))),
    "token_keys_env": Option(
        "RASA_SECURE_KEYS",
        "environment variable with the keyring that encrypts forwarded tokens",
        str,
    ),
}
"""Configuration of :class:`AdmissionGate` (the channel's ``credentials.yml`` section)."""
