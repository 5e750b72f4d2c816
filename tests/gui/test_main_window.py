"""The main window: opening projects, docks, status bar, read-only, welcome screen."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QThreadPool
from PySide6.QtWidgets import QApplication, QMessageBox

from qdaapp.core import sources as source_ops
from qdaapp.core.project import Project
from qdaapp.gui.app import configure_application
from qdaapp.gui.main_window import MainWindow
from qdaapp.gui.models.node_tree import FREE_ROOT, TREE_ROOT
from qdaapp.gui.workers import running_jobs


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every message box shown, as (kind, text); questions are answered Yes."""
    shown: list[tuple[str, str]] = []

    def fake(kind: str, answer=QMessageBox.StandardButton.Ok):
        def show(_parent, _title, text, *args, **kwargs):
            shown.append((kind, text))
            return answer

        return show

    monkeypatch.setattr(QMessageBox, "warning", fake("warning"))
    monkeypatch.setattr(QMessageBox, "critical", fake("critical"))
    monkeypatch.setattr(QMessageBox, "information", fake("information"))
    monkeypatch.setattr(QMessageBox, "question", fake("question", QMessageBox.StandardButton.Yes))
    return shown


@pytest.fixture
def make_window(qtbot, settings: QSettings, messages) -> Iterator[Callable[..., MainWindow]]:
    """Main windows that are closed after the test, which fails if a window or worker leaks.

    Message boxes are captured (see ``messages``), so an unexpected one cannot block a test.
    """
    configure_application(QApplication.instance())
    windows: list[MainWindow] = []

    def make(project_path: Path | None = None, read_only: bool = False) -> MainWindow:
        window = MainWindow(settings)
        window.resize(1300, 850)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        windows.append(window)
        if project_path is not None:
            assert window.open_project(str(project_path), read_only=read_only)
            qtbot.waitUntil(lambda: window.audit_result is not None, timeout=5000)
        return window

    yield make
    for window in windows:
        window.close()
    pool = QThreadPool.globalInstance()
    assert pool.waitForDone(10000), "a worker thread is still running"
    QApplication.processEvents()
    assert not running_jobs(), "a background job never reported back"
    for window in windows:
        assert window.project is None
        window.deleteLater()
    QApplication.processEvents()
    leaked = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    assert not leaked, f"windows left open: {leaked}"


def source_id(project: Project, name: str) -> int:
    with project.read_session() as s:
        return next(i.id for i in source_ops.list_sources(s) if i.name == name)


# ---------------------------------------------------------------------- tests
def test_opens_project_with_docks_and_status(make_window, project_path: Path) -> None:
    window = make_window(project_path)
    assert window.project is not None
    assert window.central.currentWidget() is window.documents
    for dock in window.docks():
        assert dock.isVisible()
    groups = [window.sources_panel.model.item(r).text() for r in range(window.sources_panel.model.rowCount())]
    assert groups == ["Interviews (1)", "Field notes (1)", "Documents (0)", "Diary", "Cases (1)", "Accounts (0)"]
    model = window.nodes_panel.model
    assert model.index_for(FREE_ROOT).data() == "Free Nodes (1)"
    assert model.index_for(TREE_ROOT).data() == "Tree Nodes"
    status = window.summary_label.text()
    assert "project · tester · 2 sources · 0 codings" in status
    assert window.audit_label.text() == "audit chain verified"
    assert not window.read_only_badge.isVisible()
    assert window.windowTitle() == "project — qdaapp"


def test_open_source_shows_text_and_empty_hint(make_window, project_path: Path) -> None:
    window = make_window(project_path)
    assert window.documents.currentWidget() is not window.documents.tabs
    assert "Double-click" in window.documents.empty_label.text()
    sid = source_id(window.project, "Rosa.txt")
    view = window.open_source(sid)
    assert view.text().startswith("Interviewer: How did the referral system start?")
    assert window.documents.current_source_id() == sid
    assert window.documents.tabs.count() == 1
    window.open_source(sid)
    assert window.documents.tabs.count() == 1


def test_read_only_project_disables_editing(make_window, project_path: Path) -> None:
    window = make_window(project_path, read_only=True)
    assert window.project.read_only
    assert window.read_only_badge.isVisible()
    assert "(read-only)" in window.windowTitle()
    for action in window.actions.edits:
        assert not action.isEnabled(), action.text()
    assert window.actions.close_project.isEnabled()
    model = window.nodes_panel.model
    trust = model.index_for(next(n.id for n in model.nodes() if n.name == "Trust"))
    from PySide6.QtCore import Qt

    assert not model.flags(trust) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(trust) & Qt.ItemFlag.ItemIsDragEnabled
    assert not window.nodes_panel.add_free.isEnabled()
    assert window.coding.code_selection_quick() is None
    assert window.memos.editor.isReadOnly()


def test_unwritable_project_offers_read_only(make_window, project_path: Path, messages,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    real_access = os.access

    def no_writing(path, mode, *args, **kwargs):
        if mode & os.W_OK and Path(path).resolve() == project_path.resolve():
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", no_writing)
    window = make_window()
    assert window.open_project(str(project_path))
    kind, text = messages[0]
    assert kind == "question"
    assert "project.qda is a read-only file: it can be read but not changed" in text
    assert "Open it read-only instead?" in text
    assert window.project.read_only
    assert window.read_only_badge.isVisible()


def test_welcome_screen_without_project(make_window) -> None:
    window = make_window()
    assert window.central.currentWidget() is window.welcome
    assert not any(dock.isVisible() for dock in window.docks())
    assert window.welcome.new_button.accessibleName() == "New project…"
    assert not window.actions.import_files.isEnabled()
    assert window.summary_label.text() == "No project open"


def test_new_project_then_recent_list(make_window, tmp_path: Path) -> None:
    window = make_window()
    assert window.flow.create(tmp_path / "Study")
    assert window.project.path == tmp_path / "Study.qda"
    assert window.sources_panel.hint.isVisible()
    assert window.nodes_panel.hint.isVisible()
    assert "Ctrl+I" in window.documents.empty_label.text()
    window.close_project()
    assert window.central.currentWidget() is window.welcome
    assert window.flow.recent() == [str((tmp_path / "Study.qda").resolve())]
    assert window.welcome.recent.count() == 1


def test_open_damaged_file_says_why(make_window, tmp_path: Path, messages) -> None:
    bad = tmp_path / "notes.qda"
    bad.write_text("not a database", encoding="utf-8")
    window = make_window()
    assert not window.open_project(str(bad))
    assert messages[0][0] == "warning"
    assert "notes.qda is not a qdaapp project" in messages[0][1]
    assert window.project is None


def test_demo_project_opens(make_window, qtbot) -> None:
    window = make_window()
    window.open_demo()
    qtbot.waitUntil(lambda: window.project is not None, timeout=30000)
    assert window.project.path.name == "Demo study.qda"
    assert window.project.summary()["sources"] > 0
    assert not window.nodes_panel.model.is_empty()


def test_dock_layout_is_remembered(make_window, project_path: Path, settings: QSettings) -> None:
    window = make_window(project_path)
    window.nodes_dock.hide()
    window.close_project()
    window.open_project(str(project_path))
    assert not window.nodes_dock.isVisible()
    window.reset_layout()
    assert window.nodes_dock.isVisible()


def test_memo_on_node_saved_on_ctrl_s(make_window, project_path: Path, qtbot) -> None:
    from PySide6.QtCore import Qt

    from qdaapp.core import memos as memo_ops

    window = make_window(project_path)
    model = window.nodes_panel.model
    trust = next(n.id for n in model.nodes() if n.name == "Trust")
    window.nodes_panel.select_node(trust)
    assert "node 'Trust'" in window.memos.header.text()
    window.bottom_tabs.setCurrentWidget(window.memos)
    window.memos.editor.setFocus()
    qtbot.keyClicks(window.memos.editor, "Trust is earned.")
    qtbot.keyClick(window.memos.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    with window.project.read_session() as s:
        memos = memo_ops.list_memos(s, target_type="node", target_id=trust)
    assert [m.text for m in memos] == ["Trust is earned."]
    window.memos.editor.setPlainText("Trust is earned, slowly.")
    window.memos.set_target("project", None)  # switching target saves
    with window.project.read_session() as s:
        memos = memo_ops.list_memos(s, target_type="node", target_id=trust)
    assert [m.text for m in memos] == ["Trust is earned, slowly."]


def test_gui_thread_gets_the_interpreter_back_quickly_while_workers_compute(qapp) -> None:
    import sys

    from qdaapp.gui.app import GUI_SWITCH_INTERVAL

    sys.setswitchinterval(0.005)
    configure_application(QApplication.instance())
    assert GUI_SWITCH_INTERVAL <= 0.002 and sys.getswitchinterval() == pytest.approx(GUI_SWITCH_INTERVAL)
