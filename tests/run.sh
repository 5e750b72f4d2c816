#!/bin/sh
# Installs everything the tests need and runs the whole suite:
#  1. the layering contract (import-linter): qdaapp.core never imports Qt, the GUI or the CLI;
#     then ruff (rule sets in pyproject.toml) over the whole tree and mypy over qdaapp/core;
#  2. the core tests in a second environment where PySide6 is NOT installed;
#  3. the CLI and GUI tests (Qt offscreen) in the full environment;
#  4. the wheel, installed into a fresh environment outside the source tree, passes `qdaapp --selftest`.
# A throwaway PostgreSQL server (tests/pg_server.py: Debian's package, initdb into a temporary folder, a free
# port of 127.0.0.1) serves the server tests and is stopped at the end. Where it cannot be installed the
# server tests are skipped and the summary says so; under CI (CI=true) that is an error.
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

echo "== PostgreSQL for the server tests"
PGRUN=$(mktemp -d)
WHEELTEST=""
trap '.venv/bin/python tests/pg_server.py stop "$PGRUN"; rm -rf "$PGRUN" ${WHEELTEST:+"$WHEELTEST"}' EXIT
if .venv/bin/python tests/pg_server.py start "$PGRUN" > "$PGRUN/url"; then
    QDAAPP_TEST_PG=$(cat "$PGRUN/url")
    export QDAAPP_TEST_PG
    echo "server at $QDAAPP_TEST_PG"
elif [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL could not be started: CI must run the server tests" >&2; exit 1
else
    echo "PostgreSQL could not be started here: the server tests will be skipped" >&2
fi

echo "== layering contract"
.venv/bin/lint-imports
echo "== ruff"
.venv/bin/ruff check .
echo "== mypy, qdaapp/core"
.venv/bin/mypy
echo "== core tests, PySide6 not installed"
.venv-core/bin/python -m pytest tests/core -q -p no:cacheprovider "$@"
echo "== CLI, plugin and GUI tests"
QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest tests/cli tests/plugins tests/gui -q -p no:cacheprovider "$@"
echo "== the wheel installs whole: qdaapp --selftest in a fresh environment outside the source tree"
# The GUI toolkit is left out of that environment (the selftest is headless); the other dependencies come from
# the same package indexes as above, so nothing new is fetched.
WHEELTEST=$(mktemp -d)
# built from a clean copy: a build/ folder left in the checkout would be packed again as it is
mkdir "$WHEELTEST/src"
cp -R pyproject.toml setup.py MANIFEST.in README.md qdaapp resources plugins "$WHEELTEST/src/"
.venv/bin/python -m pip wheel -q --disable-pip-version-check --no-deps -w "$WHEELTEST/dist" "$WHEELTEST/src"
$PY -m venv "$WHEELTEST/env"
.venv/bin/python - > "$WHEELTEST/requirements.txt" <<'PYEOF'
import tomllib
deps = tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]
print("\n".join(d for d in deps if not d.lower().startswith("pyside6")))
PYEOF
"$WHEELTEST/env/bin/python" $PIP -r "$WHEELTEST/requirements.txt"
"$WHEELTEST/env/bin/python" $PIP --no-deps "$WHEELTEST"/dist/qdaapp-*.whl
(cd "$WHEELTEST" && env -u PYTHONPATH -u QDAAPP_RESOURCES "$WHEELTEST/env/bin/qdaapp" --selftest)
