"""Keep PII and secrets out of logs: a logging filter, a structlog processor, one installer.

Rasa logs user messages, entities and slot values at debug level, through the standard
``logging`` module and through structlog (``rasa.utils.log_utils.configure_structlog`` renders
structlog events to a string and hands it to a ``logging`` logger). :class:`PIILogFilter`
redacts both:

* standard records: the formatted message (``msg % args``), the exception text, the stack
  text and string ``extra`` attributes go through a pattern-only
  :class:`~rasa_secure.core.redaction.Sanitizer` (e-mails, cards, IBANs, phones, SSNs,
  passwords, PINs, API keys and other secrets, credentials in URLs), with bare
  ``<ENTITY_TYPE>`` placeholders;
* structlog events, before Rasa renders them: the values of keys that hold user text or slot
  values (:data:`MASK_KEYS`: ``text``, ``parse_data_text``, ``slot_values``...) are replaced
  whole, ``text``/``value`` fields inside nested data (events, entities) likewise, and every
  other string goes through the same pattern detection.

Rasa replaces the handlers of the root logger after reading ``--logging-config-file`` (it
installs ``coloredlogs``) and configures structlog after that, so a filter on a handler is not
enough. With ``install: true`` (the default), creating the filter also redacts every record as
it is created (``logging.setLogRecordFactory``) and puts the structlog processor first in
structlog's configuration, now and whenever it is configured again. Detection is pattern-only
so that it stays cheap on the hot path: a name or an address typed in a free text is caught
only under the masked keys, not elsewhere in a log line.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any, Callable, List, Mapping, MutableMapping, Optional, Tuple

from rasa_secure.config import Option, OptionSpec, list_of, resolve
from rasa_secure.core.redaction import Sanitizer
from rasa_secure.errors import DependencyMissingError

MASK = "<redacted>"
"""What a masked value becomes."""

MASK_KEYS = (
    "text",
    "response_text",
    "user_text",
    "user_message",
    "json_message",
    "message",
    "response",
    "token_text",
    "parse_data_text",
    "slot_values",
    "prefilled_slots",
    "slot_candidates",
    "current_entity",
    "next_entity",
    "entity",
)
"""structlog keys whose value is replaced whole: the keys Rasa 3.6 anonymizes that hold user
text, slot values or single entities (``rasa.utils.log_utils._anonymizer``)."""

MASK_FIELDS = ("text", "value", "action_text", "user_text", "slot_values", "prefilled_slots")
"""Keys whose value is replaced whole wherever they occur inside nested log data (events,
entities, parse data, tracker states)."""

URL_CREDENTIALS = {
    "name": "UrlCredentialsRecognizer",
    "entity_type": "SECRET",
    "patterns": [
        {
            "name": "password in url",
            "regex": r"[a-z][a-z0-9+.-]*://[^/\s:@]+:(?P<password>[^/\s@]+)@",
            "score": 0.9,
            "group": "password",
        }
    ],
}
"""Connection URLs print their password (``amqp://guest:secret@host``)."""

LOG_PHONES = {
    "name": "LogPhoneRecognizer",
    "entity_type": "PHONE",
    "patterns": [
        {
            "name": "international",
            "regex": r"(?<![\w+])\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?"
            r"\d{2,4}(?:[ .-]?\d{2,4}){1,4}(?!\w)",
            "score": 0.7,
        },
        {
            "name": "north american",
            "regex": r"(?<![\w(])\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}(?!\w)",
            "score": 0.6,
        },
    ],
}
"""Phone numbers in logs, by shape only: Presidio's phone matcher costs milliseconds per line
with digits, too much for every log record (see the benchmarks)."""

OPTIONS: OptionSpec = {
    "detector": Option(
        {
            "spacy_model": None,
            "exclude_entities": ["DATE_TIME", "ORGANIZATION", "URL", "PHONE_NUMBER"],
            "custom_recognizers": [URL_CREDENTIALS, LOG_PHONES],
        },
        "PIIDetector options; pattern-only by default, so logging stays cheap (URLs are kept:"
        " in logs they are endpoints and file paths; phones are found by shape)",
        dict,
    ),
    "redaction": Option(
        {"default": {"operator": "placeholder", "style": "type"}},
        "Redactor options; bare <ENTITY_TYPE> placeholders by default",
        dict,
    ),
    "mask_keys": Option(list(MASK_KEYS), "structlog keys replaced whole", list, list_of(str)),
    "mask_fields": Option(
        list(MASK_FIELDS), "keys replaced whole inside nested log data", list, list_of(str)
    ),
    "skip_loggers": Option(
        ["rasa_secure.audit"],
        "loggers whose records are left alone (the audit trail holds no PII by design)",
        list,
        list_of(str),
    ),
    "install": Option(
        True,
        "also redact records of every handler (via the record factory) and structlog events",
        bool,
    ),
}
"""Configuration of :class:`PIILogFilter` (keys of the filter entry in a logging config)."""

_MARK = "_rasa_secure_redacted"
_PASS_THROUGH_KEYS = frozenset({"event", "event_key", "level", "log_level", "timestamp", "logger"})
_STANDARD_ATTRS = frozenset(
    {*logging.LogRecord("", 0, "", 0, "", (), None).__dict__, "message", "asctime", _MARK}
)
_FALLBACK_PATTERNS = (
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    re.compile(r"\+?\d[\d ().-]{4,}\d"),
    re.compile(r"[A-Za-z0-9_+/=-]{24,}"),
)
_busy = threading.local()


def _fallback_redact(text: str) -> str:
    """Mask without Presidio: our stdlib recognizers (no context needed) and broad patterns."""
    from rasa_secure.core.recognizers import builtin_recognizers

    spans = [(c.start, c.end) for r in builtin_recognizers() for c in r.find(text)]
    spans += [m.span() for pattern in _FALLBACK_PATTERNS for m in pattern.finditer(text)]
    pieces: List[str] = []
    cursor = 0
    for start, end in sorted(spans):
        if end <= cursor:
            continue
        pieces.append(text[cursor : max(start, cursor)] + MASK)
        cursor = end
    return "".join(pieces) + text[cursor:]


class PIILogFilter(logging.Filter):
    """A ``logging.Filter`` that redacts records in place and never drops one.

    Use it from a logging config (``()`` factory, options as keys) or directly::

        handler.addFilter(PIILogFilter(install=False))

    Attributes:
        config: the validated options (see :data:`OPTIONS`).
    """

    def __init__(self, name: str = "", **options: Any) -> None:
        """Validate the options and load the pattern detector.

        Presidio is needed for its pattern recognizers; without it the filter falls back to
        rasa_secure's own recognizers (passwords, PINs, secrets, accounts, dates of birth,
        phones) with every match masked regardless of context, plus every e-mail-like string,
        digit run and long token (redacting more, not less), and logs a warning saying so.

        Raises:
            ConfigError: an unknown or invalid option.
        """
        super().__init__(name)
        self.config = resolve(OPTIONS, options, owner="PIILogFilter")
        self.sanitizer: Optional[Sanitizer] = Sanitizer.from_config(
            {"detector": self.config["detector"], "redaction": self.config["redaction"]}
        )
        try:
            self.sanitizer.load()
        except DependencyMissingError as error:
            self.sanitizer = None
            logging.getLogger(__name__).warning(
                "PIILogFilter: %s is missing; masking every digit run, e-mail and long token "
                "instead (install it with: %s)",
                error.package,
                error.install,
            )
        self.mask_keys = frozenset(self.config["mask_keys"])
        self.mask_fields = frozenset(self.config["mask_fields"])
        self.skip_loggers = tuple(self.config["skip_loggers"])
        if self.config["install"]:
            install(self)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; always keep it."""
        self.redact_record(record)
        return True

    def redact_record(self, record: logging.LogRecord) -> None:
        """Redact the message, exception, stack and string extras of ``record``, once."""
        if record.__dict__.get(_MARK) or _skipped(record.name, self.skip_loggers):
            return
        if getattr(_busy, "active", False):  # a record logged while redacting (our own code)
            return
        rendered, _busy.rendered = getattr(_busy, "rendered", None), None
        _busy.active = True
        try:
            setattr(record, _MARK, True)
            if record.msg is rendered and not record.args:
                pass  # a structlog event this filter already processed, key by key
            else:
                try:
                    message = record.getMessage()
                except Exception:  # a bad format string: keep what there is, redacted
                    message = f"{record.msg} {record.args}"
                record.msg = self.redact_text(message)
                record.args = None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None  # only the redacted text may be rendered
            if record.exc_text:
                record.exc_text = self.redact_text(record.exc_text)
            if record.stack_info:
                record.stack_info = self.redact_text(record.stack_info)
            for key, value in list(record.__dict__.items()):
                if key not in _STANDARD_ATTRS and isinstance(value, str):
                    setattr(record, key, self.redact_text(value))
        finally:
            _busy.active = False

    def redact_text(self, text: str) -> str:
        """``text`` with PII and secrets replaced by ``<ENTITY_TYPE>`` placeholders."""
        if self.sanitizer is None:
            return _fallback_redact(text)
        return self.sanitizer.sanitize(text).text

    def process_event(
        self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        """A structlog processor: mask user text and slot values, redact every other string."""
        for key, value in list(event_dict.items()):
            if key in _PASS_THROUGH_KEYS:
                continue
            if key in self.mask_keys:
                event_dict[key] = MASK if value is not None else None
            else:
                event_dict[key] = self._value(value, 0)
        return event_dict

    def _value(self, value: Any, depth: int) -> Any:
        if isinstance(value, str):
            return self.redact_text(value)
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if depth > 16:
            return MASK
        if hasattr(value, "as_dict") and callable(value.as_dict):  # a Rasa event
            try:
                value = value.as_dict()
            except Exception:
                return MASK
        if isinstance(value, Mapping):
            return {
                key: (
                    MASK
                    if key in self.mask_fields and item is not None
                    else self._value(item, depth + 1)
                )
                for key, item in value.items()
            }
        if isinstance(value, (list, tuple, set, frozenset)):
            return [self._value(item, depth + 1) for item in value]
        return self.redact_text(str(value))


_active: List[PIILogFilter] = []
_previous_factory: List[Callable[..., logging.LogRecord]] = []
_lock = threading.Lock()


def install(log_filter: PIILogFilter) -> None:
    """Make ``log_filter`` redact every record and every structlog event, from now on.

    Idempotent; a later call replaces the active filter. Wraps the current log record factory
    once, puts :func:`structlog_processor` first in structlog's processors (when structlog is
    installed) and makes ``structlog.configure`` keep it first when Rasa reconfigures.
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
        _install_structlog()


def uninstall() -> None:
    """Undo :func:`install`: restore the record factory and structlog's configuration."""
    with _lock:
        if not _active:
            return
        _active.clear()
        if _previous_factory:
            logging.setLogRecordFactory(_previous_factory.pop())
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
        _busy.rendered = rendered
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


def _skipped(name: str, prefixes: Tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def logging_config_path() -> str:
    """The path of the ready logging config shipped with rasa_secure (``logging.yml``)."""
    from pathlib import Path

    return str(Path(__file__).with_name("logging.yml"))
