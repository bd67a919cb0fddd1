#!/usr/bin/env bash
# Re-resolve every dependency in a scratch venv and rewrite requirements/constraints.txt.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT
RASA_SECURE_VENV="$SCRATCH/venv"
PY="$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin/python3.10 | head -n1)"
"${RASA_SECURE_PYTHON:-$PY}" -m venv "$RASA_SECURE_VENV"
"$RASA_SECURE_VENV/bin/python" -m pip install --quiet -e "$ROOT[nlu,actions,pii,dev]"
{
    echo "# Exact versions the test suite ran with (pip freeze of the project venv, Python 3.10)."
    echo "# Used as pip constraints by scripts/bootstrap.sh. Regenerate: scripts/lock.sh"
    "$RASA_SECURE_VENV/bin/python" -m pip freeze --exclude-editable | grep -v -iE "^rasa-secure"
} > "$ROOT/requirements/constraints.txt"
echo "lock: wrote requirements/constraints.txt; update docs/compatibility.md to match" \
    "(tests/test_project.py lists the rows that differ)"
