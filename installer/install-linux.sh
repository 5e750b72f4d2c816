#!/bin/sh
# Installs the qdaapp bundle for the current user (no administrator rights needed), so qdaapp appears in the
# applications menu and .qda project files open in it with a double-click.
#
#   sh install-linux.sh             install (or update) from the bundle beside this script
#   sh install-linux.sh BUNDLE      install from the bundle folder BUNDLE (the one holding the qdaapp program)
#   sh install-linux.sh --uninstall remove it again (projects and settings are kept)
#
# The bundle goes to ~/.local/opt/qdaapp, the menu entry to ~/.local/share/applications, the icons to
# ~/.local/share/icons/hicolor, the .qda file type to ~/.local/share/mime and a qdaapp command to ~/.local/bin.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
TARGET=${QDAAPP_INSTALL_DIR:-$HOME/.local/opt/qdaapp}
BIN="$HOME/.local/bin"
APPS="$DATA/applications"
HICOLOR="$DATA/icons/hicolor"
MIME="$DATA/mime"
MIME_TYPE=application-x-qdaapp-project
SIZES="48 128 256"

refresh() {
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$APPS" 2>/dev/null || true
    command -v update-mime-database >/dev/null 2>&1 && update-mime-database "$MIME" >/dev/null 2>&1 || true
    # only an existing icon cache is refreshed: a new one would hide icons that other programs add later
    if [ -f "$HICOLOR/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t -f "$HICOLOR" 2>/dev/null || true
    fi
}

is_bundle() { [ -x "$1/qdaapp" ] && [ -d "$1/_internal" ]; }
if [ -e "$TARGET" ] && ! is_bundle "$TARGET"; then
    echo "install-linux.sh: $TARGET exists and is not a qdaapp bundle; leaving it alone" >&2; exit 1
fi

if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$TARGET"
    rm -f "$APPS/qdaapp.desktop" "$MIME/packages/qdaapp.xml" "$HICOLOR/scalable/apps/qdaapp.svg" \
        "$HICOLOR/scalable/mimetypes/$MIME_TYPE.svg"
    for s in $SIZES; do
        rm -f "$HICOLOR/${s}x${s}/apps/qdaapp.png" "$HICOLOR/${s}x${s}/mimetypes/$MIME_TYPE.png"
    done
    if [ -L "$BIN/qdaapp" ] && [ "$(readlink "$BIN/qdaapp")" = "$TARGET/qdaapp" ]; then rm -f "$BIN/qdaapp"; fi
    refresh
    echo "qdaapp was removed. Your projects and settings are untouched."
    exit 0
fi

if [ $# -gt 0 ]; then
    SOURCE=$1
elif [ -x "$HERE/qdaapp/qdaapp" ]; then
    SOURCE="$HERE/qdaapp"  # an unpacked release archive
else
    SOURCE="$HERE/dist/qdaapp"  # the source tree after installer/build.sh
fi
is_bundle "$SOURCE" || {
    echo "install-linux.sh: no qdaapp bundle in $SOURCE (build it with: sh installer/build.sh)" >&2; exit 1; }
SOURCE=$(cd "$SOURCE" && pwd)
ICONS="$SOURCE/_internal/resources/icons"
for f in "$HERE/qdaapp.desktop" "$HERE/qdaapp-mime.xml" "$ICONS/qdaapp.svg"; do
    [ -f "$f" ] || { echo "install-linux.sh: $f is missing" >&2; exit 1; }
done

echo "Installing qdaapp to $TARGET"
mkdir -p "$(dirname "$TARGET")"
if [ "$SOURCE" != "$TARGET" ]; then
    rm -rf "$TARGET.new"
    cp -a "$SOURCE" "$TARGET.new"
    rm -rf "$TARGET"
    mv "$TARGET.new" "$TARGET"
fi

mkdir -p "$BIN"
if [ ! -e "$BIN/qdaapp" ] || [ -L "$BIN/qdaapp" ]; then
    ln -sf "$TARGET/qdaapp" "$BIN/qdaapp"
fi

mkdir -p "$APPS"
sed -e "s|^Exec=.*|Exec=\"$TARGET/qdaapp\" %f|" -e "s|^TryExec=.*|TryExec=$TARGET/qdaapp|" \
    "$HERE/qdaapp.desktop" > "$APPS/qdaapp.desktop"
chmod 644 "$APPS/qdaapp.desktop"

mkdir -p "$HICOLOR/scalable/apps" "$HICOLOR/scalable/mimetypes"
cp "$ICONS/qdaapp.svg" "$HICOLOR/scalable/apps/qdaapp.svg"
cp "$ICONS/qdaapp.svg" "$HICOLOR/scalable/mimetypes/$MIME_TYPE.svg"
for s in $SIZES; do
    if [ -f "$ICONS/qdaapp-$s.png" ]; then
        mkdir -p "$HICOLOR/${s}x${s}/apps" "$HICOLOR/${s}x${s}/mimetypes"
        cp "$ICONS/qdaapp-$s.png" "$HICOLOR/${s}x${s}/apps/qdaapp.png"
        cp "$ICONS/qdaapp-$s.png" "$HICOLOR/${s}x${s}/mimetypes/$MIME_TYPE.png"
    fi
done

mkdir -p "$MIME/packages"
cp "$HERE/qdaapp-mime.xml" "$MIME/packages/qdaapp.xml"
refresh

echo "qdaapp is installed: open it from your applications menu (Office, Education or Science),"
echo "double-click a .qda project, or type qdaapp in a terminal. Remove it with: sh $0 --uninstall"
