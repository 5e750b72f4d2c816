"""The framework matrix: cases x accounts made of fragments, sources x nodes with summaries."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import Qt

from qdaapp.core import coding, framework, nodes, sources
from qdaapp.gui.narrative.fragment_dialog import FragmentDialog
from qdaapp.gui.narrative.framework_model import COUNT_ROLE, FRAGMENTS_ROLE
from qdaapp.gui.narrative.framework_view import FrameworkView

from ..conftest import SAMPLE
from .test_account_workspace import make_account, span


def _view(qtbot, project, **kwargs) -> FrameworkView:
    view = FrameworkView(project, **kwargs)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    qtbot.waitExposed(view)
    return view


def _ids(project) -> tuple[int, int, int]:
    with project.read_session() as s:
        case = framework.build(s, "cases", "accounts").rows[0][0]
        return case, sources.resolve(s, "Rosa.txt").id, nodes.resolve(s, "Trust").id


def test_cases_by_accounts_shows_fragments_and_passages(qtbot, project, monkeypatch) -> None:
    account, (_f1, _f2, _f3) = make_account(project)
    case, rosa, _trust = _ids(project)
    view = _view(qtbot, project)
    model = view.model
    assert model.rowCount() == 1 and model.columnCount() == 1
    assert model.headerData(0, Qt.Orientation.Vertical) == "P1 Rosa"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Referral system"
    index = model.index(0, 0)
    assert index.data() == "The GP asked us to set it up; we had to.\nI wanted to help."
    assert index.data(FRAGMENTS_ROLE) == 2 and index.data(COUNT_ROLE) == 2
    assert view.key == (case, account)  # the first filled cell is selected
    assert view.pages.currentIndex() == 1 and view.fragments.count() == 2
    assert view.passages.count() == 2
    with qtbot.waitSignal(view.openPassage) as opened:
        view.passages.itemActivated.emit(view.passages.item(0))
    assert opened.args == [rosa, *span(SAMPLE, "We had to do something")]

    def fill_and_save(dialog: FragmentDialog) -> int:
        assert dialog.case_id() == case and len(dialog.checked_passages()) == 2
        dialog.set_act("performance")
        dialog.summary.setPlainText("We ran a small audit.")
        dialog.save()
        return dialog.result()

    monkeypatch.setattr(FragmentDialog, "exec", fill_and_save)
    made = view.new_fragment_here()
    assert made and view.model.index(0, 0).data(FRAGMENTS_ROLE) == 3
    assert view.fragments.count() == 3


def test_sources_by_nodes_cell_summary_is_saved(qtbot, project, tmp_path: Path) -> None:
    _case, rosa, trust = _ids(project)
    had = span(SAMPLE, "We had to do something, the GP asked us to set it up.")
    project.run(coding.code, "Rosa.txt", *had, "Trust", "tester")
    view = _view(qtbot, project, rows="cases", cols="accounts")
    view.set_axes("sources", "nodes")
    assert view.row_box.currentData() == "sources" and view.col_box.currentData() == "nodes"
    model = view.model
    assert [model.headerData(r, Qt.Orientation.Vertical) for r in range(model.rowCount())] == ["Notes.txt", "Rosa.txt"]
    assert "Trust" in [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    index = model.index_of(rosa, trust)
    assert index.data(COUNT_ROLE) == 1 and index.data() == ""
    view.select_cell(rosa, trust)
    assert view.key == (rosa, trust) and view.pages.currentIndex() == 0
    assert view.passages.count() == 1
    view.draft_summary()
    assert "had to" in view.editor.toPlainText() and view.dirty()
    with project.read_session() as s:
        assert framework.build(s, "sources", "nodes").cell(rosa, trust).summary == ""  # a draft is not saved
    view.editor.setPlainText("Rosa: we had to set it up because the GP asked us to.")
    assert view.save_button.isEnabled()
    assert view.save_summary() and not view.dirty()
    with project.read_session() as s:
        assert framework.build(s, "sources", "nodes").cell(rosa, trust).summary.startswith("Rosa: we had to")
    assert model.index_of(rosa, trust).data().startswith("Rosa: we had to")
    project.undo()
    assert model.index_of(rosa, trust).data() == "" and view.editor.toPlainText() == ""
    out = tmp_path / "out"
    out.mkdir()
    view.export(out / "matrix.csv")
    with open(out / "matrix.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][0] == "Source" and rows[1][0] == "Notes.txt"


def test_export_to_word_from_the_view(qtbot, project, tmp_path: Path, monkeypatch) -> None:
    import docx
    from PySide6.QtWidgets import QFileDialog

    make_account(project)
    view = _view(qtbot, project)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(tmp_path / "fw"), "")))
    view.export_dialog(".docx")
    qtbot.waitUntil(lambda: view.hint.text().startswith("Saved"), timeout=10_000)
    cell = docx.Document(str(tmp_path / "fw.docx")).tables[0].rows[1].cells[1]
    assert [p.text for p in cell.paragraphs][:2] == ["Manipulation: The GP asked us to set it up; we had to.",
                                                     "Commitment: I wanted to help."]
    assert "“We had to do something” (Rosa.txt)" in cell.text
