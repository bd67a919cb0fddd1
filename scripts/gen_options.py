"""Write docs/reference/options.md from the options the code declares.

Every table on that page comes from an :data:`~rasa_secure.config.OptionSpec` (key, default,
accepted type, one-line doc). ``tests/test_config.py`` regenerates the page and fails when it
differs from the file, and fails when a declared option appears in no section below.

Usage::

    python scripts/gen_options.py          # rewrite the page
    python scripts/gen_options.py --check  # exit 1 if the page is out of date
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

import yaml

import rasa_secure
from rasa_secure.config import Option, OptionSpec

PAGE = Path(__file__).resolve().parent.parent / "docs" / "reference" / "options.md"
LONG = 40
"""Defaults whose JSON is longer than this are written out below their table."""

TYPE_NAMES = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    dict: "mapping",
    list: "list",
    type(None): "null",
    object: "any",
}


@dataclass(frozen=True)
class Section:
    """One table of the page.

    Attributes:
        title: the heading.
        spec: ``module:attribute`` of the declared options (an ``OptionSpec``, or a mapping
            of names to ``OptionSpec`` for one sub-table each).
        where: a sentence saying where these keys are written.
        page: the documentation page of the component, relative to ``docs/``.
        extends: titles of earlier sections whose keys this spec also takes (not repeated).
    """

    title: str
    spec: str
    where: str
    page: str
    extends: Tuple[str, ...] = ()


SECTIONS = (
    Section(
        "Distress detection",
        "rasa_secure.core.distress:OPTIONS",
        "The distress detector: the keys of the DistressDetector component in `config.yml`.",
        "components/distress-detector.md",
    ),
    Section(
        "DistressDetector",
        "rasa_secure.nlu.distress_detector:OPTIONS",
        "The NLU component, in the `pipeline` of `config.yml`.",
        "components/distress-detector.md",
        ("Distress detection",),
    ),
    Section(
        "InjectionDetector",
        "rasa_secure.core.injection:OPTIONS",
        "The injection screen's detector: the keys of InjectionScreen in `config.yml`, of "
        "`rasa-secure scan --config`, of SecureRestInput's `trigger_screen` and of "
        "SecureAction's `screen`.",
        "components/injection-screen.md",
    ),
    Section(
        "InjectionScreen",
        "rasa_secure.nlu.injection_screen:OPTIONS",
        "The NLU component, in the `pipeline` of `config.yml`.",
        "components/injection-screen.md",
        ("InjectionDetector",),
    ),
    Section(
        "PII detection",
        "rasa_secure.core.pii:OPTIONS",
        "The PII detector: the keys of the PIIDetector component in `config.yml`, and of every "
        "`detector` and `trigger_pii` mapping.",
        "components/pii-detector.md",
    ),
    Section(
        "PIIDetector",
        "rasa_secure.nlu.pii_detector:OPTIONS",
        "The NLU component, in the `pipeline` of `config.yml`.",
        "components/pii-detector.md",
        ("PII detection",),
    ),
    Section(
        "Redaction",
        "rasa_secure.core.redaction.redactor:OPTIONS",
        "How found values are replaced: every `redaction` mapping.",
        "redaction.md",
    ),
    Section(
        "Redaction operators",
        "rasa_secure.core.redaction.operators:OPERATORS",
        "The settings of one operator: `redaction.default` and each entry of `redaction.entities`.",
        "redaction.md",
    ),
    Section(
        "Sanitizer",
        "rasa_secure.core.redaction.sanitizer:OPTIONS",
        "Detection and redaction together: the `pii` mapping of SecureAction, SecureTrackerStore "
        "and SecureEventBroker.",
        "redaction.md",
    ),
    Section(
        "SecureRestInput",
        "rasa_secure.channel.gate_options:OPTIONS",
        "The channel's section of `credentials.yml`.",
        "components/secure-rest-input.md",
    ),
    Section(
        "SecureSocketIOInput",
        "rasa_secure.channel.secure_socketio:SOCKET_OPTIONS",
        "The web chat channel's section of `credentials.yml`: these socket options and every "
        "key of SecureRestInput.",
        "components/secure-socketio-input.md",
    ),
    Section(
        "Token verification",
        "rasa_secure.core.identity.tokens:TOKEN_SPEC",
        "Every `jwt` mapping (SecureRestInput, SecureSocketIOInput, and SecureAction with "
        "`identity: token`).",
        "components/secure-rest-input.md",
    ),
    Section(
        "Store wrappers",
        "rasa_secure.stores.options:OPTIONS",
        "The keys SecureTrackerStore and SecureEventBroker share (same meaning, same rules).",
        "components/secure-tracker-store.md",
    ),
    Section(
        "SecureEventBroker",
        "rasa_secure.stores.event_broker:BROKER_OPTIONS",
        "The `event_broker` section of `endpoints.yml`.",
        "components/secure-event-broker.md",
        ("Store wrappers",),
    ),
    Section(
        "SecureTrackerStore",
        "rasa_secure.stores.tracker_store:STORE_OPTIONS",
        "The `tracker_store` section of `endpoints.yml`.",
        "components/secure-tracker-store.md",
        ("Store wrappers",),
    ),
    Section(
        "SecureLockStore",
        "rasa_secure.stores.lock_store:LOCK_OPTIONS",
        "The `lock_store` section of `endpoints.yml`.",
        "lifecycle.md",
    ),
    Section(
        "PIILogFilter",
        "rasa_secure.stores.log_filter:OPTIONS",
        "The filter's entry in a logging configuration (`--logging-config-file`).",
        "components/log-filter.md",
    ),
    Section(
        "SecureAction",
        "rasa_secure.actions.guard:OPTIONS",
        "The action server's configuration file.",
        "components/secure-action.md",
    ),
    Section(
        "ActionServerAuth",
        "rasa_secure.actions.server_auth:OPTIONS",
        "The action server's check of the Rasa server's shared secret: the options of "
        "`attach(app, options)`; `rasa-secure actions` sets some from its command line.",
        "components/secure-action.md",
    ),
    Section(
        "HandoffAction",
        "rasa_secure.actions.handoff:OPTIONS",
        "The `options` class attribute of a HandoffAction subclass.",
        "components/handoff.md",
    ),
    Section(
        "HandoffClient",
        "rasa_secure.core.handoff:OPTIONS",
        "How handoffs reach the helpdesk: HandoffAction's `helpdesk` mapping.",
        "components/handoff.md",
    ),
    Section(
        "SecureHandoffInput",
        "rasa_secure.channel.secure_handoff:OPTIONS",
        "The helpdesk callback's section of `credentials.yml`.",
        "components/handoff.md",
    ),
    Section(
        "Anomaly monitor",
        "rasa_secure.monitoring.anomaly.settings:SPECS",
        "The `anomaly` section of the policy file, named by SecureRestInput's `anomaly_policy`.",
        "anomaly.md",
    ),
    Section(
        "rasa-secure pii",
        "rasa_secure.cli.pii:CONFIG_OPTIONS",
        "The YAML file given to `rasa-secure pii --config`.",
        "cli/pii.md",
    ),
)


def load(reference: str) -> Any:
    """The object a ``module:attribute`` reference names."""
    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)


def is_spec(value: Any) -> bool:
    """Whether ``value`` is a non-empty mapping of options."""
    return (
        isinstance(value, Mapping)
        and bool(value)
        and all(isinstance(option, Option) for option in value.values())
    )


def spec_of(value: Any) -> Optional[OptionSpec]:
    """``value`` if it is a spec, or the ``PARAMS`` spec of a class that declares one."""
    if isinstance(value, type):
        value = vars(value).get("PARAMS")
    return value if is_spec(value) else None


def specs_of(value: Any) -> Dict[str, OptionSpec]:
    """The specs of a section's object: itself (name ``""``), or one per entry of a mapping
    of names to specs or to classes with ``PARAMS`` (e.g. a registry of operators)."""
    if is_spec(value):
        return {"": value}
    if isinstance(value, Mapping) and value:
        subs = {str(getattr(name, "value", name)): spec_of(sub) for name, sub in value.items()}
        return {name: spec for name, spec in subs.items() if spec is not None}
    return {}


def declared() -> Iterator[Tuple[str, str, Option]]:
    """Every option declared anywhere in rasa_secure, at module level or as a class's
    ``PARAMS``: (where, key, option)."""
    for info in pkgutil.walk_packages(rasa_secure.__path__, "rasa_secure."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            own = spec_of(value) if isinstance(value, type) else None
            found = {"PARAMS": own} if own is not None else specs_of(value)
            for sub, spec in found.items():
                for key, option in spec.items():
                    yield f"{info.name}:{name}{'.' + sub if sub else ''}", key, option


def missing() -> List[str]:
    """Declared options that no section shows (``module:NAME key``)."""
    shown = {
        id(option)
        for section in SECTIONS
        for spec in specs_of(load(section.spec)).values()
        for option in spec.values()
    }
    found = {f"{where} {key}" for where, key, option in declared() if id(option) not in shown}
    return sorted(found)


def slug(title: str) -> str:
    """The anchor Python-Markdown's toc gives a heading."""
    text = re.sub(r"[^\w\s-]", "", title).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def type_text(option: Option) -> str:
    """The accepted types, and the accepted values of a closed set."""
    types = option.types if isinstance(option.types, tuple) else (option.types,)
    if int in types and float in types:
        types = tuple(kind for kind in types if kind is not int)  # a number, written either way
    text = " or ".join(TYPE_NAMES.get(kind, kind.__name__) for kind in types)
    if option.choices is not None:
        text += ": " + ", ".join(f"`{choice}`" for choice in option.choices)
    return text


def cell(text: str) -> str:
    """``text`` safe inside a table cell: shown as written, code spans kept."""
    parts = text.split("`")
    for index in range(0, len(parts), 2):  # outside code spans
        parts[index] = parts[index].replace("<", "&lt;").replace(">", "&gt;").replace("*", "\\*")
    return "`".join(parts).replace("|", "\\|")


def table(spec: OptionSpec, skip: Mapping[int, str]) -> List[str]:
    """The rows of one spec, then its long defaults as YAML."""
    lines = ["| Key | Default | Type | What it does |", "|---|---|---|---|"]
    long: Dict[str, Any] = {}
    for key, option in spec.items():
        if id(option) in skip:
            continue
        default = json.dumps(option.default, ensure_ascii=False)
        if len(default) > LONG:
            long[key] = option.default
            default = "below"
        else:
            default = f"`{default}`"
        lines.append(
            f"| `{key}` | {cell(default)} | {cell(type_text(option))} | {cell(option.doc)} |"
        )
    if long:
        lines += ["", "Defaults in full:", "", "```yaml"]
        lines += yaml.safe_dump(long, sort_keys=False, allow_unicode=True, width=88).splitlines()
        lines.append("```")
    return lines


def render() -> str:
    """The whole page."""
    lines = [
        "# Configuration options",
        "",
        "<!-- Generated by scripts/gen_options.py from the declared options; do not edit. -->",
        "",
        "Every key each part of rasa_secure accepts, with its default. Unknown keys and values of",
        "the wrong type are refused at start-up with an error that names the key. Regenerate this",
        "page with `python scripts/gen_options.py`; `tests/test_config.py` fails when it is stale.",
        "",
    ]
    rendered: Dict[str, OptionSpec] = {}
    for section in SECTIONS:
        specs = specs_of(load(section.spec))
        if not specs:
            raise TypeError(f"{section.spec} is not an OptionSpec")
        skip = {
            id(option): title for title in section.extends for option in rendered[title].values()
        }
        lines += [
            f"## {section.title}",
            "",
            f"{section.where} Documented in [{section.page}](../{section.page}).",
            "",
        ]
        if section.extends:
            bases = ", ".join(f"[{title}](#{slug(title)})" for title in section.extends)
            lines += [f"Takes every key of {bases}, and:", ""]
        for sub, spec in specs.items():
            if sub:
                lines += [f"### `{sub}`", ""]
            lines += [*table(spec, skip), ""]
        if "" in specs:
            rendered[section.title] = specs[""]
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: Any = None) -> int:
    """Rewrite the page, or with ``--check`` report whether it is up to date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    args = parser.parse_args(argv)
    page = render()
    if args.check:
        current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
        if current != page:
            print(f"{PAGE} is out of date: run python scripts/gen_options.py", file=sys.stderr)
            return 1
        return 0
    PAGE.parent.mkdir(parents=True, exist_ok=True)
    PAGE.write_text(page, encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
