"""``rasa-secure actions``: the rasa-sdk action server, accepting calls only from Rasa.

Same options as ``rasa run actions`` plus ``--config`` (the SecureAction configuration, see
``docs/components/secure-action.md``). As with ``rasa run actions``, ``--actions`` defaults to
``actions`` and is looked up in the current directory first; a package that cannot be found
or imported is a clear error, not a traceback. The shared secret comes from
``RASA_SECURE_ACTION_TOKEN`` (or ``--secret-env``); without it the server does not start.
Nor does it start with an action the policy does not govern (a plain ``rasa_sdk.Action``...),
unless ``--allow-ungoverned-actions-unsafe`` (see ``rasa_secure.actions.governance``).
CORS is off unless ``--cors`` names origins (the action server has no browser clients).
``--logging-config-file`` takes a ``logging.config.dictConfig`` YAML file, such as the one
that keeps PII out of the logs (``rasa_secure/stores/logging.yml``).

TLS: ``--ssl-certificate``, ``--ssl-keyfile`` and ``--ssl-password`` are rasa-sdk's own options
and go to its ``create_ssl_context`` (Python's ``ssl`` module with its defaults: TLS 1.2 or
newer); a certificate or key that cannot be loaded, or a key or password without a
certificate, is a clear error. Plain HTTP on an interface other than loopback is logged as a
warning at start-up (see ``docs/deployment.md``).
"""

from __future__ import annotations

import argparse
import importlib
import ipaddress
import logging
import logging.config
import os
import sys
from typing import TYPE_CHECKING, Any, Dict, Optional

from rasa_secure.core.identity import SHARED_SECRET_ENV
from rasa_secure.errors import ConfigError

if TYPE_CHECKING:
    from ssl import SSLContext

logger = logging.getLogger(__name__)

NAME = "actions"
HELP = "start the rasa-sdk action server with the shared-secret guard (and SecureAction config)"
CONFIG_ENV = "RASA_SECURE_ACTIONS_CONFIG"
DEFAULT_ACTIONS = "actions"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the options of this command."""
    parser.add_argument(
        "--actions",
        default=DEFAULT_ACTIONS,
        help="action package or module to load, found from the current directory first "
        f"(default: {DEFAULT_ACTIONS}, as rasa run actions)",
    )
    parser.add_argument("-p", "--port", type=int, default=5055, help="port to listen on")
    parser.add_argument(
        "--host",
        default=os.environ.get("SANIC_HOST", "0.0.0.0"),  # noqa: S104 - as rasa-sdk does
        help="interface to bind",
    )
    parser.add_argument("--cors", nargs="*", default=None, help="CORS origins (default: none)")
    parser.add_argument(
        "--config", default=None, help=f"SecureAction config file (sets {CONFIG_ENV})"
    )
    parser.add_argument(
        "--secret-env", default=SHARED_SECRET_ENV, help="variable holding the secret"
    )
    parser.add_argument(
        "--header", default=None, help="header carrying the secret (default X-Rasa-Secure-Token)"
    )
    parser.add_argument(
        "--accept-query-token",
        action="store_true",
        help="also accept Rasa's `token:` query parameter (ends up in access logs)",
    )
    parser.add_argument(
        "--allow-ungoverned-actions-unsafe",
        action="store_true",
        help="UNSAFE: run actions the policy does not govern (plain rasa_sdk Actions...) for "
        "any caller, with only their replies redacted, instead of refusing to start",
    )
    parser.add_argument(
        "--ssl-certificate", default=None, help="TLS certificate (PEM, chain) to serve HTTPS"
    )
    parser.add_argument(
        "--ssl-keyfile", default=None, help="its private key (PEM; else in the certificate file)"
    )
    parser.add_argument(
        "--ssl-password",
        default=None,
        help="password of an encrypted key file (as rasa-sdk; visible in the process list)",
    )
    parser.add_argument("--auto-reload", action="store_true", help="reload changed action modules")
    parser.add_argument("--workers", type=int, default=1, help="Sanic worker processes")
    parser.add_argument(
        "--logging-config-file",
        default=None,
        help="YAML logging configuration (dictConfig), e.g. rasa_secure/stores/logging.yml",
    )


def configure_logging(path: Optional[str]) -> None:
    """Apply the YAML logging configuration at ``path``, or plain INFO logging without one.

    Raises:
        ConfigError: the file cannot be read or is not a valid logging configuration.
    """
    if path is None:
        logging.basicConfig(level=logging.INFO)
        return
    import yaml

    try:
        with open(path, encoding="utf-8") as handle:
            logging.config.dictConfig(yaml.safe_load(handle))
    except (OSError, yaml.YAMLError, ValueError, TypeError, AttributeError) as error:
        raise ConfigError("--logging-config-file", f"cannot apply {path}: {error}") from None


def server_ssl_context(
    certificate: Optional[str], keyfile: Optional[str] = None, password: Optional[str] = None
) -> Optional[SSLContext]:
    """rasa-sdk's TLS context for the certificate and key, or ``None`` to serve plain HTTP.

    An encrypted key without ``password`` is an error (OpenSSL would otherwise ask for the
    pass phrase on the terminal, and a server without one would wait).

    Raises:
        ConfigError: a key or password without a certificate (it would silently serve plain
            HTTP), an encrypted key without its password, or a certificate, key or password
            that cannot be loaded.
    """
    from rasa_sdk.endpoint import create_ssl_context

    if certificate is None:
        for key, value in (("--ssl-keyfile", keyfile), ("--ssl-password", password)):
            if value is not None:
                raise ConfigError(key, "needs --ssl-certificate (without it the server is HTTP)")
        return None

    def missing_password() -> str:
        raise ConfigError(
            "--ssl-password", f"the key in {keyfile or certificate} is encrypted: give its password"
        )

    # rasa-sdk hands the password to SSLContext.load_cert_chain, which also takes a callable
    secret: Any = missing_password if password is None else password
    try:
        context: SSLContext = create_ssl_context(certificate, keyfile, secret)
    except OSError as error:  # ssl.SSLError is an OSError; its text does not hold the password
        raise ConfigError(
            "--ssl-certificate",
            f"cannot load the certificate {certificate} with the key {keyfile or certificate} "
            f"(a missing file, not PEM, a key of another certificate or a wrong password): "
            f"{error.strerror or error}",
        ) from None
    return context


def plain_http_warning(host: str) -> Optional[str]:
    """Why serving plain HTTP on ``host`` is unsafe, or ``None`` when ``host`` is loopback."""
    if host == "localhost":
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:  # a host name: assume it is reachable from the network
        pass
    return (
        f"serving plain HTTP on {host}: the shared secret and the conversations cross the "
        "network in clear; pass --ssl-certificate and --ssl-keyfile (docs/deployment.md)"
    )


def import_actions(name: str) -> None:
    """Import the action package ``name`` the way ``rasa run actions`` finds it.

    The current directory goes on ``sys.path`` (as Rasa's command line does), so
    ``--actions actions`` finds ``./actions`` in an ordinary project folder.

    Raises:
        ConfigError: no such package or module, or importing it fails.
    """
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(1, cwd)
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name is not None and name != error.name and not name.startswith(f"{error.name}."):
            raise ConfigError(
                "--actions", f"importing {name} failed: module {error.name} cannot be found"
            ) from None
        raise ConfigError(
            "--actions",
            f"no action package or module {name!r} in {cwd} or on the Python path "
            "(run from the project folder, or pass its dotted name)",
        ) from None
    except Exception as error:  # the package exists but its code fails on import
        raise ConfigError(
            "--actions", f"importing {name} failed: {type(error).__name__}: {error}"
        ) from None


def run(args: argparse.Namespace) -> int:
    """Build the rasa-sdk app, attach the guard, check the configuration, serve."""
    from rasa_sdk.endpoint import create_app
    from rasa_sdk.plugin import plugin_manager

    from rasa_secure.actions import ActionGuard, attach

    if args.config is not None:
        os.environ[CONFIG_ENV] = os.path.abspath(args.config)
    if os.environ.get(CONFIG_ENV) or os.environ.get("RASA_SECURE_POLICY"):
        ActionGuard.default()
    configure_logging(args.logging_config_file)
    ssl_context = server_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    import_actions(args.actions)
    app = create_app(args.actions, cors_origins=args.cors or "", auto_reload=args.auto_reload)
    options: Dict[str, Any] = {
        "secret_env": args.secret_env,
        "accept_query_token": args.accept_query_token,
        "allow_ungoverned_actions_unsafe": args.allow_ungoverned_actions_unsafe,
    }
    if args.header is not None:
        options["header"] = args.header
    attach(app, options)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    warning = None if ssl_context is not None else plain_http_warning(args.host)
    if warning is not None:
        logger.warning(warning)
    scheme = "http" if ssl_context is None else "https"
    logger.info("action server listening on %s://%s:%d", scheme, args.host, args.port)
    app.run(args.host, args.port, ssl=ssl_context, workers=args.workers, access_log=False)
    return 0
