"""Verify bearer JWTs and turn them into an :class:`Identity`. Fails closed.

A :class:`TokenVerifier` is built once from a validated configuration and then answers
:meth:`TokenVerifier.verify` for any number of tokens, from any thread. It accepts only
the algorithms it was configured with, and only one family of them: either HMAC secrets
(``HS256``/``HS384``/``HS512``) or public keys (``RS*``, ``PS*``, ``ES*``), never both, so
a public key can never be used as an HMAC secret (the classic key-confusion attack) and
``alg: none`` is never accepted. Keys come from an environment variable, a file, a JWKS
file, or the JWKS URL of an OpenID Connect provider (``jwks_url``, or found from the issuer
with ``oidc_discovery``); in a JWKS the token's ``kid`` selects the key (rotation: publish
the new key next to the old one).

``exp``, ``iss``, ``aud`` and the subject claim are required; ``nbf`` and ``iat`` are
honoured; clock skew is bounded by ``leeway_seconds``; a token valid for longer than
``max_lifetime_seconds`` is refused. Every failure raises
:class:`~rasa_secure.errors.AuthenticationError` with a machine-readable ``reason`` (see
:data:`REASONS`); neither the token nor any key ever appears in a message or a log.
"""

from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, List, Mapping, Optional, Tuple, Union

from rasa_secure.config import Option, OptionSpec, in_range, list_of, positive, resolve
from rasa_secure.core.identity.jwt_keys import (
    HMAC_ALGORITHMS,
    SUPPORTED_ALGORITHMS,
    JwksFile,
    JwksUrl,
    key_fits,
    key_url_problem,
    load_public_key,
    read_secret,
)
from rasa_secure.core.identity.reasons import AuthReason
from rasa_secure.core.identity.stepup import sign_in_claims
from rasa_secure.errors import AuthenticationError, ConfigError

logger = logging.getLogger(__name__)

MIN_SECRET_BYTES = 32
MAX_TOKEN_CHARS = 8192
MAX_SUBJECT_CHARS = 256
_ROLE = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}")

REASONS: Tuple[AuthReason, ...] = (
    AuthReason.TOKEN_MISSING,
    AuthReason.TOKEN_MALFORMED,
    AuthReason.ALGORITHM_NOT_ALLOWED,
    AuthReason.UNKNOWN_KEY,
    AuthReason.KEY_TYPE_MISMATCH,
    AuthReason.BAD_SIGNATURE,
    AuthReason.TOKEN_EXPIRED,
    AuthReason.TOKEN_NOT_YET_VALID,
    AuthReason.LIFETIME_TOO_LONG,
    AuthReason.BAD_ISSUER,
    AuthReason.BAD_AUDIENCE,
    AuthReason.CLAIM_MISSING,
    AuthReason.BAD_CLAIMS,
)
"""Every ``reason`` :class:`TokenVerifier` can raise, for tests and dashboards."""


KEY_SOURCES: Tuple[str, ...] = (
    "secret_env",
    "secret_file",
    "public_key_env",
    "public_key_file",
    "jwks_file",
    "jwks_url",
    "oidc_discovery",
)
"""The options that name where keys come from; a verifier has exactly one."""


def _algorithms_check(value: Any) -> Optional[str]:
    problem = list_of(str)(value)
    if problem is not None:
        return problem
    if not value:
        return "at least one algorithm is required"
    unknown = [name for name in value if name not in SUPPORTED_ALGORITHMS]
    if unknown:
        return f"unsupported algorithm(s) {unknown} (allowed: {', '.join(SUPPORTED_ALGORITHMS)})"
    if len({name in HMAC_ALGORITHMS for name in value}) > 1:
        return "HMAC (HS*) and public-key algorithms must not be mixed in one verifier"
    return None


def _string_or_list(value: Any) -> Optional[str]:
    if value is None:
        return "is required (tokens without it are refused)"
    if isinstance(value, str):
        return None if value else "must not be empty"
    if not value:
        return "at least one value is required"
    return list_of(str)(value)


TOKEN_SPEC: OptionSpec = {
    "algorithms": Option(
        ["RS256"],
        "JWT algorithms accepted; one family only: HS256/384/512 or RS*/PS*/ES* (never none)",
        list,
        _algorithms_check,
    ),
    "secret_env": Option(
        None, "environment variable holding the HMAC secret (HS*)", (str, type(None))
    ),
    "secret_file": Option(None, "file holding the HMAC secret (HS*)", (str, type(None))),
    "public_key_env": Option(
        None, "environment variable holding a PEM public key (RS*/PS*/ES*)", (str, type(None))
    ),
    "public_key_file": Option(None, "PEM public key file (RS*/PS*/ES*)", (str, type(None))),
    "jwks_file": Option(
        None, "JWKS file of public keys; tokens must name their key with `kid`", (str, type(None))
    ),
    "jwks_url": Option(
        None,
        "URL of the provider's JWKS (https; http only to localhost); tokens name their key "
        "with `kid`",
        (str, type(None)),
        key_url_problem,
    ),
    "oidc_discovery": Option(
        False,
        "find the JWKS URL in the issuer's /.well-known/openid-configuration (`issuer` must "
        "be one https URL)",
        bool,
    ),
    "jwks_reload_seconds": Option(
        60,
        "how often the JWKS file is checked, or the JWKS URL fetched, for a new version "
        "(key rotation)",
        int,
        positive,
    ),
    "jwks_min_refresh_seconds": Option(
        30,
        "a token with an unknown `kid` fetches the JWKS URL again at most this often, so a "
        "flood of made-up kids cannot hammer the provider",
        int,
        positive,
    ),
    "jwks_timeout_seconds": Option(
        5, "time limit of each request to the provider", int, in_range(1, 60)
    ),
    "issuer": Option(
        None,
        "required `iss` value (a string or a list of accepted issuers)",
        (str, list, type(None)),
        _string_or_list,
    ),
    "audience": Option(
        None,
        "required `aud` value (a string or a list of accepted audiences)",
        (str, list, type(None)),
        _string_or_list,
    ),
    "leeway_seconds": Option(
        30, "tolerated clock skew for exp/nbf/iat, in seconds", int, in_range(0, 300)
    ),
    "max_lifetime_seconds": Option(
        86400, "refuse tokens whose exp lies further than this beyond iat (or now)", int, positive
    ),
    "subject_claim": Option("sub", "claim holding the subject (an opaque user id)", str),
    "roles_claim": Option(
        "roles", "claim holding the roles; a dotted path reaches nested claims", str
    ),
    "keep_claims": Option(
        [], "extra claims copied into Identity.claims (nothing else is kept)", list, list_of(str)
    ),
}
"""Configuration of :class:`TokenVerifier`."""


@dataclass(frozen=True)
class Identity:
    """A verified caller.

    Attributes:
        subject: the verified subject id (opaque; never shown to other users or logged raw).
        roles: the roles the token grants, in token order, without duplicates.
        issuer: the verified ``iss``.
        expires_at: the token's ``exp`` (seconds since the epoch).
        token_id: the ``jti``, if the token has one.
        claims: the claims named in ``keep_claims`` (read-only), nothing else.
        acr: the ``acr`` claim (how strongly the user signed in), if any.
        amr: the ``amr`` claim (the sign-in methods used), possibly empty.
        auth_time: the ``auth_time`` claim (when the user signed in), if any.
    """

    subject: str
    roles: Tuple[str, ...]
    issuer: str
    expires_at: int
    token_id: Optional[str] = None
    claims: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    acr: Optional[str] = None
    amr: Tuple[str, ...] = ()
    auth_time: Optional[int] = None


class TokenVerifier:
    """Verifies bearer JWTs against one configured key source.

    Args:
        config: options of :data:`TOKEN_SPEC` (merged over the defaults, then validated).
        owner: name used in configuration error paths, e.g. ``"SecureRestInput.jwt"``.
        environ: environment to read secrets from (defaults to ``os.environ``).

    Raises:
        ConfigError: an invalid option, no or several key sources, a key that does not fit
            the algorithms, or a too-short HMAC secret.
    """

    def __init__(
        self,
        config: Optional[Mapping[str, Any]] = None,
        *,
        owner: str = "TokenVerifier",
        environ: Optional[Mapping[str, str]] = None,
    ) -> None:
        self.config = resolve(TOKEN_SPEC, config, owner=owner)
        env = os.environ if environ is None else environ
        self.algorithms: Tuple[str, ...] = tuple(dict.fromkeys(self.config["algorithms"]))
        self._issuer: Union[str, List[str]] = self.config["issuer"]
        self._audience: Union[str, List[str]] = self.config["audience"]
        self._secret: Optional[bytes] = None
        self._public_key: Any = None
        self._jwks: Union[JwksFile, JwksUrl, None] = None
        sources = [name for name in KEY_SOURCES if self.config[name] not in (None, False)]
        if len(sources) != 1:
            raise ConfigError(
                owner,
                "configure exactly one key source"
                + (f", got {', '.join(sources)}" if sources else ""),
                KEY_SOURCES,
            )
        source = sources[0]
        hmac_family = self.algorithms[0] in HMAC_ALGORITHMS
        if source.startswith("secret") != hmac_family:
            raise ConfigError(
                f"{owner}.{source}",
                "HS* algorithms need secret_env/secret_file; RS*/PS*/ES* need a public key or JWKS",
            )
        if hmac_family:
            self._secret = read_secret(
                owner,
                "secret_env",
                self.config["secret_env"],
                "secret_file",
                self.config["secret_file"],
                env,
            )
            if self._secret is not None and len(self._secret) < MIN_SECRET_BYTES:
                raise ConfigError(
                    f"{owner}.{source}",
                    f"the HMAC secret must be at least {MIN_SECRET_BYTES} bytes",
                )
        elif source == "jwks_file":
            self._jwks = JwksFile(
                owner, self.config["jwks_file"], self.algorithms, self.config["jwks_reload_seconds"]
            )
        elif source in ("jwks_url", "oidc_discovery"):
            self._jwks = self._jwks_url(owner, source)
        else:
            pem = read_secret(
                owner,
                "public_key_env",
                self.config["public_key_env"],
                "public_key_file",
                self.config["public_key_file"],
                env,
            )
            self._public_key = load_public_key(owner, source, pem or b"", self.algorithms)

    def _jwks_url(self, owner: str, source: str) -> JwksUrl:
        issuer = self._issuer
        if source == "oidc_discovery":
            problem = key_url_problem(issuer) if isinstance(issuer, str) else "got a list"
            if problem is not None:
                raise ConfigError(
                    f"{owner}.oidc_discovery", f"needs one issuer URL to discover from: {problem}"
                )
        return JwksUrl(
            owner,
            self.algorithms,
            url=self.config["jwks_url"],
            issuer=issuer if isinstance(issuer, str) else None,
            cache_seconds=self.config["jwks_reload_seconds"],
            min_refresh_seconds=self.config["jwks_min_refresh_seconds"],
            timeout=self.config["jwks_timeout_seconds"],
        )

    def verify_bearer(self, authorization: Optional[str]) -> Identity:
        """Verify the token of an HTTP ``Authorization: Bearer <token>`` header value."""
        return self.verify(bearer_token(authorization))

    def keys_due(self, token: Optional[str]) -> bool:
        """Whether verifying ``token`` would first fetch the provider's keys (only with
        ``jwks_url``/``oidc_discovery``): an event loop then runs :meth:`fetch_keys` in a
        thread and verifies with ``fetch_keys=False``, so it never waits on the network."""
        if not isinstance(self._jwks, JwksUrl):
            return False
        kid = _unverified_kid(token)
        return kid is not None and self._jwks.due(kid)

    def fetch_keys(self, token: Optional[str]) -> None:
        """Fetch the provider's keys if they are due for ``token`` (blocks up to
        ``jwks_timeout_seconds`` per request; meant for a worker thread)."""
        kid = _unverified_kid(token)
        if kid is not None and isinstance(self._jwks, JwksUrl):
            self._jwks.refresh(kid)

    def verify(self, token: Optional[str], *, fetch_keys: bool = True) -> Identity:
        """Verify ``token`` and return the identity it proves.

        ``fetch_keys=False``: use the keys already fetched from a ``jwks_url`` (an event loop,
        after :meth:`keys_due`), never the network.

        Raises:
            AuthenticationError: with one of :data:`REASONS`.
        """
        import jwt

        if not token:
            raise AuthenticationError(AuthReason.TOKEN_MISSING)
        if len(token) > MAX_TOKEN_CHARS:
            raise AuthenticationError(AuthReason.TOKEN_MALFORMED, "token too large")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthenticationError(
                AuthReason.TOKEN_MALFORMED, "not a JWS compact token"
            ) from None
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in self.algorithms:
            raise AuthenticationError(
                AuthReason.ALGORITHM_NOT_ALLOWED, f"alg {str(algorithm)[:16]!r}"
            )
        key = self._key_for(header, algorithm, fetch_keys)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self.config["leeway_seconds"],
                options={"require": ["exp", "iss", "aud", self.config["subject_claim"]]},
            )
        except jwt.PyJWTError as error:
            raise _translate(error) from None
        return self._identity(claims)

    def _key_for(self, header: Mapping[str, Any], algorithm: str, fetch: bool) -> Any:
        if self._secret is not None:
            return self._secret
        if self._jwks is None:
            return self._public_key
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthenticationError(AuthReason.UNKNOWN_KEY, "token has no kid")
        jwks = self._jwks
        entry = jwks.get(kid, fetch=fetch) if isinstance(jwks, JwksUrl) else jwks.get(kid)
        if entry is None:
            raise AuthenticationError(AuthReason.UNKNOWN_KEY, "no key with this kid")
        if (entry.algorithm is not None and entry.algorithm != algorithm) or not key_fits(
            entry.key, algorithm
        ):
            raise AuthenticationError(
                AuthReason.KEY_TYPE_MISMATCH, f"key {kid[:32]!r} is not for {algorithm}"
            )
        return entry.key

    def _identity(self, claims: Mapping[str, Any]) -> Identity:
        subject = claims.get(self.config["subject_claim"])
        if (
            not isinstance(subject, str)
            or not subject
            or len(subject) > MAX_SUBJECT_CHARS
            or not subject.isprintable()
        ):
            raise AuthenticationError(
                AuthReason.BAD_CLAIMS, "subject must be a short printable string"
            )
        expires = claims["exp"]
        if not isinstance(expires, (int, float)) or isinstance(expires, bool):
            raise AuthenticationError(AuthReason.BAD_CLAIMS, "exp must be a number")
        issued = claims.get("iat")
        start = (
            issued
            if isinstance(issued, (int, float)) and not isinstance(issued, bool)
            else time.time()
        )
        if expires - start > self.config["max_lifetime_seconds"] + self.config["leeway_seconds"]:
            raise AuthenticationError(
                AuthReason.LIFETIME_TOO_LONG, "token lives longer than allowed"
            )
        token_id = claims.get("jti")
        if token_id is not None and not isinstance(token_id, str):
            raise AuthenticationError(AuthReason.BAD_CLAIMS, "jti must be a string")
        kept = {name: claims[name] for name in self.config["keep_claims"] if name in claims}
        acr, amr, auth_time = sign_in_claims(claims)
        return Identity(
            subject=subject,
            roles=self._roles(claims),
            issuer=str(claims["iss"]),
            expires_at=int(expires),
            token_id=token_id,
            claims=MappingProxyType(kept),
            acr=acr,
            amr=amr,
            auth_time=auth_time,
        )

    def _roles(self, claims: Mapping[str, Any]) -> Tuple[str, ...]:
        value: Any = claims
        for part in self.config["roles_claim"].split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if value is None:
            return ()
        if isinstance(value, str):
            value = value.split()
        if not isinstance(value, list) or not all(
            isinstance(role, str) and _ROLE.fullmatch(role) for role in value
        ):
            raise AuthenticationError(AuthReason.BAD_CLAIMS, "roles must be a list of role names")
        return tuple(dict.fromkeys(value))


def _unverified_kid(token: Optional[str]) -> Optional[str]:
    """The ``kid`` of ``token``'s header (not verified: it only picks a key), or ``None``."""
    import jwt

    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError:
        return None
    return kid if isinstance(kid, str) and kid else None


def bearer_token(authorization: Optional[str]) -> Optional[str]:
    """The token of an ``Authorization: Bearer <token>`` header value, ``None`` without one.

    The scheme is matched without regard to case; any other scheme gives ``None`` (which
    :meth:`TokenVerifier.verify` refuses as ``token_missing``).
    """
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _translate(error: Exception) -> AuthenticationError:
    import jwt

    table: Tuple[Tuple[type, AuthReason], ...] = (
        (jwt.ExpiredSignatureError, AuthReason.TOKEN_EXPIRED),
        (jwt.ImmatureSignatureError, AuthReason.TOKEN_NOT_YET_VALID),
        (jwt.InvalidIssuerError, AuthReason.BAD_ISSUER),
        (jwt.InvalidAudienceError, AuthReason.BAD_AUDIENCE),
        (jwt.MissingRequiredClaimError, AuthReason.CLAIM_MISSING),
        (jwt.InvalidSignatureError, AuthReason.BAD_SIGNATURE),
        (jwt.InvalidAlgorithmError, AuthReason.ALGORITHM_NOT_ALLOWED),
        (jwt.InvalidKeyError, AuthReason.KEY_TYPE_MISMATCH),
        (jwt.InvalidIssuedAtError, AuthReason.BAD_CLAIMS),
        (jwt.exceptions.InvalidSubjectError, AuthReason.BAD_CLAIMS),
        (jwt.exceptions.InvalidJTIError, AuthReason.BAD_CLAIMS),
        (jwt.DecodeError, AuthReason.TOKEN_MALFORMED),
    )
    for kind, reason in table:
        if isinstance(error, kind):
            claim = getattr(error, "claim", None)
            return AuthenticationError(reason, f"claim {claim}" if claim else "")
    return AuthenticationError(AuthReason.TOKEN_MALFORMED, type(error).__name__)
