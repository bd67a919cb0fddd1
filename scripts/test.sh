#!/usr/bin/env bash
# Set up and run every check: lint, type check, docs build, the whole test suite.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$ROOT"
echo "== ruff"; ruff check rasa_secure example_bot tests benchmarks scripts
echo "== ruff format"; ruff format --check rasa_secure example_bot tests benchmarks scripts
echo "== mypy"; mypy
echo "== mkdocs"; mkdocs build --strict --quiet --site-dir "$(mktemp -d)"
echo "== pytest"; exec python -m pytest "$@"
