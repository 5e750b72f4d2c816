"""Preferences ▸ Plugins, the plugin failure notice, and Codebook ▸ Add a coding frame…"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtWidgets import QDialog, QMainWindow, QMessageBox, QToolButton

from qdaapp.core import frames as frame_ops
from qdaapp.core import nodes as node_ops
from qdaapp.core import plugins
from qdaapp.core.project import Project
from qdaapp.gui import preferences
from qdaapp.gui.preferences.frames_dialog import OFFER_TEXT, FramesDialog
from qdaapp.gui.preferences.plugins_page import ERROR_RED, PluginsPage

from .test_main_window import make_window, messages, settings  # noqa: F401

FRAME = "greimas-speech-acts"


class StandIn(QMainWindow):
    def __init__(self, project: Project | None) -> None:
        super().__init__()
        self.project = project
        for title in ("&File", "&Edit", "&View", "&Help"):
            self.menuBar().addMenu(title)


@pytest.fixture
def home(tmp_path: Path):
    """A fresh QDAAPP_HOME (user plugin folder, plugins.json) and a registry rediscovered for it."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("QDAAPP_HOME", str(tmp_path / "home"))
        (tmp_path / "home" / "plugins").mkdir(parents=True)
        plugins.reload_registry()
        yield tmp_path / "home"
    plugins.reload_registry()


@pytest.fixture
def broken_plugin(home: Path) -> Path:
    folder = home / "plugins" / "broken_one"
    folder.mkdir()
    (folder / "qdaapp-plugin.toml").write_text('name = "broken-one"\nversion = "0.1"\napi = 1\n'
                                               '[contributes]\nlexicons = ["missing.toml"]\n', encoding="utf-8")
    plugins.reload_registry()
    return folder


@pytest.fixture
def stand_in(qtbot, project: Project) -> StandIn:
    window = StandIn(project)
    qtbot.addWidget(window)
    return window


def answer_frames(monkeypatch: pytest.MonkeyPatch, name: str | None, seen: list | None = None) -> None:
    """Make FramesDialog.exec choose ``name`` (or press No thanks / Cancel when None)."""

    def run(dialog: FramesDialog) -> int:
        if seen is not None:
            seen.append(dialog)
        if name is None:
            dialog.reject()
            return QDialog.DialogCode.Rejected
        assert dialog.select(name)
        dialog.accept()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(FramesDialog, "exec", run)


def tree_paths(project: Project) -> set[str]:
    with project.read_session() as s:
        return {n.path for n in node_ops.list_nodes(s)}


# ---------------------------------------------------------------------- plugins page
def test_plugins_are_listed_and_the_builtin_cannot_be_turned_off(qtbot, home: Path) -> None:
    page = PluginsPage()
    qtbot.addWidget(page)
    names = [page.table.item(r, 0).text() for r in range(page.table.rowCount())]
    assert names[0] == "qdaapp" and {"greimas-fr", "odt-rtf-importer", "marker-density"} <= set(names)
    builtin = page.cell("qdaapp")
    assert builtin.checkState() == Qt.CheckState.Checked
    assert not builtin.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert page.cell("qdaapp", 1).text() == plugins.registry().get("qdaapp").version
    assert page.cell("qdaapp", 2).text().startswith("The importers, lexicons")
    assert "Importers: .txt, .docx, .pdf" in page.cell("qdaapp", 3).text()
    assert page.cell("qdaapp", 4).text() == "Comes with qdaapp"
    assert page.cell("greimas-fr").flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert page.details_button.isHidden()  # nothing failed


def test_unticking_a_plugin_turns_it_off_for_new_imports(qtbot, home: Path) -> None:
    page = PluginsPage()
    qtbot.addWidget(page)
    page.cell("odt-rtf-importer").setCheckState(Qt.CheckState.Unchecked)
    qtbot.waitUntil(lambda: not plugins.registry().get("odt-rtf-importer").enabled, timeout=3000)
    assert json.loads((home / "plugins.json").read_text())["disabled"] == ["odt-rtf-importer"]
    assert ".odt" not in {e for imp in plugins.registry().importers() for e in imp.extensions}
    assert "takes effect for new imports and searches" in page.message.text()
    assert page.cell("odt-rtf-importer").checkState() == Qt.CheckState.Unchecked
    assert page.set_enabled("odt-rtf-importer", True)
    assert plugins.registry().get("odt-rtf-importer").enabled
    assert "odt-rtf-importer is now on" in page.message.text()


def test_a_failing_plugin_is_shown_in_red_with_details(qtbot, broken_plugin: Path) -> None:
    page = PluginsPage()
    qtbot.addWidget(page)
    name = page.cell("broken-one")
    assert name is not None
    assert all(page.cell("broken-one", c).foreground().color() == ERROR_RED for c in range(5))
    description = page.cell("broken-one", 2).text()
    assert description.startswith("Could not be loaded:") and "missing.toml" in description
    assert page.details.isHidden() and not page.details_button.isHidden()
    page.details_button.click()
    assert not page.details.isHidden()
    assert page.details.text().startswith("broken-one:") and str(broken_plugin) in page.details.text()
    assert page.cell("greimas-fr").foreground().color() != ERROR_RED  # the others still work


def test_open_plugin_folder_creates_it(qtbot, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (home / "plugins").rmdir()
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    page = PluginsPage()
    qtbot.addWidget(page)
    page.folder_button.click()
    assert (home / "plugins").is_dir() and opened == [str(home / "plugins")]


def test_failure_notice_in_the_status_bar(qtbot, broken_plugin: Path, stand_in: StandIn) -> None:
    preferences.install(stand_in)
    notice = stand_in.statusBar().findChild(QToolButton, preferences.FAILURE_NOTICE)
    assert notice is not None and not notice.isHidden()
    assert notice.text() == "⚠ 1 plugin could not be loaded — see Preferences ▸ Plugins"
    assert "broken-one" in notice.toolTip()
    notice.click()
    dialog = stand_in.findChild(preferences.PreferencesDialog)
    assert dialog is not None and dialog.stack.currentWidget() is dialog.plugins_page
    dialog.reject()
    import shutil

    shutil.rmtree(broken_plugin)
    plugins.reload_registry()
    assert preferences.report_plugin_failures(stand_in) is None
    assert notice.isHidden()


def test_no_notice_without_failures(qtbot, home: Path, stand_in: StandIn) -> None:
    preferences.install(stand_in)
    assert preferences.report_plugin_failures(stand_in) is None
    assert stand_in.statusBar().findChild(QToolButton, preferences.FAILURE_NOTICE) is None


# ---------------------------------------------------------------------- menus
def test_install_adds_preferences_and_the_codebook_menu(qtbot, home: Path, stand_in: StandIn) -> None:
    preferences.install(stand_in)
    preferences.install(stand_in)  # once only
    bar = stand_in.menuBar()
    titles = [a.text() for a in bar.actions()]
    assert titles == ["&File", "&Edit", "&Codebook", "&View", "&Help"]
    edit = bar.actions()[1].menu()
    prefs = [a for a in edit.actions() if a.objectName() == preferences.PREFERENCES_ACTION]
    assert len(prefs) == 1 and prefs[0].shortcut() == QKeySequence("Ctrl+,")
    codebook = bar.actions()[2].menu()
    assert [a.text() for a in codebook.actions()] == ["Add a &coding frame…"]
    prefs[0].trigger()
    dialog = stand_in.findChild(preferences.PreferencesDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.reject()


def test_install_on_the_real_main_window(make_window, project_path: Path, qtbot, home: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window()
    preferences.install(window)
    bar = window.menuBar()
    titles = [a.text().replace("&", "") for a in bar.actions()]
    assert titles.index("Codebook") == titles.index("Edit") + 1
    frame_action = window.findChild(type(bar.actions()[0]), preferences.FRAME_ACTION)
    prefs = window.findChild(type(bar.actions()[0]), preferences.PREFERENCES_ACTION)
    assert prefs in window.actions.edit_menu.actions()
    assert not frame_action.isEnabled()  # no project open
    assert window.open_project(str(project_path))
    qtbot.waitUntil(lambda: window.audit_result is not None, timeout=5000)
    assert frame_action.isEnabled()
    answer_frames(monkeypatch, FRAME)
    frame_action.trigger()
    top = window.nodes_panel.model
    with window.project.read_session() as s:
        root = node_ops.find_tree_path(s, "Speech acts")
    assert root is not None and top.node(root.id) is not None  # the Nodes dock shows it
    assert window.runner.can_undo() and "coding frame" in window.runner.undo_text()
    assert window.runner.undo()
    assert "Speech acts" not in tree_paths(window.project)


# ---------------------------------------------------------------------- coding frames
def test_frames_dialog_lists_frames_with_a_preview(qtbot, home: Path) -> None:
    dialog = FramesDialog()
    qtbot.addWidget(dialog)
    names = [f.name for f in dialog.frames]
    assert FRAME in names
    assert dialog.select(FRAME)
    info = dialog.current_info()
    assert dialog.list.currentItem().text().startswith(info.title)
    assert f"{info.codes} code" in dialog.list.currentItem().text()
    frame = frame_ops.load(FRAME)
    assert dialog.codes[0][:2] == (0, info.title) and len(dialog.codes) == info.codes + 1
    assert all(depth == 1 and definition for depth, _, definition in dialog.codes[1:])  # every code is defined
    shown = dialog.preview.toPlainText()
    for _path, code in frame.walk():
        assert code.name in shown and code.description.split()[0] in shown
    assert dialog.description.text() == frame.description
    assert dialog.cancel_button.text() == "Cancel"


def test_applying_a_frame_adds_its_nodes_and_undo_takes_them_out(qtbot, home: Path, stand_in: StandIn,
                                                                 project: Project,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    preferences.install(stand_in)
    before = tree_paths(project)
    events = project.summary()["events"]
    answer_frames(monkeypatch, FRAME)
    result = preferences.add_coding_frame(stand_in)
    assert isinstance(result, frame_ops.ApplyResult) and result.added
    after = tree_paths(project)
    assert set(result.added) == after - before and "Speech acts" in after
    assert project.summary()["events"] > events
    assert "Ctrl+Z" in stand_in.statusBar().currentMessage()
    project.undo()
    assert tree_paths(project) == before


def test_a_frame_already_there_adds_nothing(qtbot, home: Path, stand_in: StandIn, project: Project,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a, **k: said.append(text))
    assert preferences.apply_frame_in_window(stand_in, project, FRAME).added
    events = project.summary()["events"]
    again = preferences.apply_frame_in_window(stand_in, project, FRAME)
    assert again.added == [] and project.summary()["events"] == events
    assert said and "already in the project" in said[0]


def test_offer_on_a_new_project(qtbot, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = Project.create(tmp_path / "new.qda", coder="tester")
    try:
        window = StandIn(project)
        qtbot.addWidget(window)
        seen: list[FramesDialog] = []
        answer_frames(monkeypatch, None, seen)
        assert preferences.offer_frames_on_new_project(window, project) is None
        assert seen[0].offer and seen[0].cancel_button.text() == "No thanks"
        assert tree_paths(project) == set()
        answer_frames(monkeypatch, "wenger-cop", seen)
        result = preferences.offer_frames_on_new_project(window, project)
        assert result is not None and result.added and tree_paths(project) == set(result.added)
        project.undo()
        assert tree_paths(project) == set()
    finally:
        project.close()


def test_offer_text_names_the_menu() -> None:
    assert OFFER_TEXT == ("Start from a coding frame? (You can add one later from Codebook ▸ Add a coding "
                          "frame…)")


def test_read_only_project_is_not_offered_a_frame(qtbot, project_path: Path, home: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    project = Project.open(project_path, coder="tester", read_only=True)
    try:
        seen: list = []
        answer_frames(monkeypatch, FRAME, seen)
        window = StandIn(project)
        qtbot.addWidget(window)
        assert preferences.offer_frames_on_new_project(window, project) is None and not seen
    finally:
        project.close()
