"""Never losing work: a backup on open and every 10 minutes of work, Back up now, Restore from backup."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from qdaapp.core.project import list_backups
from qdaapp.gui.dialogs.restore_dialog import RestoreDialog, describe_backup
from qdaapp.gui.panels import backups as backups_module

from .test_coding_flow import codings, node_id
from .test_main_window import make_window, messages, settings, source_id  # noqa: F401


def autos(path: Path) -> list[Path]:
    return [b for b in list_backups(path) if b.name.endswith("-auto.qda")]


def wait_for_backup(window, qtbot) -> None:
    qtbot.waitUntil(lambda: window.backups.job is None, timeout=5000)


def test_backup_on_open_and_after_work(make_window, project_path: Path, qtbot) -> None:
    window = make_window(project_path)
    wait_for_backup(window, qtbot)
    assert len(autos(project_path)) == 1
    keeper = window.backups
    assert keeper.timer.isActive() and keeper.timer.interval() == 10 * 60 * 1000
    keeper.on_timer()  # ten minutes without changes: nothing to keep
    assert keeper.job is None and len(autos(project_path)) == 1
    window.coding.code(node_id(window, "Trust"), source_id(window.project, "Rosa.txt"), 0, 11)
    assert keeper.changed
    keeper.timer.timeout.emit()
    wait_for_backup(window, qtbot)
    assert len(autos(project_path)) == 2 and not keeper.changed
    con = sqlite3.connect(autos(project_path)[0])
    assert con.execute("select count(*) from codings").fetchone() == (1,)
    con.close()


def test_read_only_projects_are_not_backed_up(make_window, project_path: Path, qtbot) -> None:
    window = make_window(project_path, read_only=True)
    assert window.backups.job is None and not window.backups.timer.isActive()
    assert list_backups(project_path) == []
    assert not window.actions.restore.isEnabled() and not window.actions.back_up.isEnabled()


def test_back_up_now(make_window, project_path: Path, qtbot) -> None:
    window = make_window(project_path)
    wait_for_backup(window, qtbot)
    window.actions.back_up.trigger()
    qtbot.waitUntil(lambda: any(b.name.endswith("-manual.qda") for b in list_backups(project_path)), timeout=5000)
    qtbot.waitUntil(lambda: "Backup saved" in window.statusBar().currentMessage(), timeout=5000)


def test_restore_dialog_lists_backups(make_window, project_path: Path, qtbot) -> None:
    window = make_window(project_path)
    wait_for_backup(window, qtbot)
    window.project.backup("manual")
    dialog = window.backups.make_dialog()
    qtbot.addWidget(dialog)
    tree = dialog.tree
    assert tree.topLevelItemCount() == 2
    kinds = [tree.topLevelItem(i).text(1) for i in range(2)]
    assert kinds == ["Made by you", "Automatic"]
    assert tree.topLevelItem(0).text(0).startswith("Today ")
    assert tree.topLevelItem(0).text(2).endswith("KB")
    assert dialog.selected() == list_backups(project_path)[0] and dialog.restore_button.isEnabled()
    when, kind = describe_backup(project_path, project_path.parent / "project.backups" /
                                 "project-20240503-140201-000001-before-migration-0003.qda")
    assert (when.year, when.hour, kind) == (2024, 14, "Before upgrading the file (schema 0003)")


def test_restore_closes_restores_reopens_and_keeps_the_current_state(make_window, project_path: Path,
                                                                     qtbot, messages,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(project_path)
    wait_for_backup(window, qtbot)
    (clean,) = autos(project_path)
    window.coding.code(node_id(window, "Trust"), source_id(window.project, "Rosa.txt"), 0, 11)
    assert len(codings(window)) == 1

    def choose(dialog: RestoreDialog) -> int:
        assert dialog.select(clean)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(RestoreDialog, "exec", choose)
    assert window.actions.restore.isEnabled()
    assert window.backups.restore_dialog()
    assert window.project is not None and window.project.path == project_path
    assert codings(window) == []
    assert window.documents.current_view() is None
    question, info = messages[-2], messages[-1]
    assert question[0] == "question" and "Go back to the copy of project.qda" in question[1]
    kept = window.backups.last_restore
    assert info[0] == "information" and kept.name in info[1] and "before-restore" in kept.name
    con = sqlite3.connect(kept)
    assert con.execute("select count(*) from codings").fetchone() == (1,)
    con.close()
    wait_for_backup(window, qtbot)
    assert window.project.verify_audit().ok


def test_backup_interval_is_ten_minutes() -> None:
    assert backups_module.BACKUP_EVERY_MS == 600_000 and backups_module.KEEP == 10
