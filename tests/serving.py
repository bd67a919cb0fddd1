"""Serve a Sanic app on a real localhost port from a background thread, for HTTP tests."""

from __future__ import annotations

import asyncio
import threading
from contextlib import contextmanager
from typing import Any, Iterator

from example_bot.servers import free_port


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run ``app`` (a Sanic app) until the block ends; yields its base URL.

    Sanic's test mode lets several apps start in one process (its start-up code rewriting
    otherwise fails the second time).
    """
    type(app).test_mode = True
    port = free_port()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    failure: list = []
    holder: dict = {}

    async def start() -> None:
        server = await app.create_server(
            host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
        )
        await server.startup()
        await server.start_serving()
        holder["server"] = server

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(start())
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

        async def stop() -> None:
            server = holder["server"]
            server.close()
            await server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
