"""The example bank's web page and its stand-in identity provider, served by the Rasa server.

A bank's own web application does this part: it signs the customer in (OpenID Connect) and
hands the chat widget an access token. Here, at ``/web/``:

- ``GET /web/`` the page (``static/index.html``) and ``GET /web/socket.io.min.js`` the
  socket.io client (vendored from the npm registry's ``socket.io-client``, MIT, licence next
  to it);
- ``GET /web/webchat.html`` the same chat in the npm registry's ``rasa-webchat`` widget, and
  ``GET /web/rasa-webchat.js`` its UMD bundle, installed by ``scripts/bootstrap.sh`` (``npm
  ci`` from ``package-lock.json`` here into the git-ignored ``node_modules``; 404 without
  it). The widget cannot pass the handshake's ``auth``: it needs
  ``allow_query_token_unsafe`` (see ``docs/components/secure-socketio-input.md``);
- ``POST /web/login`` ``{"username", "password"}``: a demo sign-in for the users the example
  bank seeds (password :data:`DEMO_PASSWORD`), answered with a session cookie (HttpOnly,
  SameSite=Strict) and ``{"token", "expires_in"}``; with ``"otp"`` (the demo code
  :data:`~example_bot.identity.DEMO_OTP`) a sign-in with a second factor, whose token carries
  ``acr`` ``urn:example:mfa`` (what the page does when the assistant answers a transfer
  above 1,000 EUR with a step-up challenge);
- ``POST /web/token``: a fresh token for the session cookie (what the page calls when the
  chat channel says ``token_expired``, like an OIDC refresh).

Tokens come from :func:`example_bot.identity.issue_token`, signed with the secret the
channel verifies. This channel handles no messages: the page's messages go through
``SecureSocketIOInput``. Its path is outside ``/webhooks/``, where rasa_secure's deployment
check looks for unauthenticated message channels.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from example_bot.identity import DEMO_OTP, ROLES, SECRET_ENV, issue_token, sign_in_claims

STATIC = Path(__file__).parent / "static"
WEBCHAT_BUNDLE = Path(__file__).parent / "node_modules" / "rasa-webchat" / "lib" / "index.js"
"""rasa-webchat's UMD bundle, as ``npm ci`` installs it (see ``package.json``)."""
DEMO_PASSWORD = "demo"  # noqa: S105 - the example bank's published demo password
TOKEN_LIFETIME = 300
"""Seconds a page token lives; the page asks for a new one when the channel says so."""
COOKIE = "example_bank_session"


class ExampleWebPage(InputChannel):
    """Serves the page, the socket.io client and the demo sign-in at ``/web/``."""

    @classmethod
    def name(cls) -> str:
        return "example_web"

    def url_prefix(self) -> str:
        return "/web"

    def __init__(self, token_lifetime: int = TOKEN_LIFETIME) -> None:
        self.token_lifetime = token_lifetime
        self.sessions: Dict[str, Tuple[str, Dict[str, Any]]] = {}
        """Session cookie -> the subject and how they signed in (kept on a refresh)."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> ExampleWebPage:
        return cls(int((credentials or {}).get("token_lifetime", TOKEN_LIFETIME)))

    def issue(self, subject: str, sign_in: Dict[str, Any]) -> Dict[str, Any]:
        """A token for ``subject`` signed in as ``sign_in`` says, as the page receives it."""
        token = issue_token(
            subject, os.environ[SECRET_ENV], lifetime=self.token_lifetime, **sign_in
        )
        return {"token": token, "expires_in": self.token_lifetime}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        page = Blueprint("example_web_page", __name__)

        @page.route("/", methods=["GET"])  # type: ignore[untyped-decorator]
        async def index(_: Request) -> HTTPResponse:
            return await response.file(STATIC / "index.html")

        @page.route("/socket.io.min.js", methods=["GET"])  # type: ignore[untyped-decorator]
        async def client(_: Request) -> HTTPResponse:
            return await response.file(STATIC / "socket.io.min.js")

        @page.route("/webchat.html", methods=["GET"])  # type: ignore[untyped-decorator]
        async def webchat(_: Request) -> HTTPResponse:
            return await response.file(STATIC / "webchat.html")

        @page.route("/rasa-webchat.js", methods=["GET"])  # type: ignore[untyped-decorator]
        async def webchat_bundle(_: Request) -> HTTPResponse:
            if not WEBCHAT_BUNDLE.is_file():
                return response.text("rasa-webchat is not installed (scripts/bootstrap.sh)", 404)
            return await response.file(WEBCHAT_BUNDLE, mime_type="text/javascript")

        @page.route("/login", methods=["POST"])  # type: ignore[untyped-decorator]
        async def login(request: Request) -> HTTPResponse:
            body = request.json if isinstance(request.json, dict) else {}
            username, password = str(body.get("username")), str(body.get("password"))
            if username not in ROLES or not hmac.compare_digest(
                password.encode(), DEMO_PASSWORD.encode()
            ):
                return response.json({"error": "invalid_credentials"}, status=401)
            code = body.get("otp")
            if code is not None and not hmac.compare_digest(str(code).encode(), DEMO_OTP.encode()):
                return response.json({"error": "invalid_code"}, status=401)
            session = secrets.token_urlsafe(32)
            self.sessions[session] = (username, sign_in_claims(second_factor=code is not None))
            answer = response.json(self.issue(*self.sessions[session]))
            answer.cookies[COOKIE] = session
            answer.cookies[COOKIE]["httponly"] = True
            answer.cookies[COOKIE]["samesite"] = "Strict"
            answer.cookies[COOKIE]["path"] = "/web"
            return answer

        @page.route("/token", methods=["POST"])  # type: ignore[untyped-decorator]
        async def token(request: Request) -> HTTPResponse:
            signed_in = self.sessions.get(request.cookies.get(COOKIE, ""))
            if signed_in is None:
                return response.json({"error": "not_signed_in"}, status=401)
            return response.json(self.issue(*signed_in))

        return page
