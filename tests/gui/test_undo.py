"""Undo and redo from the Edit menu and the keyboard; the core's history is the source of truth."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from qdaapp.core import coding as coding_ops
from qdaapp.core import memos as memo_ops
from qdaapp.core import nodes as node_ops

from .test_coding_flow import PHRASE, codings, count_cell, node_id, opened, press_ctrl_k_and_pick  # noqa: F401
from .test_main_window import make_window, messages, settings, source_id  # noqa: F401

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def edit_menu_texts(window) -> list[str]:
    window.actions.edit_menu.aboutToShow.emit()
    return [a.text() for a in window.actions.edit_menu.actions()[:2]]


def test_ctrl_z_undoes_a_coding_and_ctrl_shift_z_brings_it_back(opened, qtbot) -> None:
    window, view, sid, start, end = opened
    assert edit_menu_texts(window)[0] == "Undo: set role = Practice nurse for case 'P1 Rosa'"  # from the template
    picker = press_ctrl_k_and_pick(window, view, qtbot, "tru")
    qtbot.keyClick(picker.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not picker.isVisible())
    coding_id = codings(window)[0].id
    assert coding_id in view.stripe_rects()
    assert edit_menu_texts(window) == [f"Undo: code 'Trust' in Rosa.txt ({start}-{end})", "Redo"]
    assert window.actions.undo.isEnabled() and not window.actions.redo.isEnabled()

    view.text_edit.setFocus()
    qtbot.keyClick(view.text_edit, Qt.Key.Key_Z, CTRL)
    assert codings(window) == []
    assert view.spans() == [] and coding_id not in view.stripe_rects()
    assert count_cell(window, "Trust") == ""
    assert "0 codings" in window.summary_label.text()
    assert edit_menu_texts(window)[1] == f"Redo: code 'Trust' in Rosa.txt ({start}-{end})"
    stack = window.runner.stack
    assert stack.redoText() == f"code 'Trust' in Rosa.txt ({start}-{end})"
    assert stack.undoText() == "set role = Practice nurse for case 'P1 Rosa'"  # the step before it

    qtbot.keyClick(view.text_edit, Qt.Key.Key_Z, CTRL_SHIFT)
    assert [(c.id, c.start, c.end, c.node) for c in codings(window)] == [(coding_id, start, end, "Trust")]
    assert coding_id in view.stripe_rects()
    assert count_cell(window, "Trust") == "1"
    assert edit_menu_texts(window)[0].startswith("Undo: code 'Trust'")


def test_undo_of_code_at_new_free_node_removes_both(opened, qtbot, monkeypatch) -> None:
    window, view, sid, start, end = opened
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Being asked", True))
    qtbot.keyClick(view.text_edit, Qt.Key.Key_N, CTRL_SHIFT)
    new = node_id(window, "Being asked")
    assert [(c.node, c.start, c.end) for c in codings(window)] == [("Being asked", start, end)]
    assert len(view.spans()) == 1
    assert edit_menu_texts(window)[0].startswith("Undo: code at new free node 'Being asked' in Rosa.txt")
    assert window.runner.undo()
    assert codings(window) == []
    assert view.spans() == []
    assert window.nodes_panel.model.node(new) is None
    with window.project.read_session() as s:
        assert "Being asked" not in [n.name for n in node_ops.list_nodes(s)]
    assert window.runner.redo()
    assert window.nodes_panel.model.node(new) is not None
    assert [(c.node, c.start) for c in codings(window)] == [("Being asked", start)]
    assert len(view.spans()) == 1


def test_undo_survives_reopening_the_project(make_window, project_path: Path) -> None:
    window = make_window(project_path)
    trust = node_id(window, "Trust")
    window.coding.code(trust, source_id(window.project, "Rosa.txt"), 0, 11)
    window.close_project()
    assert edit_menu_texts(window) == ["Undo", "Redo"] and not window.actions.undo.isEnabled()
    assert window.open_project(str(project_path))
    assert edit_menu_texts(window)[0] == "Undo: code 'Trust' in Rosa.txt (0-11)"
    assert window.runner.undo()
    assert codings(window) == []


def test_undo_refreshes_nodes_memos_and_sources(make_window, project_path: Path) -> None:
    window = make_window(project_path)
    panel = window.nodes_panel
    trust = node_id(window, "Trust")
    panel.rename_node(trust, "Trust in the GP")
    assert panel.model.node(trust).name == "Trust in the GP"
    assert window.runner.undo()
    assert panel.model.node(trust).name == "Trust"
    window.runner.run(memo_ops.add_diary_entry, "Long day.", author="tester")
    diary = window.sources_panel.model.item(3)
    assert diary.rowCount() == 1
    assert window.runner.undo()
    assert window.sources_panel.model.item(3).rowCount() == 0
    assert edit_menu_texts(window)[1] == "Redo: add diary entry for " + memo_ops.date.today().isoformat()


def test_undo_conflict_is_shown_plainly(make_window, project_path: Path, messages) -> None:
    from qdaapp.core.project import Project

    window = make_window(project_path)
    sid = source_id(window.project, "Rosa.txt")
    window.coding.code(node_id(window, "Trust"), sid, 0, 11)
    coding = codings(window)[0].id
    other = Project.open(project_path, coder="maria", exclusive=False)
    try:
        other.run(coding_ops.uncode, coding)
    finally:
        other.close()
    assert edit_menu_texts(window)[0].startswith("Undo: code 'Trust'")
    assert not window.runner.undo()
    kind, text = messages[-1]
    assert kind == "warning" and text.startswith("It cannot be undone")
    assert window.actions.undo.isEnabled()  # the stack still mirrors the core


def test_read_only_project_cannot_undo(make_window, project_path: Path) -> None:
    window = make_window(project_path)
    window.coding.code(node_id(window, "Trust"), source_id(window.project, "Rosa.txt"), 0, 11)
    window.close_project()
    window.open_project(str(project_path), read_only=True)
    assert edit_menu_texts(window) == ["Undo", "Redo"]
    assert not window.actions.undo.isEnabled() and not window.actions.redo.isEnabled()
    assert not window.runner.undo()
    assert len(codings(window)) == 1


def test_reason_field_is_recorded_with_changes(make_window, project_path: Path, qtbot) -> None:
    from qdaapp.core import audit

    window = make_window(project_path)
    field = window.status.reason
    assert field.isVisible() and field.isEnabled()
    window.actions.give_reason.trigger()
    qtbot.keyClicks(field, "second pass after supervision")
    window.coding.code(node_id(window, "Trust"), source_id(window.project, "Rosa.txt"), 0, 11)
    field.clear()
    window.coding.code(node_id(window, "Workload"), source_id(window.project, "Rosa.txt"), 0, 11)
    with window.project.engine.connect() as conn:
        events = audit.query_events(conn, audit.EventFilter(action="coding.create"), limit=2)
    assert [e.reason for e in events] == ["", "second pass after supervision"]


def test_rename_a_case_and_clear_an_attribute_then_undo(make_window, project_path: Path, qtbot) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    from qdaapp.gui.dialogs.case_dialog import VALUE_COL, CaseDialog

    from .test_cases_and_nodes import case_info

    window = make_window(project_path)
    case_id = case_info(window, "P1 Rosa").id
    dialog = CaseDialog(window, window.project, window.runner, case_id)
    qtbot.addWidget(dialog)
    assert not dialog.name_edit.isReadOnly()
    dialog.name_edit.setText("P1 Rosa (Millbrook)")
    dialog.table.item(0, VALUE_COL).setText("")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    renamed = case_info(window, "P1 Rosa (Millbrook)")
    assert renamed is not None and renamed.attributes == {} and renamed.sources == ["Rosa.txt"]
    assert window.sources_panel.model.case_names[case_id] == "P1 Rosa (Millbrook)"
    assert edit_menu_texts(window)[0] == "Undo: remove role from case 'P1 Rosa (Millbrook)'"
    assert window.runner.undo() and window.runner.undo()
    assert case_info(window, "P1 Rosa").attributes == {"role": "Practice nurse"}
    assert window.sources_panel.model.case_names[case_id] == "P1 Rosa"
