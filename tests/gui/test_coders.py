"""Whose codings the window shows (mine / all / one coder), blind coding in the window, the coders list,
and the coder's name on a first start."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from qdaapp.core import blind
from qdaapp.core import coding as coding_ops
from qdaapp.core.project import Project
from qdaapp.gui.panels.coders import ALL, MINE

from .test_coding_flow import PHRASE, count_cell
from .test_main_window import make_window, messages, settings, source_id  # noqa: F401


def _coders_of_spans(view) -> list[str]:
    return sorted(s.coder for s in view.spans())


def _code_as_two(project_path: Path) -> None:
    """tester (the owner) and bo each code Trust; bo also codes Workload."""
    p = Project.open(project_path, coder="tester")
    try:
        sid = source_id(p, "Rosa.txt")
        p.run(coding_ops.code, sid, 0, 12, "Trust", "tester")
        p.run(coding_ops.code, sid, 20, 40, "Trust", "bo")
        p.run(coding_ops.code, sid, 50, 60, "Barriers/Workload", "bo")
    finally:
        p.close()


def _combo(window) -> list[tuple[str, bool, str]]:
    """(text, enabled, tooltip) of each choice in the status bar's box."""
    combo = window.coder_view.combo
    model = combo.model()
    return [(combo.itemText(i), model.item(i).isEnabled(), combo.itemData(i, Qt.ItemDataRole.ToolTipRole) or "")
            for i in range(combo.count())]


def test_the_choice_filters_stripes_counts_and_passages(make_window, project_path: Path) -> None:
    _code_as_two(project_path)
    window = make_window(project_path)
    sid = source_id(window.project, "Rosa.txt")
    view = window.open_source(sid)
    trust = next(n.id for n in window.nodes_panel.model.nodes() if n.name == "Trust")
    window.passages.show_node(trust, "Trust")
    assert window.coder_view.current() == ALL  # everyone's work, until the user narrows it
    assert _coders_of_spans(view) == ["bo", "bo", "tester"]
    assert count_cell(window, "Trust") == "2" and count_cell(window, "Workload") == "1"
    assert [t for t, _e, _tip in _combo(window)] == ["My codings (tester)", "All coders", "bo"]

    window.coder_view.combo.activated.emit(0)  # My codings, chosen in the status bar's box
    assert _coders_of_spans(view) == ["tester"]
    assert count_cell(window, "Trust") == "1" and count_cell(window, "Workload") == ""
    assert window.passages.row_count() == 1 and "by tester" in window.passages.header.text()
    assert "1 coding " in window.summary_label.text()

    by_bo = next(a for a in window.coder_view.menu.actions() if a.text() == "bo")
    by_bo.trigger()  # View ▸ Show codings of ▸ bo
    assert _coders_of_spans(view) == ["bo", "bo"]
    assert count_cell(window, "Trust") == "1" and count_cell(window, "Workload") == "1"
    assert [window.passages.model.passage(r).coder for r in range(window.passages.row_count())] == ["bo"]

    # Coding stays the current coder's: a new coding of tester's does not show among bo's ...
    start = view.text().index(PHRASE)
    window.project.run(coding_ops.code, sid, start, start + len(PHRASE), "Trust", window.project.coder)
    assert _coders_of_spans(view) == ["bo", "bo"] and count_cell(window, "Trust") == "1"
    # ... and shows as soon as all coders are shown again.
    window.coder_view.choose(ALL)
    assert _coders_of_spans(view) == ["bo", "bo", "tester", "tester"] and count_cell(window, "Trust") == "3"

    window.coder_view.choose("bo")
    window.close_project()
    assert window.open_project(str(project_path))  # remembered for this project
    assert window.coder_view.current() == "bo" and count_cell(window, "Workload") == "1"
    assert window.coder_view.combo.currentText() == "bo"


def test_blind_coding_greys_the_other_choices(make_window, project_path: Path, monkeypatch) -> None:
    _code_as_two(project_path)
    owner = Project.open(project_path, coder="tester")
    owner.run(blind.set_blind, True, "tester")
    owner.close()
    monkeypatch.setenv("QDAAPP_CODER", "bo")
    window = make_window(project_path)
    view = window.open_source(source_id(window.project, "Rosa.txt"))
    cv = window.coder_view
    assert cv.current() == MINE
    choices = _combo(window)
    assert choices[0][:2] == ("My codings (bo)", True)
    assert [(t, e) for t, e, _tip in choices[1:]] == [("All coders", False), ("tester", False)]
    assert all("Blind coding is on" in tip and "tester" in tip for _t, _e, tip in choices[1:])
    menu = {a.text(): a for a in cv.menu.actions()}
    assert not menu["All coders"].isEnabled() and "Blind coding is on" in menu["All coders"].toolTip()
    assert _coders_of_spans(view) == ["bo", "bo"]
    assert count_cell(window, "Trust") == "1"
    cv.choose(ALL)  # refused: blind coding allows one's own codings only
    assert cv.current() == MINE and _coders_of_spans(view) == ["bo", "bo"]
    assert not cv.blind_action.isEnabled() and "Only the project owner, tester" in cv.blind_action.statusTip()
    assert not cv.end_action.isEnabled()


def test_the_owner_switches_blind_coding_from_the_team_menu(make_window, project_path: Path) -> None:
    _code_as_two(project_path)
    window = make_window(project_path)
    cv = window.coder_view
    assert cv.blind_action.isEnabled() and not cv.blind_action.isChecked()
    assert not cv.end_action.isEnabled()
    cv.blind_action.trigger()
    with window.project.read_session() as s:
        assert blind.state(s) == blind.ON
    assert cv.blind_action.isChecked() and cv.end_action.isEnabled()
    assert cv.current() == ALL  # the owner may see all
    assert window.actions.undo.text().startswith("Undo: switch blind coding on")
    window.actions.undo.trigger()
    with window.project.read_session() as s:
        assert blind.state(s) == blind.OFF
    assert not cv.blind_action.isChecked()
    window.actions.redo.trigger()
    assert cv.end_blind()  # confirmed (the test's message boxes answer Yes)
    with window.project.read_session() as s:
        assert blind.state(s) == blind.ENDED
    assert not cv.end_action.isEnabled() and not cv.blind_action.isChecked()


def test_the_blind_setting_reaches_a_coder_s_window_when_it_changes(make_window, project_path: Path,
                                                                    monkeypatch) -> None:
    """A change of the setting (here the owner's, through the same file) re-reads what the window shows."""
    _code_as_two(project_path)
    monkeypatch.setenv("QDAAPP_CODER", "bo")
    window = make_window(project_path)
    view = window.open_source(source_id(window.project, "Rosa.txt"))
    assert _coders_of_spans(view) == ["bo", "bo", "tester"]
    window.project.coder = "tester"  # the owner at this computer for a moment
    window.project.run(blind.set_blind, True, "tester")
    window.project.coder = "bo"
    window.coder_view.refresh()
    assert _coders_of_spans(view) == ["bo", "bo"] and count_cell(window, "Trust") == "1"
    assert not _combo(window)[1][1]


def test_coders_dialog_lists_everyone_and_hides_figures_in_blind_coding(make_window, project_path: Path,
                                                                        monkeypatch) -> None:
    _code_as_two(project_path)
    window = make_window(project_path)
    dialog = window.coder_view.show_coders()
    table = dialog.table
    rows = {table.item(r, 0).text(): [table.item(r, c).text() for c in range(1, 5)] for r in range(table.rowCount())}
    # bo's codings were written through tester's handle: the trail records no change of bo's own.
    assert rows == {"tester (you) · owner": ["1", "0", "0", "11"], "bo": ["2", "0", "0", "0"]}
    assert "Blind coding is off" in dialog.blind_label.text()
    assert dialog.blind_button.text() == "Switch blind coding on" and dialog.blind_button.isEnabled()
    dialog.blind_button.click()
    assert dialog.blind_button.text() == "Switch blind coding off"
    dialog.close()
    window.close_project()
    monkeypatch.setenv("QDAAPP_CODER", "bo")
    assert window.open_project(str(project_path))
    dialog = window.coder_view.show_coders()
    table = dialog.table
    rows = {table.item(r, 0).text(): [table.item(r, c).text() for c in range(1, 5)] for r in range(table.rowCount())}
    assert rows["tester · owner"] == ["–", "–", "–", "–"]
    assert rows["bo (you)"][0] == "2"
    assert not dialog.blind_button.isEnabled() and not dialog.end_button.isEnabled()
    dialog.close()


@pytest.mark.parametrize("login", ["root", "user", "Administrator", ""])
def test_a_generic_login_is_never_taken_for_the_coder(make_window, tmp_path: Path, monkeypatch, login) -> None:
    monkeypatch.delenv("QDAAPP_CODER", raising=False)
    monkeypatch.setattr(getpass, "getuser", lambda: login)
    suggested: list[str] = []
    answers = [("", False), ("Maria", True)]

    def get_text(_parent, _title, _label, _mode=None, text="", *args, **kwargs):
        suggested.append(text)
        return answers.pop(0)

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    window = make_window()
    path = tmp_path / "study.qda"
    assert not window.flow.create(path)  # no name given: nothing is made under a login's name
    assert not path.exists()
    assert window.flow.create(path)
    assert suggested == ["", ""]
    assert window.project.coder == "Maria" and window.project.meta()["owner"] == "Maria"
    assert "study · Maria ·" in window.summary_label.text()


def test_a_personal_login_is_offered_as_the_name(make_window, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("QDAAPP_CODER", raising=False)
    monkeypatch.setattr(getpass, "getuser", lambda: "mgarcia")
    suggested: list[str] = []

    def get_text(_parent, _title, _label, _mode=None, text="", *args, **kwargs):
        suggested.append(text)
        return text, True

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    window = make_window()
    assert window.flow.create(tmp_path / "study.qda")
    assert suggested == ["mgarcia"] and window.project.coder == "mgarcia"


def test_the_audit_trail_shows_only_ones_own_changes_in_blind_coding(make_window, project_path: Path, qtbot,
                                                                     monkeypatch) -> None:
    from .test_audit_viewer import open_viewer

    _code_as_two(project_path)
    owner = Project.open(project_path, coder="tester")
    owner.run(blind.set_blind, True, "tester")
    owner.close()
    monkeypatch.setenv("QDAAPP_CODER", "bo")
    window = make_window(project_path)
    sid = source_id(window.project, "Rosa.txt")
    trust = next(n.id for n in window.nodes_panel.model.nodes() if n.name == "Trust")
    window.coding.code(trust, sid, 70, 80)  # bo's own change
    viewer = open_viewer(window, qtbot)
    model = viewer.model
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=3000)
    shown = {model.row(r)[2] for r in range(model.rowCount())}  # the coder of each event
    assert shown == {"bo"}
    combo = viewer.filters.coder
    assert [combo.itemText(i) for i in range(combo.count())] == ["bo"] and not combo.isEnabled()
    assert "Blind coding" in combo.toolTip()
