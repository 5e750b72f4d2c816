#!/bin/sh
# Installs everything the tests need and runs the whole suite:
#  1. the layering contract (import-linter): qdaapp.core never imports Qt, the GUI or the CLI;
#  2. the core tests in a second environment where PySide6 is NOT installed;
#  3. the CLI and GUI tests (Qt offscreen) in the full environment.
set -eu
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
PIP="-m pip install -q --disable-pip-version-check"
sh installer/system-deps.sh

[ -x .venv/bin/python ] || $PY -m venv .venv
.venv/bin/python $PIP -e ".[test]"

[ -x .venv-core/bin/python ] || $PY -m venv .venv-core
.venv/bin/python - > .venv-core/requirements.txt <<'PYEOF'
import tomllib
meta = tomllib.load(open("pyproject.toml", "rb"))["project"]
deps = meta["dependencies"] + meta["optional-dependencies"]["test"]
print("\n".join(d for d in deps if not d.lower().startswith(("pyside6", "pytest-qt"))))
PYEOF
.venv-core/bin/python $PIP -r .venv-core/requirements.txt
.venv-core/bin/python $PIP --no-deps -e .
if .venv-core/bin/python -c "import PySide6" 2>/dev/null; then
    echo "PySide6 must not be installed in .venv-core" >&2; exit 1
fi

echo "== layering contract"
.venv/bin/lint-imports
echo "== core tests, PySide6 not installed"
.venv-core/bin/python -m pytest tests/core -q -p no:cacheprovider "$@"
echo "== CLI, plugin and GUI tests"
QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest tests/cli tests/plugins tests/gui -q -p no:cacheprovider "$@"
