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

The secret rotates with an overlap window, like the encryption keys: the action servers
first get the new secret in ``RASA_SECURE_ACTION_TOKEN`` and the old one in
``RASA_SECURE_ACTION_TOKEN_PREVIOUS`` (both accepted, for calls and for identity
attestations; calls with the old one are audited), then the Rasa servers switch to the new
secret, and once no call uses the old one any more ``..._PREVIOUS`` is removed
(:class:`~rasa_secure.core.identity.envelope.SharedSecrets` loads both, for this guard and
for ``SecureAction``).

The server refuses to start without a secret (fail closed), and with any action the policy
does not govern (see :mod:`rasa_secure.actions.governance`). Rasa's ``token:`` setting (a
``?token=`` query parameter) works too, with ``accept_query_token: true``, but query strings
end up in access logs, so the header is the default.
"""

from __future__ import annotations

import logging
import os
import traceback
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Mapping, Optional

import pluggy

from rasa_secure.config import Option, OptionSpec, list_of, resolve
from rasa_secure.core.identity import (
    SHARED_SECRET_ENV,
    SHARED_SECRET_HEADER,
    AuditDecision,
    AuthReason,
    Generation,
    SharedSecrets,
    audit,
)

if TYPE_CHECKING:
    from rasa_secure.actions.guard import ActionGuard

logger = logging.getLogger(__name__)

COMPONENT = "ActionServerAuth"
HEADER = SHARED_SECRET_HEADER
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
        self._secrets = SharedSecrets.from_env(
            self.config["secret_env"], env, option=f"{COMPONENT}.secret_env"
        )
        self._open = frozenset(self.config["open_paths"])

    def is_open(self, path: str) -> bool:
        """Whether ``path`` is answered without the secret."""
        return path in self._open

    def verify(self, header: Optional[str], query: Optional[str] = None) -> Optional[Generation]:
        """Which shared secret the header (or, if allowed, the query parameter) carries.

        ``None`` when it carries none of the accepted ones (falsy: the call is refused).
        """
        offered = header
        if offered is None and self.config["accept_query_token"]:
            offered = query
        if offered is None:
            return None
        return self._secrets.match(offered.encode("utf-8", "replace"))


def attach(
    app: Any,
    config: Optional[Mapping[str, Any]] = None,
    *,
    environ: Optional[Mapping[str, str]] = None,
    guard: Optional[ActionGuard] = None,
) -> ActionServerAuth:
    """Guard a rasa-sdk Sanic ``app`` (idempotent).

    Installs the shared-secret check as the first request middleware, lets the app run
    only the actions the policy governs (:mod:`rasa_secure.actions.governance`), and serves
    the domain's responses on ``/webhook/nlg`` (:mod:`rasa_secure.actions.nlg`) when the
    guard has a domain.

    Args:
        app: built with ``rasa_sdk.endpoint.create_app``.
        config: options of :data:`OPTIONS`.
        environ: environment to read the secret from (default ``os.environ``).
        guard: the guard whose redaction applies to ungoverned actions' replies when
            ``allow_ungoverned_actions_unsafe`` is on (default :meth:`ActionGuard.default`),
            and to the responses the NLG route renders (default: see
            :func:`rasa_secure.actions.nlg.nlg_guard`).

    Raises:
        ConfigError: see :class:`ActionServerAuth` and
            :meth:`~rasa_secure.actions.governance.Governance.check`.
    """
    existing = getattr(app.ctx, "rasa_secure_auth", None)
    if isinstance(existing, ActionServerAuth):
        return existing
    auth = ActionServerAuth(config, environ=environ)
    from sanic import response

    from rasa_secure.actions import nlg
    from rasa_secure.actions.governance import action_executor, govern
    from rasa_secure.monitoring import metrics

    metrics.serve_from_env(environ)

    govern(app, allow_unsafe=auth.config["allow_ungoverned_actions_unsafe"], guard=guard)
    nlg.register(app, action_executor(app).actions, guard)

    header_name = auth.config["header"]
    parameter = auth.config["query_parameter"]

    async def require_secret(request: Any) -> Any:
        if auth.is_open(request.path):
            return None
        generation = auth.verify(request.headers.get(header_name), request.args.get(parameter))
        if generation is Generation.CURRENT:
            return None
        if generation is Generation.PREVIOUS:
            audit.record(
                COMPONENT,
                AuditDecision.ALLOW,
                client=request.ip,
                action=request.path,
                reasons=(AuthReason.PREVIOUS_SHARED_SECRET,),
            )
            return None
        audit.record(
            COMPONENT,
            AuditDecision.DENY,
            client=request.ip,
            action=request.path,
            reasons=(AuthReason.BAD_SHARED_SECRET,),
        )
        return response.json({"error": "unauthorized"}, status=401)

    app.register_middleware(require_secret, "request")
    app.error_handler.add(Exception, answer_error)
    app.ctx.rasa_secure_auth = auth
    logger.info("action server requires the shared secret in header %s", header_name)
    return auth


async def answer_error(request: Any, exception: BaseException) -> Any:
    """Answer a failed request with its status phrase only; log the error by type and place.

    Replaces rasa-sdk's handler, which answers ``str(exception)`` and the whole request body
    (the tracker, slot values included: Rasa then logs it in its exception chain) and logs
    the traceback with the exception's message.
    """
    from sanic import response
    from sanic.exceptions import SanicException

    status = exception.status_code if isinstance(exception, SanicException) else 500
    if status >= 500:
        frames = traceback.extract_tb(exception.__traceback__)
        place = f"{frames[-1].filename}:{frames[-1].lineno} in {frames[-1].name}" if frames else "?"
        logger.error("%s on %s at %s", type(exception).__name__, request.path, place)
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:  # a status code the standard does not name
        phrase = "Error"
    return response.json({"error": phrase}, status=status)


class Plugin:
    """rasa-sdk plugin: attaches the guard when the action server starts."""

    @hookimpl
    def attach_sanic_app_extensions(self, app: Any) -> None:
        """The ``rasa_sdk`` hook implementation."""
        attach(app)


def init_hooks(manager: Any) -> None:
    """Entry point rasa-sdk calls on ``rasa_sdk_plugins``; registers :class:`Plugin`."""
    manager.register(Plugin())
