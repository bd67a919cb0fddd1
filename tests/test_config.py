"""Config specs: merge before validate, and errors that name the key."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path
from typing import Any, Dict, Optional

import pytest

from rasa_secure.config import (
    Option,
    defaults,
    in_range,
    list_of,
    positive,
    read_yaml,
    regex_list,
    resolve,
)
from rasa_secure.errors import ConfigError, PolicyError

SPEC = {
    "threshold": Option(0.5, "score at which to act", (int, float), in_range(0.0, 1.0)),
    "max_length": Option(2000, "longest text analysed", int, positive),
    "mode": Option("block", "what to do", str, choices=("block", "flag")),
    "allow": Option(["hello"], "phrases never acted on", list, list_of(str)),
    "enabled": Option(True, "switch", bool),
    "patterns": Option([], "regular expressions", list, regex_list),
}


def test_defaults_are_copies() -> None:
    """Mutating a returned default never changes the spec."""
    first = defaults(SPEC)
    first["allow"].append("x")
    assert defaults(SPEC)["allow"] == ["hello"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, {}),  # nothing given: all defaults
        ({"threshold": 1}, {"threshold": 1}),  # an int is a fine number
        ({"mode": "flag", "allow": []}, {"mode": "flag", "allow": []}),  # partial override
    ],
)
def test_resolve_merges_over_defaults(given: Any, expected: Dict[str, Any]) -> None:
    """User values win; every other key keeps its default."""
    resolved = resolve(SPEC, given, owner="Screen")
    assert resolved == {**defaults(SPEC), **expected}


@pytest.mark.parametrize(
    ("given", "key", "problem"),
    [
        ({"treshold": 0.2}, "Screen.treshold", "unknown option"),  # a typo is never ignored
        ({"threshold": 1.5}, "Screen.threshold", "between 0.0 and 1.0"),
        ({"threshold": "high"}, "Screen.threshold", "expected int, float, got str"),
        ({"max_length": True}, "Screen.max_length", "expected int, got bool"),  # bool is no int
        ({"max_length": 0}, "Screen.max_length", "greater than 0"),
        ({"mode": "drop"}, "Screen.mode", "not a valid choice"),
        ({"allow": ["ok", 3]}, "Screen.allow", "item 1 must be str"),
        ({"enabled": "yes"}, "Screen.enabled", "expected bool"),
        ({"patterns": ["ok", "(unclosed"]}, "Screen.patterns", "item 1 is not a valid regular"),
        ({"patterns": [r"\d+", 7]}, "Screen.patterns", "item 1 must be str"),
    ],
)
def test_resolve_rejects_bad_values_naming_the_key(given: Any, key: str, problem: str) -> None:
    """Each invalid value raises a ConfigError whose key and message point at the mistake."""
    with pytest.raises(ConfigError) as caught:
        resolve(SPEC, given, owner="Screen")
    assert caught.value.key == key
    assert problem in str(caught.value)


def test_resolve_rejects_a_non_mapping() -> None:
    """A list where options belong is an error naming the owner."""
    with pytest.raises(ConfigError, match=r"^Screen: expected a mapping"):
        resolve(SPEC, ["threshold"], owner="Screen")  # type: ignore[arg-type]


def test_resolve_drops_keys_the_host_adds() -> None:
    """Keys a framework injects (listed in ignore) are neither errors nor kept."""
    assert "name" not in resolve(SPEC, {"name": "Screen"}, owner="Screen", ignore=("name",))


def test_config_error_lists_allowed_values() -> None:
    """The error message says what would have been accepted."""
    with pytest.raises(ConfigError, match=r"allowed: block, flag"):
        resolve(SPEC, {"mode": "x"}, owner="Screen")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "cannot read"),  # the named file does not exist
        ("a: [1, 2\nb: 3\n", "is not valid YAML at line"),  # the line, not the file's text
        # a second entry for the same action would silently replace the first
        ("actions:\n  x: {roles: [a]}\n  x: {roles: [b]}\nb: 3\n", "at line 3: duplicate key"),
    ],
)
def test_read_yaml_refuses_unreadable_or_invalid_files(
    tmp_path: Path, content: Optional[str], problem: str
) -> None:
    """Errors name the setting that pointed at the file and say what is wrong with it."""
    path = tmp_path / "options.yml"
    if content is not None:
        path.write_text(content)
    with pytest.raises(PolicyError) as caught:
        read_yaml(path, key="policy_file", error=PolicyError)
    assert caught.value.key == "policy_file"
    assert problem in str(caught.value)
    assert "b: 3" not in str(caught.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("threshold: 0.7\n", {"threshold": 0.7}),
        ("", None),  # an empty file is no content, for the caller to default
        # a key beside a YAML merge overrides the merged one: not a duplicate
        (
            "d: &d {a: 1, b: 2}\nx:\n  <<: *d\n  a: 3\n",
            {"d": {"a": 1, "b": 2}, "x": {"a": 3, "b": 2}},
        ),
    ],
)
def test_read_yaml_returns_the_parsed_content(tmp_path: Path, content: str, expected: Any) -> None:
    """A readable file comes back parsed."""
    path = tmp_path / "options.yml"
    path.write_text(content)
    assert read_yaml(path, key="config") == expected


def _options_page() -> Any:
    """scripts/gen_options.py, loaded as a module (scripts/ is no package)."""
    path = Path(__file__).resolve().parent.parent / "scripts" / "gen_options.py"
    spec = importlib.util.spec_from_file_location("gen_options", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_options_page_matches_the_declarations() -> None:
    """docs/reference/options.md is what the declared options generate (else regenerate it)."""
    generator = _options_page()
    assert generator.PAGE.read_text(encoding="utf-8") == generator.render(), (
        "docs/reference/options.md is stale: run python scripts/gen_options.py"
    )


def test_options_page_shows_every_declared_option() -> None:
    """An OptionSpec declared anywhere in rasa_secure is on the page (add it to SECTIONS)."""
    assert _options_page().missing() == []


def test_options_page_follows_a_changed_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Changing a declared default changes the page, so the drift test above can fail."""
    generator = _options_page()
    reference = generator.SECTIONS[0].spec
    spec = generator.load(reference)
    key, option = next(iter(spec.items()))
    changed = {**spec, key: dataclasses.replace(option, default="changed-default")}
    real_load = generator.load
    monkeypatch.setattr(
        generator, "load", lambda ref: changed if ref == reference else real_load(ref)
    )
    page = generator.render()
    assert page != generator.PAGE.read_text(encoding="utf-8")
    assert f'| `{key}` | `"changed-default"` |' in page
