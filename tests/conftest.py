"""Shared fixtures: external services that skip when absent, unless CI makes them mandatory.

Set ``RASA_SECURE_REQUIRE_SERVICES=1`` (``.ci/run`` does) to turn a missing PostgreSQL, Redis
or RabbitMQ into a test failure instead of a skip.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from typing import Callable, Iterable, Iterator

import pytest

REQUIRE_SERVICES = os.environ.get("RASA_SECURE_REQUIRE_SERVICES", "") not in ("", "0")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip (or fail, when services are mandatory) if ``host:port`` does not answer."""
    if _reachable(host, port):
        return
    message = f"{name} is not reachable on {host}:{port}"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message} and RASA_SECURE_REQUIRE_SERVICES is set")
    pytest.skip(message)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on localhost; dropped afterwards."""
    require_service("PostgreSQL", "127.0.0.1", 5432)
    import psycopg2

    name = f"rasa_secure_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def redis_url() -> str:
    """Redis on localhost (database 15, flushed by tests that use it)."""
    require_service("Redis", "127.0.0.1", 6379)
    return "redis://127.0.0.1:6379/15"


@pytest.fixture
def rabbitmq_url() -> str:
    """RabbitMQ on localhost with the default guest account."""
    require_service("RabbitMQ", "127.0.0.1", 5672)
    return "amqp://guest:guest@127.0.0.1:5672/"


def saved_loggers(names: Iterable[str]) -> Callable[[], None]:
    """Save the state of the loggers ``names`` ("" is the root); the result puts it back."""
    saved = [
        (
            logger,
            logger.handlers[:],
            logger.filters[:],
            logger.level,
            logger.propagate,
            logger.disabled,
        )
        for logger in map(logging.getLogger, names)
    ]

    def restore() -> None:
        for logger, handlers, filters, level, propagate, disabled in saved:
            logger.handlers[:], logger.filters[:] = handlers, filters
            logger.setLevel(level)
            logger.propagate, logger.disabled = propagate, disabled

    return restore


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Put rasa_secure's loggers (and the root logger) back as they were after each test.

    Why: a test that starts Rasa in-process applies a logging configuration (handlers,
    levels, ``disable_existing_loggers``) that would otherwise leak into later tests, e.g.
    audit records reaching the wrong handler.
    """
    ours = [n for n in logging.root.manager.loggerDict if n.startswith("rasa_secure")]
    restore = saved_loggers(["", *ours])
    yield
    restore()
