"""Tests for core.identity.tokens: every refusal reason, key confusion, JWKS rotation."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from rasa_secure.core.identity.tokens import REASONS, TokenVerifier
from rasa_secure.errors import AuthenticationError, ConfigError

SECRET = "s" * 40
ISSUER = "https://idp.example"
AUDIENCE = "bank-assistant"


def claims(**overrides: Any) -> Dict[str, Any]:
    """Valid claims for subject ``alice``; ``None`` values are removed."""
    now = int(time.time())
    base: Dict[str, Any] = {
        "sub": "alice",
        "roles": ["customer"],
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 600,
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def pem(key: Any) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def hs_verifier(**config: Any) -> TokenVerifier:
    base: Dict[str, Any] = {
        "algorithms": ["HS256"],
        "secret_env": "TEST_JWT_SECRET",
        "issuer": ISSUER,
        "audience": AUDIENCE,
    }
    base.update(config)
    return TokenVerifier(base, environ={"TEST_JWT_SECRET": SECRET})


def rs_verifier(key: rsa.RSAPrivateKey, **config: Any) -> TokenVerifier:
    base: Dict[str, Any] = {
        "algorithms": ["RS256"],
        "public_key_env": "TEST_JWT_PUBLIC_KEY",
        "issuer": ISSUER,
        "audience": AUDIENCE,
    }
    base.update(config)
    return TokenVerifier(base, environ={"TEST_JWT_PUBLIC_KEY": pem(key)})


def reason_of(verifier: TokenVerifier, token: Optional[str], *, fetch_keys: bool = True) -> str:
    with pytest.raises(AuthenticationError) as caught:
        verifier.verify(token, fetch_keys=fetch_keys)
    assert caught.value.reason in REASONS, "every reason must be a documented one"
    return caught.value.reason


def unsigned(payload: Mapping[str, Any], alg: str = "none") -> str:
    def b64(data: Mapping[str, Any]) -> str:
        raw = json.dumps(dict(data)).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{b64({'alg': alg, 'typ': 'JWT'})}.{b64(payload)}."


# -- allowed paths -----------------------------------------------------------------------


def test_hs256_token_yields_identity() -> None:
    """The basic contract: a valid token gives subject, roles, issuer and expiry."""
    token = jwt.encode(claims(jti="t-1"), SECRET, algorithm="HS256")
    identity = hs_verifier().verify(token)
    assert identity.subject == "alice"
    assert identity.roles == ("customer",)
    assert identity.issuer == ISSUER
    assert identity.token_id == "t-1"
    assert identity.expires_at > time.time()


def test_rs256_and_es256_public_keys(rsa_key: Any, ec_key: Any) -> None:
    """Asymmetric verification: the server never holds a key that can mint tokens."""
    rs_token = jwt.encode(claims(), rsa_key, algorithm="RS256")
    assert rs_verifier(rsa_key).verify(rs_token).subject == "alice"
    es = TokenVerifier(
        {"algorithms": ["ES256"], "public_key_env": "K", "issuer": ISSUER, "audience": AUDIENCE},
        environ={"K": pem(ec_key)},
    )
    assert es.verify(jwt.encode(claims(), ec_key, algorithm="ES256")).subject == "alice"


def test_bearer_header_parsing() -> None:
    """The channel hands over the raw header; only the Bearer scheme is accepted."""
    token = jwt.encode(claims(), SECRET, algorithm="HS256")
    verifier = hs_verifier()
    assert verifier.verify_bearer(f"Bearer {token}").subject == "alice"
    assert verifier.verify_bearer(f"bearer   {token}  ").subject == "alice"
    for header in (None, "", "Basic abc", "Bearer", f"Token {token}"):
        with pytest.raises(AuthenticationError) as caught:
            verifier.verify_bearer(header)
        assert caught.value.reason == "token_missing"


def test_sign_in_claims_are_kept_for_step_up() -> None:
    """acr, amr and auth_time (OpenID Connect) say how the user signed in; absent: none."""
    token = jwt.encode(
        claims(acr="urn:example:mfa", amr=["pwd", "otp", "pwd"], auth_time=NOW - 5),
        SECRET,
        algorithm="HS256",
    )
    identity = hs_verifier().verify(token)
    assert (identity.acr, identity.amr, identity.auth_time) == (
        "urn:example:mfa",
        ("pwd", "otp"),
        NOW - 5,
    )
    plain = hs_verifier().verify(jwt.encode(claims(), SECRET, algorithm="HS256"))
    assert (plain.acr, plain.amr, plain.auth_time) == (None, (), None)


def test_roles_from_nested_claim_and_space_separated_string() -> None:
    """Keycloak-style nested roles and OAuth-style space-separated scopes both work."""
    nested = jwt.encode(
        claims(realm_access={"roles": ["teller", "teller"]}), SECRET, algorithm="HS256"
    )
    assert hs_verifier(roles_claim="realm_access.roles").verify(nested).roles == ("teller",)
    spaced = jwt.encode(claims(roles="customer teller"), SECRET, algorithm="HS256")
    assert hs_verifier().verify(spaced).roles == ("customer", "teller")
    missing = jwt.encode(claims(roles=None), SECRET, algorithm="HS256")
    assert hs_verifier().verify(missing).roles == (), "no roles claim means no roles, not an error"


def test_only_kept_claims_are_exposed() -> None:
    """Identity.claims holds only what keep_claims names (data minimisation)."""
    token = jwt.encode(claims(branch="north", email="alice@example.com"), SECRET, algorithm="HS256")
    identity = hs_verifier(keep_claims=["branch"]).verify(token)
    assert dict(identity.claims) == {"branch": "north"}
    with pytest.raises(TypeError):
        identity.claims["roles"] = ["admin"]  # type: ignore[index]


def test_leeway_accepts_small_clock_skew() -> None:
    """A token that expired 5 s ago is accepted with 30 s leeway, refused with 0."""
    now = int(time.time())
    token = jwt.encode(claims(iat=now - 100, exp=now - 5), SECRET, algorithm="HS256")
    assert hs_verifier(leeway_seconds=30).verify(token).subject == "alice"
    assert reason_of(hs_verifier(leeway_seconds=0), token) == "token_expired"


# -- refusals ------------------------------------------------------------------------------

NOW = int(time.time())

REFUSALS = [
    # (why the case exists, claims overrides, expected reason)
    ("expired token", {"iat": NOW - 4000, "exp": NOW - 3600}, "token_expired"),
    ("not yet valid: nbf in the future", {"nbf": NOW + 3600}, "token_not_yet_valid"),
    ("issued in the future", {"iat": NOW + 3600, "exp": NOW + 4000}, "token_not_yet_valid"),
    ("wrong issuer", {"iss": "https://evil.example"}, "bad_issuer"),
    ("wrong audience", {"aud": "another-app"}, "bad_audience"),
    ("missing exp: eternal tokens are refused", {"exp": None}, "claim_missing"),
    ("missing iss", {"iss": None}, "claim_missing"),
    ("missing aud", {"aud": None}, "claim_missing"),
    ("missing subject", {"sub": None}, "claim_missing"),
    ("subject not a string", {"sub": 42}, "bad_claims"),
    ("roles not a list of names", {"roles": [{"admin": True}]}, "bad_claims"),
    ("role name with spaces smuggled in a list", {"roles": ["admin role"]}, "bad_claims"),
    ("lifetime beyond max_lifetime_seconds", {"exp": NOW + 10 * 86400}, "lifetime_too_long"),
    ("acr not a string: step-up rules compare it", {"acr": ["urn:example:mfa"]}, "bad_claims"),
    ("acr with a space would split acr_values", {"acr": "urn:a urn:b"}, "bad_claims"),
    ("amr a string, not the list OIDC defines", {"amr": "otp"}, "bad_claims"),
    ("auth_time not a number", {"auth_time": "yesterday"}, "bad_claims"),
]


@pytest.mark.parametrize(("why", "overrides", "reason"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals(why: str, overrides: Dict[str, Any], reason: str) -> None:
    token = jwt.encode(claims(**overrides), SECRET, algorithm="HS256")
    assert reason_of(hs_verifier(), token) == reason, why


def test_alg_none_is_refused_even_if_listed_nowhere() -> None:
    """The classic bypass: an unsigned token with alg none."""
    assert reason_of(hs_verifier(), unsigned(claims())) == "algorithm_not_allowed"
    assert reason_of(hs_verifier(), unsigned(claims(), alg="NONE")) == "algorithm_not_allowed"


def test_none_cannot_be_configured() -> None:
    """alg none is not even a configurable choice."""
    with pytest.raises(ConfigError) as caught:
        hs_verifier(algorithms=["none"])
    assert caught.value.key == "TokenVerifier.algorithms"


def test_hs_rs_key_confusion_is_refused(rsa_key: Any) -> None:
    """An attacker signs HS256 with the *public* RSA key as secret: RS verifier must refuse."""
    public_pem = pem(rsa_key).encode()
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(claims()).encode()).rstrip(b"=")
    import hashlib
    import hmac

    signature = hmac.new(public_pem, header + b"." + body, hashlib.sha256).digest()
    forged = b".".join([header, body, base64.urlsafe_b64encode(signature).rstrip(b"=")]).decode()
    assert reason_of(rs_verifier(rsa_key), forged) == "algorithm_not_allowed"


def test_hs_verifier_refuses_rs_tokens(rsa_key: Any) -> None:
    """The other direction: an HS-configured verifier never accepts an RS token."""
    token = jwt.encode(claims(), rsa_key, algorithm="RS256")
    assert reason_of(hs_verifier(), token) == "algorithm_not_allowed"


def test_bad_signature_and_garbage() -> None:
    """Wrong secret, tampered payload, and non-JWT strings."""
    other = jwt.encode(claims(), "x" * 40, algorithm="HS256")
    assert reason_of(hs_verifier(), other) == "bad_signature"
    good = jwt.encode(claims(), SECRET, algorithm="HS256")
    head, _, tail = good.split(".")
    tampered_body = base64.urlsafe_b64encode(json.dumps(claims(roles=["admin"])).encode()).rstrip(
        b"="
    )
    assert reason_of(hs_verifier(), f"{head}.{tampered_body.decode()}.{tail}") == "bad_signature"
    assert reason_of(hs_verifier(), "not-a-token") == "token_malformed"
    assert reason_of(hs_verifier(), "a" * 10_000) == "token_malformed", "size bound"
    assert reason_of(hs_verifier(), None) == "token_missing"
    assert reason_of(hs_verifier(), "") == "token_missing"


def test_error_messages_never_contain_the_token() -> None:
    """Errors end up in logs: they must not carry the credential."""
    token = jwt.encode(claims(exp=NOW - 3600, iat=NOW - 4000), SECRET, algorithm="HS256")
    with pytest.raises(AuthenticationError) as caught:
        hs_verifier().verify(token)
    assert token not in str(caught.value)
    assert SECRET not in str(caught.value)


# -- JWKS ----------------------------------------------------------------------------------


def jwk(key: Any, kid: str, alg: Optional[str] = None) -> Dict[str, Any]:
    data: Dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    data["kid"] = kid
    if alg:
        data["alg"] = alg
    return data


def write_jwks(path: Path, *keys: Dict[str, Any]) -> None:
    path.write_text(json.dumps({"keys": list(keys)}))


def jwks_verifier(path: Path, **config: Any) -> TokenVerifier:
    base: Dict[str, Any] = {
        "algorithms": ["RS256"],
        "jwks_file": str(path),
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "jwks_reload_seconds": 1,
    }
    base.update(config)
    return TokenVerifier(base)


def test_jwks_kid_selects_key_and_rotation_is_picked_up(tmp_path: Path, rsa_key: Any) -> None:
    """Rotation: a key added to the JWKS file is used without a restart; kid is required."""
    new_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "jwks.json"
    write_jwks(path, jwk(rsa_key, "k1", "RS256"))
    verifier = jwks_verifier(path)
    assert (
        verifier.verify(jwt.encode(claims(), rsa_key, "RS256", headers={"kid": "k1"})).subject
        == "alice"
    )
    rotated = jwt.encode(claims(), new_key, "RS256", headers={"kid": "k2"})
    assert reason_of(verifier, rotated) == "unknown_key"
    write_jwks(path, jwk(rsa_key, "k1"), jwk(new_key, "k2"))
    os.utime(path, (time.time() + 5, time.time() + 5))
    time.sleep(1.05)
    assert verifier.verify(rotated).subject == "alice"
    assert reason_of(verifier, jwt.encode(claims(), rsa_key, "RS256")) == "unknown_key", "no kid"


def test_jwks_key_signed_by_other_key_under_known_kid(tmp_path: Path, rsa_key: Any) -> None:
    """A token naming a known kid but signed with another key fails the signature check."""
    path = tmp_path / "jwks.json"
    write_jwks(path, jwk(rsa_key, "k1"))
    intruder = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims(), intruder, "RS256", headers={"kid": "k1"})
    assert reason_of(jwks_verifier(path), forged) == "bad_signature"


def test_jwks_key_type_must_match_algorithm(tmp_path: Path, rsa_key: Any, ec_key: Any) -> None:
    """With RS256 and ES256 allowed, an ES256 token naming an RSA key is refused."""
    ec_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ec_key.public_key()))
    ec_jwk["kid"] = "ec1"
    path = tmp_path / "jwks.json"
    write_jwks(path, jwk(rsa_key, "rsa1", "RS256"), ec_jwk)
    verifier = jwks_verifier(path, algorithms=["RS256", "ES256"])
    assert (
        verifier.verify(jwt.encode(claims(), ec_key, "ES256", headers={"kid": "ec1"})).subject
        == "alice"
    )
    confused = jwt.encode(claims(), ec_key, "ES256", headers={"kid": "rsa1"})
    assert reason_of(verifier, confused) == "key_type_mismatch"


# -- configuration -------------------------------------------------------------------------

CONFIG_ERRORS = [
    # (why, config overrides on top of an HS config, key named in the error)
    ("HS and RS mixed", {"algorithms": ["HS256", "RS256"]}, "TokenVerifier.algorithms"),
    ("unknown algorithm", {"algorithms": ["HS1"]}, "TokenVerifier.algorithms"),
    ("empty allow-list", {"algorithms": []}, "TokenVerifier.algorithms"),
    ("issuer is required", {"issuer": None}, "TokenVerifier.issuer"),
    ("audience is required", {"audience": None}, "TokenVerifier.audience"),
    ("leeway is bounded", {"leeway_seconds": 3600}, "TokenVerifier.leeway_seconds"),
    ("typo in an option name", {"leway_seconds": 10}, "TokenVerifier.leway_seconds"),
    ("RS algorithm with an HMAC secret", {"algorithms": ["RS256"]}, "TokenVerifier.secret_env"),
    ("two key sources", {"secret_file": "/nonexistent"}, "TokenVerifier"),
    ("secret env var unset", {"secret_env": "TEST_UNSET_VARIABLE"}, "TokenVerifier.secret_env"),
]


@pytest.mark.parametrize(
    ("why", "overrides", "key"), CONFIG_ERRORS, ids=[c[0] for c in CONFIG_ERRORS]
)
def test_config_errors_name_the_key(why: str, overrides: Dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        hs_verifier(**overrides)
    assert caught.value.key == key, why


def test_short_hmac_secret_is_refused() -> None:
    """HS256 with a guessable secret is brute-forceable offline: refuse under 32 bytes."""
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        TokenVerifier(
            {"algorithms": ["HS256"], "secret_env": "S", "issuer": ISSUER, "audience": AUDIENCE},
            environ={"S": "short"},
        )


def test_public_key_must_fit_algorithm(rsa_key: Any, ec_key: Any) -> None:
    """An EC key configured for RS256 (or a P-256 key for ES384) is a configuration error."""
    with pytest.raises(ConfigError, match="does not fit RS256"):
        TokenVerifier(
            {
                "algorithms": ["RS256"],
                "public_key_env": "K",
                "issuer": ISSUER,
                "audience": AUDIENCE,
            },
            environ={"K": pem(ec_key)},
        )
    with pytest.raises(ConfigError, match="does not fit ES384"):
        TokenVerifier(
            {
                "algorithms": ["ES384"],
                "public_key_env": "K",
                "issuer": ISSUER,
                "audience": AUDIENCE,
            },
            environ={"K": pem(ec_key)},
        )


def test_secret_file_and_jwks_file_errors(tmp_path: Path) -> None:
    """Secrets from files; a JWKS with secrets or without kid is refused at load."""
    secret = tmp_path / "secret"
    secret.write_text(SECRET + "\n")
    verifier = TokenVerifier(
        {
            "algorithms": ["HS256"],
            "secret_file": str(secret),
            "issuer": ISSUER,
            "audience": AUDIENCE,
        }
    )
    assert verifier.verify(jwt.encode(claims(), SECRET, algorithm="HS256")).subject == "alice"
    bad = tmp_path / "jwks.json"
    write_jwks(bad, {"kty": "oct", "kid": "k", "k": "c2VjcmV0"})
    with pytest.raises(ConfigError, match="only public keys"):
        jwks_verifier(bad)
    write_jwks(bad, {"kty": "RSA", "n": "abc", "e": "AQAB"})
    with pytest.raises(ConfigError, match="kid"):
        jwks_verifier(bad)
    bad.write_text("not json")
    with pytest.raises(ConfigError, match="JSON"):
        jwks_verifier(bad)


# -- JWKS URL and OpenID Connect discovery ---------------------------------------------------


class Provider:
    """A local OpenID Connect provider: discovery document and a JWKS that rotates its key.

    Attributes:
        base: its URL (the issuer).
        requests: the paths asked for, in order.
        delay: seconds each answer takes (a slow provider).
        asked: set once a request arrived.
    """

    def __init__(self) -> None:
        self.keys: Dict[str, Any] = {}
        self.requests: List[str] = []
        self.issuer_override: Optional[str] = None
        self.down = False
        self.delay = 0.0
        self.asked = threading.Event()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider.requests.append(self.path)
                provider.asked.set()
                time.sleep(provider.delay)
                body = provider.answer(self.path)
                self.send_response(200 if body is not None else 503)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(body).encode())

            def log_message(self, *_: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, path: str) -> Optional[Dict[str, Any]]:
        if self.down:
            return None
        if path == "/.well-known/openid-configuration":
            return {"issuer": self.issuer_override or self.base, "jwks_uri": f"{self.base}/jwks"}
        return {"keys": [jwk(key, kid, "RS256") for kid, key in self.keys.items()]}

    def rotate(self, kid: str) -> Any:
        """Replace every key with a new one named ``kid``; returns its private key."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.keys = {kid: key}
        return key

    def sign(self, kid: str, **overrides: Any) -> str:
        return jwt.encode(
            claims(iss=self.base, **overrides), self.keys[kid], "RS256", headers={"kid": kid}
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider() -> Iterator[Provider]:
    running = Provider()
    yield running
    running.close()


def url_verifier(provider: Provider, **config: Any) -> TokenVerifier:
    base: Dict[str, Any] = {
        "algorithms": ["RS256"],
        "jwks_url": f"{provider.base}/jwks",
        "issuer": provider.base,
        "audience": AUDIENCE,
    }
    base.update(config)
    return TokenVerifier(base)


def test_jwks_url_follows_a_rotation(provider: Provider) -> None:
    """A token naming the provider's new key fetches the JWKS again; the old key is gone."""
    provider.rotate("k1")
    old = provider.sign("k1")
    verifier = url_verifier(provider, jwks_min_refresh_seconds=1)
    assert verifier.verify(old).subject == "alice"
    provider.rotate("k2")
    new = provider.sign("k2")
    time.sleep(1.05)
    assert verifier.verify(new).subject == "alice"
    assert reason_of(verifier, old) == "unknown_key", "the rotated-out key no longer verifies"
    assert provider.requests == ["/jwks", "/jwks"]


def test_unknown_kid_flood_costs_one_request_per_period(provider: Provider) -> None:
    """Made-up kids: every token refused, the provider asked at most once per period."""
    provider.rotate("k1")
    verifier = url_verifier(provider, jwks_min_refresh_seconds=30)
    assert verifier.verify(provider.sign("k1")).subject == "alice"
    forged = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for index in range(200):
        token = jwt.encode(claims(iss=provider.base), forged, "RS256", headers={"kid": f"x{index}"})
        assert reason_of(verifier, token) == "unknown_key"
    assert provider.requests == ["/jwks"]


def test_cached_keys_are_fetched_again_on_schedule(provider: Provider) -> None:
    provider.rotate("k1")
    verifier = url_verifier(provider, jwks_reload_seconds=1)
    token = provider.sign("k1")
    for _ in range(5):
        verifier.verify(token)
    assert provider.requests == ["/jwks"], "known keys are served from the cache"
    time.sleep(1.05)
    verifier.verify(token)
    assert provider.requests == ["/jwks", "/jwks"]


def test_provider_outage_keeps_the_previous_keys(provider: Provider) -> None:
    provider.rotate("k1")
    verifier = url_verifier(provider, jwks_reload_seconds=1)
    token = provider.sign("k1")
    assert verifier.verify(token).subject == "alice"
    provider.down = True
    time.sleep(1.05)
    assert verifier.verify(token).subject == "alice"
    assert len(provider.requests) == 2


def test_a_fetch_in_flight_holds_up_no_lookup_of_a_cached_key(provider: Provider) -> None:
    """Rotation while the provider is slow: the new kid waits for the fetch (in a worker
    thread); a known kid is verified from the cache meanwhile, without waiting."""
    provider.rotate("k1")
    verifier = url_verifier(provider, jwks_min_refresh_seconds=1)
    known = provider.sign("k1")
    assert verifier.keys_due(known), "nothing fetched yet"
    verifier.fetch_keys(known)
    assert verifier.verify(known, fetch_keys=False).subject == "alice"
    assert not verifier.keys_due(known), "fetched and cached"
    provider.keys["k2"] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rotated = provider.sign("k2")
    assert reason_of(verifier, rotated, fetch_keys=False) == "unknown_key", "never fetches"
    time.sleep(1.05)
    assert verifier.keys_due(rotated)
    provider.delay, provider.asked = 1.5, threading.Event()
    worker = threading.Thread(target=verifier.fetch_keys, args=(rotated,))
    worker.start()
    assert provider.asked.wait(5)
    started = time.monotonic()
    assert verifier.verify(known, fetch_keys=False).subject == "alice"
    assert time.monotonic() - started < 0.5, "a cached key does not wait for the fetch"
    assert not verifier.keys_due(known) and verifier.keys_due(rotated), "k2 waits for it"
    worker.join(10)
    assert verifier.verify(rotated, fetch_keys=False).subject == "alice"
    assert provider.requests == ["/jwks", "/jwks"]


def test_no_keys_reachable_refuses_tokens(provider: Provider) -> None:
    provider.rotate("k1")
    provider.down = True
    assert reason_of(url_verifier(provider), provider.sign("k1")) == "unknown_key"


def test_oidc_discovery_finds_the_jwks(provider: Provider) -> None:
    provider.rotate("k1")
    verifier = url_verifier(provider, jwks_url=None, oidc_discovery=True)
    assert verifier.verify(provider.sign("k1")).subject == "alice"
    assert provider.requests == ["/.well-known/openid-configuration", "/jwks"]


def test_discovery_document_of_another_issuer_is_not_trusted(provider: Provider) -> None:
    """OpenID Connect Discovery: the document must name the issuer it was fetched for."""
    provider.rotate("k1")
    provider.issuer_override = "https://evil.example"
    verifier = url_verifier(provider, jwks_url=None, oidc_discovery=True)
    assert reason_of(verifier, provider.sign("k1")) == "unknown_key"
    assert "/jwks" not in provider.requests


@pytest.mark.parametrize(
    ("why", "overrides", "key"),
    [
        ("plain http to another host", {"jwks_url": "http://idp.example/jwks"},
         "TokenVerifier.jwks_url"),
        ("not a URL", {"jwks_url": "file:///etc/jwks.json"}, "TokenVerifier.jwks_url"),
        ("two key sources", {"jwks_url": "https://idp.example/jwks", "oidc_discovery": True},
         "TokenVerifier"),
        ("discovery needs one issuer", {"jwks_url": None, "oidc_discovery": True,
                                        "issuer": [ISSUER, "https://other.example"]},
         "TokenVerifier.oidc_discovery"),
        ("HMAC with a key URL", {"algorithms": ["HS256"], "jwks_url": "https://idp.example/j"},
         "TokenVerifier.jwks_url"),
    ],
)  # fmt: skip
def test_key_url_config_errors(why: str, overrides: Dict[str, Any], key: str) -> None:
    config = {"algorithms": ["RS256"], "issuer": ISSUER, "audience": AUDIENCE, **overrides}
    with pytest.raises(ConfigError) as caught:
        TokenVerifier(config)
    assert caught.value.key == key, why
