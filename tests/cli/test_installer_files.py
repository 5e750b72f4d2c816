"""The installer's files are in place and consistent (fast: nothing is built)."""

from __future__ import annotations

import ast
import configparser
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ..conftest import ROOT

INSTALLER = ROOT / "installer"
SPEC = INSTALLER / "qdaapp.spec"
DESKTOP = INSTALLER / "qdaapp.desktop"
MIME_XML = INSTALLER / "qdaapp-mime.xml"
ICONS = ROOT / "resources" / "icons"
SVG_NS = "{http://www.w3.org/2000/svg}"
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73")


def spec_tree() -> ast.Module:
    return ast.parse(SPEC.read_text(encoding="utf-8"), str(SPEC))


def spec_helpers() -> dict:
    """The spec's constants and its pure helper functions (tree, keep), run without PyInstaller."""
    wanted_functions = {"tree", "keep", "_plugin_name"}
    prefixes = ("QT_", "SKIP_", "LOOKUP_", "SYSTEM_")

    def wanted(node: ast.stmt) -> bool:
        if isinstance(node, ast.FunctionDef):
            return node.name in wanted_functions
        return isinstance(node, ast.Assign) and all(
            isinstance(t, ast.Name) and t.id.startswith(prefixes) for t in node.targets)

    nodes = [node for node in spec_tree().body if wanted(node)]
    namespace: dict = {"Path": Path}
    exec(compile(ast.Module(body=nodes, type_ignores=[]), str(SPEC), "exec"), namespace)
    assert wanted_functions <= namespace.keys()
    return namespace


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


# ---------------------------------------------------------------------- the PyInstaller spec
def test_spec_parses_and_names_a_one_folder_bundle() -> None:
    source = SPEC.read_text(encoding="utf-8")
    spec_tree()
    calls = {node.func.id for node in ast.walk(spec_tree())
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert {"Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE"} <= calls
    assert 'name="qdaapp"' in source
    assert 'contents_directory="_internal"' in source
    assert (INSTALLER / "qdaapp-launch.py").is_file()
    for hook in ("hook-spacy.py", "hook-thinc.py"):
        ast.parse((INSTALLER / "hooks" / hook).read_text(encoding="utf-8"))


def test_spec_ships_resources_plugins_migrations_and_lookups() -> None:
    source = SPEC.read_text(encoding="utf-8")
    assert 'tree(ROOT / "resources", "resources")' in source
    assert 'tree(ROOT / "plugins", "plugins")' in source
    assert '"qdaapp/core/migrations"' in source and ".mako" in source
    assert 'copy_metadata("spacy_lookups_data")' in source
    assert "_lemma_lookup*" in source and '"spacy_lookups_data/data"' in source
    assert set(spec_helpers()["LOOKUP_LANGUAGES"]) == {"en", "fr"}


def test_spec_data_layout_matches_what_the_app_looks_for() -> None:
    tree = spec_helpers()["tree"]
    shipped = {str(Path(dest) / Path(src).name) for src, dest in tree(ROOT / "resources", "resources")}
    assert "resources/lexicons/greimas-en.toml" in shipped
    assert "resources/icons/qdaapp.svg" in shipped
    assert any(p.startswith("resources/frames/") for p in shipped)
    assert not any("__pycache__" in p for p in shipped)
    plugins = {str(Path(dest) / Path(src).name) for src, dest in tree(ROOT / "plugins", "plugins")}
    manifests = sorted((ROOT / "plugins").glob("*/qdaapp-plugin.toml"))
    assert manifests and all(f"plugins/{m.parent.name}/qdaapp-plugin.toml" in plugins for m in manifests)
    migrations = ROOT / "qdaapp" / "core" / "migrations"
    shipped = {str(Path(dest) / Path(src).name)
               for src, dest in tree(migrations, "qdaapp/core/migrations", {".py", ".mako"})}
    assert {"qdaapp/core/migrations/env.py", "qdaapp/core/migrations/script.py.mako"} <= shipped
    versions = {f"qdaapp/core/migrations/versions/{p.name}" for p in (migrations / "versions").glob("*.py")}
    assert versions and versions <= shipped


def test_spec_keeps_the_qt_parts_the_app_uses_and_drops_the_rest() -> None:
    keep = spec_helpers()["keep"]
    kept = [
        "PySide6/Qt/lib/libQt6Core.so.6", "PySide6/Qt/lib/libQt6Svg.so.6", "PySide6/QtWidgets.abi3.so",
        "PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so", "PySide6/Qt/plugins/imageformats/libqsvg.so",
        "PySide6/Qt/plugins/iconengines/libqsvgicon.so", "PySide6/Qt/translations/qtbase_fr.qm",
        "PySide6/plugins/platforms/qwindows.dll", "spacy/lang/fr/stop_words.py", "qdaapp/core/migrations/env.py",
        "libpython3.11.so.1.0", "libsqlite3.so.0", "libxcb-cursor.so.0", "libQt6Core.so.6",
    ]
    dropped = [
        "PySide6/Qt/lib/libQt6Pdf.so.6", "PySide6/Qt/lib/libQt6Quick.so.6",
        "PySide6/Qt/plugins/platforms/libqeglfs.so", "PySide6/Qt/plugins/imageformats/libqpdf.so",
        "PySide6/Qt/plugins/sqldrivers/libqsqlite.so", "PySide6/Qt/plugins/qmltooling/libqmldbg_tcp.so",
        "PySide6/Qt/translations/qtbase_ja.qm", "spacy/tests/conftest.py",
        "libQt6Network.so.6", "libX11.so.6", "libglib-2.0.so.0", "libstdc++.so.6", "libfontconfig.so.1",
    ]
    assert [d for d in kept if not keep(d)] == []
    assert [d for d in dropped if keep(d)] == []


def test_spec_excludes_unused_heavy_modules() -> None:
    excludes = next(ast.literal_eval(node.value) for node in spec_tree().body
                    if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "EXCLUDES")
    for name in ("tkinter", "matplotlib", "IPython", "pytest", "hypothesis", "torch",
                 "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtWebEngineCore", "PySide6.QtNetwork"):
        assert name in excludes
    used = {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtSvg"}
    assert not used & set(excludes)
    imported = set()
    for path in (ROOT / "qdaapp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("PySide6."):
                imported.add(node.module)
    assert not imported & set(excludes), "the spec leaves out a Qt module that qdaapp imports"


# ---------------------------------------------------------------------- desktop entry and file type
def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(DESKTOP.read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def test_desktop_entry_has_the_required_keys() -> None:
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "qdaapp"
    assert entry["Comment"].strip()
    assert entry["Exec"].split()[0] == "qdaapp" and "%f" in entry["Exec"].split()
    assert entry["Icon"] == "qdaapp"
    assert entry["Terminal"] == "false"
    assert entry["Categories"] == "Office;Education;Science;"
    assert entry["MimeType"] == "application/x-qdaapp-project;"


def test_file_type_matches_the_desktop_entry() -> None:
    root = ET.parse(MIME_XML).getroot()
    ns = "{http://www.freedesktop.org/standards/shared-mime-info}"
    (mime,) = root.findall(f"{ns}mime-type")
    assert f"{mime.get('type')};" == desktop_entry()["MimeType"]
    assert [g.get("pattern") for g in mime.findall(f"{ns}glob")] == ["*.qda"]


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils not installed")
def test_desktop_entry_validates() -> None:
    proc = subprocess.run(["desktop-file-validate", str(DESKTOP)], check=False, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ---------------------------------------------------------------------- icon
def test_icon_svg_is_valid_xml_in_the_house_colours() -> None:
    root = ET.parse(ICONS / "qdaapp.svg").getroot()
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("viewBox") == "0 0 256 256"
    fills = {el.get("fill", "").upper() for el in root.iter()}
    assert set(OKABE_ITO) <= fills


@pytest.mark.parametrize("size", [48, 128, 256])
def test_icon_png_renderings_have_their_sizes(size: int) -> None:
    assert png_size(ICONS / f"qdaapp-{size}.png") == (size, size)


def test_windows_and_macos_icons_hold_png_images() -> None:
    ico = (ICONS / "qdaapp.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1) and count >= 4
    sizes = set()
    for i in range(count):
        width, _height, _c, _r, _planes, _bits, length, offset = struct.unpack("<BBBBHHII", ico[6 + 16 * i:22 + 16 * i])
        assert ico[offset:offset + 8] == b"\x89PNG\r\n\x1a\n" and offset + length <= len(ico)
        sizes.add(width or 256)
    assert {16, 32, 48, 256} <= sizes
    icns = (ICONS / "qdaapp.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)


# ---------------------------------------------------------------------- scripts
@pytest.mark.parametrize("script", ["build.sh", "check-bundle.sh", "install-linux.sh"])
def test_shell_scripts_parse(script: str) -> None:
    proc = subprocess.run(["sh", "-n", str(INSTALLER / script)], check=False, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_build_output_is_ignored_by_git() -> None:
    ignored = (INSTALLER / ".gitignore").read_text(encoding="utf-8").split()
    assert {"/.venv-build/", "/build/", "/dist/"} <= set(ignored)
