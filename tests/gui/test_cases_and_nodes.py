"""Cases and attributes, node editing, the diary, and the quick-pick ranking."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QInputDialog

from qdaapp.core import cases as case_ops
from qdaapp.core import memos as memo_ops
from qdaapp.core import nodes as node_ops
from qdaapp.gui.dialogs.case_dialog import NAME_COL, SOURCE_ID_ROLE, VALUE_COL, CaseDialog
from qdaapp.gui.dialogs.node_dialog import NodeDialog
from qdaapp.gui.dialogs.quick_pick import Choice, QuickPick, match_score, rank

from .test_main_window import make_window, messages, settings, source_id  # noqa: F401


def case_info(window, name: str):
    with window.project.read_session() as s:
        return next((c for c in case_ops.list_cases(s) if c.name == name), None)


def test_new_case_with_sources_and_typed_attributes(make_window, project_path: Path, qtbot) -> None:
    window = make_window(project_path)
    dialog = CaseDialog(window, window.project, window.runner)
    qtbot.addWidget(dialog)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert not save.isEnabled() and "Give the case a name" in dialog.error_label.text()
    dialog.name_edit.setText("Ward 7")
    notes = source_id(window.project, "Notes.txt")
    for i in range(dialog.source_list.count()):
        item = dialog.source_list.item(i)
        if item.data(SOURCE_ID_ROLE) == notes:
            item.setCheckState(Qt.CheckState.Checked)
    row = dialog._add_row("", "number", "", existing=False)
    dialog.table.item(row, NAME_COL).setText("beds")
    dialog.table.item(row, VALUE_COL).setText("twelve")
    assert "'twelve' is not a number" in dialog.error_label.text()
    assert not save.isEnabled()
    dialog.table.item(row, VALUE_COL).setText("12")
    assert dialog.error_label.text() == "" and save.isEnabled()
    row = dialog._add_row("role", "text", "", existing=False)
    dialog.table.item(row, VALUE_COL).setText("Acute ward")
    save.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    info = case_info(window, "Ward 7")
    assert info.sources == ["Notes.txt"]
    assert info.attributes == {"beds": "12", "role": "Acute ward"}
    labels = [window.sources_panel.model.item(4).child(r).text() for r in range(2)]
    assert labels == ["P1 Rosa", "Ward 7"]
    assert window.sources_panel.model.item(4).text() == "Cases (2)"


def test_case_dialog_unticks_a_source_and_fixes_attribute_type(make_window, project_path: Path,
                                                               qtbot) -> None:
    window = make_window(project_path)
    rosa_case = case_info(window, "P1 Rosa")
    dialog = CaseDialog(window, window.project, window.runner, rosa_case.id)
    qtbot.addWidget(dialog)
    assert not dialog.name_edit.isReadOnly()  # cases can be renamed (case.update)
    assert [r[:3] for r in dialog.rows()] == [("role", "text", "Practice nurse")]
    dialog.source_list.item(next(i for i in range(dialog.source_list.count())
                                 if dialog.source_list.item(i).checkState() == Qt.CheckState.Checked)
                            ).setCheckState(Qt.CheckState.Unchecked)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert case_info(window, "P1 Rosa").sources == []


def test_node_dialog_changes_description_and_colour(make_window, project_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(project_path)
    panel = window.nodes_panel
    workload = next(n.id for n in panel.model.nodes() if n.name == "Workload")

    def edit(dialog: NodeDialog) -> int:
        assert dialog.description_edit.toPlainText() == "Too much to do"
        dialog.description_edit.setPlainText("Staff say there is too much to do in the time.")
        dialog.picker._set("#CC79A7")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(NodeDialog, "exec", edit)
    panel.edit_properties(workload)
    with window.project.read_session() as s:
        info = next(n for n in node_ops.list_nodes(s) if n.id == workload)
    assert (info.description, info.color) == ("Staff say there is too much to do in the time.", "#CC79A7")
    assert panel.model.node(workload).color == "#CC79A7"
    assert "too much to do in the time" in panel.model.index_for(workload).data(Qt.ItemDataRole.ToolTipRole)


def test_nodes_panel_creates_and_deletes_with_keyboard(make_window, project_path: Path, qtbot,
                                                        monkeypatch: pytest.MonkeyPatch, asked_reasons) -> None:
    window = make_window(project_path)
    panel = window.nodes_panel
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Funding", True))
    barriers = next(n for n in panel.model.nodes() if n.name == "Barriers")
    new = panel.new_tree_node(barriers)
    assert panel.model.node(new).path() == "Barriers/Funding"
    assert panel.current_node_id() == new
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    assert "Delete the node 'Barriers/Funding'?" in asked_reasons[-1][1]
    assert panel.model.node(new) is None
    menu = panel.build_context_menu(panel.model.index_for(barriers.id))
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Show coded passages", "Find similar passages", "New child node…", "Rename",
                     "Edit description and colour…",
                     "Move to free nodes", "Move into tree…", "Merge into…", "Delete…", "Add review comment…"]
    assert not next(a for a in menu.actions() if a.text() == "Move to free nodes").isEnabled()
    menu.deleteLater()


def test_move_into_tree_with_the_picker(make_window, project_path: Path, qtbot) -> None:
    window = make_window(project_path)
    panel = window.nodes_panel
    trust = next(n.id for n in panel.model.nodes() if n.name == "Trust")
    panel.move_into_tree(trust)
    picker = next(w for w in panel.findChildren(QuickPick) if w.isVisible())
    assert picker.items()[0] == "Top level of the tree"
    qtbot.keyClicks(picker.edit, "barr")
    qtbot.keyClick(picker.edit, Qt.Key.Key_Return)
    assert panel.model.node(trust).path() == "Barriers/Trust"


def test_diary_entry_is_written_in_the_memo_tab(make_window, project_path: Path, qtbot) -> None:
    window = make_window(project_path)
    window.new_diary_entry()
    assert window.bottom_tabs.currentWidget() is window.memos
    assert "New diary entry" in window.memos.header.text()
    qtbot.keyClicks(window.memos.editor, "Coded Rosa today.")
    qtbot.keyClick(window.memos.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    with window.project.read_session() as s:
        entries = memo_ops.list_memos(s, target_type="diary")
    assert [e.text for e in entries] == ["Coded Rosa today."]
    diary = window.sources_panel.model.item(3)
    assert diary.rowCount() == 1 and diary.child(0).text().endswith("Coded Rosa today.")
    assert window.memos.target == ("diary", entries[0].id)


def test_quick_pick_ranking() -> None:
    choices = [
        Choice(1, "Trust", "Trust", "free", "#E69F00"),
        Choice(2, "Mistrust of managers", "Relationships/Mistrust of managers", "tree", "#56B4E9"),
        Choice(3, "Health promotion", "Events/Health promotion", "tree", "#009E73"),
        Choice(4, "Workload", "Barriers/Workload", "tree", "#0072B2"),
    ]
    assert [c.node_id for c in rank("trust", choices)] == [1, 2]
    assert [c.node_id for c in rank("hlthp", choices)] == [3]
    assert [c.node_id for c in rank("barr", choices)] == [4]
    assert [c.node_id for c in rank("", choices, recent=[4, 3])][:2] == [4, 3]
    assert match_score("zzz", "Trust", "Trust") is None
