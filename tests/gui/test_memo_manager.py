"""The memo manager: every memo and diary entry, filters, editing, dated diary entries, links
between memos, authors (a supervisor writes under their own name), read-only, and the exports."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt

from qdaapp.core import memos as memo_ops
from qdaapp.gui.audit.memos import MemoManager

from .test_coding_flow import node_id
from .test_main_window import make_window, messages, settings, source_id  # noqa: F401

CTRL = Qt.KeyboardModifier.ControlModifier


def rows(manager: MemoManager) -> list[tuple[str, ...]]:
    m = manager.model
    return [tuple(m.item(r, c).text() for c in range(m.columnCount())) for r in range(m.rowCount())]


def all_memos(window) -> list:
    with window.project.read_session() as s:
        return memo_ops.list_memos(s)


@pytest.fixture
def with_memos(make_window, project_path: Path):
    window = make_window(project_path)
    trust = node_id(window, "Trust")
    rosa = source_id(window.project, "Rosa.txt")
    window.runner.run(memo_ops.add_memo, "Trust grows when the GP asks.", target=f"node:{trust}",
                      title="Trust and the GP", author="tester")
    window.runner.run(memo_ops.add_memo, "Rosa talks about the template.", target=f"source:{rosa}", author="maria")
    window.runner.run(memo_ops.add_diary_entry, "Coded Rosa.", day="2024-05-03", author="tester")
    return window


def test_lists_every_memo_and_filters(with_memos, qtbot) -> None:
    window = with_memos
    window.actions.dock_actions["MemoManagerDock"].trigger()
    manager = window.memo_manager
    assert window.memo_dock.isVisible()
    got = sorted(rows(manager))
    assert ("Node", "Trust", "Trust and the GP", "tester") == got[1][:4]
    assert ("Source", "Rosa.txt", "Rosa talks about the template.", "maria") == got[2][:4]
    assert ("Diary", "", "Coded Rosa.", "tester", "2024-05-03") == got[0]
    manager.kind.setCurrentIndex(manager.kind.findData("diary"))
    assert [r[2] for r in rows(manager)] == ["Coded Rosa."]
    manager.kind.setCurrentIndex(0)
    manager.author.setCurrentIndex(manager.author.findData("maria"))
    assert [r[3] for r in rows(manager)] == ["maria"]
    manager.author.setCurrentIndex(0)
    manager.search.setText("gp asks")
    assert [r[2] for r in rows(manager)] == ["Trust and the GP"]


def test_edit_a_memo_and_see_its_author(with_memos, qtbot) -> None:
    window = with_memos
    window.show_memo_manager()
    manager = window.memo_manager
    memo = next(m for m in all_memos(window) if m.author == "maria")
    assert manager.select_memo(memo.id)
    assert manager.editor.toPlainText() == "Rosa talks about the template."
    assert manager.status.text().startswith("By maria")
    assert "Memo on <a href='source:" in manager.heading.text()
    manager.editor.setPlainText("Rosa talks about the template and the GP.")
    manager.editor.setFocus()
    qtbot.keyClick(manager.editor, Qt.Key.Key_S, CTRL)
    assert next(m for m in all_memos(window) if m.id == memo.id).text == "Rosa talks about the template and the GP."
    manager.heading.linkActivated.emit(f"source:{memo.target_id}")
    assert window.documents.current_source_id() == memo.target_id


def test_ctrl_d_writes_a_dated_diary_entry(with_memos, qtbot) -> None:
    window = with_memos
    qtbot.keyClick(window.documents, Qt.Key.Key_D, CTRL)
    manager = window.memo_manager
    assert window.memo_dock.isVisible()
    assert manager.draft == ("diary", None)
    assert manager.day.isVisible() and manager.day.isEnabled()
    assert manager.day.date() == QDate.currentDate()
    manager.day.setDate(QDate(2024, 5, 2))
    qtbot.keyClicks(manager.editor, "Interview with Rosa; felt rushed.")
    qtbot.keyClick(manager.editor, Qt.Key.Key_S, CTRL)
    entry = next(m for m in all_memos(window) if m.text.startswith("Interview with Rosa"))
    assert (entry.target_type, entry.date, entry.author) == ("diary", "2024-05-02", "tester")
    assert manager.current_id == entry.id and manager.draft is None
    assert not manager.day.isEnabled()  # the day of a saved entry stays
    diary = window.sources_panel.model.item(3)
    assert diary.rowCount() == 2


def test_linked_memos(with_memos, qtbot) -> None:
    window = with_memos
    window.show_memo_manager()
    manager = window.memo_manager
    first = next(m for m in all_memos(window) if m.title == "Trust and the GP")
    manager.select_memo(first.id)
    assert manager.new_linked_memo()
    assert manager.draft == ("memo", f"memo:{first.id}")
    assert "memo 'Trust and the GP'" in manager.heading.text()
    qtbot.keyClicks(manager.editor, "Compare with the Workload memo.")
    assert manager.save()
    link = next(m for m in all_memos(window) if m.target_type == "memo")
    assert link.target_id == first.id
    manager.kind.setCurrentIndex(manager.kind.findData("memo"))
    assert [r[1] for r in rows(manager)] == ["Trust and the GP"]
    manager.kind.setCurrentIndex(0)
    manager.select_memo(first.id)
    assert "Linked memos:" in manager.links.text() and "Compare with the Workload memo." in manager.links.text()
    manager.links.linkActivated.emit(f"memo:{link.id}")
    assert manager.current_id == link.id


def test_delete_then_undo(with_memos, messages) -> None:
    window = with_memos
    window.show_memo_manager()
    manager = window.memo_manager
    memo = next(m for m in all_memos(window) if m.author == "maria")
    manager.select_memo(memo.id)
    assert manager.delete_current()
    assert "Delete the memo" in messages[-1][1]
    assert memo.id not in [m.id for m in all_memos(window)]
    assert memo.id not in manager.visible_ids()
    assert window.runner.undo()
    assert memo.id in manager.visible_ids()


def test_supervisor_writes_under_own_name_and_read_only_is_read_only(make_window, project_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      qtbot) -> None:
    monkeypatch.setenv("QDAAPP_CODER", "supervisor")
    window = make_window(project_path)
    window.show_memo_manager()
    manager = window.memo_manager
    assert manager.new_memo()
    assert "by supervisor" in manager.heading.text()
    qtbot.keyClicks(manager.editor, "Check the coding of trust against the codebook.")
    assert manager.save()
    assert rows(manager)[0][3] == "supervisor"
    assert "By supervisor" in manager.status.text()
    window.close_project()
    window.open_project(str(project_path), read_only=True)
    window.show_memo_manager()
    assert rows(manager)[0][3] == "supervisor"
    assert not manager.new_button.isEnabled() and not manager.diary_button.isEnabled()
    manager.select_memo(all_memos(window)[0].id)
    assert manager.editor.isReadOnly() and not manager.save_button.isEnabled()
    assert not manager.delete_button.isEnabled()
    assert not window.actions.new_diary_entry.isEnabled()


def test_export_memos_and_audit_report(with_memos, qtbot, tmp_path: Path) -> None:
    from qdaapp.gui.panels.exports import _write_audit_report, _write_memos

    window = with_memos
    window.exports.write(_write_memos, tmp_path / "memos.md", "Writing…")
    qtbot.waitUntil(lambda: window.exports.job is None, timeout=10000)
    text = (tmp_path / "memos.md").read_text(encoding="utf-8")
    assert "Trust and the GP" in text and "Coded Rosa." in text
    window.exports.write(_write_audit_report, tmp_path / "audit.html", "Writing…")
    qtbot.waitUntil(lambda: window.exports.job is None, timeout=20000)
    assert "Audit report" in (tmp_path / "audit.html").read_text(encoding="utf-8")
    assert "audit.html" in window.statusBar().currentMessage()
