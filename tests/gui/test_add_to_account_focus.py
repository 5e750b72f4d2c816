"""Ctrl+Shift+G acts on what has focus, and result rows dropped on an open account join it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from qdaapp.core import coding, indexing, lexicon, markers, narrative
from qdaapp.core import nodes as node_ops
from qdaapp.gui.panels.analysis import LIST_NO_SELECTION
from tests.gui.test_analysis_panels import passages_of, window  # noqa: F401
from tests.gui.test_main_window import make_window, messages, settings, source_id  # noqa: F401


def run_markers_in(window, qtbot) -> None:
    """Index the sources, run the marker search and show the run in the review queue."""
    project = window.project
    indexing.index_sources(project)
    with project.read_session() as s:
        spec = lexicon.load(s)
    run = project.run(markers.run_markers, spec, coder=project.coder)
    window.analysis.review.reload_runs(select=run)
    qtbot.waitUntil(lambda: window.analysis.review.model.hit_ids() != [], timeout=5000)


def test_ctrl_shift_g_takes_the_focused_list_not_a_stale_document_selection(window, qtbot,
                                                                           monkeypatch) -> None:
    a = window.analysis
    project = window.project
    sid = source_id(project, "Rosa.txt")
    view = window.open_source(sid)
    doc = (sid, view.text().index("We had to"), view.text().index("We had to") + 9)
    view.select_span(doc[1], doc[2])  # stays selected while the user works in the lists below
    asked: list = []
    monkeypatch.setattr("qdaapp.gui.panels.analysis.add_to_account",
                        lambda parent, proj, passages: asked.append(passages) or None)

    # search results
    window.show_dock(a.search_dock)
    a.search.query_edit.setText('"able to"')
    a.search.run_search()
    qtbot.waitUntil(lambda: a.search.model.rowCount() > 0, timeout=5000)
    a.search.table.selectRow(0)
    a.search.table.setFocus()
    found = a.search_passages()
    assert found and doc not in found
    a.add_selection_to_account()
    assert asked[-1] == found
    a.search.table.clearSelection()  # a focused list with nothing selected adds nothing
    a.add_selection_to_account()
    assert len(asked) == 1 and window.statusBar().currentMessage() == LIST_NO_SELECTION

    # marker review queue: a hit row, then a marker row (its hits)
    run_markers_in(window, qtbot)
    window.show_dock(a.review_dock)
    model = a.review.model
    hit = model.hit(model.hit_index(model.hit_ids()[0]))
    a.review.tree.setCurrentIndex(model.hit_index(hit.id))
    a.review.tree.setFocus()
    a.add_selection_to_account()
    assert asked[-1] == [(hit.source_id, hit.sentence_start, hit.sentence_end)]
    marker_row = model.hit_index(hit.id).parent()
    a.review.tree.setCurrentIndex(marker_row)
    _act, _marker, hits = model.marker_of(marker_row)
    a.add_selection_to_account()
    assert asked[-1] == list(dict.fromkeys((h.source_id, h.sentence_start, h.sentence_end) for h in hits))

    # coded passages
    with project.read_session() as s:
        trust = next(n.id for n in node_ops.list_nodes(s) if n.name == "Trust")
    project.run(coding.code, sid, 3, 20, trust, coder="tester")
    window.nodes_panel.nodeSelected.emit(trust)
    qtbot.waitUntil(lambda: window.passages.model.rowCount() == 1, timeout=3000)
    window.show_dock(window.bottom_dock)
    window.bottom_tabs.setCurrentWidget(window.passages)
    window.passages.table.selectRow(0)
    window.passages.table.setFocus()
    a.add_selection_to_account()
    assert asked[-1] == [(sid, 3, 20)]

    # the document itself: its selection (choosing result rows showed them in it, so select again)
    view.select_span(doc[1], doc[2])
    view.text_edit.setFocus()
    a.add_selection_to_account()
    assert asked[-1] == [doc]


def _drop(widget, mime) -> None:
    pos = widget.rect().center()
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(widget, QDropEvent(QPoint(pos), Qt.DropAction.CopyAction, mime,
                                              Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))


def test_results_dropped_on_an_open_account_join_it(window, qtbot) -> None:
    a = window.analysis
    project = window.project
    account_id = project.run(narrative.create_account, "Referrals")
    workspace = a.open_account(account_id)
    assert workspace is not None
    a.search.query_edit.setText('"able to"')
    a.search.run_search()
    qtbot.waitUntil(lambda: a.search.model.rowCount() > 0, timeout=5000)
    search_mime = a.search.model.mimeData([a.search.model.index(0, 0)])
    _drop(workspace.flowchart.viewport(), search_mime)
    a.search.table.selectRow(0)
    wanted = a.search_passages()  # a keyword hit joins as its sentence, as when dragged elsewhere
    qtbot.waitUntil(lambda: passages_of(project, account_id) == wanted, timeout=3000)
    assert "Added 1 passage" in window.statusBar().currentMessage()

    run_markers_in(window, qtbot)
    model = a.review.model
    index = model.hit_index(model.hit_ids()[-1])
    hit = model.hit(index)
    _drop(workspace.fragments.viewport(), model.mimeData([index]))
    qtbot.waitUntil(lambda: len(passages_of(project, account_id)) == 2, timeout=3000)
    assert passages_of(project, account_id)[-1] == (hit.source_id, hit.sentence_start, hit.sentence_end)
    _drop(workspace.flowchart.viewport(), search_mime)  # the same passage again: refused quietly
    qtbot.waitUntil(lambda: "Already in" in window.statusBar().currentMessage(), timeout=3000)
    assert len(passages_of(project, account_id)) == 2
