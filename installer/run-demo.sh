#!/bin/sh
# Installs qdaapp in .venv and opens it on a fresh copy of the demo project.
set -eu
cd "$(dirname "$0")/.."
sh installer/system-deps.sh --gui
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
exec .venv/bin/qdaapp --demo "$@"
