"""A small local helpdesk for the example bot: ``python -m example_bot.helpdesk --port 8090``.

A real HTTP service (aiohttp) standing in for the bank's helpdesk in the demo and the tests:

* ``POST /handoffs`` receives a handoff from ``HandoffAction``: the signature is verified
  (:mod:`rasa_secure.core.signing`, secret from ``RASA_SECURE_HANDOFF_SECRET``), a replayed
  or stale request is refused, and a ``handoff_id`` it already has is acknowledged again
  without a second ticket.
* ``GET /handoffs`` lists the tickets (what an agent's screen would show).
* ``POST /handoffs/{handoff_id}/reply`` (``{"text": ..., "agent": ...}``),
  ``POST /handoffs/{handoff_id}/messages`` and ``POST /handoffs/{handoff_id}/handback``
  (``{"agent": ...}``) are the agent's buttons (answer, fetch what the customer said since,
  give back): the helpdesk signs a callback, posts it to the Rasa server (``--callback-url``)
  and answers with the Rasa server's answer.
* ``POST /outage`` (``{"failures": n, "after_storing": bool}``) makes the next ``n``
  handoffs fail with 503, before or after the ticket is stored (a lost answer), for tests.

The agent routes have no authentication of their own: the service listens on 127.0.0.1
only, as a stand-in for a helpdesk's signed-in agent console.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from aiohttp import ClientSession, ClientTimeout, web

from rasa_secure.core.handoff import SECRET_ENV
from rasa_secure.core.signing import SignatureError, Verifier, check_secret, sign


@dataclass
class Helpdesk:
    """The tickets and the test switches of one helpdesk process.

    Attributes:
        secret: the signing secret shared with the bot.
        callback_url: the Rasa server's handoff callback.
        tickets: handoffs received, by ``handoff_id``, in arrival order.
        failures: how many of the next handoffs answer 503.
        after_storing: whether a failing handoff is stored before the 503.
        refused: signature problems seen, in order (for tests).
    """

    secret: bytes
    callback_url: str
    tickets: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    failures: int = 0
    after_storing: bool = False
    refused: List[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.verifier = Verifier.create(self.secret)

    async def receive(self, request: web.Request) -> web.Response:
        """A handoff from the bot: verify, deduplicate, store."""
        body = await request.read()
        try:
            self.verifier.verify(dict(request.headers), body)
        except SignatureError as error:
            self.refused.append(error.problem.value)
            return web.json_response({"error": error.problem.value}, status=401)
        handoff = json.loads(body)
        handoff_id = str(handoff["handoff_id"])
        if request.headers.get("Idempotency-Key") != handoff_id:
            return web.json_response({"error": "idempotency_key_mismatch"}, status=400)
        failing = self.failures > 0
        if failing and not self.after_storing:
            self.failures -= 1
            return web.json_response({"error": "unavailable"}, status=503)
        duplicate = handoff_id in self.tickets
        if not duplicate:
            self.tickets[handoff_id] = {**handoff, "attempts": 0, "messages": []}
        self.tickets[handoff_id]["attempts"] += 1
        if failing:
            self.failures -= 1
            return web.json_response({"error": "unavailable"}, status=503)
        return web.json_response({"ticket": handoff_id, "duplicate": duplicate})

    async def listing(self, _: web.Request) -> web.Response:
        """Every ticket, oldest first."""
        return web.json_response(list(self.tickets.values()))

    async def reply(self, request: web.Request) -> web.Response:
        """The agent answers the customer."""
        data = await request.json()
        return await self._callback(request, "reply", str(data.get("text", "")), data)

    async def messages(self, request: web.Request) -> web.Response:
        """The agent fetches what the customer said since the handoff."""
        return await self._callback(request, "messages", "", await request.json())

    async def handback(self, request: web.Request) -> web.Response:
        """The agent gives the conversation back to the bot."""
        data = await request.json()
        return await self._callback(request, "handback", "", data)

    async def _callback(
        self, request: web.Request, kind: str, text: str, data: Dict[str, Any]
    ) -> web.Response:
        ticket = self.tickets.get(request.match_info["handoff_id"])
        if ticket is None:
            return web.json_response({"error": "unknown_ticket"}, status=404)
        payload = {
            "kind": kind,
            "conversation": ticket["conversation"],
            "agent": str(data.get("agent", "agent")),
        }
        if text:
            payload["text"] = text
        body = json.dumps(payload).encode("utf-8")
        headers = {"Content-Type": "application/json", **sign(self.secret, body)}
        session = ClientSession(timeout=ClientTimeout(total=30))
        async with session, session.post(self.callback_url, data=body, headers=headers) as answer:
            result = await answer.json(content_type=None)
        if answer.status == 200 and kind != "messages":
            ticket["messages"].append({"kind": kind, "text": text})
        return web.json_response(result, status=answer.status)

    async def outage(self, request: web.Request) -> web.Response:
        """Make the next handoffs fail (tests)."""
        data = await request.json()
        self.failures = int(data.get("failures", 0))
        self.after_storing = bool(data.get("after_storing", False))
        return web.json_response({"failures": self.failures})

    def app(self) -> web.Application:
        """The aiohttp application."""

        async def health(_: web.Request) -> web.Response:
            return web.json_response({"status": "ok"})

        app = web.Application(client_max_size=1 << 20)
        app.add_routes(
            [
                web.get("/health", health),
                web.post("/handoffs", self.receive),
                web.get("/handoffs", self.listing),
                web.post("/handoffs/{handoff_id}/reply", self.reply),
                web.post("/handoffs/{handoff_id}/messages", self.messages),
                web.post("/handoffs/{handoff_id}/handback", self.handback),
                web.post("/outage", self.outage),
            ]
        )
        return app


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Serve the helpdesk on 127.0.0.1 until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m example_bot.helpdesk", description=__doc__)
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument(
        "--callback-url",
        default="http://127.0.0.1:5005/webhooks/secure_handoff/callback",
        help="the Rasa server's SecureHandoffInput callback",
    )
    args = parser.parse_args(argv)
    secret = check_secret(os.environ.get(SECRET_ENV), key=SECRET_ENV)
    helpdesk = Helpdesk(secret, args.callback_url)
    web.run_app(helpdesk.app(), host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
