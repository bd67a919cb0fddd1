"""TLS between the Rasa server and the guarded action server (issue 17, transport).

The action server is ``rasa-secure actions`` in its own process serving HTTPS with a
certificate from a CA this module generates; the caller is Rasa's own action client
(``RemoteAction`` with the ``action_endpoint`` read from an ``endpoints.yml``, ``cafile``
included), so the test covers the configuration a deployment writes.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import json
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, List, Optional, Sequence, Tuple

import aiohttp
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from rasa_secure.cli.actions import plain_http_warning, server_ssl_context
from rasa_secure.errors import ConfigError
from tests.actions.conftest import CLI, DOMAIN, GUARD_CONFIG, REPO, SHARED, cli_env, tracker
from tests.serving import free_port

KEY_PASSWORD = "pass phrase of the test key"
WRONG_PASSWORD = "not the pass phrase 7351"
ACTION = "sample_check_balance"
MISNAMED = Path("(certificate names another host)")

# -- a private CA, made by the test --------------------------------------------------------


@dataclass(frozen=True)
class Pki:
    """PEM files of a test CA, a server certificate it signed, and an unrelated CA.

    Attributes:
        ca: the CA certificate the Rasa server trusts (``cafile``).
        certificate: the action server's certificate, for ``localhost`` and ``127.0.0.1``.
        key: its private key, unencrypted.
        encrypted_key: the same key encrypted with :data:`KEY_PASSWORD`.
        other_ca: a CA that signed nothing the action server uses.
        misnamed_certificate: signed by ``ca`` for the same key, but naming only
            ``actions.example``, not the address the Rasa server calls.
    """

    ca: Path
    certificate: Path
    key: Path
    encrypted_key: Path
    other_ca: Path
    misnamed_certificate: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate_authority(common_name: str) -> Tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


LOCAL_NAMES: List[x509.GeneralName] = [
    x509.DNSName("localhost"),
    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
]


def _server_certificate(
    ca_key: ec.EllipticCurvePrivateKey,
    ca: x509.Certificate,
    key: ec.EllipticCurvePrivateKey,
    names: Sequence[x509.GeneralName] = LOCAL_NAMES,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name("rasa-secure action server"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return certificate


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey, password: Optional[str] = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.NoEncryption()
        if password is None
        else serialization.BestAvailableEncryption(password.encode("utf-8"))
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    ca_key, ca = _certificate_authority("rasa-secure test CA")
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _server_certificate(ca_key, ca, server_key)
    misnamed = _server_certificate(ca_key, ca, server_key, [x509.DNSName("actions.example")])
    _, other = _certificate_authority("unrelated test CA")
    files = {
        "ca.pem": _pem(ca),
        "server.pem": _pem(server),
        "server.key": _key_pem(server_key),
        "server-encrypted.key": _key_pem(server_key, KEY_PASSWORD),
        "other-ca.pem": _pem(other),
        "misnamed.pem": _pem(misnamed),
    }
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return Pki(
        ca=folder / "ca.pem",
        certificate=folder / "server.pem",
        key=folder / "server.key",
        encrypted_key=folder / "server-encrypted.key",
        other_ca=folder / "other-ca.pem",
        misnamed_certificate=folder / "misnamed.pem",
    )


# -- the action server over HTTPS, as a deployment starts it -------------------------------


@dataclass(frozen=True)
class Server:
    """A running ``rasa-secure actions`` over HTTPS.

    Attributes:
        port: its port on 127.0.0.1.
        log: the file its output goes to (the audit records among it).
    """

    port: int
    log: Path

    def allowed_runs(self) -> int:
        """How many times the server ran :data:`ACTION` (its audit records say)."""
        runs = 0
        for line in self.log.read_text(errors="replace").splitlines():
            if "rasa_secure.audit" not in line:
                continue
            entry = json.loads(line[line.index("{") :])
            runs += (entry["component"], entry["decision"], entry["action"]) == (
                "SecureAction", "allow", ACTION,
            )  # fmt: skip
        return runs


@contextmanager
def action_server(
    folder: Path, ca: Optional[Path], tls_args: Sequence[str], host: str = "127.0.0.1"
) -> Iterator[Server]:
    """Run ``rasa-secure actions TLS_ARGS`` on a free port until it answers.

    ``/health`` is asked on 127.0.0.1 over HTTPS trusting ``ca``, or over plain HTTP when
    ``ca`` is ``None``; ``ca=MISNAMED`` waits for the port to accept connections instead
    (the server's certificate does not name 127.0.0.1, so no verified request can succeed).
    """
    config = folder / "actions.yml"
    config.write_text(json.dumps({**GUARD_CONFIG, "pii": None, "audit_allowed": True}))
    port = free_port()
    log = folder / "server.log"
    argv = [*CLI, "--actions", "tests.actions.sample_actions", "--config", str(config),
            "--host", host, "--port", str(port), *tls_args]  # fmt: skip
    health = f"{'http' if ca is None else 'https'}://127.0.0.1:{port}/health"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            argv, cwd=REPO, env=cli_env(), stdout=output, stderr=subprocess.STDOUT
        )
    try:
        for _ in range(300):
            if process.poll() is not None:
                pytest.fail(f"action server exited:\n{log.read_text()[-2000:]}")
            try:
                if ca == MISNAMED:
                    socket.create_connection(("127.0.0.1", port), timeout=2).close()
                    break
                if requests.get(health, verify=True if ca is None else ca, timeout=2).ok:
                    break
            except (requests.RequestException, OSError):
                pass
            time.sleep(0.3)
        else:
            pytest.fail(f"action server did not start:\n{log.read_text()[-2000:]}")
        yield Server(port, log)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> Iterator[Server]:
    tls = ["--ssl-certificate", str(pki.certificate), "--ssl-keyfile", str(pki.key)]
    with action_server(tmp_path_factory.mktemp("tls-server"), pki.ca, tls) as running:
        yield running


# -- Rasa's side: the action endpoint from endpoints.yml, RemoteAction ---------------------


def rasa_calls(url: str, cafile: Optional[Path], folder: Path) -> List[Any]:
    """Run :data:`ACTION` the way the Rasa server does; returns the events it gets back.

    The endpoint is read from an ``endpoints.yml`` with Rasa's own reader.
    """
    from rasa.core.actions.action import RemoteAction
    from rasa.core.channels import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import read_endpoint_config

    lines = ["action_endpoint:", f"  url: {url}/webhook", "  headers:",
             f"    X-Rasa-Secure-Token: {SHARED}"]  # fmt: skip
    if cafile is not None:
        lines.append(f"  cafile: {cafile}")
    endpoints = folder / "endpoints.yml"
    endpoints.write_text("\n".join(lines) + "\n")
    endpoint = read_endpoint_config(str(endpoints), "action_endpoint")
    assert endpoint is not None and endpoint.cafile == (None if cafile is None else str(cafile))

    domain = Domain.from_dict(DOMAIN)
    state = tracker("alice")
    conversation = DialogueStateTracker.from_dict(state.sender_id, state.events, domain.slots)
    action = RemoteAction(ACTION, endpoint)
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    return asyncio.run(action.run(CollectingOutputChannel(), nlg, conversation, domain))


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_rasa_runs_an_action_over_https_with_the_ca_from_endpoints_yml(
    server: Server, pki: Pki, tmp_path: Path, host: str
) -> None:
    """The deployment set-up works: HTTPS, the private CA in `cafile`, the certificate's names."""
    before = server.allowed_runs()
    events = rasa_calls(f"https://{host}:{server.port}", pki.ca, tmp_path)
    texts = [getattr(event, "text", None) for event in events]
    assert texts and texts[0].startswith("Balances: 1000200030"), texts
    assert server.allowed_runs() == before + 1
    log = server.log.read_text()
    assert f"action server listening on https://127.0.0.1:{server.port}" in log
    assert "serving plain HTTP" not in log


@pytest.mark.parametrize(
    ("why", "trust"),
    [
        ("a CA that did not sign the server's certificate", "other"),
        ("no cafile: the system trust store does not know the private CA", None),
    ],
)
def test_an_untrusted_certificate_fails_closed(
    server: Server, pki: Pki, tmp_path: Path, why: str, trust: Optional[str]
) -> None:
    """Rasa's call fails on the certificate check and the action never runs."""
    from rasa.shared.exceptions import RasaException

    before = server.allowed_runs()
    cafile = pki.other_ca if trust == "other" else None
    with pytest.raises(RasaException) as caught:
        rasa_calls(f"https://127.0.0.1:{server.port}", cafile, tmp_path)
    assert isinstance(caught.value.__context__, aiohttp.ClientConnectorCertificateError), why
    assert server.allowed_runs() == before


def test_a_certificate_for_another_host_name_fails_closed(pki: Pki, tmp_path: Path) -> None:
    """Signed by the trusted CA but not naming 127.0.0.1: Rasa refuses, no action runs."""
    from rasa.shared.exceptions import RasaException

    tls = ["--ssl-certificate", str(pki.misnamed_certificate), "--ssl-keyfile", str(pki.key)]
    with action_server(tmp_path, MISNAMED, tls) as running:
        with pytest.raises(RasaException) as caught:
            rasa_calls(f"https://127.0.0.1:{running.port}", pki.ca, tmp_path)
        assert "listening on https://" in running.log.read_text()
        assert running.allowed_runs() == 0
    cause = caught.value.__context__
    assert isinstance(cause, aiohttp.ClientConnectorCertificateError)
    assert "match" in str(cause), cause  # the host name check, not the chain, failed


def test_plain_http_to_the_tls_port_fails(server: Server, pki: Pki, tmp_path: Path) -> None:
    """An `http://` action endpoint (or any plain client) gets no answer from the TLS port."""
    from rasa.shared.exceptions import RasaException

    before = server.allowed_runs()
    with pytest.raises(RasaException):
        rasa_calls(f"http://127.0.0.1:{server.port}", None, tmp_path)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{server.port}/health", timeout=5)
    assert server.allowed_runs() == before


def test_an_encrypted_key_with_its_password(pki: Pki, tmp_path: Path) -> None:
    """rasa-sdk's `--ssl-password` is accepted, as `rasa run actions` accepts it."""
    tls = ["--ssl-certificate", str(pki.certificate), "--ssl-keyfile", str(pki.encrypted_key),
           "--ssl-password", KEY_PASSWORD]  # fmt: skip
    with action_server(tmp_path, pki.ca, tls) as running:
        events = rasa_calls(f"https://localhost:{running.port}", pki.ca, tmp_path)
    assert next(getattr(event, "text", "") for event in events).startswith("Balances:")


# -- configuration errors: clear, before anything is served --------------------------------


def test_the_cli_refuses_a_certificate_it_cannot_load(tmp_path: Path) -> None:
    """A missing certificate file stops the server with a message, not a traceback."""
    config = tmp_path / "actions.yml"
    config.write_text(json.dumps({**GUARD_CONFIG, "pii": None}))
    argv = [*CLI, "--actions", "tests.actions.sample_actions", "--config", str(config),
            "--port", str(free_port()),
            "--ssl-certificate", str(tmp_path / "missing.pem")]  # fmt: skip
    result = subprocess.run(
        argv, cwd=REPO, env=cli_env(), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1, result.stderr[-2000:]
    assert "rasa-secure: error: --ssl-certificate: cannot load the certificate" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("why", "files", "password", "key"),
    [
        ("a key alone would serve plain HTTP", (None, "key"), None, "--ssl-keyfile"),
        ("a password alone would serve plain HTTP", (None, None), "x", "--ssl-password"),
        ("OpenSSL would ask on the terminal", ("certificate", "encrypted_key"), None,
         "--ssl-password"),
        ("wrong password", ("certificate", "encrypted_key"), WRONG_PASSWORD,
         "--ssl-certificate"),
        ("the key of another certificate", ("ca", "key"), None, "--ssl-certificate"),
        ("a CA certificate is no key", ("certificate", "ca"), None, "--ssl-certificate"),
    ],
)  # fmt: skip
def test_tls_options_that_cannot_work_are_config_errors(
    pki: Pki,
    why: str,
    files: Tuple[Optional[str], Optional[str]],
    password: Optional[str],
    key: str,
) -> None:
    certificate, keyfile = (None if name is None else str(getattr(pki, name)) for name in files)
    with pytest.raises(ConfigError) as caught:
        server_ssl_context(certificate, keyfile, password)
    assert caught.value.key == key, why
    assert KEY_PASSWORD not in str(caught.value) and WRONG_PASSWORD not in str(caught.value)


def test_a_certificate_and_key_make_a_server_context(pki: Pki) -> None:
    """The context serves the certificate with TLS 1.2 or newer (Python's defaults)."""
    import ssl

    context = server_ssl_context(str(pki.certificate), str(pki.key))
    assert context is not None
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    assert server_ssl_context(None) is None


def test_the_server_warns_when_it_serves_plain_http_on_every_interface(tmp_path: Path) -> None:
    """The default `--host 0.0.0.0` without a certificate: a warning in the start-up log."""
    with action_server(tmp_path, None, [], host="0.0.0.0") as running:  # noqa: S104
        log = running.log.read_text()
    assert "serving plain HTTP on 0.0.0.0" in log
    assert f"action server listening on http://0.0.0.0:{running.port}" in log


@pytest.mark.parametrize(
    ("host", "warned"),
    [
        ("127.0.0.1", False),
        ("127.0.0.53", False),
        ("::1", False),
        ("localhost", False),
        ("0.0.0.0", True),  # noqa: S104 - the default bind address, every interface
        ("::", True),
        ("10.1.2.3", True),
        ("actions.internal", True),
    ],
)
def test_plain_http_beyond_loopback_is_warned_about(host: str, warned: bool) -> None:
    message = plain_http_warning(host)
    assert (message is not None) == warned
    if message is not None:
        assert "--ssl-certificate" in message and host in message


# -- the deployment guide's settings reach the libraries that do the TLS -------------------


@pytest.mark.services
def test_postgres_sslmode_from_the_tracker_store_query_reaches_libpq(pki: Pki) -> None:
    """`query: {sslmode: verify-full, sslrootcert}` is enforced by libpq (docs/deployment.md).

    The local test server speaks no TLS, or not with a certificate from the test's CA: either
    way `verify-full` must refuse the connection that the same URL without it makes.
    """
    import sqlalchemy as sa
    from rasa.core.tracker_store import SQLTrackerStore

    from tests.conftest import require_service

    require_service("PostgreSQL", "127.0.0.1", 5432)
    settings = ("postgresql", "127.0.0.1", 5432, "postgres", "postgres", None, None)
    plain = sa.create_engine(SQLTrackerStore.get_db_url(*settings))
    with plain.connect() as connection:
        assert connection.execute(sa.text("SELECT 1")).scalar() == 1
    query = {"sslmode": "verify-full", "sslrootcert": str(pki.ca)}
    verified = sa.create_engine(SQLTrackerStore.get_db_url(*settings, query))
    with pytest.raises(sa.exc.OperationalError, match=r"SSL|certificate"):
        verified.connect()


@pytest.mark.services
def test_redis_lock_store_tls_keys_reach_redis_py(pki: Pki) -> None:
    """`use_ssl` and `ssl_ca_certs` make the lock store speak TLS (the test Redis speaks none).

    redis-py does not check the host name as Rasa calls it; the guide says so, and this test
    notices when that changes.
    """
    import redis
    from rasa.core.lock_store import RedisLockStore

    from tests.conftest import require_service

    require_service("Redis", "127.0.0.1", 6379)
    assert RedisLockStore(host="127.0.0.1", port=6379, db=15, socket_timeout=2).red.ping()
    store = RedisLockStore(
        host="127.0.0.1", port=6379, db=15, use_ssl=True, ssl_ca_certs=str(pki.ca),
        socket_timeout=2,
    )  # fmt: skip
    pool = store.red.connection_pool
    assert pool.connection_class is redis.connection.SSLConnection
    assert pool.connection_kwargs["ssl_ca_certs"] == str(pki.ca)
    assert pool.connection_kwargs.get("ssl_check_hostname", False) is False
    with pytest.raises((redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)):
        store.red.ping()  # the plain server never completes the TLS handshake


def test_rabbitmq_amqps_url_with_cafile_gives_a_verifying_tls_context(pki: Pki) -> None:
    """The guide's `event_broker` settings: aiormq verifies the chain and the host name."""
    import ssl

    import aiormq
    from rasa.core.brokers.pika import PikaEventBroker

    loop = asyncio.new_event_loop()

    def connection(port: int) -> Any:
        broker = PikaEventBroker(
            f"amqps://rabbit.internal:5671/?cafile={pki.ca}", "rasa", "secret", port=port,
            queues=["rasa_events"], event_loop=loop,
        )  # fmt: skip
        return aiormq.Connection(broker._configure_url(), loop=loop)

    try:
        documented = connection(5671)
        assert (documented.url.scheme, documented.url.port, documented.vhost) == (
            "amqps", 5671, "/",
        )  # fmt: skip
        assert documented.ssl_certs.cafile == str(pki.ca)
        context = documented._get_ssl_context()
        assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
        with pytest.raises(ValueError, match="port"):  # Rasa appends 5672: :5671:5672
            connection(5672)
    finally:
        loop.close()
