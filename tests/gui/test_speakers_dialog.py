"""Speakers and roles: the project-wide table (keys, combo, confirm, undo) and the leave-out boxes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog

from qdaapp.core import coding, lexicon, markers, nodes, review, sources, speakers
from qdaapp.core.project import Project
from qdaapp.gui.narrative.framework_view import FrameworkView
from qdaapp.gui.search.marker_run import RunMarkersDialog
from qdaapp.gui.search.review_panel import ReviewPanel
from qdaapp.gui.search.search_panel import SearchPanel
from qdaapp.gui.speakers import NAME, ROLE, WHY, SpeakersDialog

from .test_main_window import make_window, messages, settings  # noqa: F401
from .test_marker_review import indexed, indexed_template  # noqa: F401

ASKING = ("Maria: How did it start?\nJoe: With a letter from the board, and nobody liked it.\n"
          "Maria: Who wrote it?\nJoe: The new manager.\nMaria: And then?\nJoe: We wrote back.\n")


@pytest.fixture
def two(project: Project, tmp_path: Path) -> Project:
    (tmp_path / "Joe.txt").write_text(ASKING, encoding="utf-8")
    docs, _ = sources.read_files([tmp_path / "Joe.txt"])
    project.run(sources.import_documents, docs)
    return project


def _dialog(qtbot, project: Project) -> SpeakersDialog:
    dialog = SpeakersDialog(project)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _table(dialog: SpeakersDialog) -> dict[str, tuple[str, str]]:
    p = dialog.proxy
    return {p.index(r, NAME).data(): (p.index(r, ROLE).data(), p.index(r, WHY).data()) for r in range(p.rowCount())}


def _roles(project: Project) -> dict[str, tuple]:
    with project.read_session() as s:
        return {i.name: (i.role, i.guessed) for i in speakers.list_speakers(s)}


def test_table_lists_every_speaker_with_role_and_reason(qtbot, two: Project) -> None:
    dialog = _dialog(qtbot, two)
    assert _table(dialog) == {
        "Interviewer": ("Interviewer (guess)", "Guess: the label 'Interviewer' means interviewer"),
        "Joe": ("Participant (guess)", "Guess: speaks with Maria in Joe.txt"),
        "Maria": ("Interviewer (guess)", "Guess: asks 100% of the questions in Joe.txt"),
        "P1": ("Participant (guess)", "Guess: the label 'P1' means participant"),
    }
    assert dialog.counter.text() == "4 speakers · 2 interviewers"
    dialog.table.sortByColumn(ROLE, Qt.SortOrder.AscendingOrder)
    assert set(list(_table(dialog))[:2]) == {"Interviewer", "Maria"}
    dialog.filter_edit.setText("ma")
    assert list(_table(dialog)) == ["Maria"]


def test_keys_set_the_selected_rows_in_one_undoable_step(qtbot, two: Project) -> None:
    dialog = _dialog(qtbot, two)
    dialog.select_names(["Joe", "Maria"])
    qtbot.keyClick(dialog.table, Qt.Key.Key_I)
    assert _roles(two)["Joe"] == ("interviewer", False) and _roles(two)["Maria"] == ("interviewer", False)
    assert _table(dialog)["Joe"] == ("Interviewer", "set by you")
    assert set(dialog.selected_names()) == {"Joe", "Maria"}  # the selection survives the refresh
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _roles(two)["Joe"] == ("participant", True) and _roles(two)["Maria"] == ("interviewer", True)
    dialog.select_names(["Maria"])
    qtbot.keyClick(dialog.table, Qt.Key.Key_P)
    assert _roles(two)["Maria"] == ("participant", False)
    qtbot.keyClick(dialog.table, Qt.Key.Key_G)
    assert _roles(two)["Maria"] == ("interviewer", True)


def test_role_combo_and_confirm_all_guesses(qtbot, two: Project) -> None:
    dialog = _dialog(qtbot, two)
    dialog.select_names(["Joe"])
    index = dialog.table.currentIndex().siblingAtColumn(ROLE)
    dialog.table.edit(index)
    combo = dialog.table.indexWidget(index)
    assert isinstance(combo, QComboBox) and combo.currentData() == "participant"
    combo.setCurrentIndex(combo.findData("interviewer"))
    combo.activated.emit(combo.currentIndex())
    assert _roles(two)["Joe"] == ("interviewer", False)
    # Joe is now the known interviewer of Joe.txt, so Maria follows as a participant.
    assert _table(dialog)["Maria"][0] == "Participant (guess)"
    dialog.confirm_button.click()
    assert all(not guessed for _role, guessed in _roles(two).values())
    assert not dialog.confirm_button.isEnabled()
    two.undo()
    assert _roles(two)["Maria"] == ("participant", True) and _roles(two)["Joe"] == ("interviewer", False)


def test_read_only_project_shows_roles_without_changing_them(qtbot, project_path: Path) -> None:
    project = Project.open(project_path, coder="tester", read_only=True)
    try:
        dialog = _dialog(qtbot, project)
        dialog.select_names(["P1"])
        assert not dialog.interviewer_button.isEnabled() and not dialog.confirm_button.isEnabled()
        qtbot.keyClick(dialog.table, Qt.Key.Key_I)
        assert _roles(project)["P1"] == ("participant", True)
        assert "read-only" in dialog.message.text()
    finally:
        project.close()


def test_search_panel_leaves_out_interviewer_turns_until_unticked(qtbot, indexed: Project) -> None:
    panel = SearchPanel(indexed)
    qtbot.addWidget(panel)
    assert panel.interviewer_check.isChecked() and panel.interviewer_check.isEnabled()
    assert panel.interviewer_check.toolTip().startswith("Leaves out what Interviewer said.")
    said = {h.text for h in panel.run_search("did OR had")}
    assert "did" not in said and "had" in said  # "Did you have to…" is the interviewer's
    assert "interviewer turns left out" in panel.count_label.text()
    panel.interviewer_check.setChecked(False)
    assert {h.text for h in panel.model.hits()} >= {"Did", "had"}
    panel.interviewer_check.setChecked(True)
    indexed.run(speakers.set_roles, {"Interviewer": "participant"}, coder="tester")
    assert not panel.interviewer_check.isEnabled()
    assert "Did" in {h.text for h in panel.model.hits()}


def test_framework_matrix_leaves_out_interviewer_turns(qtbot, project: Project) -> None:
    with project.read_session() as s:
        rosa = sources.resolve(s, "Rosa.txt").id
        trust = nodes.resolve(s, "Trust").id
        body = sources.text_and_pages(s, rosa)[0]
    end = body.index("Interviewer: And then?")
    project.run(coding.code, rosa, 0, end, trust, "tester")
    view = FrameworkView(project, rows="sources", cols="nodes")
    qtbot.addWidget(view)
    assert view.interviewer_check.isChecked()
    cell = view.model.matrix.cell(rosa, trust)
    assert [body[a:b] for _s, a, b in cell.passages] == [body[body.index("P1: We had"):end].rstrip()]
    view.interviewer_check.setChecked(False)
    assert view.model.matrix.cell(rosa, trust).passages == [(rosa, 0, end)]


def test_marker_run_dialog_can_include_interviewer_turns(qtbot, indexed: Project,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    panel = ReviewPanel(indexed)
    qtbot.addWidget(panel)
    seen = []

    def answer(dialog: RunMarkersDialog) -> int:
        seen.append(dialog.interviewer_check.isChecked())
        dialog.interviewer_check.setChecked(False)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(RunMarkersDialog, "exec", answer)
    with qtbot.waitSignal(panel.runFinished, timeout=20000) as done:
        panel.run_marker_search()
    with indexed.read_session() as s:
        run = review.list_runs(s)[-1]
        speakers_ = {h.speaker for h in review.list_hits(s, done.args[0])}
    assert seen == [True] and run["run"] == done.args[0]
    assert "Interviewer" in speakers_  # kept in the run, hidden in the queue
    assert panel.hide_check.isChecked() and all(h.speaker != "Interviewer" for h in panel.model.visible_hits())


def test_file_menu_opens_speakers_and_roles(make_window, project_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(project_path)
    assert window.actions.speakers in window.menuBar().actions()[0].menu().actions()
    assert window.actions.speakers.isEnabled()
    opened = []
    monkeypatch.setattr(SpeakersDialog, "exec", lambda self: opened.append(_table(self)) or 0)
    window.actions.speakers.trigger()
    assert opened and opened[0]["P1"][0] == "Participant (guess)"


def test_hide_is_on_once_roles_are_known_even_if_the_run_left_them_out(qtbot, indexed: Project) -> None:
    with indexed.read_session() as s:
        spec = lexicon.load(s)
    run_id = indexed.run(markers.run_markers, spec, coder=indexed.coder)
    panel = ReviewPanel(indexed)
    qtbot.addWidget(panel)
    panel.reload_runs(select=run_id)
    assert panel.hide_check.isChecked()
    assert panel.model.visible_hits() and "Interviewer" not in panel.model.speakers()
