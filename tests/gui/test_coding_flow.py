"""Coding gestures end to end: quick pick, context menu, new free node, drag and drop, uncode."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, Qt
from PySide6.QtWidgets import QInputDialog, QMenu

from qdaapp.core import coding as coding_ops
from qdaapp.core import nodes as node_ops
from qdaapp.gui.models.node_tree import FREE_ROOT, SPAN_MIME, TREE_ROOT
from qdaapp.gui.views.document_view import DocumentView

from .test_main_window import make_window, messages, settings, source_id  # noqa: F401

PHRASE = "the GP asked us to set it up"


def codings(window) -> list:
    with window.project.read_session() as s:
        return coding_ops.list_codings(s)


def node_id(window, name: str) -> int:
    return next(n.id for n in window.nodes_panel.model.nodes() if n.name == name)


def count_cell(window, name: str) -> str:
    model = window.nodes_panel.model
    return model.index_for(node_id(window, name)).siblingAtColumn(1).data()


@pytest.fixture
def opened(make_window, project_path: Path, qtbot):
    """The window with Rosa.txt open and PHRASE selected."""
    window = make_window(project_path)
    sid = source_id(window.project, "Rosa.txt")
    view: DocumentView = window.open_source(sid)
    start = view.text().index(PHRASE)
    view.select_span(start, start + len(PHRASE))
    view.text_edit.setFocus()
    assert view.selected_span() == (start, start + len(PHRASE))
    return window, view, sid, start, start + len(PHRASE)


def press_ctrl_k_and_pick(window, view, qtbot, typed: str):
    qtbot.keyClick(view.text_edit, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    picker = window.coding.picker
    assert picker is not None and picker.isVisible()
    qtbot.keyClicks(picker.edit, typed)
    return picker


def test_ctrl_k_quick_pick_codes_exact_span_and_draws_stripe(opened, qtbot) -> None:
    window, view, sid, start, end = opened
    assert count_cell(window, "Trust") == ""
    picker = press_ctrl_k_and_pick(window, view, qtbot, "tru")
    assert picker.items()[0].startswith("Trust")
    assert picker.items()[-1] == "＋  Create free node 'tru'"
    qtbot.keyClick(picker.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not picker.isVisible())
    rows = codings(window)
    assert [(r.source_id, r.start, r.end, r.node, r.coder) for r in rows] == [(sid, start, end, "Trust", "tester")]
    assert rows[0].text == PHRASE
    coding_id = rows[0].id
    assert [(s.coding_id, s.start, s.end) for s in view.spans()] == [(coding_id, start, end)]
    assert view.lane_of(coding_id) == 0
    assert coding_id in view.stripe_rects()
    assert count_cell(window, "Trust") == "1"
    assert "1 coding" in window.summary_label.text()
    assert view.selected_span() == (start, end)  # the selection stays for the next node


def test_quick_pick_can_create_a_free_node(opened, qtbot) -> None:
    window, view, sid, start, end = opened
    picker = press_ctrl_k_and_pick(window, view, qtbot, "Being asked")
    qtbot.keyClick(picker.edit, Qt.Key.Key_Up)  # the list has only the "create" row; Up stays on it
    qtbot.keyClick(picker.edit, Qt.Key.Key_Return)
    new = window.nodes_panel.model.node(node_id(window, "Being asked"))
    assert new.kind == "free"
    assert [(r.node, r.start, r.end) for r in codings(window)] == [("Being asked", start, end)]
    assert window.nodes_panel.model.index_for(FREE_ROOT).data() == "Free Nodes (2)"


def test_uncode_by_clicking_the_stripe_and_pressing_delete(opened, qtbot) -> None:
    window, view, sid, start, end = opened
    window.coding.code(node_id(window, "Trust"), sid, start, end)
    coding_id = codings(window)[0].id
    view.text_edit.moveCursor(view.text_edit.textCursor().MoveOperation.Start)
    rect = view.stripe_rects()[coding_id]
    qtbot.mouseClick(view.stripe_margin, Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.selected_span() == (start, end)
    assert window.coding.clicked == (sid, coding_id)
    qtbot.keyClick(view.text_edit, Qt.Key.Key_Delete)
    assert codings(window) == []
    assert view.spans() == []
    assert coding_id not in view.stripe_rects()
    assert count_cell(window, "Trust") == ""


def test_context_menu_codes_at_recent_node_and_uncodes(opened) -> None:
    window, view, sid, start, end = opened
    window.coding.code(node_id(window, "Workload"), sid, start, end)
    menu = window.coding.build_context_menu(sid, start, end)
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts[:3] == ["Code at 'Workload'", "Code at…", "Code at new free node…"]
    uncode: QMenu = next(a.menu() for a in menu.actions() if a.text() == "Uncode")
    assert uncode.isEnabled()
    entries = uncode.actions()
    assert len(entries) == 1 and entries[0].text().startswith("Workload — “the GP asked")
    entries[0].trigger()
    assert codings(window) == []
    assert view.spans() == []
    menu.deleteLater()
    # the recent node is offered first; choosing it codes again
    menu = window.coding.build_context_menu(sid, start, end)
    menu.actions()[0].trigger()
    assert [(r.node, r.start, r.end) for r in codings(window)] == [("Workload", start, end)]
    menu.deleteLater()


def test_code_at_new_free_node_in_one_step(opened, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    window, view, sid, start, end = opened
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Being asked to act", True))
    qtbot.keyClick(view.text_edit, Qt.Key.Key_N,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    rows = codings(window)
    assert [(r.node, r.start, r.end) for r in rows] == [("Being asked to act", start, end)]
    assert count_cell(window, "Being asked to act") == "1"
    assert window.nodes_panel.current_node_id() == node_id(window, "Being asked to act")
    assert [s.node_name for s in view.spans()] == ["Being asked to act"]


def test_drop_of_dragged_selection_on_a_node_codes_it(opened) -> None:
    window, view, sid, start, end = opened
    mime = view.text_edit.createMimeDataFromSelection()  # what a drag out of the document carries
    assert mime.hasFormat(SPAN_MIME)
    model = window.nodes_panel.model
    target = model.index_for(node_id(window, "Workload"))
    assert model.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, target)
    assert not model.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, model.index_for(TREE_ROOT))
    assert model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, target)
    assert [(r.node, r.source_id, r.start, r.end) for r in codings(window)] == [("Workload", sid, start, end)]
    assert count_cell(window, "Workload") == "1"
    assert [s.node_name for s in view.spans()] == ["Workload"]


def test_span_drop_names_its_source(opened) -> None:
    window, view, sid, start, end = opened
    other = source_id(window.project, "Notes.txt")
    window.open_source(other)  # the active tab is now another source
    mime = QMimeData()
    mime.setData(SPAN_MIME, f'{{"start": {start}, "end": {end}, "source_id": {sid}}}'.encode())
    model = window.nodes_panel.model
    assert model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, model.index_for(node_id(window, "Trust")))
    assert [(r.source_id, r.start, r.end) for r in codings(window)] == [(sid, start, end)]


def test_move_free_node_into_tree_by_drop(make_window, project_path: Path) -> None:
    window = make_window(project_path)
    model = window.nodes_panel.model
    trust, barriers = node_id(window, "Trust"), node_id(window, "Barriers")
    mime = model.mimeData([model.index_for(trust)])
    assert model.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, model.index_for(barriers))
    assert not model.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, model.index_for(FREE_ROOT))
    assert model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, model.index_for(barriers))
    with window.project.read_session() as s:
        info = next(n for n in node_ops.list_nodes(s) if n.id == trust)
    assert (info.kind, info.path) == ("tree", "Barriers/Trust")
    assert model.node(trust).parent.id == barriers
    assert model.index_for(FREE_ROOT).data() == "Free Nodes (0)"
    # and back: a childless tree node dropped on "Free Nodes" becomes free again
    mime = model.mimeData([model.index_for(trust)])
    assert model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, model.index_for(FREE_ROOT))
    assert model.node(trust).kind == "free"


def test_double_click_in_coded_passages_opens_the_passage(opened, qtbot) -> None:
    window, view, sid, start, end = opened
    trust = node_id(window, "Trust")
    window.coding.code(trust, sid, start, end)
    window.documents.close_source(sid)
    window.nodes_panel.select_node(trust)
    table = window.passages.table
    assert window.passages.row_count() == 1
    assert "1 coded passage" in window.passages.header.text()
    index = window.passages.model.index(0, 3)
    rect = table.visualRect(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a double click's first press
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    reopened = window.documents.current_view()
    assert reopened is not None and reopened is not view
    assert reopened.property("source_id") == sid
    assert reopened.selected_span() == (start, end)


def test_rename_and_recolour_update_open_document(opened) -> None:
    window, view, sid, start, end = opened
    trust = node_id(window, "Trust")
    window.coding.code(trust, sid, start, end)
    model = window.nodes_panel.model
    assert model.setData(model.index_for(trust), "Trust in the GP")
    assert not model.setData(model.index_for(trust), "Trust in the GP")  # unchanged: nothing to do
    window.runner.run(node_ops.update_node, trust, color="#0072B2")
    assert model.node(trust).name == "Trust in the GP"
    assert [(s.node_name, s.color) for s in view.spans()] == [("Trust in the GP", "#0072B2")]


def test_delete_node_removes_its_codings_from_view(opened, asked_reasons) -> None:
    window, view, sid, start, end = opened
    trust = node_id(window, "Trust")
    window.coding.code(trust, sid, start, end)
    assert window.nodes_panel.delete_node(trust)
    assert asked_reasons[-1][0] == "node.delete" and "1 coding will be removed" in asked_reasons[-1][1]
    assert view.spans() == []
    assert window.nodes_panel.model.node(trust) is None


def test_merge_moves_codings_to_target(opened, asked_reasons) -> None:
    window, view, sid, start, end = opened
    trust, workload = node_id(window, "Trust"), node_id(window, "Workload")
    window.coding.code(trust, sid, start, end)
    assert window.nodes_panel.confirm_merge(trust, workload)
    assert "Merge 'Trust' into 'Barriers/Workload'?" in asked_reasons[-1][1]
    assert [s.node_name for s in view.spans()] == ["Workload"]
    assert count_cell(window, "Workload") == "1"


def test_ctrl_k_without_selection_explains(make_window, project_path: Path) -> None:
    window = make_window(project_path)
    assert window.coding.code_selection_quick() is None
    assert "Select some text" in window.statusBar().currentMessage()
