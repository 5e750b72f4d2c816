"""Search, marker review and accounts in the main window: docks, the Analysis menu,
"Add to account…" from everywhere passages appear, account and framework tabs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QInputDialog

from qdaapp.core import indexing, lexicon, markers, narrative, review
from qdaapp.gui.narrative.common import PASSAGES_MIME, SPAN_MIME, passages_from_mime
from qdaapp.gui.narrative.framework_view import FrameworkView
from qdaapp.gui.narrative.workspace import AccountWorkspace
from tests.gui.test_main_window import make_window, messages, settings, source_id  # noqa: F401


def menu_titles(window) -> list[str]:
    return [a.text().replace("&", "") for a in window.menuBar().actions()]


def passages_of(project, account_id: int) -> list[tuple[int, int, int]]:
    from sqlalchemy import select

    from qdaapp.core.models import AccountPassage

    with project.read_session() as s:
        return [tuple(r) for r in s.execute(
            select(AccountPassage.source_id, AccountPassage.start, AccountPassage.end)
            .where(AccountPassage.account_id == account_id).order_by(AccountPassage.id))]


@pytest.fixture
def window(make_window, project_path: Path, qtbot):
    w = make_window(project_path)
    qtbot.waitUntil(lambda: not w.analysis.indexer.is_running(), timeout=20000)
    return w


def test_docks_and_menu_are_in_the_window(window) -> None:
    a = window.analysis
    assert menu_titles(window) == ["File", "Edit", "Codebook", "Analysis", "Review", "Team", "View", "Help"]
    names = {d.objectName() for d in window.all_docks()}
    assert {"SearchDock", "MarkerReviewDock", "AccountsDock"} <= names
    assert a.search_dock in window.tabifiedDockWidgets(window.bottom_dock)
    assert a.accounts_dock.isHidden()  # accounts are in the Sources tree; the dock is View ▸ Accounts
    assert window.dockWidgetArea(a.accounts_dock) == window.dockWidgetArea(window.sources_dock)
    view_entries = [x.text() for x in window.actions.view_menu.actions()]
    assert {"Search", "Marker review", "Accounts"} <= set(view_entries)
    assert a.find_action.shortcut().toString() == "Ctrl+Shift+F"
    assert a.add_action.shortcut().toString() == "Ctrl+Shift+G"
    assert all(x.isEnabled() for x in a.needs_project + a.edits)
    assert a.indexer.is_complete()
    file_menu = window.menuBar().actions()[0].menu()
    entries = [x.text().replace("&", "") for x in file_menu.actions()]
    assert any("other QDA tools" in e for e in entries)  # REFI-QDA import is installed
    window.close_project()
    assert not any(x.isEnabled() for x in a.needs_project + a.edits)


def test_read_only_window_can_search_but_not_change(make_window, project_path: Path, qtbot) -> None:
    w = make_window(project_path, read_only=True)
    a = w.analysis
    assert all(x.isEnabled() for x in a.needs_project)
    assert not any(x.isEnabled() for x in a.edits)
    assert a.new_account() is None
    assert not a.accounts.new_button.isEnabled()


def test_search_dock_finds_and_shows_the_hit(window, qtbot) -> None:
    a = window.analysis
    a.show_search()
    assert a.search_dock.isVisible()
    a.search.query_edit.setText('"had to" OR "have to"')
    hits = a.search.run_search()
    qtbot.waitUntil(lambda: a.search.model.rowCount() > 0, timeout=5000)
    hit = a.search.model.hit(0)
    a.search.table.selectRow(0)
    view = window.documents.current_view()
    assert int(view.property("source_id")) == hit.source_id
    assert view.selected_span() == (hit.start, hit.end)
    assert view.text()[hit.start:hit.end].lower() in ("had to", "have to")
    assert hits is None or len(hits) >= 1


def test_ctrl_shift_f_takes_the_selected_words(window, qtbot) -> None:
    sid = source_id(window.project, "Rosa.txt")
    view = window.open_source(sid)
    start = view.text().index("able to")
    view.select_span(start, start + len("able to"))
    window.analysis.show_search()
    assert window.analysis.search.query_edit.text() == '"able to"'


def test_new_account_opens_its_workspace_and_undo_closes_it(window, qtbot, monkeypatch) -> None:
    a = window.analysis
    monkeypatch.setattr(QInputDialog, "getText",
                        staticmethod(lambda *args, **kw: ("Setting up the referral system", True)))
    account_id = a.new_account()
    assert account_id is not None
    tab = window.documents.tabs.currentWidget()
    assert isinstance(tab, AccountWorkspace) and tab.account_id == account_id
    assert window.documents.tabs.tabText(window.documents.tabs.currentIndex()) == "Setting up the referral system"
    qtbot.waitUntil(lambda: a.accounts.account_ids() == [account_id], timeout=3000)
    assert "no fragments yet" in a.accounts.list.item(0).text()
    assert a.open_account(account_id) is tab  # one tab per account
    assert window.runner.undo()
    qtbot.waitUntil(lambda: a.accounts.account_ids() == [], timeout=3000)
    qtbot.waitUntil(lambda: tab not in window.documents.workspaces(), timeout=3000)


def test_add_selection_to_account_from_the_document(window, qtbot, monkeypatch, messages) -> None:
    from qdaapp.gui.narrative.add_to_account import AddToAccountDialog

    a = window.analysis
    project = window.project
    account_id = project.run(narrative.create_account, "Referrals")
    sid = source_id(project, "Rosa.txt")
    view = window.open_source(sid)
    start = view.text().index("We had to do something")
    end = view.text().index(".", start) + 1
    view.select_span(start, end)
    menu = window.coding.build_context_menu(sid, start, end)
    add = next(x for x in menu.actions() if x.text() == "Add to account…")
    assert add.isEnabled()
    seen: list = []

    def answer(dialog: AddToAccountDialog) -> int:
        # The person picks the account and presses OK; the dialog itself adds the passages.
        seen.append(list(dialog.passages))
        dialog.choose("Referrals")
        dialog.save()
        return dialog.result()

    monkeypatch.setattr(AddToAccountDialog, "exec", answer)
    view.setFocus()
    assert passages_of(project, account_id) == []
    assert a.add_selection_to_account() == account_id
    assert seen == [[(sid, start, end)]]
    assert passages_of(project, account_id) == [(sid, start, end)]
    add.trigger()  # the context menu's entry takes the same path; the passage is there already
    assert seen[-1] == [(sid, start, end)]
    assert passages_of(project, account_id) == [(sid, start, end)]
    assert messages[-1] == ("information", "The passage is already in that account.")


def test_dragging_a_selection_onto_an_account_adds_it(window, qtbot) -> None:
    a = window.analysis
    project = window.project
    account_id = project.run(narrative.create_account, "Referrals")
    qtbot.waitUntil(lambda: a.accounts.account_ids() == [account_id], timeout=3000)
    sid = source_id(project, "Rosa.txt")
    view = window.open_source(sid)
    start = view.text().index("I wanted to help")
    view.select_span(start, start + len("I wanted to help"))
    mime = view.text_edit.createMimeDataFromSelection()
    payload = json.loads(bytes(mime.data(SPAN_MIME).data()).decode())
    assert payload == {"start": start, "end": start + len("I wanted to help"), "source_id": sid}
    assert passages_from_mime(mime) == [(sid, start, start + len("I wanted to help"))]

    target = a.accounts.list
    window.show_dock(a.accounts_dock)
    pos = target.visualItemRect(target.item(0)).center()
    drop = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    target.dropEvent(drop)
    assert passages_of(project, account_id) == [(sid, start, start + len("I wanted to help"))]
    assert "Added 1 passage" in window.statusBar().currentMessage()
    target.dropEvent(QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier))
    assert len(passages_of(project, account_id)) == 1  # a passage joins an account once
    assert "Already in" in window.statusBar().currentMessage()


def test_result_lists_drag_passages(window, qtbot) -> None:
    a = window.analysis
    project = window.project
    # keyword hits drag as their sentences
    a.search.query_edit.setText('"able to"')
    a.search.run_search()
    qtbot.waitUntil(lambda: a.search.model.rowCount() > 0, timeout=5000)
    model = a.search.model
    index = model.index(0, 0)
    assert model.flags(index) & Qt.ItemFlag.ItemIsDragEnabled
    mime = model.mimeData([index, model.index(0, 1)])
    dragged = json.loads(bytes(mime.data(PASSAGES_MIME).data()).decode())
    hit = model.hit(0)
    assert len(dragged) == 1 and dragged[0]["source_id"] == hit.source_id
    assert dragged[0]["start"] <= hit.start and dragged[0]["end"] >= hit.end
    a.search.table.selectRow(0)
    a.search.table.setFocus()
    assert a.current_passages() == [(hit.source_id, dragged[0]["start"], dragged[0]["end"])]
    text = window.documents.view(hit.source_id).text()
    assert "able to" in text[dragged[0]["start"]:dragged[0]["end"]]

    # coded passages drag as themselves
    sid = source_id(project, "Rosa.txt")
    from qdaapp.core import coding, nodes

    with project.read_session() as s:
        trust = next(n.id for n in nodes.list_nodes(s) if n.name == "Trust")
    project.run(coding.code, sid, 3, 20, trust, coder="tester")
    window.nodes_panel.nodeSelected.emit(trust)
    pm = window.passages.model
    qtbot.waitUntil(lambda: pm.rowCount() == 1, timeout=3000)
    mime = pm.mimeData([pm.index(0, 0)])
    assert passages_from_mime(mime) == [(sid, 3, 20)]


def test_marker_hits_drag_as_sentences_and_menu_runs(window, qtbot) -> None:
    a = window.analysis
    project = window.project
    indexing.index_sources(project)
    with project.read_session() as s:
        spec = lexicon.load(s)
    run = project.run(markers.run_markers, spec, coder=project.coder)
    a.review.reload_runs(select=run)
    qtbot.waitUntil(lambda: a.review.model.hit_ids() != [], timeout=5000)
    hit_id = a.review.model.hit_ids()[0]
    index = a.review.model.hit_index(hit_id)
    hit = a.review.model.hit(index)
    assert a.review.model.flags(index) & Qt.ItemFlag.ItemIsDragEnabled
    mime = a.review.model.mimeData([index])
    assert passages_from_mime(mime) == [(hit.source_id, hit.sentence_start, hit.sentence_end)]
    a.show_review()
    assert a.review_dock.isVisible()


def test_framework_matrix_opens_as_a_tab(window) -> None:
    project = window.project
    project.run(narrative.create_account, "Referrals")
    view = window.analysis.open_framework()
    assert isinstance(view, FrameworkView)
    assert window.documents.tabs.currentWidget() is view
    assert window.analysis.open_framework() is view
    window.close_project()
    assert window.analysis.framework is None


def test_audit_trail_request_opens_the_account(window, qtbot) -> None:
    account_id = window.project.run(narrative.create_account, "Referrals")
    window.accountRequested.emit(account_id)
    tab = window.documents.tabs.currentWidget()
    assert isinstance(tab, AccountWorkspace) and tab.account_id == account_id


def test_passage_from_a_workspace_opens_in_its_document(window, qtbot) -> None:
    project = window.project
    sid = source_id(project, "Rosa.txt")
    account_id = project.run(narrative.create_account, "Referrals")
    project.run(narrative.add_passage, account_id, sid, 60, 90)
    workspace = window.analysis.open_account(account_id)
    workspace.openPassage.emit(sid, 60, 90)
    view = window.documents.current_view()
    assert view is not None and view.selected_span() == (60, 90)


def test_new_project_from_the_menu_offers_the_coding_frames(make_window, tmp_path: Path, monkeypatch) -> None:
    from PySide6.QtWidgets import QDialog, QFileDialog

    from qdaapp.core import nodes
    from qdaapp.gui.preferences import frames_dialog

    window = make_window()
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(tmp_path / "Study.qda"), "")))
    offered: list[bool] = []

    def answer(dialog, *_a):
        offered.append(dialog.offer)
        dialog.chosen = "greimas-speech-acts"
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(frames_dialog.FramesDialog, "exec", answer)
    assert window.new_project()
    assert offered == [True]
    with window.project.read_session() as s:
        paths = {n.path for n in nodes.list_nodes(s)}
    assert "Speech acts/manipulation" in paths and "Speech acts/sanction" in paths, paths


def test_accounts_in_the_sources_tree(window, qtbot) -> None:
    from qdaapp.gui.models.sources_tree import ID_ROLE, KIND_ROLE

    project = window.project
    model = window.sources_panel.model
    group = model.find_key("group:accounts")
    assert group is not None and group.text() == "Accounts (0)"
    account_id = project.run(narrative.create_account, "Referrals")
    qtbot.waitUntil(lambda: model.find_key("group:accounts").text() == "Accounts (1)", timeout=3000)
    item = model.find_key(f"account:{account_id}")
    assert item.text() == "Referrals" and item.data(KIND_ROLE) == "account"
    assert "Missing: manipulation, commitment" in item.toolTip()

    # double-click (activate) opens the account's workspace
    window.sources_panel.view.activated.emit(item.index())
    tab = window.documents.tabs.currentWidget()
    assert isinstance(tab, AccountWorkspace) and tab.account_id == account_id

    # the context menus offer what the next step needs
    menu = window.sources_panel.build_context_menu(model.find_key("group:accounts").index())
    assert [x.text() for x in menu.actions()] == ["New account…", "Framework matrix"]
    menu = window.sources_panel.build_context_menu(item.index())
    assert "Open flow chart" in [x.text() for x in menu.actions()]

    # passages dropped on the account's row join it
    sid = source_id(project, "Rosa.txt")
    view = window.open_source(sid)
    start = view.text().index("I wanted to help")
    view.select_span(start, start + len("I wanted to help"))
    mime = view.text_edit.createMimeDataFromSelection()
    item = model.find_key(f"account:{account_id}")
    assert model.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, item.index())
    assert not model.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, -1,
                                     model.find_key("group:accounts").index())
    model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, item.index())
    assert passages_of(project, account_id) == [(sid, start, start + len("I wanted to help"))]
    assert "Added 1 passage to “Referrals”" in window.statusBar().currentMessage()
    assert model.find_key(f"account:{account_id}").data(ID_ROLE) == account_id


def test_a_group_that_was_empty_opens_when_its_first_item_arrives(window, qtbot) -> None:
    panel = window.sources_panel
    group = panel.model.find_key("group:accounts")
    assert not group.hasChildren()
    account_id = window.project.run(narrative.create_account, "Referrals")
    qtbot.waitUntil(lambda: panel.model.find_key(f"account:{account_id}") is not None, timeout=3000)
    assert panel.view.isExpanded(panel.model.find_key("group:accounts").index())


def test_plugin_analysis_shows_its_chart_and_table(window, qtbot, tmp_path: Path) -> None:
    a = window.analysis
    titles = [x.text() for x in a.plugin_menu.actions()]
    assert "Marker density…" in titles
    view = a.open_plugin_analysis("marker-density")
    assert window.documents.tabs.currentWidget() is view
    assert view.result is None and "no marker run yet" in view.message.text().lower()
    assert not view.chart_button.isEnabled()

    project = window.project
    indexing.index_sources(project)
    with project.read_session() as s:
        spec = lexicon.load(s)
    project.run(markers.run_markers, spec, coder="tester")
    assert a.open_plugin_analysis("marker-density") is view  # one tab; opening again refreshes it
    assert view.result is not None and view.result["analysis"] == "marker-density"
    assert not view.chart.pixmap().isNull() and view.chart.pixmap().width() > 500
    assert view.table.rowCount() == len(view.result["rows"]) and view.table.columnCount() >= 5
    assert view.table.item(0, 0).text() == str(view.result["rows"][0][0])
    png, svg, csv_file = view.save_chart(tmp_path / "d.png"), view.save_chart(tmp_path / "d.svg"), \
        view.save_table(tmp_path / "d.csv")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in svg.read_bytes()[:400]
    assert csv_file.read_text(encoding="utf-8-sig").splitlines()[0].startswith("case,sources,words,hits")


def test_keyword_index_passages_are_read_ahead_of_the_first_search(window, qtbot) -> None:
    import gc

    from qdaapp.core import fts_text

    where = str(window.project.engine.url.database)
    qtbot.waitUntil(lambda: where in fts_text._cache, timeout=5000)
    qtbot.waitUntil(lambda: gc.get_freeze_count() > 0, timeout=5000)  # kept out of the collector's walks
    window.close_project()
    assert where not in fts_text._cache and gc.get_freeze_count() == 0


def test_marker_review_reads_its_run_when_its_dock_first_shows(window, qtbot, monkeypatch) -> None:
    from qdaapp.gui.search import review_panel

    built, keep = [], review_panel.building_kept_data
    monkeypatch.setattr(review_panel, "building_kept_data", lambda: built.append(True) or keep())
    a = window.analysis
    project = window.project
    indexing.index_sources(project)
    with project.read_session() as s:
        spec = lexicon.load(s)
    run = project.run(markers.run_markers, spec, coder=project.coder)
    a.review.set_project(project)  # as opening the project does, with the dock behind another tab
    assert not a.review.on_screen()
    assert a.review.run_id is None and a.review.model.counts()[1] == 0 and a.review.model.rowCount() == 0
    a.show_review()
    assert a.review.on_screen() and a.review.run_combo.currentData() == run
    assert a.review.is_reading() and a.review.stack.currentWidget() is a.review.loading  # read on a worker
    assert a.review.counter.text() == ""  # no "Reviewed 0 / 0" while the passages are read
    qtbot.waitUntil(lambda: not a.review.is_reading(), timeout=5000)
    assert a.review.run_id == run and a.review.stack.currentWidget() is a.review.tree
    assert built == [True]  # the hits were built as data kept for the session
    assert a.review.counter.text().startswith(f"<b>Reviewed 0 / {a.review.model.counts()[1]:,}")
    with project.read_session() as s:
        assert a.review.model.hit_ids() == [h.id for h in review.list_hits(s, run)]
    groups = a.review.model.group_indexes()
    assert groups and all(a.review.tree.isExpanded(i) for i in groups)
    assert a.review.current_hit() is not None  # the first passage to review is selected
    shown = a.review.model.hit_ids()
    a.review.set_project(project)  # opened again with the dock in front: read on a worker at once
    assert a.review.is_reading() and a.review.model.hit_ids() == []
    qtbot.waitUntil(lambda: not a.review.is_reading(), timeout=5000)
    assert a.review.model.hit_ids() == shown and a.review.run_id == run

    newer = project.run(markers.run_markers, spec, coder=project.coder, include_interviewer=True)
    qtbot.waitUntil(lambda: a.review.run_combo.findData(newer) >= 0, timeout=5000)  # listed; the run shown stays
    assert a.review.run_id == run and not a.review.is_reading()
    a.review.run_combo.setCurrentIndex(a.review.run_combo.findData(newer))  # the user picks it: read on a worker
    assert a.review.is_reading() and a.review.stack.currentWidget() is a.review.loading
    qtbot.waitUntil(lambda: not a.review.is_reading(), timeout=5000)
    with project.read_session() as s:
        assert a.review.run_id == newer
        assert a.review.model.hit_ids() == [h.id for h in review.list_hits(s, newer)] != shown


def test_search_dock_reads_who_interviews_when_it_shows(window, qtbot, monkeypatch) -> None:
    import qdaapp.gui.speakers as gui_speakers

    calls = []
    monkeypatch.setattr(gui_speakers, "interviewer_names", lambda project: calls.append(project) or [])
    a = window.analysis
    a.search.set_project(window.project)  # as opening the project does, with the dock behind another tab
    assert not a.search.on_screen() and calls == []
    a.show_search()
    assert a.search.on_screen() and calls == [window.project]


def test_marker_review_read_in_the_background_keeps_up_with_changes(window, qtbot, monkeypatch) -> None:
    import threading

    from PySide6.QtCore import QThreadPool

    a = window.analysis
    project = window.project
    indexing.index_sources(project)
    with project.read_session() as s:
        spec = lexicon.load(s)
    run = project.run(markers.run_markers, spec, coder=project.coder)
    read, gate = review.list_hits, threading.Event()

    def held(session, run_id):  # reads, then waits until the test lets it finish
        hits = read(session, run_id)
        gate.wait(5)
        return hits

    monkeypatch.setattr(review, "list_hits", held)
    a.review.set_project(project)
    a.show_review()
    assert a.review.is_reading()
    with project.read_session() as s:
        first = read(s, run)[0].id
    project.run(review.accept_hits, run, [first], coder=project.coder)  # decided after the worker read
    gate.set()
    qtbot.waitUntil(lambda: not a.review.is_reading(), timeout=5000)
    assert a.review.model.status(first) == "accepted" and a.review.model.counts()[0] == 1

    # a read overtaken by another (here: the project set again) is dropped
    gate.clear()
    window.show_dock(window.bottom_dock)  # the review dock goes behind it
    a.review.set_project(project)
    assert not a.review.on_screen() and not a.review.is_reading()
    a.show_review()
    assert a.review.is_reading()
    a.review.set_project(None)
    gate.set()
    assert QThreadPool.globalInstance().waitForDone(5000)
    qtbot.wait(50)
    assert a.review.run_id is None and a.review.model.counts()[1] == 0
    assert a.review.stack.currentWidget() is a.review.empty
