"""Where :class:`~rasa_secure.core.identity.tokens.TokenVerifier` gets its keys: the accepted
algorithms, HMAC secrets and PEM public keys from the environment or a file, JWKS files
re-read when they change, and JWKS URLs of an OpenID Connect provider (named directly or
found by issuer discovery) fetched again on a schedule and, at a bounded rate, for an unknown
``kid`` (key rotation). Every configuration problem is a
:class:`~rasa_secure.errors.ConfigError` naming the option; no key appears in a message.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Dict, FrozenSet, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from rasa_secure.errors import ConfigError

logger = logging.getLogger(__name__)

HMAC_ALGORITHMS: FrozenSet[str] = frozenset({"HS256", "HS384", "HS512"})
RSA_ALGORITHMS: FrozenSet[str] = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
EC_ALGORITHMS: Mapping[str, str] = MappingProxyType(
    {"ES256": "secp256r1", "ES384": "secp384r1", "ES512": "secp521r1"}
)
SUPPORTED_ALGORITHMS: Tuple[str, ...] = tuple(
    sorted(HMAC_ALGORITHMS | RSA_ALGORITHMS | set(EC_ALGORITHMS))
)
LOOPBACK_HOSTS: FrozenSet[str] = frozenset({"localhost", "127.0.0.1", "::1"})
"""Hosts a key URL may reach over plain ``http`` (a provider on the same machine)."""
DISCOVERY_PATH = "/.well-known/openid-configuration"
"""Where an OpenID Connect issuer publishes its metadata (OpenID Connect Discovery 1.0)."""


def key_url_problem(value: Any) -> Optional[str]:
    """Why ``value`` cannot be a key URL (``None`` when it can, or is not set): it must be
    ``https``, or ``http`` to a loopback host, since the keys decide who is signed in."""
    if value is None:
        return None
    if not isinstance(value, str):
        return f"expected a URL, got {type(value).__name__}"
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return None
    return "expected an https:// URL (http:// only to localhost)"


def read_secret(
    owner: str,
    env_key: str,
    env_name: Optional[str],
    file_key: str,
    file_name: Optional[str],
    environ: Mapping[str, str],
) -> Optional[bytes]:
    """The secret named by ``env_key`` (an environment variable) or ``file_key`` (a file).

    ``None`` when neither option is set; a :class:`ConfigError` naming the option when both
    are, when the variable is empty, or when the file cannot be read.
    """
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


def load_public_key(owner: str, where: str, pem: bytes, algorithms: Tuple[str, ...]) -> Any:
    """The PEM public key ``pem``, checked to fit every one of ``algorithms``."""
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        key = load_pem_public_key(pem)
    except (ValueError, TypeError):
        raise ConfigError(f"{owner}.{where}", "not a PEM public key") from None
    for algorithm in algorithms:
        if not key_fits(key, algorithm):
            raise ConfigError(f"{owner}.{where}", f"the key does not fit {algorithm}")
    return key


def key_fits(key: Any, algorithm: str) -> bool:
    """Whether ``key`` is of the type (and curve) ``algorithm`` signs with."""
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
class JwksEntry:
    """A key of a JWKS and the algorithm it declares, if any."""

    key: Any
    algorithm: Optional[str]


def parse_jwks(
    data: Any, where: str, algorithms: Tuple[str, ...], *, strict: bool
) -> Dict[str, JwksEntry]:
    """The public keys of the JWKS document ``data``, by ``kid``.

    ``strict`` (a file the operator wrote): a key without ``kid``, a secret or private key, or
    one that fits none of ``algorithms`` is a :class:`ConfigError`. Not strict (a provider's
    document, which may also list encryption keys or other algorithms): such keys are skipped;
    a document without a usable key is still an error.
    """
    entries = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ConfigError(where, "expected an object with a non-empty 'keys' list")
    keys: Dict[str, JwksEntry] = {}
    for index, entry in enumerate(entries):
        try:
            kid, parsed = _jwks_entry(entry, f"{where}.keys[{index}]", algorithms)
            if kid in keys:
                raise ConfigError(f"{where}.keys[{index}]", "duplicate kid")
        except ConfigError:
            if strict:
                raise
            continue
        keys[kid] = parsed
    if not keys:
        raise ConfigError(where, "no key fits the allowed algorithms", algorithms)
    return keys


def _jwks_entry(entry: Any, path: str, algorithms: Tuple[str, ...]) -> Tuple[str, JwksEntry]:
    import jwt

    if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str) or not entry["kid"]:
        raise ConfigError(path, "every key needs a non-empty string 'kid'")
    if entry.get("kty") == "oct" or "d" in entry:
        raise ConfigError(path, "only public keys belong in a JWKS (no secrets)")
    algorithm = entry.get("alg")
    if algorithm is not None and algorithm not in algorithms:
        raise ConfigError(path, f"key algorithm {algorithm} is not allowed", algorithms)
    try:
        key = jwt.PyJWK(entry, algorithm).key
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        raise ConfigError(path, "not a valid public JWK") from None
    if not any(key_fits(key, name) for name in algorithms):
        raise ConfigError(path, "key type fits none of the allowed algorithms", algorithms)
    return entry["kid"], JwksEntry(key, algorithm)


class JwksFile:
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

    def _parse(self) -> Dict[str, JwksEntry]:
        where = f"{self._owner}.jwks_file"
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise ConfigError(where, "not a readable JSON document") from None
        return parse_jwks(data, where, self._algorithms, strict=True)

    def get(self, kid: str) -> Optional[JwksEntry]:
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


class JwksUrl:
    """The keys at a provider's JWKS URL, fetched with PyJWT's ``PyJWKClient``.

    The document is fetched at the first verification, then again when it is older than
    ``cache_seconds`` (rotation on the provider's schedule) or, for a ``kid`` it does not
    hold, when the last fetch is older than ``min_refresh_seconds``: a flood of tokens with
    made-up ``kid`` values costs the provider one request per period, never one per token.
    A failed fetch (network, a bad document, a discovery answer for another issuer) is
    logged and keeps the previous keys; with none, tokens are refused (``unknown_key``).

    Args:
        owner: the option path in messages, e.g. ``"SecureRestInput.jwt"``.
        algorithms: the accepted algorithms (keys fitting none are skipped).
        url: the JWKS URL; ``None`` to discover it from ``issuer``.
        issuer: with ``url=None``, the issuer whose ``/.well-known/openid-configuration``
            names the JWKS URL (``jwks_uri``); the document must name this same issuer.
        cache_seconds, min_refresh_seconds, timeout: see above; ``timeout`` bounds each
            request.

    A fetch holds no lock that a lookup of a cached key waits for. An event loop never
    fetches itself: it asks :meth:`due`, runs :meth:`refresh` in a thread when it is, and
    then looks up with ``fetch=False`` (see :meth:`TokenVerifier.keys_due`).
    """

    def __init__(
        self,
        owner: str,
        algorithms: Tuple[str, ...],
        *,
        url: Optional[str],
        issuer: Optional[str],
        cache_seconds: float,
        min_refresh_seconds: float,
        timeout: float,
    ) -> None:
        self._owner = owner
        self._algorithms = algorithms
        self._url = url
        self._issuer = issuer
        self._cache_seconds = cache_seconds
        self._min_refresh = min_refresh_seconds
        self._timeout = timeout
        self._state = threading.Lock()  # guards _keys and _fetched; held only briefly
        self._fetching = threading.Lock()  # held during a fetch: one at a time
        self._keys: Dict[str, JwksEntry] = {}
        self._fetched: Optional[float] = None

    def due(self, kid: str) -> bool:
        """Whether :meth:`get` would fetch (or wait for a fetch) before answering ``kid``.

        Cheap and never blocked by a fetch in flight: an event loop asks it to decide whether
        to run :meth:`refresh` in a thread first.
        """
        with self._state:
            if kid not in self._keys and self._fetching.locked():
                return True  # a fetch in flight may bring this kid: wait for it
            return self._is_due(kid, time.monotonic())

    def _is_due(self, kid: str, now: float) -> bool:
        last = self._fetched
        return (
            last is None
            or now - last >= self._cache_seconds
            or (kid not in self._keys and now - last >= self._min_refresh)
        )

    def refresh(self, kid: str) -> None:
        """Fetch the document if it is due for ``kid`` (blocking, up to the timeout per
        request); callers waiting on a fetch in flight share its outcome."""
        with self._fetching:
            with self._state:
                now = time.monotonic()
                if not self._is_due(kid, now):
                    return
                self._fetched = now
            keys = self._fetch()
            if keys is not None:
                with self._state:
                    self._keys = keys

    def get(self, kid: str, *, fetch: bool = True) -> Optional[JwksEntry]:
        """The key named ``kid``, fetching the document first when it is due (never with
        ``fetch=False``: the cached keys only)."""
        if fetch and self.due(kid):
            self.refresh(kid)
        with self._state:
            return self._keys.get(kid)

    def _fetch(self) -> Optional[Dict[str, JwksEntry]]:
        """The provider's keys, or ``None`` (logged) when the fetch failed."""
        import jwt

        where = f"{self._owner}.jwks_url" if self._url else f"{self._owner}.oidc_discovery"
        try:
            url = self._url or self._discover(where)
            data = jwt.PyJWKClient(url, cache_jwk_set=False, timeout=self._timeout).fetch_data()
            return parse_jwks(data, where, self._algorithms, strict=False)
        except (jwt.PyJWKClientError, ConfigError) as error:
            logger.warning(
                "%s: JWKS fetch failed (%s), keeping the previous keys", where, type(error).__name__
            )
            return None

    def _discover(self, where: str) -> str:
        """The ``jwks_uri`` of the issuer's discovery document (fetched like a JWKS: an
        https JSON object, no redirects, within the timeout)."""
        import jwt

        issuer = str(self._issuer)
        discovery = issuer.rstrip("/") + DISCOVERY_PATH
        document = jwt.PyJWKClient(discovery, cache_jwk_set=False, timeout=self._timeout)
        metadata = document.fetch_data()
        if metadata.get("issuer") != issuer:
            raise ConfigError(where, "the discovery document names another issuer")
        jwks_uri = metadata.get("jwks_uri")
        problem = key_url_problem(jwks_uri) if jwks_uri is not None else "no jwks_uri"
        if problem is not None:
            raise ConfigError(where, f"discovery document: {problem}")
        return str(jwks_uri)
