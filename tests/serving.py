"""Serve a Sanic or aiohttp app on a real localhost port from a background thread (HTTP tests)."""

from __future__ import annotations

import asyncio
import threading
from contextlib import contextmanager
from typing import Any, Awaitable, Callable, Iterator

from example_bot.servers import free_port

Stop = Callable[[], Awaitable[None]]


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run ``app`` (a Sanic app) until the block ends; yields its base URL.

    Sanic's test mode lets several apps start in one process (its start-up code rewriting
    otherwise fails the second time).
    """
    type(app).test_mode = True

    async def start(port: int) -> Stop:
        server = await app.create_server(
            host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
        )
        await server.startup()
        await server.start_serving()

        async def stop() -> None:
            server.close()
            await server.wait_closed()

        return stop

    with _in_thread(start) as url:
        yield url


@contextmanager
def serve_aiohttp(app: Any) -> Iterator[str]:
    """Run ``app`` (an ``aiohttp.web.Application``) until the block ends; yields its base URL."""
    from aiohttp import web

    async def start(port: int) -> Stop:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        return runner.cleanup

    with _in_thread(start) as url:
        yield url


@contextmanager
def _in_thread(start: Callable[[int], Awaitable[Stop]]) -> Iterator[str]:
    """Start a server with ``start(port)`` on an event loop of its own thread; stop it after."""
    port = free_port()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    failure: list = []
    holder: dict = {}

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            holder["stop"] = loop.run_until_complete(start(port))
        except Exception as error:  # surfaced in the test thread below
            failure.append(error)
            ready.set()
            return
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(30)
    if failure:
        raise failure[0]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(holder["stop"](), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
