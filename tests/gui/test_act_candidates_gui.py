"""Candidates under a missing speech act in the account workspace: shown on demand, opened in the
document, added to the account or made a fragment of the act, by keyboard; gone once the act is there."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from qdaapp.core import flowgraph, indexing, narrative, sources
from qdaapp.gui.narrative import fragment_dialog
from qdaapp.gui.narrative.candidate_list import NONE_FOUND
from qdaapp.gui.narrative.workspace import AccountWorkspace

from ..conftest import SAMPLE

ASKED = "We had to do something, the GP asked us to set it up."
AUDIT = "We didn't know how to measure it, so we ran a small audit."


@pytest.fixture(autouse=True)
def own_settings(tmp_path: Path) -> None:
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))


@pytest.fixture
def workspace(qtbot, project):
    indexing.index_sources(project)
    with project.read_session() as s:
        rosa = sources.resolve(s, "Rosa.txt").id
    account = project.run(narrative.create_account, "Referral system")
    start = SAMPLE.index(ASKED)
    project.run(narrative.add_fragment, account, "The GP asked us to set it up.", act="manipulation",
                passages=[(rosa, start, start + len(ASKED))])
    ws = AccountWorkspace(project, account)
    qtbot.addWidget(ws)
    ws.resize(1300, 800)
    ws.show()
    qtbot.waitExposed(ws)
    return ws, project, account, rosa


def _press(widget, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    from PySide6.QtTest import QTest

    QTest.keyClick(widget, key, modifiers)


def test_candidates_only_under_missing_acts_and_on_demand(workspace) -> None:
    ws, _project, _account, _rosa = workspace
    panel = ws.completeness
    shown = {act for act, button in panel.find_buttons.items() if not button.isHidden()}
    assert shown == {"commitment", "competence", "performance", "sanction"}
    assert all(box.isHidden() for box in panel.boxes.values())
    panel.find_buttons["performance"].click()
    found = panel.lists["performance"]
    assert not panel.boxes["performance"].isHidden() and found.hasFocus()
    assert [c.text for c in found.candidates] == [AUDIT]
    assert found.item(0).data(Qt.ItemDataRole.ToolTipRole).count("we ran") == 1
    assert "I/we/they… + past verb" in found.item(0).data(Qt.ItemDataRole.UserRole + 1)  # the card's heading
    panel.find_buttons["performance"].click()
    assert panel.boxes["performance"].isHidden()


def test_enter_opens_insert_adds_and_the_list_follows(qtbot, workspace) -> None:
    ws, project, account, rosa = workspace
    panel = ws.completeness
    panel.show_candidates("performance")
    found = panel.lists["performance"]
    start = SAMPLE.index(AUDIT)
    with qtbot.waitSignal(ws.openPassage) as opened:
        _press(found, Qt.Key.Key_Return)
    assert opened.args == [rosa, start, start + len(AUDIT)]
    _press(found, Qt.Key.Key_Insert)
    with project.read_session() as s:
        passages = flowgraph.show(s, account)["passages"]
    assert [(p["start"], p["end"]) for p in passages] == [(start, start + len(AUDIT))]
    # The passage is the account's now: no longer a candidate.
    assert found.candidates == [] and found.item(0).text() == NONE_FOUND
    project.undo()
    assert [c.text for c in found.candidates] == [AUDIT]


def test_ctrl_enter_makes_a_fragment_of_the_missing_act(workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    ws, project, account, rosa = workspace
    panel = ws.completeness
    panel.show_candidates("sanction")
    found = panel.lists["sanction"]
    (candidate,) = found.candidates
    assert candidate.text.endswith("It worked well.")
    seen = {}

    def exec_(dialog) -> int:
        seen.update(act=dialog.act(), passages=dialog.checked_passages())
        dialog.summary.setPlainText("It worked well.")
        dialog.save()
        return dialog.result()

    monkeypatch.setattr(fragment_dialog.FragmentDialog, "exec", exec_)
    _press(found, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert seen == {"act": "sanction", "passages": [(rosa, candidate.start, candidate.end)]}
    with project.read_session() as s:
        assert "sanction" in flowgraph.completeness(s, account)["present"]
    assert panel.find_buttons["sanction"].isHidden() and panel.boxes["sanction"].isHidden()
    assert panel.status("sanction") == "✓"


def test_why_nothing_can_be_looked_for_is_said_in_the_list(qtbot, project) -> None:
    account = project.run(narrative.create_account, "Empty story")
    ws = AccountWorkspace(project, account)
    qtbot.addWidget(ws)
    ws.completeness.show_candidates("performance")
    found = ws.completeness.lists["performance"]
    assert found.candidates == [] and "has no passages yet" in found.item(0).text()
    assert not found.open_current() and not found.add_current()
