"""Verify bearer JWTs and turn them into an :class:`Identity`. Fails closed.

A :class:`TokenVerifier` is built once from a validated configuration and then answers
:meth:`TokenVerifier.verify` for any number of tokens, from any thread. It accepts only
the algorithms it was configured with, and only one family of them: either HMAC secrets
(``HS256``/``HS384``/``HS512``) or public keys (``RS*``, ``PS*``, ``ES*``), never both, so
a public key can never be used as an HMAC secret (the classic key-confusion attack) and
``alg: none`` is never accepted. Keys come from an environment variable, a file, or a JWKS
file whose ``kid`` selects the key (rotation: publish the new key next to the old one).

``exp``, ``iss``, ``aud`` and the subject claim are required; ``nbf`` and ``iat`` are
honoured; clock skew is bounded by ``leeway_seconds``; a token valid for longer than
``max_lifetime_seconds`` is refused. Every failure raises
:class:`~rasa_secure.errors.AuthenticationError` with a machine-readable ``reason`` (see
:data:`REASONS`); neither the token nor any key ever appears in a message or a log.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Tuple, Union

from rasa_secure.config import Option, OptionSpec, in_range, list_of, positive, resolve
from rasa_secure.errors import AuthenticationError, ConfigError

logger = logging.getLogger(__name__)

HMAC_ALGORITHMS: FrozenSet[str] = frozenset({"HS256", "HS384", "HS512"})
RSA_ALGORITHMS: FrozenSet[str] = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
EC_ALGORITHMS: Mapping[str, str] = MappingProxyType(
    {"ES256": "secp256r1", "ES384": "secp384r1", "ES512": "secp521r1"}
)
SUPPORTED_ALGORITHMS: Tuple[str, ...] = tuple(
    sorted(HMAC_ALGORITHMS | RSA_ALGORITHMS | set(EC_ALGORITHMS))
)
MIN_SECRET_BYTES = 32
MAX_TOKEN_CHARS = 8192
MAX_SUBJECT_CHARS = 256
_ROLE = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}")

REASONS: Tuple[str, ...] = (
    "token_missing",
    "token_malformed",
    "algorithm_not_allowed",
    "unknown_key",
    "key_type_mismatch",
    "bad_signature",
    "token_expired",
    "token_not_yet_valid",
    "lifetime_too_long",
    "bad_issuer",
    "bad_audience",
    "claim_missing",
    "bad_claims",
)
"""Every ``reason`` :class:`TokenVerifier` can raise, for tests and dashboards."""


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
    "jwks_reload_seconds": Option(
        60, "how often the JWKS file is checked for a new version (key rotation)", int, positive
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
    """

    subject: str
    roles: Tuple[str, ...]
    issuer: str
    expires_at: int
    token_id: Optional[str] = None
    claims: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), hash=False)


def _read_secret(
    owner: str,
    env_key: str,
    env_name: Optional[str],
    file_key: str,
    file_name: Optional[str],
    environ: Mapping[str, str],
) -> Optional[bytes]:
    if env_name is not None and file_name is not None:
        raise ConfigError(f"{owner}.{env_key}", f"give either {env_key} or {file_key}, not both")
    if env_name is not None:
        value = environ.get(env_name, "")
        if not value.strip():
            raise ConfigError(f"{owner}.{env_key}", f"environment variable {env_name} is not set")
        return value.strip().encode("utf-8")
    if file_name is not None:
        try:
            return Path(file_name).read_bytes().strip()
        except OSError as error:
            raise ConfigError(
                f"{owner}.{file_key}", f"cannot read the file ({error.strerror})"
            ) from None
    return None


def _load_public_key(owner: str, where: str, pem: bytes, algorithms: Tuple[str, ...]) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        key = load_pem_public_key(pem)
    except (ValueError, TypeError):
        raise ConfigError(f"{owner}.{where}", "not a PEM public key") from None
    for algorithm in algorithms:
        if not _key_fits(key, algorithm):
            raise ConfigError(f"{owner}.{where}", f"the key does not fit {algorithm}")
    return key


def _key_fits(key: Any, algorithm: str) -> bool:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if algorithm in RSA_ALGORITHMS:
        return isinstance(key, rsa.RSAPublicKey)
    if algorithm in EC_ALGORITHMS:
        return (
            isinstance(key, ec.EllipticCurvePublicKey)
            and key.curve.name == EC_ALGORITHMS[algorithm]
        )
    return isinstance(key, bytes)


@dataclass(frozen=True)
class _JwksEntry:
    key: Any
    algorithm: Optional[str]


class _JwksFile:
    """The keys of a JWKS file, re-read when the file changes (at most every ``interval``)."""

    def __init__(self, owner: str, path: str, algorithms: Tuple[str, ...], interval: int) -> None:
        self._owner = owner
        self._path = Path(path)
        self._algorithms = algorithms
        self._interval = interval
        self._lock = threading.Lock()
        self._mtime = self._stat()
        self._keys = self._parse()
        self._checked = time.monotonic()

    def _stat(self) -> float:
        try:
            return self._path.stat().st_mtime
        except OSError as error:
            raise ConfigError(
                f"{self._owner}.jwks_file", f"cannot read the file ({error.strerror})"
            ) from None

    def _parse(self) -> Dict[str, _JwksEntry]:
        import jwt

        where = f"{self._owner}.jwks_file"
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise ConfigError(where, "not a readable JSON document") from None
        entries = data.get("keys") if isinstance(data, dict) else None
        if not isinstance(entries, list) or not entries:
            raise ConfigError(where, "expected an object with a non-empty 'keys' list")
        keys: Dict[str, _JwksEntry] = {}
        for index, entry in enumerate(entries):
            path = f"{where}.keys[{index}]"
            if (
                not isinstance(entry, dict)
                or not isinstance(entry.get("kid"), str)
                or not entry["kid"]
            ):
                raise ConfigError(path, "every key needs a non-empty string 'kid'")
            if entry.get("kty") == "oct" or "d" in entry:
                raise ConfigError(path, "only public keys belong in a JWKS file (no secrets)")
            algorithm = entry.get("alg")
            if algorithm is not None and algorithm not in self._algorithms:
                raise ConfigError(
                    path, f"key algorithm {algorithm} is not allowed", self._algorithms
                )
            if entry["kid"] in keys:
                raise ConfigError(path, "duplicate kid")
            try:
                key = jwt.PyJWK(entry, algorithm).key
            except (jwt.PyJWTError, ValueError, TypeError, KeyError):
                raise ConfigError(path, "not a valid public JWK") from None
            if not any(_key_fits(key, name) for name in self._algorithms):
                raise ConfigError(
                    path, "key type fits none of the allowed algorithms", self._algorithms
                )
            keys[entry["kid"]] = _JwksEntry(key, algorithm)
        return keys

    def get(self, kid: str) -> Optional[_JwksEntry]:
        """The key named ``kid``, reloading the file first if it changed."""
        now = time.monotonic()
        if now - self._checked >= self._interval:
            with self._lock:
                self._checked = now
                try:
                    mtime = self._stat()
                    if mtime != self._mtime:
                        self._keys = self._parse()
                        self._mtime = mtime
                except ConfigError as error:
                    logger.warning("JWKS reload failed, keeping the previous keys: %s", error.key)
        return self._keys.get(kid)


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
        self._jwks: Optional[_JwksFile] = None
        sources = [
            name
            for name in (
                "secret_env",
                "secret_file",
                "public_key_env",
                "public_key_file",
                "jwks_file",
            )
            if self.config[name] is not None
        ]
        if len(sources) != 1:
            raise ConfigError(
                owner,
                "configure exactly one key source"
                + (f", got {', '.join(sources)}" if sources else ""),
                ("secret_env", "secret_file", "public_key_env", "public_key_file", "jwks_file"),
            )
        source = sources[0]
        hmac_family = self.algorithms[0] in HMAC_ALGORITHMS
        if source.startswith("secret") != hmac_family:
            raise ConfigError(
                f"{owner}.{source}",
                "HS* algorithms need secret_env/secret_file; RS*/PS*/ES* need a public key or JWKS",
            )
        if hmac_family:
            self._secret = _read_secret(
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
            self._jwks = _JwksFile(
                owner, self.config["jwks_file"], self.algorithms, self.config["jwks_reload_seconds"]
            )
        else:
            pem = _read_secret(
                owner,
                "public_key_env",
                self.config["public_key_env"],
                "public_key_file",
                self.config["public_key_file"],
                env,
            )
            self._public_key = _load_public_key(owner, source, pem or b"", self.algorithms)

    def verify_bearer(self, authorization: Optional[str]) -> Identity:
        """Verify the token of an HTTP ``Authorization: Bearer <token>`` header value."""
        if not authorization or not authorization.strip():
            raise AuthenticationError("token_missing", "no Authorization header")
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("token_missing", "expected 'Authorization: Bearer <token>'")
        return self.verify(token.strip())

    def verify(self, token: Optional[str]) -> Identity:
        """Verify ``token`` and return the identity it proves.

        Raises:
            AuthenticationError: with one of :data:`REASONS`.
        """
        import jwt

        if not token:
            raise AuthenticationError("token_missing")
        if len(token) > MAX_TOKEN_CHARS:
            raise AuthenticationError("token_malformed", "token too large")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthenticationError("token_malformed", "not a JWS compact token") from None
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in self.algorithms:
            raise AuthenticationError("algorithm_not_allowed", f"alg {str(algorithm)[:16]!r}")
        key = self._key_for(header, algorithm)
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

    def _key_for(self, header: Mapping[str, Any], algorithm: str) -> Any:
        if self._secret is not None:
            return self._secret
        if self._jwks is None:
            return self._public_key
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthenticationError("unknown_key", "token has no kid")
        entry = self._jwks.get(kid)
        if entry is None:
            raise AuthenticationError("unknown_key", "no key with this kid")
        if (entry.algorithm is not None and entry.algorithm != algorithm) or not _key_fits(
            entry.key, algorithm
        ):
            raise AuthenticationError(
                "key_type_mismatch", f"key {kid[:32]!r} is not for {algorithm}"
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
            raise AuthenticationError("bad_claims", "subject must be a short printable string")
        expires = claims["exp"]
        if not isinstance(expires, (int, float)) or isinstance(expires, bool):
            raise AuthenticationError("bad_claims", "exp must be a number")
        issued = claims.get("iat")
        start = (
            issued
            if isinstance(issued, (int, float)) and not isinstance(issued, bool)
            else time.time()
        )
        if expires - start > self.config["max_lifetime_seconds"] + self.config["leeway_seconds"]:
            raise AuthenticationError("lifetime_too_long", "token lives longer than allowed")
        token_id = claims.get("jti")
        if token_id is not None and not isinstance(token_id, str):
            raise AuthenticationError("bad_claims", "jti must be a string")
        kept = {name: claims[name] for name in self.config["keep_claims"] if name in claims}
        return Identity(
            subject=subject,
            roles=self._roles(claims),
            issuer=str(claims["iss"]),
            expires_at=int(expires),
            token_id=token_id,
            claims=MappingProxyType(kept),
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
            raise AuthenticationError("bad_claims", "roles must be a list of role names")
        return tuple(dict.fromkeys(value))


def _translate(error: Exception) -> AuthenticationError:
    import jwt

    table: Tuple[Tuple[type, str], ...] = (
        (jwt.ExpiredSignatureError, "token_expired"),
        (jwt.ImmatureSignatureError, "token_not_yet_valid"),
        (jwt.InvalidIssuerError, "bad_issuer"),
        (jwt.InvalidAudienceError, "bad_audience"),
        (jwt.MissingRequiredClaimError, "claim_missing"),
        (jwt.InvalidSignatureError, "bad_signature"),
        (jwt.InvalidAlgorithmError, "algorithm_not_allowed"),
        (jwt.InvalidKeyError, "key_type_mismatch"),
        (jwt.InvalidIssuedAtError, "bad_claims"),
        (jwt.exceptions.InvalidSubjectError, "bad_claims"),
        (jwt.exceptions.InvalidJTIError, "bad_claims"),
        (jwt.DecodeError, "token_malformed"),
    )
    for kind, reason in table:
        if isinstance(error, kind):
            claim = getattr(error, "claim", None)
            return AuthenticationError(reason, f"claim {claim}" if claim else "")
    return AuthenticationError("token_malformed", type(error).__name__)
