"""Find similar passages in the window: from a node, a list or an account; accept, reject, bulk, undo."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication

from qdaapp.core import coding, indexing, narrative, similar, sources
from qdaapp.core import nodes as node_ops
from qdaapp.gui.models.passages import HTML_ROLE
from qdaapp.gui.narrative.common import passages_from_mime
from qdaapp.gui.similar.model import PASSAGE
from tests.gui.test_main_window import make_window, messages, settings, source_id  # noqa: F401

CLINIC = ("P5: We set up a new diabetes clinic for the practice. The weather was cold that spring.\n"
          "P5: Our diabetes clinic saw forty patients in the first month. Parking was hard.\n"
          "P5: The nurses opened a second clinic for diabetes patients later.\n")
LIKE = "Our diabetes clinic saw forty patients in the first month."


def _window(make_window, project_path: Path, tmp_path: Path, qtbot):
    from qdaapp.core.project import Project

    (tmp_path / "Clinic.txt").write_text(CLINIC, encoding="utf-8")
    project = Project.open(project_path, coder="tester")
    docs, _ = sources.read_files([tmp_path / "Clinic.txt"])
    project.run(sources.import_documents, docs)
    indexing.index_sources(project)
    sid = source_id(project, "Clinic.txt")
    with project.read_session() as s:
        trust = next(n.id for n in node_ops.list_nodes(s) if n.name == "Trust")
    start = CLINIC.index("We set up")
    project.run(coding.code, sid, start, CLINIC.index(" The weather"), trust, "tester")
    project.close()
    w = make_window(project_path)
    qtbot.waitUntil(lambda: not w.analysis.indexer.is_running(), timeout=20000)
    return w, sid, trust


def _found(panel, qtbot) -> list[str]:
    qtbot.waitUntil(lambda: panel.job is None and panel.model.rowCount() > 0, timeout=30000)
    return [r.text for r in panel.model.results]


def _codings(window, trust: int) -> list:
    with window.project.read_session() as s:
        return coding.list_codings(s, trust)


def test_from_a_node_accept_reject_and_undo(make_window, project_path: Path, tmp_path: Path, qtbot,
                                            asked_reasons) -> None:
    window, sid, trust = _window(make_window, project_path, tmp_path, qtbot)
    finder, panel = window.analysis.similar, window.analysis.similar.panel
    window.nodes_panel.similarRequested.emit(trust)  # "Find similar passages" on the node
    texts = _found(panel, qtbot)
    assert set(texts[:2]) == {"The nurses opened a second clinic for diabetes patients later.", LIKE}
    assert finder.dock.isVisible() and panel.node_id() == trust
    assert "passages like the passages of 'Trust' (1 example)" in panel.counter.text()
    html = panel.model.index(0, PASSAGE).data(HTML_ROLE)
    assert "font-weight:600'>clinic</span>" in html and "font-weight:600'>diabetes</span>" in html

    opened: list = []
    panel.openPassage.connect(lambda *p: opened.append(p))
    panel.table.selectRow(0)
    qtbot.keyClick(panel.table, Qt.Key.Key_Space)
    first = panel.model.results[0]
    assert opened == [(sid, first.start, first.end)]

    qtbot.keyClick(panel.table, Qt.Key.Key_A)  # coded at Trust, the next one is selected
    made = [c for c in _codings(window, trust) if c.origin == "similar"]
    assert [(c.start, c.end) for c in made] == [(first.start, first.end)]
    assert panel.model.status[0] == "accepted" and panel.current_row() == 1
    qtbot.keyClick(panel.table, Qt.Key.Key_R)
    assert panel.model.status[1] == "rejected"
    assert len(_codings(window, trust)) == 2  # a rejection writes nothing

    window.project.undo()
    qtbot.waitUntil(lambda: panel.model.status[0] == "candidate", timeout=3000)
    assert len(_codings(window, trust)) == 1

    qtbot.keyClick(panel.table, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyRelease(panel.table, Qt.Key.Key_Shift)  # Qt keeps the last modifiers seen; later tests expect none
    assert asked_reasons[-1][0] == "similar.accept"
    left = [r for r, s in zip(panel.model.results, panel.model.status, strict=True) if s == "accepted"]
    assert len(left) == len(panel.model.results) - 1  # all but the rejected one
    assert len(_codings(window, trust)) == 1 + len(left)


def test_from_chosen_rows_an_account_and_bad_input(make_window, project_path: Path, tmp_path: Path, qtbot) -> None:
    window, sid, trust = _window(make_window, project_path, tmp_path, qtbot)
    panel = window.analysis.similar.panel
    # hand-picked rows of the coded passages list, with the shortcut
    window.nodes_panel.nodeSelected.emit(trust)
    qtbot.waitUntil(lambda: window.passages.model.rowCount() == 1, timeout=3000)
    window.show_dock(window.bottom_dock)
    window.bottom_tabs.setCurrentWidget(window.passages)
    window.passages.table.setFocus()
    assert window.analysis.similar.action.shortcut().toString() == "Ctrl+Shift+L"
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.passages.table, timeout=5000)
    # (selectRow heeds the keyboard modifiers Qt last saw, which an earlier test may have left pressed)
    window.passages.table.selectionModel().select(
        window.passages.model.index(0, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
    window.analysis.similar.action.trigger()
    assert LIKE in _found(panel, qtbot)[:2]
    assert "1 chosen passage" in panel.counter.text()
    # results drag onto an account as passages
    first = panel.model.results[0]
    mime = panel.model.mimeData([panel.model.index(0, PASSAGE)])
    assert passages_from_mime(mime) == [(first.source_id, first.start, first.end)]

    account = window.project.run(narrative.create_account, "Opening the clinic")
    a, b = CLINIC.index("Our diabetes"), CLINIC.index(" Parking")
    window.project.run(narrative.add_passage, account, sid, a, b)
    window.analysis.accounts.similarRequested.emit(account)
    qtbot.waitUntil(lambda: panel.job is None and "the account 'Opening the clinic'" in panel.counter.text(),
                    timeout=30000)
    assert panel.model.results and all(not (r.source_id == sid and r.start < b and r.end > a)
                                       for r in panel.model.results)

    # a fragment's passages, from the open account
    fragment = window.project.run(narrative.add_fragment, account, "The clinic filled up", passages=[(sid, a, b)])
    workspace = window.analysis.open_account(account)
    workspace.similarFragment.emit(fragment)
    qtbot.waitUntil(lambda: panel.job is None and "the fragment's 1 passage" in panel.counter.text(), timeout=30000)
    assert panel.examples == [similar.Example(sid, a, b)] and panel.model.rowCount() > 0

    # a too short example: the message says so, the list is empty
    short = CLINIC.index("Parking was hard.")
    window.analysis.similar.find_passages([(sid, short, short + len("Parking was hard."))])
    qtbot.waitUntil(lambda: panel.job is None and panel.message.isVisible(), timeout=30000)
    assert "too little to compare" in panel.message.text() and panel.model.rowCount() == 0
    assert panel.stack.currentWidget() is panel.empty
    # nothing chosen
    window.analysis.similar.find_passages([])
    assert "Choose the examples first" in window.statusBar().currentMessage()
