"""The architecture holds: each layer imports only what its side of a deployment has.

* the detection core imports neither ``rasa`` nor ``rasa_sdk``, and loads heavy libraries
  (Presidio, spaCy, scikit-learn, TensorFlow) lazily, never at import time;
* the action-server side imports ``rasa_sdk`` but never ``rasa`` or TensorFlow;
* the command line starts without Rasa.
Each check runs in a fresh interpreter in which the forbidden packages cannot be imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

IMPORT_ALL = """
import importlib, pkgutil, sys

class Blocked:
    def __init__(self, names):
        self.names = names
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.names:
            raise ImportError(f"{name} is not importable in this layer")
        return None

sys.meta_path.insert(0, Blocked(set(sys.argv[1].split(","))))
package = importlib.import_module(sys.argv[2])
for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    importlib.import_module(info.name)
"""

HEAVY = "tensorflow,presidio_analyzer,presidio_anonymizer,spacy,sklearn"


@pytest.mark.parametrize(
    ("package", "blocked"),
    [
        ("rasa_secure.core", f"rasa,rasa_sdk,sanic,{HEAVY}"),  # serves every side
        ("rasa_secure.actions", f"rasa,{HEAVY}"),  # the action server has no rasa, no TF
        ("rasa_secure.cli", f"rasa,rasa_sdk,{HEAVY}"),  # the CLI starts fast
    ],
)
def test_layer_imports_without_forbidden_packages(package: str, blocked: str) -> None:
    """Every module of the layer imports with the forbidden packages made unimportable."""
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL, blocked, package],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_actions_extra_never_resolves_rasa_or_tensorflow(tmp_path: Path) -> None:
    """Installing ``rasa-secure[actions]`` pulls rasa-sdk but neither rasa nor TensorFlow."""
    report = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--dry-run", "--ignore-installed",
         "--report", str(report), "-c", str(REPO / "requirements" / "constraints.txt"),
         f"{REPO}[actions]"],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    names = {item["metadata"]["name"].lower() for item in json.loads(report.read_text())["install"]}
    assert "rasa-sdk" in names
    assert not names & {"rasa", "tensorflow", "tensorflow-cpu", "keras"}


def test_public_surface_resolves_lazily() -> None:
    """Every name ``rasa_secure`` exports resolves, and importing the package loads none of them.

    Why: ``import rasa_secure`` runs in the CLI and the action server; the detectors' modules
    (numpy, the rule tables) must load only when a name is used.
    """
    script = (
        "import sys, rasa_secure\n"
        "early = sorted(m for m in sys.modules if m.startswith('rasa_secure.core'))\n"
        "missing = [n for n in rasa_secure.__all__ if getattr(rasa_secure, n, None) is None]\n"
        "print(early, missing)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[] []"


def test_public_surface_lists_agree() -> None:
    """The lazy-name map, the type checkers' imports and ``__all__`` name the same things.

    Why: ``rasa_secure/__init__.py`` must spell its lazy names out three times (type checkers
    need literal lists); a name added to one list only would be untyped, or not exported.
    """
    import ast

    import rasa_secure
    import rasa_secure.errors

    tree = ast.parse(Path(rasa_secure.__file__).read_text(encoding="utf-8"))
    typed = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for statement in node.body
        if isinstance(statement, ast.ImportFrom)
        for alias in statement.names
    }
    lazy = set(rasa_secure._LAZY)
    errors = {name for name in rasa_secure.__all__ if hasattr(rasa_secure.errors, name)}
    assert typed == lazy
    assert set(rasa_secure.__all__) == lazy | errors | {"__version__"}
    assert len(rasa_secure.__all__) == len(set(rasa_secure.__all__))
