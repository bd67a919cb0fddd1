"""Installing a log filter on every path by which text reaches a log (see :func:`install`).

Rasa replaces the handlers of the root logger after reading ``--logging-config-file`` and
configures structlog after that, so a filter on a handler is not enough: :func:`install` wraps
the record factory and ``Logger.makeRecord``, captures warnings, logs uncaught exceptions and
keeps :func:`structlog_processor` first in structlog's processors. :func:`uninstall` undoes it.
"""

from __future__ import annotations

import logging
import sys
import threading
import warnings
from types import TracebackType
from typing import Any, Callable, List, MutableMapping, Optional, Protocol, Type

busy = threading.local()
"""Per thread: ``active`` while a record is being redacted (records logged meanwhile are left
alone) and ``rendered``, the last line structlog rendered (see :func:`structlog_rendered`)."""


class Redacting(Protocol):
    """What :func:`install` needs of a log filter."""

    def redact_record(self, record: logging.LogRecord) -> None:
        """Redact a record's message, exception, stack and extras in place."""

    def redact_extras(self, record: logging.LogRecord, keys: List[str]) -> None:
        """Redact the ``extra`` attributes ``keys`` of a record."""

    def process_event(
        self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        """A structlog processor."""


_active: List[Redacting] = []
_previous_factory: List[Callable[..., logging.LogRecord]] = []
_restore: List[Callable[[], None]] = []
_lock = threading.Lock()
UNCAUGHT_LOGGER = "rasa_secure.uncaught"
"""Logger of exceptions nothing caught (``sys.excepthook``, ``threading.excepthook``)."""


def install(log_filter: Redacting) -> None:
    """Make ``log_filter`` redact every record and every structlog event, from now on.

    Idempotent; a later call replaces the active filter. Every path by which text reaches a
    log goes through the filter:

    * records of every logger and handler: the log record factory is wrapped (message,
      exception text, stack) and so is ``logging.Logger.makeRecord`` (``extra`` attributes,
      which are set after the factory ran: Sanic's access log, its error log);
    * Python ``warnings`` (Rasa warns with the user's text when a message starting with ``/``
      is not a well-formed intent trigger): ``logging.captureWarnings(True)`` turns them into
      records of the ``py.warnings`` logger instead of raw writes to stderr;
    * exceptions nothing caught: ``sys.excepthook`` and ``threading.excepthook`` log them on
      :data:`UNCAUGHT_LOGGER` (redacted traceback) instead of printing them raw;
    * structlog: :func:`structlog_processor` first in structlog's processors (when structlog
      is installed), kept first when Rasa calls ``structlog.configure`` again.
    """
    with _lock:
        first = not _active
        _active[:] = [log_filter]
        if first:
            previous = logging.getLogRecordFactory()
            _previous_factory[:] = [previous]

            def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = previous(*args, **kwargs)
                _active[0].redact_record(record)
                return record

            logging.setLogRecordFactory(factory)
            _install_make_record()
            _install_warnings()
            _install_excepthooks()
        _install_structlog()


def _install_make_record() -> None:
    original = logging.Logger.makeRecord

    def make_record(self: logging.Logger, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = original(self, *args, **kwargs)
        extra = kwargs.get("extra", args[8] if len(args) > 8 else None)
        if extra and _active:
            _active[0].redact_extras(record, list(extra))
        return record

    logging.Logger.makeRecord = make_record  # type: ignore[method-assign]
    _restore.append(lambda: setattr(logging.Logger, "makeRecord", original))


def _install_warnings() -> None:
    previous = warnings.showwarning
    logging.captureWarnings(True)

    def restore() -> None:
        logging.captureWarnings(False)
        warnings.showwarning = previous

    _restore.append(restore)


def _install_excepthooks() -> None:
    previous_hook, previous_thread_hook = sys.excepthook, threading.excepthook

    def excepthook(
        exc_type: Type[BaseException],
        exc: BaseException,
        tb: Optional[TracebackType],
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            previous_hook(exc_type, exc, tb)
            return
        logging.getLogger(UNCAUGHT_LOGGER).critical(
            "uncaught exception", exc_info=(exc_type, exc, tb)
        )

    def thread_excepthook(args: Any) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            previous_thread_hook(args)
            return
        logging.getLogger(UNCAUGHT_LOGGER).critical(
            "uncaught exception in thread %s",
            getattr(args.thread, "name", "?"),
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )

    sys.excepthook, threading.excepthook = excepthook, thread_excepthook

    def restore() -> None:
        sys.excepthook, threading.excepthook = previous_hook, previous_thread_hook

    _restore.append(restore)


def uninstall() -> None:
    """Undo :func:`install`: restore the record factory, ``makeRecord``, warnings, the
    exception hooks and structlog's configuration."""
    with _lock:
        if not _active:
            return
        _active.clear()
        if _previous_factory:
            logging.setLogRecordFactory(_previous_factory.pop())
        while _restore:
            _restore.pop()()
        try:
            import structlog
        except ImportError:
            return
        configure = structlog.configure
        structlog.configure = getattr(configure, "_rasa_secure_original", configure)
        processors = structlog.get_config()["processors"]
        for processor in (structlog_processor, structlog_rendered):
            if processor in processors:
                processors.remove(processor)


def structlog_processor(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """The structlog processor of the active filter (a no-op until one is installed)."""
    if not _active:
        return event_dict
    return _active[0].process_event(logger, method_name, event_dict)


def structlog_rendered(logger: Any, method_name: str, rendered: Any) -> Any:
    """Last structlog processor: remember the rendered line, so the record carrying it is not
    pattern-redacted a second time (which would mangle timestamps and event names)."""
    if isinstance(rendered, str) and _active:
        busy.rendered = rendered
    return rendered


def _with_redaction(processors: List[Any]) -> None:
    """Put the redacting processor first and the marker last, in place."""
    if structlog_processor not in processors:
        processors.insert(0, structlog_processor)
    if structlog_rendered in processors:
        processors.remove(structlog_rendered)
    processors.append(structlog_rendered)


def _install_structlog() -> None:
    try:
        import structlog
    except ImportError:
        return
    _with_redaction(structlog.get_config()["processors"])
    configure = structlog.configure
    if getattr(configure, "_rasa_secure", False):
        return

    def configure_keeping_redaction(*args: Any, **kwargs: Any) -> None:
        configure(*args, **kwargs)
        _with_redaction(structlog.get_config()["processors"])

    wrapped: Callable[..., None] = configure_keeping_redaction
    wrapped._rasa_secure = True  # type: ignore[attr-defined]
    wrapped._rasa_secure_original = configure  # type: ignore[attr-defined]
    structlog.configure = wrapped
