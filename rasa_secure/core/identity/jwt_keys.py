"""Where :class:`~rasa_secure.core.identity.tokens.TokenVerifier` gets its keys: the accepted
algorithms, HMAC secrets and PEM public keys from the environment or a file, and JWKS files
re-read when they change (key rotation). Every problem is a
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
    """A key of a JWKS file and the algorithm it declares, if any."""

    key: Any
    algorithm: Optional[str]


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
        import jwt

        where = f"{self._owner}.jwks_file"
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise ConfigError(where, "not a readable JSON document") from None
        entries = data.get("keys") if isinstance(data, dict) else None
        if not isinstance(entries, list) or not entries:
            raise ConfigError(where, "expected an object with a non-empty 'keys' list")
        keys: Dict[str, JwksEntry] = {}
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
            if not any(key_fits(key, name) for name in self._algorithms):
                raise ConfigError(
                    path, "key type fits none of the allowed algorithms", self._algorithms
                )
            keys[entry["kid"]] = JwksEntry(key, algorithm)
        return keys

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
