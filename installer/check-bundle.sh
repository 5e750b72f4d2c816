#!/bin/sh
# Checks a built bundle, headless, in a temporary folder:
#   sh installer/check-bundle.sh [installer/dist/qdaapp]
# the bundle's own selftest; English and French lemmas (the lookup tables shipped from spacy-lookups-data);
# the shipped plugins load (an RTF import through a folder plugin, a plugin chart as PNG and SVG); a flow chart
# as PDF and the framework matrix as XLSX and DOCX; no dangling links; which libraries are left to the system.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
BUNDLE=$(cd "${1:-$HERE/dist/qdaapp}" && pwd)
APP="$BUNDLE/qdaapp"
[ -x "$APP" ] || { echo "check-bundle.sh: no executable $APP" >&2; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/qdaapp-bundle-check.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export QDAAPP_HOME="$TMP/home"
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
cd "$TMP"

fail() { echo "check-bundle.sh: FAILED: $*" >&2; exit 1; }
quiet() { "$@" >"$TMP/out.txt" 2>&1 || { cat "$TMP/out.txt" >&2; fail "$*"; }; }
magic() { head -c "$2" "$1" | od -An -c | tr -d ' \n'; }

echo "-- qdaapp --selftest"
"$APP" --selftest || fail "the bundle's selftest"

echo "-- lemmas: 'have' finds 'had' (en), 'manger' finds 'mangé' (fr)"
printf 'P1: We had to find the time.\n' > en.txt
printf 'P1: Nous avons mangé des pommes.\n' > fr.txt
printf '{\\rtf1\\ansi We had to leave early.\\par}\n' > notes.rtf
quiet "$APP" new t.qda --coder check
quiet "$APP" import t.qda en.txt --language en
quiet "$APP" import t.qda fr.txt --language fr
quiet "$APP" index t.qda
"$APP" search t.qda have --forms --json | grep -q '"text": "had"' \
    || fail "English lemmas: a --forms search for 'have' does not find 'had' (en_lemma_lookup missing?)"
"$APP" search t.qda manger --forms --json | grep -q '"text": "mangé"' \
    || fail "French lemmas: a --forms search for 'manger' does not find 'mangé' (fr_lemma_lookup missing?)"

echo "-- shipped plugins"
"$APP" plugins list --json > plugins.json
for manifest in "$BUNDLE"/_internal/plugins/*/qdaapp-plugin.toml; do
    name=$(sed -n 's/^name *= *"\(.*\)".*/\1/p' "$manifest" | head -n 1)
    grep -q "\"name\": \"$name\"" plugins.json || fail "the shipped plugin '$name' is not found"
done
if grep -q '"error": "' plugins.json; then cat plugins.json >&2; fail "a shipped plugin does not load"; fi
quiet "$APP" import t.qda notes.rtf
quiet "$APP" markers t.qda
quiet "$APP" analysis t.qda marker-density --out density.png
quiet "$APP" analysis t.qda marker-density --out density.svg
[ "$(magic density.png 4)" = "211PNG" ] || fail "the marker-density chart is not a PNG"
grep -q "<svg" density.svg || fail "the marker-density chart is not an SVG"

echo "-- exports: flow chart PDF, framework XLSX and DOCX"
quiet "$APP" account add t.qda "Referral pathway"
quiet "$APP" fragment add t.qda "Referral pathway" --summary "The manager asked us; we had to." --act manipulation
quiet "$APP" flowchart t.qda "Referral pathway" --out flow.pdf
quiet "$APP" framework t.qda --out matrix.xlsx
quiet "$APP" framework t.qda --out matrix.docx
[ "$(magic flow.pdf 4)" = "%PDF" ] || fail "the flow chart is not a PDF"
[ "$(magic matrix.xlsx 2)" = "PK" ] && [ "$(magic matrix.docx 2)" = "PK" ] || fail "the framework exports"

echo "-- shared libraries"
dangling=$(find "$BUNDLE" -xtype l)
[ -z "$dangling" ] || fail "links to files left out of the bundle: $dangling"
missing=""
for lib in $(find "$BUNDLE/_internal" -name '*.so*' -type f | sort); do
    for dep in $(LD_LIBRARY_PATH="$BUNDLE/_internal" ldd "$lib" 2>/dev/null | awk '/not found/ {print $1}'); do
        case " $missing " in *" $dep "*) ;; *) missing="$missing $dep" ;; esac
    done
done
if [ -n "$missing" ]; then
    echo "   not in the bundle nor on this machine (a desktop provides them):$missing"
fi
echo "bundle checks passed"
