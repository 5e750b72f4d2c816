"""Reasons for bulk and destructive actions: one dialog that asks why (optional) and confirms;
negated marker passages are left to review one by one unless included."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from qdaapp.core import audit
from qdaapp.core import nodes as node_ops
from qdaapp.core.project import Project
from qdaapp.gui.dialogs import reason
from qdaapp.gui.search.review_panel import ReviewPanel

from .test_main_window import make_window, messages, settings  # noqa: F401
from .test_marker_review import act_row, hits_of, indexed, indexed_template, panel  # noqa: F401


def reasons_of(project: Project, action: str) -> list[str]:
    with project.read_session() as s:
        return [e.reason for e in audit.query_events(s.connection(), audit.EventFilter(action=action),
                                                     newest_first=False)]


def accept_competence(panel: ReviewPanel, qtbot) -> list:
    competence = hits_of(panel, act="competence")
    panel.tree.setCurrentIndex(act_row(panel, "competence"))
    qtbot.keyClick(panel.tree, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    return competence


def test_accept_all_stores_the_reason_and_leaves_negated_passages(panel: ReviewPanel, indexed: Project, qtbot,
                                                                  asked_reasons) -> None:
    asked_reasons.answer = "agreed in supervision"
    competence = accept_competence(panel, qtbot)
    negated = [h for h in competence if h.polarity == "negative"]
    assert len(competence) == 2 and len(negated) == 1
    ((kind, asked, include),) = asked_reasons
    assert kind == "review.accept" and asked.startswith("Accept all 2 passages of Competence?")
    assert include == "Include the negated passage (\u201cWe didn't know how to\u2026\u201d)"
    assert {h.id: panel.model.status(h.id) for h in competence} == {
        h.id: "candidate" if h in negated else "accepted" for h in competence}
    assert "Accepted 1 passage of Competence. 1 negated passage was left to review one by one." in panel.message.text()
    assert reasons_of(indexed, "hits.accept") == ["agreed in supervision"]
    assert reason.SESSION.recent == ["agreed in supervision"]  # offered again this session

    panel.select_hit(negated[0].id)
    qtbot.keyClick(panel.tree, Qt.Key.Key_A)  # one by one it is accepted, without a question
    assert panel.model.status(negated[0].id) == "accepted" and len(asked_reasons) == 1


def test_include_negated_and_skip_stores_no_reason(panel: ReviewPanel, indexed: Project, qtbot,
                                                   asked_reasons) -> None:
    asked_reasons.include_negated = True
    competence = accept_competence(panel, qtbot)
    assert {panel.model.status(h.id) for h in competence} == {"accepted"}
    assert reasons_of(indexed, "hits.accept") == [""]
    assert reason.SESSION.recent == [] and reason.SESSION.quiet == set()


def test_cancel_does_nothing(panel: ReviewPanel, indexed: Project, qtbot, asked_reasons) -> None:
    asked_reasons.answer = "cancel"
    competence = accept_competence(panel, qtbot)
    assert {panel.model.status(h.id) for h in competence} == {"candidate"}
    assert reasons_of(indexed, "hits.accept") == [] and len(asked_reasons) == 1
    p2 = hits_of(panel, speaker="P2")
    assert not panel.decide_speaker(False, "P2")
    assert {panel.model.status(h.id) for h in p2} == {"candidate"} and reasons_of(indexed, "hits.reject") == []


def test_escape_skips_and_dont_ask_again_is_remembered_per_kind(panel: ReviewPanel, indexed: Project, qtbot,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reason.ReasonDialog, "exec", QDialog.exec)  # the real dialog, answered by keys
    offered: list[list[str]] = []

    def press_escape() -> None:
        dialog = QApplication.activeModalWidget()
        offered.append([dialog.field.combo.itemText(i) for i in range(dialog.field.combo.count())])
        assert dialog.field.combo.hasFocus() or not QApplication.focusWidget()
        # Esc in the reason field skips the reason: the action still happens.
        qtbot.keyClick(dialog.field.combo.lineEdit(), Qt.Key.Key_Escape)

    reason.SESSION.used("checked with Ana")
    QTimer.singleShot(0, press_escape)
    (interviewer,) = hits_of(panel, speaker="Interviewer")
    assert panel.decide_speaker(False, "Interviewer")
    assert offered == [["checked with Ana"]] and panel.model.status(interviewer.id) == "rejected"
    assert reasons_of(indexed, "hits.reject") == [""]

    asked: list[str] = []

    def answer(dialog: reason.ReasonDialog) -> int:
        asked.append(dialog.field.kind)
        dialog.field.combo.setEditText("first pass")
        dialog.field.dont_ask.setChecked(True)
        dialog.ok_button.click()
        return dialog.result()

    monkeypatch.setattr(reason.ReasonDialog, "exec", answer)
    accept_competence(panel, qtbot)
    dev = hits_of(panel, source="Dev.txt", speaker="P2")
    assert panel.decide_source(True, dev[0].source_id)  # not asked again
    assert {panel.model.status(h.id) for h in dev} == {"accepted"}
    assert asked == ["review.accept"] and reasons_of(indexed, "hits.accept") == ["first pass", ""]
    assert panel.decide_speaker(False, "P1")  # another kind of action is still asked
    assert asked == ["review.accept", "review.reject"]
    assert reasons_of(indexed, "hits.reject") == ["", "first pass"]
    assert reason.SESSION.quiet == {"review.accept", "review.reject"}
    assert reason.SESSION.recent == ["first pass", "checked with Ana"]


def test_node_merge_delete_and_branch_move_ask_and_store_the_reason(make_window, project_path: Path,
                                                                    asked_reasons) -> None:
    window = make_window(project_path)
    panel = window.nodes_panel
    ids = {n.path(): n.id for n in panel.model.nodes()}
    ok, themes = window.runner.run(node_ops.create_node, "Themes")
    assert ok
    asked_reasons.answer = "one theme holds the barriers"
    assert panel.move_node_to(ids["Barriers"], themes)
    assert asked_reasons[-1][0] == "node.move" and "'Barriers' and its 1 child node" in asked_reasons[-1][1]
    assert panel.move_node_to(ids["Trust"], themes)  # a node without children moves without a question
    assert len(asked_reasons) == 1

    asked_reasons.answer = "cancel"
    assert not panel.confirm_merge(ids["Trust"], themes)
    assert panel.model.node(ids["Trust"]) is not None
    asked_reasons.answer = "same idea"
    assert panel.confirm_merge(ids["Trust"], ids["Barriers/Workload"])
    assert asked_reasons[-1][0] == "node.merge" and panel.model.node(ids["Trust"]) is None
    asked_reasons.answer = "skip"
    window.runner.reason = "spring clean-up"  # the status bar's reason stands when the dialog is skipped
    assert panel.delete_node(ids["Barriers"])
    assert asked_reasons[-1][0] == "node.delete" and panel.model.node(ids["Barriers"]) is None
    project = window.project
    assert reasons_of(project, "node.move") == ["one theme holds the barriers", ""]
    assert reasons_of(project, "node.merge") == ["same idea"]
    assert reasons_of(project, "node.delete") == ["spring clean-up"]


def test_code_results_of_a_whole_search_asks_why_in_its_own_dialog(indexed: Project, qtbot) -> None:
    project = indexed
    from qdaapp.gui.search.code_results import CodeResultsDialog, code_hits
    from qdaapp.gui.search.search_panel import SearchPanel

    search = SearchPanel(project)
    qtbot.addWidget(search)
    search.run_search("to OR we")
    hits = search.model.hits()
    assert len(hits) > 1
    dialog = CodeResultsDialog(None, project, len(hits), 0)
    qtbot.addWidget(dialog)
    assert dialog.why.isVisibleTo(dialog)  # one dialog: where, how much, and why
    dialog.filter.setText("Trust")
    dialog.why.combo.setEditText("first pass over the duties")
    plan = dialog.plan()
    assert plan is not None and plan.reason == "first pass over the duties"
    done: list = []
    job = code_hits(None, project, hits, plan, done.append, done.append)
    qtbot.waitUntil(lambda: not job.running and bool(done), timeout=10000)
    assert reasons_of(project, "search.code") == ["first pass over the duties"]
    assert reason.SESSION.recent == ["first pass over the duties"]

    single = CodeResultsDialog(None, project, 1, 0)  # a single passage is not a bulk action
    qtbot.addWidget(single)
    single.why.combo.setEditText("ignored")
    assert not single.why.isVisibleTo(single) and single.plan().reason == ""


def test_fragment_and_account_delete_ask_and_store_the_reason(project: Project, qtbot, asked_reasons) -> None:
    from qdaapp.gui.narrative.flowchart_view import FlowchartView
    from qdaapp.gui.panels.accounts_panel import AccountsPanel

    from .test_account_workspace import make_account

    account, (first, second, _third) = make_account(project)
    view = FlowchartView(project, account)
    qtbot.addWidget(view)
    asked_reasons.answer = "cancel"
    view.delete_fragments([first, second])
    assert reasons_of(project, "fragment.delete") == []
    asked_reasons.answer = "said twice"
    view.delete_fragments([first, second])
    assert asked_reasons[-1][0] == "fragment.delete" and asked_reasons[-1][1].startswith("Delete 2 fragments")
    assert reasons_of(project, "fragment.delete") == ["said twice", "said twice"]

    panel = AccountsPanel()
    qtbot.addWidget(panel)
    panel.set_project(project)
    panel.list.setCurrentRow(0)
    asked_reasons.answer = "cancel"
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    assert panel.account_ids() == [account] and reasons_of(project, "account.delete") == []
    asked_reasons.answer = "folded into Referral pathway"
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    assert asked_reasons[-1][1].startswith("Delete the account 'Referral system'?\nIts 1 fragment")
    assert panel.account_ids() == [] and reasons_of(project, "account.delete") == ["folded into Referral pathway"]
