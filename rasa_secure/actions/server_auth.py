"""Action-server authentication: only the Rasa server may call the action server.

The Rasa server sends a shared secret with every action call, configured in its
``endpoints.yml`` (Rasa interpolates ``${...}`` from the environment)::

    action_endpoint:
      url: http://actions:5055/webhook
      headers:
        X-Rasa-Secure-Token: ${RASA_SECURE_ACTION_TOKEN}

The action server compares it in constant time with its own copy of
``RASA_SECURE_ACTION_TOKEN`` and answers 401 to anything else, before rasa-sdk parses the
request. Three ways to switch it on, all configuration:

* ``rasa-secure actions --actions my_actions`` starts the rasa-sdk server with the guard;
* rasa-sdk's plugin hook: a package ``rasa_sdk_plugins`` on the action server's path whose
  ``__init__.py`` reads ``from rasa_secure.actions.server_auth import init_hooks``; then
  ``rasa run actions`` / ``python -m rasa_sdk`` attach the guard themselves;
* in code: :func:`attach` on any Sanic app built with ``rasa_sdk.endpoint.create_app``.

The server refuses to start without a secret (fail closed), and with any action the policy
does not govern (see :mod:`rasa_secure.actions.governance`). Rasa's ``token:`` setting (a
``?token=`` query parameter) works too, with ``accept_query_token: true``, but query strings
end up in access logs, so the header is the default.
"""

from __future__ import annotations

import hmac
import logging
import os
from typing import TYPE_CHECKING, Any, Mapping, Optional

import pluggy

from rasa_secure.config import Option, OptionSpec, list_of, resolve
from rasa_secure.core import audit
from rasa_secure.core.envelope import MIN_SHARED_SECRET_CHARS, SHARED_SECRET_ENV
from rasa_secure.errors import ConfigError

if TYPE_CHECKING:
    from rasa_secure.actions.secure_action import ActionGuard

logger = logging.getLogger(__name__)

COMPONENT = "ActionServerAuth"
HEADER = "X-Rasa-Secure-Token"
hookimpl = pluggy.HookimplMarker("rasa_sdk")

OPTIONS: OptionSpec = {
    "secret_env": Option(SHARED_SECRET_ENV, "environment variable holding the shared secret", str),
    "header": Option(HEADER, "request header carrying the secret", str),
    "accept_query_token": Option(
        False, "also accept Rasa's `token:` query parameter (ends up in access logs)", bool
    ),
    "query_parameter": Option("token", "query parameter name (Rasa's `token_name`)", str),
    "open_paths": Option(["/health"], "paths answered without the secret", list, list_of(str)),
    "allow_ungoverned_actions_unsafe": Option(
        False,
        "UNSAFE: run actions the policy does not govern (plain rasa_sdk Actions...) for any "
        "caller, with only their replies redacted, instead of refusing to start",
        bool,
    ),
}
"""Configuration of :class:`ActionServerAuth`."""


class ActionServerAuth:
    """Checks that a request to the action server carries the shared secret.

    Args:
        config: options of :data:`OPTIONS`.
        environ: environment to read the secret from (default ``os.environ``).

    Raises:
        ConfigError: the secret is not set or shorter than 16 characters.
    """

    def __init__(
        self,
        config: Optional[Mapping[str, Any]] = None,
        *,
        environ: Optional[Mapping[str, str]] = None,
    ) -> None:
        self.config = resolve(OPTIONS, config, owner=COMPONENT)
        env = os.environ if environ is None else environ
        secret = env.get(self.config["secret_env"], "")
        if len(secret) < MIN_SHARED_SECRET_CHARS:
            raise ConfigError(
                f"{COMPONENT}.secret_env",
                f"{self.config['secret_env']} must hold a secret of "
                f"{MIN_SHARED_SECRET_CHARS}+ characters (the action server refuses to run open)",
            )
        self._secret = secret.encode("utf-8")
        self._open = frozenset(self.config["open_paths"])

    def is_open(self, path: str) -> bool:
        """Whether ``path`` is answered without the secret."""
        return path in self._open

    def verify(self, header: Optional[str], query: Optional[str] = None) -> bool:
        """Whether the header value (or, if allowed, the query parameter) is the secret."""
        offered = header
        if offered is None and self.config["accept_query_token"]:
            offered = query
        if offered is None:
            return False
        return hmac.compare_digest(offered.encode("utf-8", "replace"), self._secret)


def attach(
    app: Any,
    config: Optional[Mapping[str, Any]] = None,
    *,
    environ: Optional[Mapping[str, str]] = None,
    guard: Optional[ActionGuard] = None,
) -> ActionServerAuth:
    """Guard a rasa-sdk Sanic ``app`` (idempotent).

    Installs the shared-secret check as the first request middleware and lets the app run
    only the actions the policy governs (:mod:`rasa_secure.actions.governance`).

    Args:
        app: built with ``rasa_sdk.endpoint.create_app``.
        config: options of :data:`OPTIONS`.
        environ: environment to read the secret from (default ``os.environ``).
        guard: the guard whose redaction applies to ungoverned actions' replies when
            ``allow_ungoverned_actions_unsafe`` is on (default :meth:`ActionGuard.default`).

    Raises:
        ConfigError: see :class:`ActionServerAuth` and
            :meth:`~rasa_secure.actions.governance.Governance.check`.
    """
    existing = getattr(app.ctx, "rasa_secure_auth", None)
    if isinstance(existing, ActionServerAuth):
        return existing
    auth = ActionServerAuth(config, environ=environ)
    from sanic import response

    from rasa_secure.actions.governance import govern

    govern(app, allow_unsafe=auth.config["allow_ungoverned_actions_unsafe"], guard=guard)

    header_name = auth.config["header"]
    parameter = auth.config["query_parameter"]

    async def require_secret(request: Any) -> Any:
        if auth.is_open(request.path):
            return None
        if auth.verify(request.headers.get(header_name), request.args.get(parameter)):
            return None
        audit.record(COMPONENT, "deny", action=request.path, reasons=("bad_shared_secret",))
        return response.json({"error": "unauthorized"}, status=401)

    app.register_middleware(require_secret, "request")
    app.ctx.rasa_secure_auth = auth
    logger.info("action server requires the shared secret in header %s", header_name)
    return auth


class Plugin:
    """rasa-sdk plugin: attaches the guard when the action server starts."""

    @hookimpl
    def attach_sanic_app_extensions(self, app: Any) -> None:
        """The ``rasa_sdk`` hook implementation."""
        attach(app)


def init_hooks(manager: Any) -> None:
    """Entry point rasa-sdk calls on ``rasa_sdk_plugins``; registers :class:`Plugin`."""
    manager.register(Plugin())
