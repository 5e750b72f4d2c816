#!/bin/sh
# Installs the Debian/Ubuntu libraries Qt needs on a bare machine, if any are missing.
#   sh installer/system-deps.sh          what Qt needs offscreen (the tests)
#   sh installer/system-deps.sh --gui    also what Qt's X11 (xcb) platform needs to show a window
set -eu
PKGS="libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3"
if [ "${1:-}" = "--gui" ]; then
    PKGS="$PKGS libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0"
    PKGS="$PKGS libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0"
fi
command -v dpkg-query >/dev/null 2>&1 || exit 0
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Qt needs these system packages:$missing - ask an administrator to install them." >&2; exit 1
fi
echo "Installing Qt system libraries:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
