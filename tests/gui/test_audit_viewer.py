"""The audit trail viewer (lazy timeline, filters, details, opening what a row touched) and the
extension points other panels use: add_panel, open_central_tab, show_passage."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QUrl
from PySide6.QtWidgets import QLabel

from qdaapp.core import memos as memo_ops
from qdaapp.core import narrative
from qdaapp.core import nodes as node_ops
from qdaapp.gui.audit import query
from qdaapp.gui.audit.model import ACTION, CODER, SEQ, SUMMARY

from ..bench.bench_audit import fill_events
from .test_coding_flow import codings, node_id
from .test_main_window import make_window, messages, settings, source_id  # noqa: F401


def open_viewer(window, qtbot):
    window.actions.dock_actions["AuditDock"].trigger()
    viewer = window.audit_viewer
    qtbot.waitUntil(viewer.isVisible, timeout=3000)
    return viewer


def cells(viewer, column: int) -> list[str]:
    model = viewer.model
    return [model.index(r, column).data() for r in range(model.rowCount())]


@pytest.fixture
def worked(make_window, project_path: Path):
    """A window on a project where 'tester' coded, wrote a memo and made an account."""
    window = make_window(project_path)
    sid = source_id(window.project, "Rosa.txt")
    window.coding.code(node_id(window, "Trust"), sid, 0, 11)
    window.runner.run(memo_ops.add_memo, "Why trust?", target=f"node:{node_id(window, 'Trust')}", author="tester")
    window.runner.reason = "set up the account for the referral story"
    ok, account = window.runner.run(narrative.create_account, "The referral system")
    window.runner.reason = ""
    assert ok
    return window, sid, account


def test_ctrl_shift_a_shows_the_timeline_newest_first(worked, qtbot) -> None:
    window, sid, _account = worked
    assert window.actions.dock_actions["AuditDock"].shortcut().toString() == "Ctrl+Shift+A"
    viewer = open_viewer(window, qtbot)
    assert window.audit_dock.isVisible()
    total = window.project.summary()["events"]
    assert viewer.model.rowCount() == viewer.model.total == total
    seqs = [int(s.replace(",", "")) for s in cells(viewer, SEQ)]
    assert seqs == sorted(seqs, reverse=True) and seqs[0] == total
    assert cells(viewer, SUMMARY)[:3] == ["Created account 'The referral system'",
                                          "Wrote a memo on node 'Trust': 'Why trust?'",
                                          "Coded 'Interviewer' in Rosa.txt at Trust"]
    assert cells(viewer, CODER)[0] == "tester"
    assert cells(viewer, ACTION)[0] == "create account"
    assert viewer.model.index(0, 5).data() == "set up the account for the referral story"
    qtbot.waitUntil(lambda: viewer.chain_label.text() == f"✔ Audit chain verified: {total:,} events", timeout=5000)
    assert f"{total:,} events" in viewer.count_label.text()


def test_detail_pane_shows_before_after_and_reason(worked, qtbot) -> None:
    window, sid, _account = worked
    viewer = open_viewer(window, qtbot)
    viewer.table.setCurrentIndex(viewer.model.index(2, SUMMARY))  # the coding
    text = viewer.detail.toPlainText()
    assert text.startswith("Coded 'Interviewer' in Rosa.txt at Trust\n")
    assert "After" in text and "source: Rosa.txt (#" in text and "node: Trust (#" in text
    assert "start: 0" in text and "end: 11" in text
    assert "No reason was given." in text
    viewer.table.setCurrentIndex(viewer.model.index(0, SUMMARY))
    assert "Reason: set up the account for the referral story" in viewer.detail.toPlainText()


def test_new_events_appear_on_top(worked, qtbot) -> None:
    window, sid, _account = worked
    viewer = open_viewer(window, qtbot)
    before = viewer.model.rowCount()
    window.coding.code(node_id(window, "Workload"), sid, 12, 20)
    assert viewer.model.rowCount() == before + 1
    assert cells(viewer, SUMMARY)[0] == "Coded 'How did' in Rosa.txt at Barriers/Workload"
    window.runner.undo()
    assert cells(viewer, SUMMARY)[0] == "Undid: coded 'How did' in Rosa.txt at Barriers/Workload"


def test_filters(worked, qtbot) -> None:
    window, sid, _account = worked
    viewer = open_viewer(window, qtbot)
    bar = viewer.filters
    total = viewer.model.total
    bar.action.setCurrentIndex(bar.action.findText("Memos and diary"))
    assert cells(viewer, SUMMARY) == ["Wrote a memo on node 'Trust': 'Why trust?'"]
    assert "1 event match" in viewer.count_label.text()
    bar.action.setCurrentIndex(bar.action.findText("    code"))
    assert cells(viewer, SUMMARY) == ["Coded 'Interviewer' in Rosa.txt at Trust"]
    bar.action.setCurrentIndex(0)
    bar.node.setCurrentIndex(bar.node.findText("Trust"))
    assert cells(viewer, SUMMARY) == ["Wrote a memo on node 'Trust': 'Why trust?'",
                                      "Coded 'Interviewer' in Rosa.txt at Trust", "Created free node 'Trust'"]
    bar.node.setCurrentIndex(0)
    bar.case.setCurrentIndex(bar.case.findText("P1 Rosa"))
    summaries = cells(viewer, SUMMARY)
    assert "Set 'role' to 'Practice nurse' for case 'P1 Rosa'" in summaries and "Created case 'P1 Rosa'" in summaries
    bar.case.setCurrentIndex(0)
    bar.text.setText("referral")
    assert viewer.model.total == total  # debounced: nothing yet
    qtbot.waitUntil(lambda: viewer.model.total == 1, timeout=2000)
    bar.text.clear()
    bar.flush()
    bar.coder.setCurrentIndex(bar.coder.findText("tester"))
    assert viewer.model.total == total
    tomorrow = QDate.currentDate().addDays(1)
    bar.since.setMaximumDate(tomorrow)
    bar.since.setDate(tomorrow)
    assert viewer.model.total == 0
    bar.clear()
    assert viewer.model.total == total and not bar.is_filtered()


def test_lazy_pages_of_500(make_window, project_path: Path, qtbot) -> None:
    from qdaapp.core.project import Project

    p = Project.open(project_path)
    fill_events(p, 1200, 1, [1, 2])
    p.close()
    window = make_window(project_path)
    viewer = open_viewer(window, qtbot)
    model = viewer.model
    assert model.total > 1200 and model.rowCount() == 500 and model.canFetchMore()
    viewer.table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() == 1000, timeout=3000)
    model.fetchMore()
    assert model.rowCount() == model.total and not model.canFetchMore()
    assert viewer.select_seq(3)
    assert viewer.current_row()[0] == 3


def test_double_click_opens_what_a_row_touched(worked, qtbot) -> None:
    window, sid, account = worked
    viewer = open_viewer(window, qtbot)
    summaries = cells(viewer, SUMMARY)
    viewer.open_row(viewer.model.row(summaries.index("Coded 'Interviewer' in Rosa.txt at Trust")))
    view = window.documents.current_view()
    assert view is not None and view.property("source_id") == sid and view.selected_span() == (0, 11)
    viewer.open_row(viewer.model.row(summaries.index("Created free node 'Trust'")))
    assert window.nodes_panel.current_node_id() == node_id(window, "Trust")
    accounts: list[int] = []
    window.accountRequested.connect(accounts.append)
    viewer.open_row(viewer.model.row(0))
    assert accounts == [account]
    viewer.open_row(viewer.model.row(summaries.index("Wrote a memo on node 'Trust': 'Why trust?'")))
    assert window.memo_dock.isVisible()
    assert window.memo_manager.editor.toPlainText() == "Why trust?"


def test_broken_chain_is_shown_in_red(make_window, project_path: Path, qtbot) -> None:
    con = sqlite3.connect(project_path)
    con.execute("UPDATE audit_events SET summary = 'nothing happened' WHERE seq = 3")
    con.commit()
    con.close()
    window = make_window(project_path)
    viewer = open_viewer(window, qtbot)
    qtbot.waitUntil(lambda: viewer.chain_label.text().startswith("✖ Audit chain broken at event 3"), timeout=5000)
    assert "B3261E" in viewer.chain_label.styleSheet()
    assert window.audit_label.text() == "audit chain broken at event 3"


def test_rows_changed_outside_the_app_are_shown(make_window, project_path: Path, qtbot) -> None:
    con = sqlite3.connect(project_path)
    con.execute("UPDATE cases SET description = 'edited behind its back' WHERE id = 1")
    con.commit()
    con.close()
    window = make_window(project_path)
    viewer = open_viewer(window, qtbot)
    qtbot.waitUntil(lambda: "changed outside qdaapp" in viewer.chain_label.text(), timeout=5000)
    assert "case 1 changed outside the app: description" in viewer.chain_label.toolTip()
    assert window.audit_label.text() == "audit chain verified, but rows changed outside qdaapp"
    viewer.chain_label.linkActivated.emit("findings")  # "show which" lists them in the detail pane
    assert "case 1 changed outside the app: description" in viewer.detail.toPlainText()


# ---------------------------------------------------------------------- extension points
def test_add_panel_is_listed_remembered_and_hidden_without_project(make_window, project_path: Path,
                                                                   qtbot) -> None:
    window = make_window()
    panel = QLabel("search results")
    dock = window.add_panel(panel, "Word counts", "WordCountDock", area="bottom")
    assert dock.widget() is panel and not dock.isVisible()
    toggle = window.actions.dock_actions["WordCountDock"]
    assert toggle in window.actions.view_menu.actions() and not toggle.isEnabled()
    assert window.open_project(str(project_path))
    assert dock.isVisible() and toggle.isEnabled()
    assert dock in window.tabifiedDockWidgets(window.bottom_dock)
    toggle.trigger()
    assert dock.isHidden()
    window.close_project()
    assert window.open_project(str(project_path))
    assert dock.isHidden()  # the user's layout wins
    with pytest.raises(ValueError):
        window.add_panel(QLabel(), "Again", "WordCountDock")


def test_open_central_tab_and_show_passage(make_window, project_path: Path) -> None:
    window = make_window(project_path)
    workspace = QLabel("account workspace")
    index = window.open_central_tab(workspace, "The referral system")
    assert window.documents.tabs.widget(index) is workspace
    assert window.documents.tabs.currentWidget() is workspace
    assert window.documents.current_view() is None
    sid = source_id(window.project, "Rosa.txt")
    view = window.show_passage(sid, 12, 30)
    assert view.selected_span() == (12, 30) and window.documents.current_view() is view
    assert window.open_central_tab(workspace, "The referral system") == index  # once only
    assert window.show_passage(9999, 0, 1) is None
    window.close_project()
    assert window.documents.workspaces() == []


def test_touched_reads_codings_inside_compound_events() -> None:
    row = (5, "", "a", "coding.create_at_new_node", "coding", 9, "", None,
           '{"node": [{"id": 4}], "coding": {"id": 9, "source_id": 2, "node_id": 4, "start": 3, "end": 8}}', "")
    t = query.touched(row)
    assert (t["source_id"], t["start"], t["end"], t["coding_id"], t["node_id"]) == (2, 3, 8, 9, 4)
    assert codings  # the helper module is shared with the coding tests


def test_the_detail_pane_lists_an_events_passages_on_demand(worked, qtbot) -> None:
    window, sid, _account = worked
    viewer = open_viewer(window, qtbot)
    window.coding.code(node_id(window, "Workload"), sid, 12, 20)
    window.runner.run(node_ops.merge_nodes, node_id(window, "Workload"), node_id(window, "Trust"))
    assert cells(viewer, SUMMARY)[0] == "Merged node 'Workload' into 'Trust' (1 coding moved)"
    viewer.table.setCurrentIndex(viewer.model.index(0, SUMMARY))
    text = viewer.detail.toPlainText()
    assert text.startswith("Merged node 'Workload' into 'Trust' (1 coding moved)\n")
    assert "Show the passage" in text and "How did" not in text  # listed on demand only
    opened = []
    viewer.openPassage.connect(lambda *a: opened.append(a))
    viewer._on_link(QUrl(f"passages:{viewer.current_row()[0]}"))
    text = viewer.detail.toPlainText()
    assert "1 passage" in text and "“How did” in Rosa.txt, moved to Trust" in text
    viewer._on_link(QUrl(f"open:{sid}:12:20"))
    assert opened == [(sid, 12, 20)]
