#!/bin/sh
# Builds the Linux one-folder bundle installer/dist/qdaapp with PyInstaller and checks it.
#
#   sh installer/build.sh
#
# Uses (and creates on first run) the build virtualenv installer/.venv-build, installs qdaapp there
# non-editable together with PyInstaller, runs installer/qdaapp.spec, then the bundle's own selftest and
# the checks in installer/check-bundle.sh, and packs installer/dist/qdaapp-VERSION-linux-ARCH.tar.gz
# (the bundle plus install-linux.sh; QDAAPP_ARCHIVE=0 skips it). Exits non-zero if a step fails or the bundle
# is over QDAAPP_MAX_BUNDLE_MB (default 300) megabytes. PYTHON picks the interpreter (default python3, 3.11 or newer,
# built with a shared libpython as PyInstaller needs).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
VENV="$HERE/.venv-build"
WORK="$HERE/build"
DIST="$HERE/dist"
BUNDLE="$DIST/qdaapp"
PY=${PYTHON:-python3}
MAX_MB=${QDAAPP_MAX_BUNDLE_MB:-300}
PYINSTALLER_REQ=${QDAAPP_PYINSTALLER:-"pyinstaller>=6.10,<7"}
PIP="-m pip install -q --disable-pip-version-check"
started=$(date +%s)

say() { printf '== %s\n' "$*"; }
elapsed() { s=$(( $(date +%s) - started )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

sh "$HERE/system-deps.sh"

say "build environment $VENV"
if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
        echo "build.sh: $PY is older than Python 3.11; set PYTHON to a newer interpreter" >&2; exit 1; }
    "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" $PIP "$PYINSTALLER_REQ"

# pip builds a local project in its own folder (build/, *.egg-info), so it gets a clean copy of the sources.
say "installing qdaapp (not editable) from a copy of $ROOT"
SRC="$WORK/src"
rm -rf "$SRC"
mkdir -p "$SRC"
for f in pyproject.toml README.md LICENSE LICENSE.txt COPYING; do
    if [ -f "$ROOT/$f" ]; then cp "$ROOT/$f" "$SRC/"; fi
done
(cd "$ROOT" && tar cf - --exclude=__pycache__ --exclude='*.pyc' qdaapp) | (cd "$SRC" && tar xf -)
"$VENV/bin/python" $PIP "$SRC"
rm -rf "$SRC"

say "PyInstaller"
rm -rf "$BUNDLE"
(cd "$WORK" && "$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK/pyinstaller" "$HERE/qdaapp.spec")

say "checking the bundle"
sh "$HERE/check-bundle.sh" "$BUNDLE"

size_kb=$(du -sk "$BUNDLE" | cut -f1)
size_mb=$(( (size_kb + 1023) / 1024 ))
say "bundle $BUNDLE: $size_mb MB ($(du -sh "$BUNDLE" | cut -f1)), $(find "$BUNDLE" -type f | wc -l) files"
if [ "$size_mb" -gt "$MAX_MB" ]; then
    echo "build.sh: the bundle is $size_mb MB, over the $MAX_MB MB limit" >&2
    exit 1
fi
say "build took $(elapsed)"

# A release archive: the bundle with the installer, for machines without the source tree.
if [ "${QDAAPP_ARCHIVE:-1}" != 0 ]; then
    version=$("$VENV/bin/python" -c 'import qdaapp; print(qdaapp.__version__)')
    name="qdaapp-$version-linux-$(uname -m)"
    stage="$WORK/archive"
    rm -rf "$stage" "$DIST/$name.tar.gz"
    mkdir -p "$stage/$name"
    cp -al "$BUNDLE" "$stage/$name/qdaapp"
    cp "$HERE/install-linux.sh" "$HERE/qdaapp.desktop" "$HERE/qdaapp-mime.xml" "$stage/$name/"
    tar -C "$stage" --owner=0 --group=0 -czf "$DIST/$name.tar.gz" "$name"
    rm -rf "$stage"
    say "archive $DIST/$name.tar.gz ($(du -sh "$DIST/$name.tar.gz" | cut -f1)); total $(elapsed)"
fi
say "done: run $BUNDLE/qdaapp, or install it for this user with: sh installer/install-linux.sh"
