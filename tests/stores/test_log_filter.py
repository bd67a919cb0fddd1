"""PIILogFilter and logging.yml: Rasa's and rasa-sdk's logs hold no PII or secrets."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import sys
import threading
import warnings
from typing import Any, Iterator

import pytest
import structlog
import yaml

from rasa_secure.errors import DependencyMissingError
from rasa_secure.stores import log_filter
from rasa_secure.stores.log_filter import MASK, PIILogFilter, logging_config_path
from tests.conftest import saved_loggers
from tests.stores.conftest import RAW_VALUES, leaks

V = RAW_VALUES
USER_TEXT = f"my card is {V['card']}, mail {V['email']}, my password is {V['password']}"


@pytest.fixture(autouse=True)
def isolated_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test configures logging globally; put everything back afterwards.

    ``dictConfig`` starts by closing every existing handler, pytest's own capture handlers
    included, which then fail at teardown ("I/O operation on closed file"); it is kept from
    closing them here, and the handlers a test created are closed when it ends.
    """
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    with open(logging_config_path(), encoding="utf-8") as file:
        restore_named = saved_loggers(yaml.safe_load(file).get("loggers", {}))
    factory = logging.getLogRecordFactory()
    monkeypatch.setattr(logging, "shutdown", lambda *args, **kwargs: None)
    yield
    restore_named()
    log_filter.uninstall()
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.setLogRecordFactory(factory)
    structlog.reset_defaults()


def capture(level: int = logging.DEBUG) -> io.StringIO:
    """A handler added *after* configuration, with no filter of its own (as Rasa adds one)."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    return buffer


def load_logging_yml() -> None:
    with open(logging_config_path(), encoding="utf-8") as file:
        logging.config.dictConfig(yaml.safe_load(file))


def test_logging_yml_redacts_rasa_and_sdk_records(capsys: pytest.CaptureFixture[str]) -> None:
    load_logging_yml()
    logging.getLogger("rasa.core.processor").info("Received user message: %s", USER_TEXT)
    logging.getLogger("rasa_sdk.executor").warning("slot email=%s", V["email"])
    out = capsys.readouterr().out
    assert "Received user message" in out and "<CREDIT_CARD>" in out
    assert leaks(out) == []


@pytest.mark.parametrize(
    "loader",
    [
        pytest.param("rasa.utils.common:configure_logging_from_file", id="rasa run"),
        pytest.param("rasa_sdk.utils:configure_logging_from_input_file", id="rasa run actions"),
    ],
)
def test_rasa_and_sdk_loaders_accept_the_file(loader: str) -> None:
    # Why: both loaders swallow a config that fails to load (they log it at debug level), so
    # a broken file would silently log raw PII. Load it the way each one does.
    import importlib

    module, function = loader.split(":")
    getattr(importlib.import_module(module), function)(logging_config_path())
    buffer = capture()
    logging.getLogger("rasa.core").info(USER_TEXT)
    # On both servers: warnings and Sanic's access/error loggers (no propagation, own
    # handlers on a real server) pass the filter too.
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn(f"line '/my card is {V['card']}'", UserWarning, stacklevel=1)
    access_log = io.StringIO()
    access = logging.StreamHandler(access_log)
    access.setFormatter(logging.Formatter("%(request)s %(status)d"))
    logging.getLogger("sanic.access").addHandler(access)
    try:
        logging.getLogger("sanic.access").info(
            "", extra={"request": f"GET /?card={V['card']}", "status": 200}
        )
    finally:
        logging.getLogger("sanic.access").removeHandler(access)
    logging.getLogger("sanic.error").error("failed for %s", V["email"])
    out = buffer.getvalue() + access_log.getvalue()
    assert "py.warnings" in out and "failed for <EMAIL_ADDRESS>" in out
    assert "GET /?card=<CREDIT_CARD> 200" in out
    assert USER_TEXT not in out and leaks(out) == []


def test_handlers_added_later_are_redacted_too() -> None:
    # Why: `rasa run` replaces the root handler with coloredlogs after reading the file.
    load_logging_yml()
    import coloredlogs

    stream = io.StringIO()
    coloredlogs.install(level="DEBUG", stream=stream)
    logging.getLogger("rasa.core.agent").debug(
        "tracker %s", {"email": V["email"], "iban": V["iban"]}
    )
    assert "tracker" in stream.getvalue() and leaks(stream.getvalue()) == []


def test_exceptions_stack_and_extras_are_redacted() -> None:
    PIILogFilter()
    buffer = capture()
    log = logging.getLogger("rasa.core.actions")
    try:
        raise ValueError(f"cannot reach {V['email']}")
    except ValueError:
        log.exception("action failed for %s", V["phone"], extra={"user_text": USER_TEXT})
    log.warning("stack", stack_info=True)
    records = buffer.getvalue()
    assert "ValueError" in records and "Traceback" in records
    assert leaks(records) == []


def test_credentials_in_urls_and_api_keys_are_redacted() -> None:
    PIILogFilter()
    buffer = capture()
    logging.getLogger("pika").warning("connecting to amqp://guest:S3cretPassw0rd@rabbit:5672/")
    logging.getLogger("rasa.core").info("calling with Authorization %s", V["api_key"])
    out = buffer.getvalue()
    assert "S3cretPassw0rd" not in out and "amqp://guest:<SECRET>@rabbit" in out
    assert leaks(out) == []


def test_audit_records_are_left_alone() -> None:
    # Why: audit lines hold pseudonyms that must stay linkable; they never hold PII.
    PIILogFilter()
    buffer = capture()
    line = json.dumps({"subject": "sub_9f86d081884c7d65", "decision": "redact"})
    logging.getLogger("rasa_secure.audit").info(line)
    assert line in buffer.getvalue()


@pytest.mark.parametrize(
    ("message", "args"),
    [
        pytest.param("bad format %d", ("not a number " + V["email"],), id="format args that fail"),
        pytest.param({"email": V["email"]}, (), id="a non-string message"),
    ],
)
def test_records_are_never_dropped(message: Any, args: Any) -> None:
    PIILogFilter()
    buffer = capture()
    logging.getLogger("x").error(message, *args)
    out = buffer.getvalue()
    assert out.strip() and leaks(out) == []


def test_without_presidio_it_masks_more_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    # Why: fail safe. A missing dependency must not turn the filter off.
    def missing(self: Any) -> None:
        raise DependencyMissingError("presidio_analyzer", "pip install 'rasa-secure[pii]'")

    monkeypatch.setattr("rasa_secure.core.redaction.Sanitizer.load", missing)
    buffer = capture()
    fallback = PIILogFilter()
    assert fallback.sanitizer is None
    assert "presidio_analyzer is missing" in buffer.getvalue()
    logging.getLogger("rasa").info(USER_TEXT + f" key {V['api_key']} ssn {V['ssn']}")
    assert "my card is <redacted>" in buffer.getvalue()
    assert leaks(buffer.getvalue()) == []


def _rasa_structlog(level: int = logging.DEBUG) -> None:
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(level)


@pytest.mark.parametrize("order", ["filter first", "structlog first"])
def test_rasa_structlog_debug_output_is_redacted(order: str) -> None:
    # Why: `rasa run` reads the logging file *before* configuring structlog; other entry
    # points may do the opposite. Either way the debug lines must be safe.
    buffer = capture()
    if order == "filter first":
        PIILogFilter()
        _rasa_structlog()
    else:
        _rasa_structlog()
        PIILogFilter()
    from rasa.shared.core.events import SlotSet, UserUttered

    structlog.get_logger().debug(
        "processor.message.parse",
        parse_data_text=f"I am {V['name']}, {V['email']}",
        parse_data_entities=[{"entity": "name", "value": V["name"], "start": 5, "end": 18}],
        parse_data_intent={"name": "inform", "confidence": 0.9},
    )
    structlog.get_logger().debug(
        "processor.extract.slots",
        rasa_events=[SlotSet("full_name", V["name"]), UserUttered(f"hi {V['name']}")],
        slot_values={"full_name": V["name"]},
        extra_info=f"iban {V['iban']}",
    )
    out = buffer.getvalue()
    assert "processor.message.parse" in out and "processor.extract.slots" in out
    assert '"name": "inform"' in out, "intents stay readable"
    assert leaks(out, [V["name"]]) == []
    assert MASK in out


def test_structlog_lines_are_not_redacted_twice() -> None:
    # Why: a second, pattern-only pass over the rendered line mangles timestamps and event
    # names ("processor.extract.slots" looks like a URL to a pattern).
    PIILogFilter()
    _rasa_structlog()
    buffer = capture()
    structlog.get_logger().debug("processor.extract.slots", timestamp_value=1795257617.984509)
    assert "processor.extract.slots" in buffer.getvalue()
    assert "1795257617.984509" in buffer.getvalue()


def test_uninstall_restores_logging() -> None:
    PIILogFilter()
    log_filter.uninstall()
    buffer = capture()
    logging.getLogger("x").info(V["email"])
    assert V["email"] in buffer.getvalue(), "after uninstall records pass untouched"


CARD = V["card"]


def test_python_warnings_pass_the_filter() -> None:
    # Why: Rasa reports a malformed intent trigger ("/my card is ...") through `warnings`
    # with the whole user text; without capture it is written raw to stderr.
    PIILogFilter()
    buffer = capture()
    from rasa.shared.utils.io import raise_warning

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        raise_warning(f"Failed to parse arguments in line '/my card is {CARD}'")
    out = buffer.getvalue()
    assert "py.warnings" in out and "/my card is <CREDIT_CARD>" in out
    assert leaks(out) == []


def test_extra_attributes_set_after_the_factory_are_redacted() -> None:
    # Why: Logger.makeRecord sets `extra` after the record factory ran; Sanic's access log
    # puts the request line (query string included) there, and Rasa's API takes ?token=.
    PIILogFilter()
    buffer = capture()
    buffer_handler = logging.getLogger().handlers[-1]
    buffer_handler.setFormatter(logging.Formatter("%(request)s %(message)s %(status)d"))
    url = "GET http://127.0.0.1:5005/status?token=s3cr3tvalue&card=" + CARD.replace(" ", "+")
    logging.getLogger("sanic.access").info("", extra={"request": url, "status": 200})
    out = buffer.getvalue()
    assert "status?token=<SECRET>&card=<CREDIT_CARD>" in out and out.strip().endswith("200")
    assert "s3cr3tvalue" not in out and leaks(out) == []


def test_uncaught_exceptions_are_logged_redacted() -> None:
    # Why: an exception nothing catches is printed by Python to stderr, message and all.
    PIILogFilter()
    buffer = capture()
    try:
        raise ValueError(f"bad card {CARD}")
    except ValueError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    thread = threading.Thread(target=lambda: 1 / 0 if V["email"] else None, name="worker")
    thread.start()
    thread.join()
    out = buffer.getvalue()
    assert "rasa_secure.uncaught uncaught exception" in out and "ValueError" in out
    assert "uncaught exception in thread worker" in out and "ZeroDivisionError" in out
    assert leaks(out) == []


def test_uninstall_restores_warnings_make_record_and_hooks() -> None:
    before = (warnings.showwarning, logging.Logger.makeRecord, sys.excepthook)
    PIILogFilter()
    assert (warnings.showwarning, logging.Logger.makeRecord, sys.excepthook) != before
    log_filter.uninstall()
    assert (warnings.showwarning, logging.Logger.makeRecord, sys.excepthook) == before


@pytest.mark.parametrize("call", ["exception", "exc_info"])
def test_structlog_exceptions_are_redacted(call: str) -> None:
    # Why: structlog renders tracebacks after our processor ran (dict_tracebacks,
    # ConsoleRenderer), from the raw exception.
    PIILogFilter()
    _rasa_structlog()
    buffer = capture()
    try:
        raise RuntimeError(f"cannot charge {CARD} for {V['email']}")
    except RuntimeError:
        if call == "exception":
            structlog.get_logger().exception("action.failed")
        else:
            structlog.get_logger().error("action.failed", exc_info=True)
    out = buffer.getvalue()
    assert "action.failed" in out and "RuntimeError" in out and "<CREDIT_CARD>" in out
    assert leaks(out) == []


@pytest.mark.parametrize(
    ("rule", "line", "value"),
    [
        pytest.param(rule, line, value, id=f"{rule.name}: {value}")
        for rule in log_filter.DUMP_RULES
        for line, value in rule.examples
    ],
)
def test_dump_rules_mask_their_examples(rule: log_filter.DumpRule, line: str, value: str) -> None:
    # Why: names and addresses are no pattern; Rasa's dumps of user text have a known shape.
    out = rule.apply(line)
    assert value not in out and MASK in out


@pytest.mark.parametrize(
    ("rule", "line"),
    [
        pytest.param(rule, line, id=rule.name)
        for rule in log_filter.DUMP_RULES
        for line in rule.counterexamples
    ],
)
def test_dump_rules_leave_their_counterexamples(rule: log_filter.DumpRule, line: str) -> None:
    assert rule.apply(line) == line


def test_rule_policy_states_at_debug_keep_intents_and_hide_text() -> None:
    # Why: RulePolicy logs `current_states` (Policy.format_tracker_states) with the user's
    # text at debug; a name or an address is no pattern the detector could find.
    from rasa.core.policies.policy import Policy

    PIILogFilter()
    _rasa_structlog()
    buffer = capture()
    states = [
        {"user": {"intent": "greet"}, "prev_action": {"action_name": "action_listen"}},
        {"user": {"text": f"my name is {V['name']}\nI live at 221B Baker Street"},
         "prev_action": {"action_name": "action_listen"}},
    ]  # fmt: skip
    structlog.get_logger().debug(
        "rule_policy.actions.find", current_states=Policy.format_tracker_states(states)
    )
    out = buffer.getvalue()
    assert "user intent: greet" in out and "user text: <redacted>" in out
    assert "Baker Street" not in out and leaks(out, [V["name"]]) == []
