"""The plugin registry: discovery, lazy loading, failures, enabled state, and the built-in plugin."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from qdaapp.core import importers, lexicon, plugins
from qdaapp.core.errors import ImportFailure, InvalidInput, NotFound

from ..conftest import ROOT

REPO_PLUGINS = {"odt-rtf-importer", "greimas-fr", "marker-density"}
LEXICON = '[lexicon]\nname = "{name}"\nlanguage = "en"\n[acts.manipulation]\nphrases = ["ought to"]\n'


@pytest.fixture
def home(tmp_path: Path):
    """A fresh user folder (settings and user plugins) and a registry rediscovered for it."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("QDAAPP_HOME", str(tmp_path / "home"))
        (tmp_path / "home" / "plugins").mkdir(parents=True)
        plugins.reload_registry()
        yield tmp_path / "home"
    plugins.reload_registry()


def make_plugin(home: Path, folder: str, manifest: str, files: dict[str, str] | None = None) -> Path:
    where = home / "plugins" / folder
    where.mkdir(parents=True)
    (where / plugins.MANIFEST).write_text(manifest, encoding="utf-8")
    for name, body in (files or {}).items():
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        (where / name).write_text(body, encoding="utf-8")
    return where


def manifest(name: str, contributes: str = "", api: int = 1) -> str:
    return f'name = "{name}"\nversion = "0.1"\napi = {api}\ndescription = "test"\n\n[contributes]\n{contributes}\n'


MD_READER = '''
import sys
from qdaapp.core.importers.txt import read_txt
sys.modules[__name__].LOADED = True
LOADS = getattr(sys, "_qda_test_loads", [])
LOADS.append(__name__)
sys._qda_test_loads = LOADS

def read_md(path, progress=None, cancel=None):
    return read_txt(path, progress=progress, cancel=cancel)
'''


def test_builtin_and_repo_plugins_are_found(home: Path) -> None:
    reg = plugins.registry()
    found = {p.name: p for p in reg.plugins()}
    assert reg.plugins()[0].name == "qdaapp" and reg.plugins()[0].builtin
    assert REPO_PLUGINS <= set(found)
    assert all(found[n].error is None and found[n].enabled for n in {"qdaapp", *REPO_PLUGINS})
    listing = found["qdaapp"].as_dict()
    assert set(listing) == {"name", "version", "contributes", "enabled", "error"}
    assert listing["contributes"]["importers"] == [".txt", ".docx", ".pdf"]
    assert "greimas-en" in listing["contributes"]["lexicons"]
    assert {"greimas-speech-acts", "greimas-actantial", "callon-translation", "wenger-cop"} <= set(
        listing["contributes"]["frames"])
    assert found["odt-rtf-importer"].contributes()["importers"] == [".odt", ".rtf"]
    assert found["marker-density"].contributes()["analyses"] == ["marker-density"]
    assert reg.lexicons()["greimas-fr"].name == "greimas-fr.toml"
    assert "greimas-fr" in lexicon.available() and "greimas-en" in lexicon.available()
    assert importers.supported_extensions()[:5] == (".txt", ".docx", ".pdf", ".odt", ".rtf")
    assert importers.importer_name("a.ODT") == "OpenDocument text"


def test_registry_is_cached_until_reloaded(home: Path) -> None:
    first = plugins.registry()
    assert plugins.registry() is first
    again = plugins.reload_registry()
    assert again is not first and plugins.registry() is again


def test_discovery_reads_manifests_only_code_loads_on_first_use(home: Path, tmp_path: Path) -> None:
    make_plugin(home, "markdown", manifest("markdown", '[[contributes.importers]]\nextensions = ["md"]\n'
                                           'reader = "reader:read_md"\nlabel = "Markdown"\n'),
                {"__init__.py": "", "reader.py": MD_READER})
    sys.__dict__.pop("_qda_test_loads", None)
    reg = plugins.reload_registry()
    plugin = reg.get("markdown")
    assert plugin.origin == "user" and plugin.active and plugin.package.startswith("qdaapp_plugins.")
    assert ".md" in importers.supported_extensions()
    assert not getattr(sys, "_qda_test_loads", [])  # listing, checking: nothing imported yet
    (tmp_path / "notes.md").write_text("Ana: # hello\n", encoding="utf-8")
    doc = importers.read_file(tmp_path / "notes.md")
    assert doc.text == "Ana: # hello\n" and doc.turns[0].speaker == "Ana"
    assert sys._qda_test_loads == [f"{plugin.package}.reader"]  # type: ignore[attr-defined]
    importers.read_file(tmp_path / "notes.md")
    assert len(sys._qda_test_loads) == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize("body, files, problem", [
    ('name = "bad"\nversion = 1.0\napi = 1\n[contributes\n', {}, "has an error"),
    ('version = "1"\napi = 1\n', {}, "needs a name"),
    ('name = "Bad Name"\nversion = "1"\napi = 1\n', {}, "needs a name"),
    ('name = "bad"\napi = 1\n', {}, "needs a version"),
    ('name = "bad"\nversion = "1"\n', {}, "needs api = 1"),
    (manifest("bad", api=2), {}, "written for plugin API 2; this qdaapp supports API 1"),
    (manifest("bad", 'lexicons = ["missing.toml"]'), {}, "the lexicon file 'missing.toml' is missing"),
    (manifest("bad", 'frames = ["../../x.qdc"]'), {}, "outside the plugin folder"),
    (manifest("bad", 'themes = ["dark"]'), {}, "'themes', which is not one of"),
    (manifest("bad", 'importers = [{ extensions = [".x"], reader = "no_colon" }]'), {}, "module:function"),
    (manifest("bad", 'analyses = { thing = 3 }'), {}, "analysis 'thing'"),
])
def test_a_broken_plugin_is_reported_and_skipped(home: Path, body: str, files: dict, problem: str) -> None:
    make_plugin(home, "bad", body, files)
    make_plugin(home, "good", manifest("good", 'lexicons = ["good-lex.toml"]'),
                {"good-lex.toml": LEXICON.format(name="good-lex")})
    reg = plugins.reload_registry()
    (bad,) = [p for p in reg.plugins() if p.location and p.location.name == "bad"]
    assert bad.error and problem in bad.error and not bad.active
    assert bad.contributes() == {k: [] for k in plugins.KINDS}
    assert bad in reg.errors()
    assert reg.get("good").active and "good-lex" in reg.lexicons() and "greimas-fr" in reg.lexicons()


def test_code_that_fails_to_import_is_recorded(home: Path, tmp_path: Path) -> None:
    make_plugin(home, "broken", manifest("broken", '[[contributes.importers]]\nextensions = [".brk"]\n'
                                         'reader = "reader:read"\n[contributes.analyses]\nboom = "reader:run"\n'),
                {"__init__.py": "", "reader.py": "import a_module_that_does_not_exist\n"})
    reg = plugins.reload_registry()
    assert reg.get("broken").error is None  # not imported yet
    (tmp_path / "x.brk").write_text("text", encoding="utf-8")
    with pytest.raises(ImportFailure) as err:
        importers.read_file(tmp_path / "x.brk")
    assert "x.brk could not be imported: the importer for .brk files cannot be used" in str(err.value)
    assert "a_module_that_does_not_exist" in str(err.value)
    broken = reg.get("broken")
    assert "could not be loaded (ModuleNotFoundError" in broken.error and broken in reg.errors()
    with pytest.raises(plugins.PluginError, match="cannot be used"):
        reg.load("broken", "reader:run")
    assert importers.read_file(ROOT / "resources" / "demo" / "diary" / "diary.txt").words > 0


def test_enable_and_disable_are_stored_per_user(home: Path, tmp_path: Path) -> None:
    plugin = plugins.set_enabled("greimas-fr", False)
    assert not plugin.enabled and plugin.error is None
    assert json.loads((home / "plugins.json").read_text()) == {"disabled": ["greimas-fr"]}
    assert "greimas-fr" not in plugins.registry().lexicons() and "greimas-fr" not in lexicon.available()
    assert {p.name: p.enabled for p in plugins.reload_registry().plugins()}["greimas-fr"] is False
    plugins.set_enabled("odt-rtf-importer", False)
    assert ".odt" not in importers.supported_extensions()
    (tmp_path / "a.odt").write_bytes(b"PK\x03\x04")
    with pytest.raises(ImportFailure, match="files of type .odt cannot be imported"):
        importers.read_file(tmp_path / "a.odt")
    with pytest.raises(plugins.PluginError, match="turned off"):
        plugins.registry().load("odt-rtf-importer", "odt:read_odt")
    assert plugins.set_enabled("greimas-fr", True).enabled
    assert "greimas-fr" in plugins.registry().lexicons()
    assert json.loads((home / "plugins.json").read_text()) == {"disabled": ["odt-rtf-importer"]}
    with pytest.raises(InvalidInput, match="cannot be turned off"):
        plugins.set_enabled("qdaapp", False)
    with pytest.raises(NotFound, match="no plugin 'nope'; installed: "):
        plugins.set_enabled("nope", True)


def test_unreadable_state_file_means_all_enabled(home: Path) -> None:
    (home / "plugins.json").write_text("{not json", encoding="utf-8")
    assert all(p.enabled for p in plugins.reload_registry().plugins())


def test_the_first_plugin_of_a_name_wins(home: Path) -> None:
    make_plugin(home, "a_copy", manifest("greimas-fr"))
    reg = plugins.reload_registry()
    copies = [p for p in reg.plugins() if p.name == "greimas-fr"]
    assert len(copies) == 2 and copies[0].error is None and copies[0].origin == "folder"
    assert "already loaded" in copies[1].error and reg.get("greimas-fr") is copies[0]


def test_entry_point_plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "site" / "qda_ep_plugin"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "analysis.py").write_text("def words(project):\n    return {'columns': [], 'rows': []}\n")
    (package / "ep-lex.toml").write_text(LEXICON.format(name="ep-lex"), encoding="utf-8")
    (package / plugins.MANIFEST).write_text(manifest("ep-plugin", 'lexicons = ["ep-lex.toml"]\n'
                                                     'analyses = ["analysis:words"]'), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    eps = [SimpleNamespace(name="ep-plugin", module="qda_ep_plugin", value="qda_ep_plugin"),
           SimpleNamespace(name="gone", module="qda_not_installed", value="qda_not_installed:x")]
    reg = plugins.discover(folders=[], entry_points=eps, disabled=set())
    plugin = reg.get("ep-plugin")
    assert plugin.origin == "entry-point" and plugin.error is None
    assert reg.lexicons()["ep-lex"] == (package / "ep-lex.toml").resolve()
    assert reg.load("ep-plugin", reg.analysis("words").run)(None) == {"columns": [], "rows": []}
    assert "is not installed" in reg.get("gone").error
    monkeypatch.setattr(plugins, "_entry_points", lambda: eps)
    assert "ep-plugin" in {p.name for p in plugins.discover(folders=[]).active()}


def test_unknown_analysis_lists_the_available_ones(home: Path) -> None:
    with pytest.raises(NotFound, match="no analysis 'nope'; available: marker-density"):
        plugins.registry().analysis("nope")


def test_core_plugins_stay_free_of_qt_and_heavy_imports() -> None:
    code = (
        "import sys; from qdaapp.core import plugins, frames, lexicon; r = plugins.registry();"
        "r.lexicons(); r.frames(); r.analyses(); [p.as_dict() for p in r.plugins()];"
        "import qdaapp.core.importers as i; i.supported_extensions(); i.importer_for('a.odt');"
        "print(sorted(m for m in ('PySide6', 'spacy', 'docx', 'pdfminer') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
