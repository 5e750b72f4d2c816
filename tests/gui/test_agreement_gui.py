"""The coder agreement tab: the table coloured by kappa, sorting, the review of a cell's disagreements,
decisions with their progress, the table following them, undo, blind coding, export."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from qdaapp.core import blind, coding, disagreements, memos
from qdaapp.core import nodes as node_ops
from qdaapp.core.agreement import BANDS, CONSENSUS
from qdaapp.core.project import Project
from qdaapp.gui.agreement import flow as flow_module
from qdaapp.gui.agreement.setup import AgreementSetup
from qdaapp.gui.agreement.table import UNDEFINED, band_color
from qdaapp.gui.agreement.view import AgreementView

from .test_main_window import make_window, messages, settings, source_id  # noqa: F401

REQUEST = {"coders": ("Ana", "Ben"), "unit": "character", "nodes": None, "sources": None}
RED, AMBER, LIGHT_GREEN, GREEN = (BANDS[3].colour, BANDS[2].colour, BANDS[1].colour, BANDS[0].colour)


@pytest.fixture
def two_coders(project_path: Path) -> Path:
    """Ana and Ben coded Notes.txt and Rosa.txt: they differ twice at Trust in Notes.txt, agree in Rosa.txt."""
    with Project.open(project_path, coder="tester") as p:
        for coder, start, end in (("Ana", 0, 17), ("Ben", 5, 30), ("Ana", 40, 45)):
            p.run(coding.code, "Notes.txt", start, end, "Trust", coder)
        for coder in ("Ana", "Ben"):
            p.run(coding.code, "Rosa.txt", 50, 120, "Trust", coder)
        p.run(coding.code, "Rosa.txt", 0, 10, "Barriers/Workload", "Ana")
    return project_path


def ids(window) -> tuple[int, int, int]:
    with window.project.read_session() as s:
        trust = node_ops.resolve(s, "Trust").id
    return trust, source_id(window.project, "Notes.txt"), source_id(window.project, "Rosa.txt")


def open_view(window, qtbot, request=REQUEST) -> AgreementView:
    assert window.agreement.open(dict(request))
    qtbot.waitUntil(lambda: bool(window.agreement.views), timeout=20_000)
    view = window.agreement.views[-1]
    assert window.documents.tabs.currentWidget() is view
    return view


def test_the_action_sits_in_the_analysis_menu_with_a_shortcut(make_window, two_coders: Path) -> None:
    window = make_window()
    action = window.agreement.action
    assert action in window.analysis.menu.actions()
    assert action.shortcut().toString() == "Ctrl+Shift+I"
    assert not action.isEnabled()  # no project yet
    window.open_project(str(two_coders))
    assert action.isEnabled()


def test_colour_bands() -> None:
    assert [band_color(v) for v in (0.1, 0.4, 0.59, 0.6, 0.79, 0.8, 1.0, None)] == [
        RED, AMBER, AMBER, LIGHT_GREEN, LIGHT_GREEN, GREEN, GREEN, UNDEFINED]


def test_the_table_shows_each_cell_coloured_by_kappa_with_the_overall_figures_and_method(
        make_window, two_coders: Path, qtbot) -> None:
    window = make_window(two_coders)
    view = open_view(window, qtbot)
    trust, notes, rosa = ids(window)
    agreement = view.model.agreement
    assert agreement.coders == ("Ana", "Ben")
    assert view.figure_of(trust, rosa) == 1.0 and view.color_of(trust, rosa) == GREEN
    low = view.figure_of(trust, notes)
    assert low is not None and low < 0.4 and view.color_of(trust, notes) == RED
    assert view.color_of(None, None) == band_color(agreement.overall.kappa)
    assert view.proxy.rowCount() == len(agreement.nodes) + 1
    assert view.proxy.columnCount() == len(agreement.sources) + 2
    assert "Cohen's kappa" in view.summary.text() and "Overall" in view.summary.text()
    assert view.method.toPlainText() == agreement.method and view.method.isReadOnly()
    assert view.legend.title.text() == "Cohen's kappa:"


def test_sorting_by_a_source_keeps_all_nodes_last(make_window, two_coders: Path, qtbot) -> None:
    window = make_window(two_coders)
    view = open_view(window, qtbot)
    column = 1 + [s for s, _n in view.model.agreement.sources].index(ids(window)[2])  # Rosa.txt
    names = []
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        view.table.sortByColumn(column, order)
        names.append([view.proxy.index(r, 0).data() for r in range(view.proxy.rowCount())])
    assert names[0][-1] == names[1][-1] == "All nodes"
    assert names[0][:-1] == list(reversed(names[1][:-1])) and len(names[0]) == 3


def test_review_steps_decides_and_the_table_and_progress_follow_then_undo(make_window, two_coders: Path,
                                                                          qtbot) -> None:
    window = make_window(two_coders)
    view = open_view(window, qtbot)
    trust, notes, _rosa = ids(window)
    index = view.proxy.mapFromSource(view.model.index_of(trust, notes))
    view.table.setCurrentIndex(index)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    pane = view.review
    assert pane.isVisible()
    assert pane.progress_label.text() == "0 done · 3 left"
    assert [(d.start, d.end, d.coded_by) for d in pane.items] == [(0, 5, ("Ana",)), (17, 30, ("Ben",)),
                                                                  (40, 45, ("Ana",))]
    assert pane.passage.headers[0].text() == "Ana" and pane.passage.headers[1].text() == "Ben"
    assert [len(m._index) for m in pane.passage.margins] == [1, 1]  # each coder's stripes over the passage
    assert "Ana</b> applied here: Trust" in pane.applied.text()
    assert QApplication.focusWidget() is pane  # Enter on the table hands the keys to the review
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_N)
    assert pane.position == 1 and "Ben</b> coded this" in pane.where.text()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_P)
    assert pane.position == 0
    before = view.figure_of(trust, notes)
    pane.memo.setFocus()
    qtbot.keyClicks(pane.memo, "Ana read the date 3 May as part of it")  # digits typed in the memo stay text
    assert pane.progress_label.text() == "0 done · 3 left"
    qtbot.keyClick(pane.buttons["keep_a"], Qt.Key.Key_1)  # Keep Ana's: Ben gets 0-5
    assert pane.progress_label.text() == "1 done · 2 left"
    assert pane.memo.text() == "" and pane.position == 0 and pane.current().start == 17
    after = view.figure_of(trust, notes)
    assert after > before  # the cell was recomputed at once
    with window.project.read_session() as s:
        (memo,) = memos.list_memos(s, "coding")
    assert memo.text == "Ana read the date 3 May as part of it"
    qtbot.waitUntil(lambda: view.model.agreement.overall.kappa is not None
                    and abs(view.model.agreement.cell(trust, notes).kappa - after) < 1e-9, timeout=20_000)
    window.actions.undo.trigger()  # the main window's Ctrl+Z
    QApplication.processEvents()
    assert pane.progress_label.text() == "0 done · 3 left"
    assert view.figure_of(trust, notes) == pytest.approx(before)


def test_keep_both_and_a_consensus_over_an_adjusted_span(make_window, two_coders: Path, qtbot) -> None:
    window = make_window(two_coders)
    view = open_view(window, qtbot)
    trust, notes, _rosa = ids(window)
    assert view.review_at(view.proxy.mapFromSource(view.model.index_of(trust, notes)))
    pane = view.review
    pane.step(2)
    pane.trigger("both")  # Ben gets 40-45
    assert pane.progress_label.text() == "1 done · 2 left"
    assert pane.position == 1  # the last one was decided: the one before it is shown
    pane.step(-1)
    pane.ask_consensus = lambda item, memo: ((item.start + 1, item.end), "We agreed from here")
    pane.trigger("consensus")
    with window.project.read_session() as s:
        made = [(c.start, c.end) for c in coding.list_codings(s) if c.coder == CONSENSUS]
    assert made == [(1, 5)]
    assert pane.progress_label.text() == "2 done · 2 left"  # 0-1 is still open, and 17-30
    assert [(d.start, d.end) for d in pane.items] == [(0, 1), (17, 30)]


def test_the_pooled_cell_reviews_every_node_and_source(make_window, two_coders: Path, qtbot) -> None:
    window = make_window(two_coders)
    view = open_view(window, qtbot)
    view.table.setCurrentIndex(view.proxy.mapFromSource(view.model.index_of(None, None)))
    view.review_current()
    pane = view.review
    assert pane.progress_label.text() == "0 done · 4 left"  # Workload in Rosa.txt too

    def everything() -> list:
        with window.project.read_session() as s:
            return disagreements.disagreements(s, ("Ana", "Ben"))

    pane.step(1)
    pane.trigger("keep_b")  # only the decided node and source are read again
    assert pane.items == everything() and pane.progress_label.text() == "1 done · 3 left"
    assert pane.position == 1
    window.actions.undo.trigger()
    QApplication.processEvents()
    assert pane.items == everything() and pane.progress_label.text() == "0 done · 4 left"
    qtbot.keyClick(view.review, Qt.Key.Key_Escape)
    assert not view.review.isVisible()


def test_three_coders_are_coloured_by_alpha_and_reviewed_in_pairs(make_window, two_coders: Path, qtbot) -> None:
    window = make_window(two_coders)
    window.project.run(coding.code, "Notes.txt", 0, 17, "Trust", "Cleo")
    view = open_view(window, qtbot, dict(REQUEST, coders=("Ana", "Ben", "Cleo")))
    trust, notes, _rosa = ids(window)
    assert view.legend.title.text() == "Krippendorff's alpha:"
    assert view.color_of(trust, notes) == band_color(view.model.agreement.cell(trust, notes).alpha)
    pairs = [view.pair_box.itemText(i) for i in range(view.pair_box.count())]
    assert pairs == ["Ana and Ben", "Ana and Cleo", "Ben and Cleo"] and view.pair_box.isVisibleTo(view)
    view.pair_box.setCurrentIndex(1)
    assert view.review_at(view.proxy.mapFromSource(view.model.index_of(trust, notes)))
    assert view.review.pair == ("Ana", "Cleo")
    assert [(d.start, d.end) for d in view.review.items] == [(40, 45)]


def test_a_refresh_after_the_tab_closed_does_nothing(make_window, two_coders: Path, qtbot) -> None:
    window = make_window(two_coders)
    view = open_view(window, qtbot)
    shown = []
    job = window.agreement.compute(REQUEST, shown.append, view=view)
    window.documents.close_workspace(view)
    qtbot.waitUntil(lambda: not job.running, timeout=20_000)
    QApplication.processEvents()
    assert shown == []


def test_a_read_only_project_shows_the_review_without_decisions(make_window, two_coders: Path, qtbot) -> None:
    window = make_window(two_coders, read_only=True)
    view = open_view(window, qtbot)
    trust, notes, _rosa = ids(window)
    assert view.review_at(view.proxy.mapFromSource(view.model.index_of(trust, notes)))
    pane = view.review
    assert pane.progress_label.text() == "0 done · 3 left"
    assert not any(pane.buttons[n].isEnabled() for n in ("keep_a", "keep_b", "both", "consensus"))
    pane.trigger("keep_a")
    assert pane.progress_label.text() == "0 done · 3 left" and pane.buttons["next"].isEnabled()


def test_blind_coding_keeps_the_table_closed(make_window, two_coders: Path, messages, qtbot) -> None:
    window = make_window(two_coders)
    project = window.project
    owner = project.coder
    project.run(blind.set_blind, True, owner)
    project.coder = "someone else"
    assert not window.agreement.open(dict(REQUEST))
    assert messages[-1][0] == "information" and "still coding blind" in messages[-1][1]
    assert window.agreement.views == []
    project.coder = owner  # the owner may compare while the others code blind
    assert flow_module.closed_comparison(project) is None


def test_export_writes_the_chosen_kind_of_file(make_window, two_coders: Path, qtbot, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(two_coders)
    view = open_view(window, qtbot)
    for chosen, suffix in (("Web page (*.html)", ".html"), ("Excel workbook (*.xlsx)", ".xlsx")):
        monkeypatch.setattr(flow_module.QFileDialog, "getSaveFileName",
                            lambda *a, c=chosen, **k: (str(tmp_path / "figures"), c))
        view.export_button.click()
        assert (tmp_path / f"figures{suffix}").stat().st_size > 0
    page = (tmp_path / "figures.html").read_text(encoding="utf-8")
    assert "Barriers/Workload" in page and "Rosa.txt" in page and "project" in page


def test_the_setup_dialog_needs_two_coders(qtbot) -> None:
    dialog = AgreementSetup(["Ana", "Ben", "tester"], [(1, "Trust")], [(2, "Notes.txt")], me="Ben")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.buttons()[0]
    assert dialog.request() == {"coders": ("Ana", "Ben"), "unit": "character", "nodes": None, "sources": None}
    dialog.coders.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert not ok.isEnabled() and "two coders" in dialog.message.text()
    dialog.coders.item(2).setCheckState(Qt.CheckState.Checked)
    dialog.nodes.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.unit.setCurrentIndex(2)
    assert ok.isEnabled()
    assert dialog.request() == {"coders": ("Ben", "tester"), "unit": "paragraph", "nodes": [1], "sources": None}
