"""A coding's history in the window: from its stripe, the coded passages and a search result, to the audit trail."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMenu

from qdaapp.core import nodes as node_ops
from qdaapp.core.passage_history import coding_history
from qdaapp.gui.audit.passage_history import PassageHistoryDialog

from .test_coding_flow import codings, node_id, opened  # noqa: F401
from .test_main_window import make_window, messages, settings, source_id  # noqa: F401
from .test_marker_review import hit_where, indexed, indexed_template, panel  # noqa: F401


def pick(menu: QMenu, text: str) -> list[str]:
    """Trigger the entry ``text`` of ``menu``; return every entry's text."""
    entries = [a.text() for a in menu.actions() if not a.isSeparator()]
    next(a for a in menu.actions() if a.text() == text).trigger()
    return entries


def _coded_and_renamed(window, sid: int, start: int, end: int) -> int:
    window.coding.code(node_id(window, "Trust"), sid, start, end)
    coding_id = codings(window)[0].id
    window.project.run(node_ops.update_node, node_id(window, "Trust"), name="Confidence", reason="clearer name")
    QApplication.processEvents()
    return coding_id


def test_stripe_menu_opens_the_history_and_a_line_opens_its_event(opened, qtbot) -> None:
    window, view, sid, start, end = opened
    coding_id = _coded_and_renamed(window, sid, start, end)
    view.text_edit.moveCursor(view.text_edit.textCursor().MoveOperation.Start)
    centre = view.stripe_rects()[coding_id].center()
    tip = view.stripe_margin.tooltip_text_at(centre)
    assert tip.startswith("Confidence — coded by tester on ") and ", by hand" in tip
    assert view.stripe_margin.context_menu_at(QPoint(0, 0)) is None
    assert pick(view.stripe_margin.context_menu_at(centre), "History of this coding…") == ["History of this coding…"]
    dialog: PassageHistoryDialog = window.histories.dialogs[-1]
    assert dialog.isVisible() and not dialog.isModal()
    assert dialog.texts() == ["Coded by hand at 'Trust'.", "Its node: rename node 'Trust' to 'Confidence'."]
    assert dialog.lines.topLevelItem(1).text(3) == "clearer name"
    seqs = dialog.seqs()
    window.audit_viewer.filters.coder.setCurrentIndex(window.audit_viewer.filters.coder.count() - 1)
    dialog.lines.setCurrentItem(dialog.lines.topLevelItem(1))
    qtbot.keyClick(dialog.lines, Qt.Key.Key_Return)
    assert window.audit_dock.isVisible()
    assert window.audit_viewer.current_row()[0] == seqs[1]
    dialog.lines.setCurrentItem(dialog.lines.topLevelItem(0))
    qtbot.keyClick(dialog.lines, Qt.Key.Key_Enter)
    assert window.audit_viewer.current_row()[0] == seqs[0]
    qtbot.keyClick(dialog.lines, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_coded_passages_list_opens_the_history(opened, qtbot) -> None:
    window, _view, sid, start, end = opened
    coding_id = _coded_and_renamed(window, sid, start, end)
    panel = window.passages
    panel.show_node(node_id(window, "Confidence"), "Confidence")
    assert panel.row_count() == 1
    panel.table.setCurrentIndex(panel.model.index(0, 0))
    panel.history_action.trigger()
    dialog = window.histories.dialogs[-1]
    assert dialog.history.coding_id == coding_id and len(dialog.texts()) == 2
    dialog.close()
    rect = panel.table.visualRect(panel.model.index(0, 0))
    entries = pick(panel.context_menu_at(rect.center()), "History of this coding…")
    assert entries == ["Open in its document", "History of this coding…"]
    assert window.histories.dialogs[-1].history.coding_id == coding_id
    window.histories.dialogs[-1].close()


def test_a_search_result_opens_the_history_of_the_coding_there(opened, qtbot) -> None:
    window, _view, sid, start, end = opened
    coding_id = _coded_and_renamed(window, sid, start, end)
    dialog = window.histories.open_span(sid, start + 3, start + 6, QPoint(10, 10))
    assert dialog is not None and dialog.history.coding_id == coding_id
    assert dialog.history.quote == "the GP asked us to set it up"
    dialog.close()
    assert window.histories.open_span(sid, 0, 3) is None
    assert "No coding covers this passage." in window.statusBar().currentMessage()


def test_a_removed_coding_says_so(make_window, project_path: Path, qtbot) -> None:
    from qdaapp.core import coding as coding_ops

    window = make_window(project_path)
    sid = source_id(window.project, "Rosa.txt")
    cid = window.project.run(coding_ops.code, sid, 0, 11, "Trust", "tester")
    window.project.run(coding_ops.uncode, cid)
    dialog = window.histories.open_coding(cid)
    assert "removed since" in dialog.header.text()
    assert dialog.texts() == ["Coded by hand at 'Trust'.", "Uncoded (removed) by hand."]
    dialog.close()
    assert window.histories.open_coding(9999) is None
    assert window.statusBar().currentMessage().startswith("There is no coding 9999")


def test_an_accepted_marker_hit_asks_for_its_coding_history(panel, indexed, qtbot) -> None:
    from qdaapp.core.passage_history import coding_of_hit

    had = hit_where(panel, "had to")
    panel.select_hit(had.id)
    index = panel.tree.currentIndex()
    entry = next(a for a in panel.bulk_menu(index).actions() if a.text() == "History of its coding…")
    assert not entry.isEnabled()  # not accepted yet: no coding
    panel.decide(True, [had.id])
    entry = next(a for a in panel.bulk_menu(panel.model.hit_index(had.id)).actions()
                 if a.text() == "History of its coding…")
    assert entry.isEnabled()
    with qtbot.waitSignal(panel.hitHistoryRequested) as asked:
        entry.trigger()
    assert asked.args == [had.id]
    with indexed.engine.connect() as conn:
        coding_id = coding_of_hit(conn, had.id)
        history = coding_history(conn, coding_id)
    assert history.how == f"from marker '{had.marker}' ({had.act})"
    assert [h.hit_id for h in history.hits] == [had.id]
