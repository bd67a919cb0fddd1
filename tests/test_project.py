"""The project's own files agree with each other: CI, README, pre-commit, lock, docs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _read(path: str) -> str:
    return (ROOT / path).read_text(encoding="utf-8")


def _commands(text: str) -> list[str]:
    """The non-comment, non-blank lines of a shell script or a fenced bash block."""
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.strip().startswith(("#", "set ", "cd ", "export "))
    ]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    """.ci/run's one command is the README's test command (the README's promise is what CI runs)."""
    blocks = re.findall(r"```bash\n(.*?)```", _read("README.md"), flags=re.S)
    readme = [command for block in blocks for command in _commands(block)]
    assert "bash scripts/test.sh" in readme
    assert _commands(_read(".ci/run")) == ["bash scripts/test.sh"]


def test_pre_commit_runs_the_static_checks_of_test_sh() -> None:
    """Each pre-commit hook is a check of scripts/test.sh; ruff, its format check and mypy run."""
    config = yaml.safe_load(_read(".pre-commit-config.yaml"))
    entries = [hook["entry"] for repo in config["repos"] for hook in repo["hooks"]]
    script = _read("scripts/test.sh")
    for entry in entries:
        assert entry in script, f"{entry!r} is not what scripts/test.sh runs"
    for check in ("ruff check", "ruff format --check", "mypy"):
        assert any(entry.startswith(check) for entry in entries), f"no hook runs {check}"


def _normal(name: str) -> str:
    """A package name as pip compares it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked() -> Dict[str, str]:
    """Package name (normalised) -> version, from the lock file and the spaCy model pin."""
    versions = {}
    for path in ("requirements/constraints.txt", "requirements/spacy-model.txt"):
        for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", _read(path), flags=re.M):
            versions[_normal(name)] = version
    return versions


def test_compatibility_page_lists_the_locked_versions() -> None:
    """docs/compatibility.md states the versions the tests ran with (update it after lock.sh)."""
    rows = re.findall(r"^\| `([^`]+)` \| ([^ |]+) \|", _read("docs/compatibility.md"), flags=re.M)
    assert len(rows) >= 10
    locked = _locked()
    stale = {
        name: (version, locked.get(_normal(name)))
        for name, version in rows
        if locked.get(_normal(name)) != version
    }
    assert stale == {}, "page version, locked version"


def test_requires_python_is_what_the_docs_say() -> None:
    """pyproject's requires-python and the compatibility page name the same Python."""
    assert 'requires-python = ">=3.10,<3.11"' in _read("pyproject.toml")
    assert '`requires-python = ">=3.10,<3.11"`' in _read("docs/compatibility.md")


def test_no_module_is_over_500_lines() -> None:
    """Why: one concern per module (issue 18); a module that grows past this is split."""
    package = Path(__file__).resolve().parent.parent / "rasa_secure"
    sizes = {
        str(path.relative_to(package)): len(path.read_text(encoding="utf-8").splitlines())
        for path in package.rglob("*.py")
    }
    assert {name: size for name, size in sizes.items() if size > 500} == {}
