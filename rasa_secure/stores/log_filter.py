"""Keep PII and secrets out of logs: a logging filter, a structlog processor, one installer.

Rasa logs user messages, entities and slot values at debug level, through the standard
``logging`` module and through structlog (``rasa.utils.log_utils.configure_structlog`` renders
structlog events to a string and hands it to a ``logging`` logger). :class:`PIILogFilter`
redacts both:

* standard records: the formatted message (``msg % args``), the exception text, the stack
  text and string ``extra`` attributes go through a pattern-only
  :class:`~rasa_secure.core.redaction.redactor.Sanitizer` (e-mails, cards, IBANs, phones, SSNs,
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
import sys
import threading
import traceback
import warnings
from dataclasses import dataclass
from types import TracebackType
from typing import (
    Any,
    Callable,
    List,
    Mapping,
    MutableMapping,
    Optional,
    Pattern,
    Tuple,
    Type,
)
from urllib.parse import unquote_plus

from rasa_secure.config import Option, OptionSpec, list_of, resolve
from rasa_secure.core.redaction.redactor import Sanitizer
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

URL_SECRET_PARAMETERS = {
    "name": "UrlSecretParameterRecognizer",
    "entity_type": "SECRET",
    "patterns": [
        {
            "name": "secret in query string",
            "regex": r"[?&](?:token|access_token|auth_token|id_token|api_key|apikey|key|secret"
            r"|client_secret|password|passwd|pwd|signature|sig|code)=(?P<value>[^&\s#'\"]+)",
            "score": 0.9,
            "group": "value",
        }
    ],
}
"""Access logs print request URLs, and Rasa's HTTP API takes its token as ``?token=``."""

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

_STATE_LABELS = (
    "user intent|user entities|previous action name|previous action text|active loop|slots"
)


@dataclass(frozen=True)
class DumpRule:
    """A place where Rasa or rasa-sdk writes user text or a value into a log line in clear.

    Patterns cannot find a name or an address in free text, but these dumps have a known
    shape: the group ``value`` of :attr:`pattern` is replaced by :data:`MASK` wherever it
    matches, in every record and every structlog string.

    Attributes:
        name: short identifier (tests and docs).
        markers: literal strings, one of which every match contains (a cheap pre-check).
        pattern: a compiled pattern with a ``value`` group.
        examples: ``(line, value)`` pairs: ``value`` must be gone from the redacted ``line``.
        counterexamples: lines the rule must leave unchanged.
    """

    name: str
    markers: Tuple[str, ...]
    pattern: Pattern[str]
    examples: Tuple[Tuple[str, str], ...]
    counterexamples: Tuple[str, ...] = ()

    def apply(self, text: str) -> str:
        """``text`` with every match's ``value`` group masked (the pattern runs only on a text
        that holds one of :attr:`markers`, literal strings every match contains)."""
        for marker in self.markers:
            if marker in text:
                return self.pattern.sub(_mask_value, text)
        return text


def _mask_value(match: re.Match[str]) -> str:
    """The matched text with its ``value`` group replaced by :data:`MASK`."""
    start, end = match.span("value")
    offset, whole = match.start(), match.group(0)
    return whole[: start - offset] + MASK + whole[end - offset :]


DUMP_RULES: Tuple[DumpRule, ...] = (
    DumpRule(
        "tracker state text",
        ("user text: ", "previous action text: "),
        # Policy.format_tracker_states (RulePolicy's `current_states` at debug): the user's
        # text runs until the next label of the same state, the next state or the end.
        re.compile(
            r"(?:user text|previous action text): (?P<value>.*?)"
            rf"(?= \| (?:{_STATE_LABELS}): |\n\[state \d+\] |$)",
            re.S,
        ),
        examples=(
            (
                "\n[state 1] user text: my name is Ada Byron | previous action name: action_listen",
                "Ada Byron",
            ),
            ("[state 3] user text: I live at 221B Baker Street\nLondon", "Baker Street"),
            ("[state 1] user text: Ada | x\n[state 2] user intent: greet", "Ada | x"),
        ),
        counterexamples=("[state 1] user intent: greet | previous action name: action_listen",),
    ),
    DumpRule(
        "slot candidates",
        ("Validating extracted slots: ",),
        # rasa.core.actions.action: "Validating extracted slots: {slot: value}" at debug.
        re.compile(r"Validating extracted slots: (?P<value>.+)", re.S),
        examples=(("Validating extracted slots: {'full_name': 'Ada Byron'}", "Ada Byron"),),
        counterexamples=("Validating extracted slots",),
    ),
    DumpRule(
        "uttered text",
        ("Uttered(text: ",),
        # str() of UserUttered / BotUttered / AgentUttered events inside a message.
        re.compile(r"(?:User|Bot|Agent)Uttered\(text: (?P<value>.*?)(?=, (?:intent|data): )", re.S),
        examples=(
            ("UserUttered(text: I am Ada Byron, intent: inform, entities: )", "Ada Byron"),
            ("BotUttered(text: Thanks, Ada Byron!, data: {}, metadata: {})", "Ada Byron"),
        ),
        counterexamples=("UserUttered(intent: inform)",),
    ),
    DumpRule(
        "uttered entities",
        (" (Type: ",),
        # str() of UserUttered lists entity values as "value (Type: t, Role: r, Group: g)".
        re.compile(r"(?:entities: |\), )(?P<value>(?:(?! \(Type: ).)+?) \(Type: ", re.S),
        examples=(
            (
                "entities: Ada Byron (Type: name, Role: None, Group: None), 221B Baker Street "
                "(Type: address, Role: None, Group: None)",
                "Baker Street",
            ),
            ("entities: Ada Byron (Type: name, Role: None, Group: None)", "Ada Byron"),
        ),
        counterexamples=("entities: []",),
    ),
    DumpRule(
        "NLG request body",
        ("The request body is ",),
        # rasa.core.nlg.callback at debug: "Requesting NLG for utter_x from URL.The request
        # body is {json}." - the tracker, the user's text and every slot value included.
        re.compile(r"The request body is (?P<value>.+)", re.S),
        examples=(
            (
                "Requesting NLG for utter_greet from http://a/webhook/nlg.The request body is "
                '{"tracker": {"latest_message": {"text": "my name is Ada Byron"}}}.',
                "Ada Byron",
            ),
        ),
        counterexamples=("Requesting NLG for utter_greet from http://a/webhook/nlg.",),
    ),
    DumpRule(
        "ignored action event",
        ("Contents of ignored event: ",),
        # rasa_sdk.executor: "Contents of ignored event: '{event}'" at debug.
        re.compile(r"Contents of ignored event: (?P<value>.+)", re.S),
        examples=(("Contents of ignored event: '{'value': 'Ada Byron'}'", "Ada Byron"),),
        counterexamples=("Received request to run 'action_check_balance'",),
    ),
)
"""Rasa 3.6 and rasa-sdk 3.6 log lines that carry user text or values in a known shape."""


_QUERY_STRING = re.compile(r"\?[^\s#?]*[%+][^\s#]*")


def redact_dumps(text: str) -> str:
    """``text`` with the values of every :data:`DUMP_RULES` match masked, and URL query
    strings decoded (``card=4000+0566...`` in an access log is a card number to the
    detector only once decoded)."""
    if "?" in text:
        text = _QUERY_STRING.sub(lambda match: unquote_plus(match.group(0)), text)
    for rule in DUMP_RULES:
        text = rule.apply(text)
    return text


OPTIONS: OptionSpec = {
    "detector": Option(
        {
            "spacy_model": None,
            "exclude_entities": ["DATE_TIME", "ORGANIZATION", "URL", "PHONE_NUMBER"],
            "custom_recognizers": [URL_SECRET_PARAMETERS, LOG_PHONES],
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
_PASS_THROUGH_KEYS = frozenset(
    {"event", "event_key", "level", "log_level", "timestamp", "logger", "exc_info", "exception"}
)
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
    from rasa_secure.core.pii import builtin_recognizers

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
            self._redact_attributes(
                record, [k for k in record.__dict__ if k not in _STANDARD_ATTRS]
            )
        finally:
            _busy.active = False

    def redact_extras(self, record: logging.LogRecord, keys: List[str]) -> None:
        """Redact the ``extra`` attributes ``keys`` of ``record``.

        ``Logger.makeRecord`` sets them *after* the record factory ran, so :func:`install`
        calls this from its wrapper of ``makeRecord`` (Sanic's access log puts the request
        line, query string included, in ``extra``).
        """
        if _skipped(record.name, self.skip_loggers) or getattr(_busy, "active", False):
            return
        _busy.active = True
        try:
            self._redact_attributes(record, [key for key in keys if key not in _STANDARD_ATTRS])
        finally:
            _busy.active = False

    def _redact_attributes(self, record: logging.LogRecord, keys: List[str]) -> None:
        """Strings and containers are redacted; other objects (a formatter's plumbing, such
        as structlog's ``_logger``) are left as they are."""
        for key in keys:
            value = record.__dict__.get(key)
            if key in self.mask_keys and isinstance(value, str):
                record.__dict__[key] = MASK
            elif isinstance(value, (str, Mapping, list, tuple, set, frozenset)):
                record.__dict__[key] = self._value(value, 0)

    def redact_text(self, text: str) -> str:
        """``text`` with PII and secrets replaced by ``<ENTITY_TYPE>`` placeholders, and the
        values in Rasa's known dumps of user text (:data:`DUMP_RULES`) by :data:`MASK`."""
        text = redact_dumps(text)
        if self.sanitizer is None:
            return _fallback_redact(text)
        return self.sanitizer.sanitize(text).text

    def redact_exception(self, exc_info: Any) -> Optional[str]:
        """The formatted, redacted traceback of ``exc_info`` (``True``, an exception or a
        ``sys.exc_info()`` tuple), or ``None`` when there is none."""
        if isinstance(exc_info, BaseException):
            exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
        elif not isinstance(exc_info, tuple):
            exc_info = sys.exc_info() if exc_info else None
        if not exc_info or exc_info[0] is None:
            return None
        return self.redact_text("".join(traceback.format_exception(*exc_info)).rstrip("\n"))

    def process_event(
        self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        """A structlog processor: mask user text and slot values, redact every other string.

        An exception (``exc_info``, or a call of ``.exception()``) is rendered here, redacted,
        into ``exception``: structlog would render it after this processor, in clear.
        """
        if "exc_info" in event_dict or method_name == "exception":
            rendered = self.redact_exception(event_dict.pop("exc_info", True))
            if rendered is not None:
                event_dict["exception"] = rendered
            event_dict["exc_info"] = False  # later processors (set_exc_info) must not add one
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
_restore: List[Callable[[], None]] = []
_lock = threading.Lock()
UNCAUGHT_LOGGER = "rasa_secure.uncaught"
"""Logger of exceptions nothing caught (``sys.excepthook``, ``threading.excepthook``)."""


def install(log_filter: PIILogFilter) -> None:
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
