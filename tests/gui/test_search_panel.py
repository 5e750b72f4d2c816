"""Search panel: query, Enter, KWIC rows with exact offsets, inline errors, word forms, scope, coding."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from qdaapp.core import coding, search, sources
from qdaapp.core.project import Project
from qdaapp.gui.search.code_results import CodePlan, CodeResultsDialog
from qdaapp.gui.search.kwic_model import CONTEXT_WIDTH, HIT, LEFT, SOURCE
from qdaapp.gui.search.search_panel import PLACEHOLDER, SearchPanel

from .test_marker_review import indexed, indexed_template, text_of  # noqa: F401


@pytest.fixture
def panel(indexed: Project, qtbot) -> SearchPanel:
    widget = SearchPanel(indexed)
    qtbot.addWidget(widget)
    return widget


def type_and_enter(qtbot, panel: SearchPanel, query: str) -> None:
    panel.query_edit.clear()
    qtbot.keyClicks(panel.query_edit, query)
    qtbot.keyClick(panel.query_edit, Qt.Key.Key_Return)


def rows(panel: SearchPanel) -> list:
    return [panel.model.hit(r) for r in range(panel.model.rowCount())]


def test_enter_runs_the_query_and_rows_have_exact_offsets(panel: SearchPanel, indexed: Project, qtbot) -> None:
    assert panel.query_edit.placeholderText() == PLACEHOLDER
    assert panel.stack.currentWidget() is panel.empty
    type_and_enter(qtbot, panel, '"asked us to"')
    hits = rows(panel)
    assert len(hits) == 2 and panel.stack.currentWidget() is panel.table
    for h in hits:
        assert text_of(indexed, h.source)[h.start:h.end].lower() == "asked us to"
    assert "2 hits" in panel.count_label.text() and "2 sources" in panel.count_label.text()
    assert panel.model.index(0, HIT).data() == hits[0].text

    # context is filled lazily, for the rows the view asks about
    assert not panel.model.has_context(0)
    panel.model.index(0, LEFT).data()
    qtbot.waitUntil(lambda: panel.model.has_context(0), timeout=2000)
    h = hits[0]
    body = text_of(indexed, h.source)
    assert panel.model.index(0, LEFT).data() == body[max(0, h.start - CONTEXT_WIDTH):h.start].replace("\n", " ")


def test_malformed_query_is_explained_under_the_box(panel: SearchPanel, qtbot) -> None:
    type_and_enter(qtbot, panel, '"were told to')
    assert panel.message.isVisibleTo(panel)
    assert "not closed" in panel.message.text()
    qtbot.keyClicks(panel.query_edit, '"')
    assert not panel.message.isVisibleTo(panel)
    qtbot.keyClick(panel.query_edit, Qt.Key.Key_Return)
    assert len(rows(panel)) == 1


def test_word_forms_find_had_to(panel: SearchPanel, qtbot) -> None:
    type_and_enter(qtbot, panel, '"have to"')
    exact = {h.text.lower() for h in rows(panel)}
    assert "had to" not in exact
    assert "had to" in panel.forms_check.toolTip()
    panel.forms_check.setChecked(True)  # gets word forms ready on a worker, then searches again
    qtbot.waitUntil(lambda: "had to" in {h.text.lower() for h in rows(panel)}, timeout=10000)
    h = next(h for h in rows(panel) if h.text.lower() == "had to")
    assert text_of(panel.project, h.source)[h.start:h.end] == h.text


def test_selecting_a_row_opens_the_passage(panel: SearchPanel, qtbot) -> None:
    type_and_enter(qtbot, panel, "template")
    (h,) = rows(panel)
    with qtbot.waitSignal(panel.openPassage) as shown:
        panel.table.selectRow(0)
    assert shown.args == [h.source_id, h.start, h.end]


def test_scope_by_kind_and_case_attribute(panel: SearchPanel, qtbot) -> None:
    type_and_enter(qtbot, panel, "we")
    assert {h.source for h in rows(panel)} == {"Rosa.txt", "Dev.txt"}
    panel.scope_button.choose_kind("field-note")
    assert rows(panel) == [] and "No hits" in panel.count_label.text()
    panel.scope_button.choose_attribute(("role", "Practice nurse"))
    assert {h.source for h in rows(panel)} == {"Rosa.txt"}
    assert "role = Practice nurse" in panel.scope_button.text()


def test_sorting_keeps_rows_and_offsets_together(panel: SearchPanel, qtbot) -> None:
    type_and_enter(qtbot, panel, "we")
    before = {(h.source_id, h.start, h.end) for h in rows(panel)}
    panel.table.sortByColumn(SOURCE, Qt.SortOrder.DescendingOrder)
    names = [h.source for h in rows(panel)]
    assert names[0] == "Rosa.txt" and names[-1] == "Dev.txt"
    panel.table.sortByColumn(LEFT, Qt.SortOrder.AscendingOrder)  # needs every row's context
    assert all(panel.model.has_context(r) for r in range(panel.model.rowCount()))
    assert {(h.source_id, h.start, h.end) for h in rows(panel)} == before
    with qtbot.waitSignal(panel.openPassage) as shown:
        panel.table.selectRow(1)
    assert tuple(shown.args) == (rows(panel)[1].source_id, rows(panel)[1].start, rows(panel)[1].end)


def test_only_text_coded_at_a_node(panel: SearchPanel, indexed: Project, qtbot) -> None:
    rosa = text_of(indexed, "Rosa.txt")
    start = rosa.index("We had to")
    with indexed.read_session() as s:
        rosa_id, trust = sources.resolve(s, "Rosa.txt").id, source_node_in(s, "Trust")
    indexed.run(coding.code, rosa_id, start, start + 40, "Trust", "tester")
    type_and_enter(qtbot, panel, "we")
    panel.scope_button.choose_nodes([trust])
    (h,) = rows(panel)
    assert (h.source, h.start) == ("Rosa.txt", start)
    assert "coded at Trust" in panel.scope_button.text()


def test_unindexed_sources_are_left_out_with_a_note(panel: SearchPanel, indexed: Project, qtbot,
                                                    tmp_path: Path) -> None:
    (tmp_path / "New.txt").write_text("P3: We had to wait for the template.\n", encoding="utf-8")
    docs, _ = sources.read_files([tmp_path / "New.txt"])
    indexed.run(sources.import_documents, docs)

    class Busy:
        status_text = "Indexing 1 of 1 source…"

        def is_running(self) -> bool:
            return True

    panel.indexer = Busy()
    type_and_enter(qtbot, panel, "template")
    assert {h.source for h in rows(panel)} == {"Rosa.txt"}
    assert panel.message.text() == "Indexing 1 of 1 source… results will be complete when it finishes."


def test_code_results_at_a_node_with_a_spread(panel: SearchPanel, indexed: Project, qtbot,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    type_and_enter(qtbot, panel, '"asked us to"')
    hits = rows(panel)

    def answer(dialog: CodeResultsDialog) -> int:
        dialog.filter.setText("Trust")
        dialog.set_spread("sentence")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(CodeResultsDialog, "exec", answer)
    job = panel.code_results()
    qtbot.waitUntil(lambda: not job.running and panel.job is None, timeout=10000)
    with indexed.read_session() as s:
        coded = sorted((p.source_id, p.start, p.end) for p in coding.list_codings(s, node_ref="Trust"))
        wanted = sorted((h.source_id, *search.spread_span(s, h.source_id, h.start, h.end, "sentence")) for h in hits)
    assert coded == wanted and len(coded) == 2
    assert "Coded 2 passages at Trust" in panel.message.text()

    # again, only the selected row and a new free node; duplicates are skipped
    panel.table.selectRow(0)
    job = panel.code_results(CodePlan("hit", None, "Asked", selected_only=True))
    qtbot.waitUntil(lambda: not job.running and panel.job is None, timeout=10000)
    with indexed.read_session() as s:
        (p,) = coding.list_codings(s, node_ref="Asked")
    assert (p.source_id, p.start, p.end) == (hits[0].source_id, hits[0].start, hits[0].end)
    job = panel.code_results(CodePlan("sentence", source_node(indexed, "Trust"), "", selected_only=False))
    qtbot.waitUntil(lambda: not job.running and panel.job is None, timeout=10000)
    assert "Coded 0 passages" in panel.message.text() and "already coded" in panel.message.text()


def source_node(project: Project, path: str) -> int:
    from qdaapp.core import nodes

    with project.read_session() as s:
        return nodes.resolve(s, path).id


def source_node_in(session, path: str) -> int:
    from qdaapp.core import nodes

    return nodes.resolve(session, path).id


def test_hit_column_fits_the_widest_hit_without_measuring_rows(panel: SearchPanel, qtbot) -> None:
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QHeaderView

    header = panel.table.horizontalHeader()
    assert header.sectionResizeMode(HIT) == QHeaderView.ResizeMode.Fixed
    assert panel.table.verticalHeader().sectionResizeMode(0) == QHeaderView.ResizeMode.Fixed
    bold = QFontMetrics(panel.model.bold_font())
    type_and_enter(qtbot, panel, 'told OR "asked us to"')
    texts = {h.text for h in rows(panel)}
    assert {t.lower() for t in texts} == {"told", "asked us to"}
    wide = header.sectionSize(HIT)
    assert wide >= max(bold.horizontalAdvance(t) for t in texts) + 8
    type_and_enter(qtbot, panel, "told")
    narrow = header.sectionSize(HIT)
    assert bold.horizontalAdvance("told") + 8 <= narrow < wide  # measured again for each result set
    assert narrow >= header.sectionSizeHint(HIT)  # never narrower than its title


def test_who_interviews_is_read_when_the_panel_shows_or_searches(indexed: Project, qtbot,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import qdaapp.gui.speakers as gui_speakers

    calls = []
    real = gui_speakers.interviewer_names
    monkeypatch.setattr(gui_speakers, "interviewer_names", lambda project: calls.append(project) or real(project))
    panel = SearchPanel()
    qtbot.addWidget(panel)
    panel.load_when_shown = True
    calls.clear()  # made without a project
    panel.set_project(indexed)  # not on screen: nothing read yet
    assert calls == [] and not panel.interviewer_check.names
    said = {h.text for h in panel.run_search("did OR had")}
    assert len(calls) == 1 and panel.interviewer_check.names == ["Interviewer"]
    assert "did" not in said and "Did" not in said and "had" in said  # the interviewer's question left out
    panel.run_search("did OR had")
    assert len(calls) == 1  # read once per project
    panel.set_project(indexed)
    panel.ensure_loaded()  # what the main window calls when the dock comes to the front
    assert len(calls) == 2 and panel.interviewer_check.isEnabled()
