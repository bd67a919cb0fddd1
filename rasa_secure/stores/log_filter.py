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

Values in Rasa's known dumps of user text are masked first (:mod:`.log_dumps`). Rasa replaces
the handlers of the root logger after reading ``--logging-config-file`` and configures
structlog after that, so a filter on a handler is not enough: with ``install: true`` (the
default), creating the filter also installs it on every path to a log (:mod:`.log_install`).
Detection is pattern-only
so that it stays cheap on the hot path: a name or an address typed in a free text is caught
only under the masked keys, not elsewhere in a log line.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from typing import Any, List, Mapping, MutableMapping, Optional, Tuple

from rasa_secure.config import Option, OptionSpec, list_of, resolve
from rasa_secure.core.nested import map_strings
from rasa_secure.core.redaction import Sanitizer
from rasa_secure.errors import DependencyMissingError
from rasa_secure.stores.log_dumps import DUMP_RULES, MASK, DumpRule, redact_dumps
from rasa_secure.stores.log_install import (
    UNCAUGHT_LOGGER,
    busy,
    install,
    structlog_processor,
    structlog_rendered,
    uninstall,
)

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

MAX_DEPTH = 17
"""Containers nested deeper than this in log data are masked whole."""

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


def _walkable(value: Any) -> Any:
    """A Rasa event as its dict, a set as a list, anything else as its ``str()``."""
    if hasattr(value, "as_dict") and callable(value.as_dict):
        try:
            return value.as_dict()
        except Exception:
            return MASK
    if isinstance(value, (set, frozenset)):
        return list(value)
    return str(value)


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
        if getattr(busy, "active", False):  # a record logged while redacting (our own code)
            return
        rendered, busy.rendered = getattr(busy, "rendered", None), None
        busy.active = True
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
            busy.active = False

    def redact_extras(self, record: logging.LogRecord, keys: List[str]) -> None:
        """Redact the ``extra`` attributes ``keys`` of ``record``.

        ``Logger.makeRecord`` sets them *after* the record factory ran, so :func:`install`
        calls this from its wrapper of ``makeRecord`` (Sanic's access log puts the request
        line, query string included, in ``extra``).
        """
        if _skipped(record.name, self.skip_loggers) or getattr(busy, "active", False):
            return
        busy.active = True
        try:
            self._redact_attributes(record, [key for key in keys if key not in _STANDARD_ATTRS])
        finally:
            busy.active = False

    def _redact_attributes(self, record: logging.LogRecord, keys: List[str]) -> None:
        """Strings and containers are redacted; other objects (a formatter's plumbing, such
        as structlog's ``_logger``) are left as they are."""
        for key in keys:
            value = record.__dict__.get(key)
            if key in self.mask_keys and isinstance(value, str):
                record.__dict__[key] = MASK
            elif isinstance(value, (str, Mapping, list, tuple, set, frozenset)):
                record.__dict__[key] = self._value(value)

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
                event_dict[key] = self._value(value)
        return event_dict

    def _value(self, value: Any) -> Any:
        """``value`` with every string redacted and :attr:`mask_fields` masked, at any depth
        (below :data:`MAX_DEPTH` levels everything is masked); Rasa events are walked as
        dicts, sets as lists, anything else as its ``str()``."""
        return map_strings(
            value,
            self.redact_text,
            max_depth=MAX_DEPTH,
            too_deep=lambda _value: MASK,
            convert=_walkable,
            opaque=lambda item: self.redact_text(str(item)),
            masked_keys=self.mask_fields,
            mask=MASK,
        )


def _skipped(name: str, prefixes: Tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def logging_config_path() -> str:
    """The path of the ready logging config shipped with rasa_secure (``logging.yml``)."""
    from pathlib import Path

    return str(Path(__file__).with_name("logging.yml"))


__all__ = [
    "DUMP_RULES",
    "MASK",
    "MASK_FIELDS",
    "MASK_KEYS",
    "OPTIONS",
    "UNCAUGHT_LOGGER",
    "DumpRule",
    "PIILogFilter",
    "install",
    "logging_config_path",
    "redact_dumps",
    "structlog_processor",
    "structlog_rendered",
    "uninstall",
]
