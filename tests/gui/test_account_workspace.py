"""The account workspace: lists, completeness, reorder, drops, export, Add to account."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from qdaapp.core import flowgraph, narrative, sources
from qdaapp.gui.narrative.add_to_account import NEW, AddToAccountDialog
from qdaapp.gui.narrative.common import ID_ROLE, PASSAGES_MIME, SPAN_MIME, passages_from_mime
from qdaapp.gui.narrative.workspace import AccountWorkspace

from ..conftest import SAMPLE

NOTES = "Field note 3 May.\nThe team met and agreed to start.\n"


def span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def make_account(project) -> tuple[int, tuple[int, int, int]]:
    """An account with three fragments (manipulation, commitment, sanction) from two sources."""
    with project.read_session() as s:
        rosa, notes = sources.resolve(s, "Rosa.txt").id, sources.resolve(s, "Notes.txt").id
    account = project.run(narrative.create_account, "Referral system", description="Setting up referrals")
    had, wanted = span(SAMPLE, "We had to do something"), span(SAMPLE, "I wanted to help")
    agreed = span(NOTES, "The team met and agreed to start.")
    for sid, (a, b) in ((rosa, had), (rosa, wanted), (notes, agreed)):
        project.run(narrative.add_passage, account, sid, a, b)
    f1 = project.run(narrative.add_fragment, account, "The GP asked us to set it up; we had to.", act="manipulation",
                     case_ref="P1 Rosa", actors=["GP", "we"], passages=[(rosa, *had)])
    f2 = project.run(narrative.add_fragment, account, "I wanted to help.", act="commitment", case_ref="P1 Rosa",
                     passages=[(rosa, *wanted)])
    f3 = project.run(narrative.add_fragment, account, "The team agreed to start: it worked well.", act="sanction",
                     passages=[(notes, *agreed)])
    return account, (f1, f2, f3)


@pytest.fixture(autouse=True)
def own_settings(tmp_path: Path) -> None:
    """The chart's layout choice goes to the user's settings: keep them in the test's folder."""
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    for name in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(lambda parent, title, text, *a: shown.append(text)))
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a: QMessageBox.StandardButton.Yes))
    return shown


def _workspace(qtbot, project, account) -> AccountWorkspace:
    ws = AccountWorkspace(project, account)
    qtbot.addWidget(ws)
    ws.resize(1300, 800)
    ws.show()
    qtbot.waitExposed(ws)
    return ws


def _ids(widget) -> list[int]:
    return [widget.item(i).data(ID_ROLE) for i in range(widget.count())]


def test_workspace_shows_fragments_passages_and_completeness(qtbot, project) -> None:
    account, (f1, f2, f3) = make_account(project)
    ws = _workspace(qtbot, project, account)
    assert ws.title == "Referral system" and "Setting up referrals" in ws.header.text()
    assert _ids(ws.fragments) == [f1, f2, f3]
    assert ws.passages.count() == 3 and ws.passages_title.text() == "Passages (3)"
    assert "fragment 1" in ws.passages.item(0).data(Qt.ItemDataRole.UserRole + 1) or \
        any("fragment 1" in ws.passages.item(i).data(Qt.ItemDataRole.UserRole + 1) for i in range(3))
    panel = ws.completeness
    assert [panel.status(a) for a in ("manipulation", "commitment", "competence", "performance", "sanction")] == \
        ["✓", "✓", "missing", "missing", "✓"]
    assert panel.counts.text() == "Interviewees: 1 · Sources: 2"
    assert "all five speech acts and data from several interviewees" in panel.reminder.text()
    assert "competence" in panel.next_step.text()
    project.run(narrative.add_fragment, account, "I was able to use the template.", act="competence")
    assert panel.status("competence") == "✓" and ws.fragments.count() == 4


def test_selecting_a_box_shows_its_passages_and_opens_them(qtbot, project) -> None:
    account, (f1, f2, _f3) = make_account(project)
    ws = _workspace(qtbot, project, account)
    with qtbot.waitSignal(ws.fragmentSelected) as selected:
        ws.flowchart.select_fragment(f2)
    assert selected.args == [f2]
    assert ws.fragments.currentItem().data(ID_ROLE) == f2
    assert ws.details.fragment_id == f2 and ws.details.passages.count() == 1
    with qtbot.waitSignal(ws.openPassage) as opened:
        ws.details.passages.itemActivated.emit(ws.details.passages.item(0))
    start, end = span(SAMPLE, "I wanted to help")
    assert opened.args[1:] == [start, end]
    ws.fragments.setCurrentRow(0)
    assert ws.flowchart.selected_ids() == [f1]


def test_reorder_by_dragging_in_the_list(qtbot, project) -> None:
    account, (f1, f2, f3) = make_account(project)
    ws = _workspace(qtbot, project, account)
    with qtbot.waitSignal(ws.fragments.fragmentMoved):
        ws.fragments.setCurrentRow(2)
        rect = ws.fragments.visualItemRect(ws.fragments.item(0))
        mime = ws.fragments.model().mimeData([ws.fragments.currentIndex()])
        event = QDropEvent(QPointF(rect.center().x(), rect.top() + 2), Qt.DropAction.MoveAction, mime,
                           Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        event.source = lambda: ws.fragments  # a drag started in the list itself
        ws.fragments.dropEvent(event)
    assert _ids(ws.fragments) == [f3, f1, f2]
    assert _arrows(ws) == {(f3, f1), (f1, f2)}
    project.undo()
    assert _ids(ws.fragments) == [f1, f2, f3]
    assert ws.move_fragment_to(f1, 2)
    assert _ids(ws.fragments) == [f2, f3, f1]


def _arrows(ws) -> set[tuple[int, int]]:
    return set(ws.flowchart.edges)


def test_move_up_and_down_relink_and_lay_the_chart_out_again(qtbot, project) -> None:
    account, (f1, f2, f3) = make_account(project)
    ws = _workspace(qtbot, project, account)
    project.run(narrative.place_fragments, {f3: (700.0, -300.0)})  # a box put top-right by hand
    ws.fragments.setCurrentRow(2)
    assert ws.move_up_action.isEnabled() and not ws.move_down_action.isEnabled()
    ws.move_up_action.trigger()
    assert _ids(ws.fragments) == [f1, f3, f2]
    assert _arrows(ws) == {(f1, f3), (f3, f2)}  # the arrows join the new neighbours
    boxes = ws.flowchart.boxes
    assert boxes[f1].pos().y() < boxes[f3].pos().y() < boxes[f2].pos().y()  # laid out again, in the new order
    assert boxes[f3].pos().x() == boxes[f1].pos().x() and not boxes[f3].box.saved
    assert ws.fragments.currentItem().data(ID_ROLE) == f3  # the moved fragment stays current
    assert (ws.move_up_action.shortcut().toString(), ws.move_down_action.shortcut().toString()) == \
        ("Alt+Up", "Alt+Down")
    assert ws.move_up_action in ws.actions()  # the shortcut works wherever the focus is in the workspace
    ws.move_up_action.trigger()
    assert _ids(ws.fragments) == [f3, f1, f2] and _arrows(ws) == {(f3, f1), (f1, f2)}
    project.undo()  # one Ctrl+Z: order and arrows
    assert _ids(ws.fragments) == [f1, f3, f2] and _arrows(ws) == {(f1, f3), (f3, f2)}
    project.undo()
    assert _ids(ws.fragments) == [f1, f2, f3] and _arrows(ws) == {(f1, f2), (f2, f3)}
    assert ws.flowchart.boxes[f3].pos().toTuple() == (700.0, -300.0)


def test_drops_of_passages_add_them(qtbot, project, messages) -> None:
    account, _ = make_account(project)
    ws = _workspace(qtbot, project, account)
    mime = QMimeData()
    mime.setData(SPAN_MIME, json.dumps({"start": 0, "end": 5}).encode())  # no source: ignored
    assert passages_from_mime(mime) == []
    mime.setData(PASSAGES_MIME, json.dumps([{"source_id": 1, "start": 0, "end": 11},
                                            {"source_id": 1, "start": 12, "end": 20}]).encode())
    assert passages_from_mime(mime) == [(1, 0, 11), (1, 12, 20)]
    single = QMimeData()
    single.setData(SPAN_MIME, json.dumps({"source_id": 2, "start": 0, "end": 10}).encode())
    assert passages_from_mime(single) == [(2, 0, 10)]
    for data in (mime, single):
        event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                           Qt.KeyboardModifier.NoModifier)
        with qtbot.waitSignal(ws.passages.passagesDropped):
            ws.passages.dropEvent(event)
    assert ws.passages.count() == 6 and not messages
    with project.read_session() as s:
        assert flowgraph.completeness(s, account)["passages"] == 6


def test_export_figure_writes_svg_png_pdf(qtbot, project, tmp_path: Path) -> None:
    account, _ = make_account(project)
    ws = _workspace(qtbot, project, account)
    tmp_path = tmp_path / "figures"
    tmp_path.mkdir()
    svg = ws.export_figure(tmp_path / "chart.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "Referral system" in svg
    assert (ws.export_figure(tmp_path / "chart.png")).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    pdf = ws.export_figure(tmp_path / "chart.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-64:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chart.pdf", "chart.png", "chart.svg"]
    ws.layout_choice.setCurrentIndex(ws.layout_choice.findData("snake"))
    assert ws.flowchart.layout_mode == "snake"
    svg = ws.export_figure(tmp_path / "page.svg", page="letter", landscape=True).read_text(encoding="utf-8")
    assert 'width="279.4mm" height="215.9mm"' in svg


def test_figure_options_dialog(qtbot) -> None:
    from qdaapp.gui.narrative.figure_dialog import FigureOptionsDialog

    dialog = FigureOptionsDialog("across")
    qtbot.addWidget(dialog)
    assert dialog.choices() == ("across", "a4", False)
    dialog.landscape.setChecked(True)
    dialog.paper.setCurrentIndex(dialog.paper.findData("letter"))
    assert dialog.choices() == ("across", "letter", True)
    dialog.paper.setCurrentIndex(0)  # the figure's own size: no orientation
    assert dialog.choices() == ("across", None, False) and not dialog.landscape.isEnabled()


def test_deleted_account_and_undo(qtbot, project) -> None:
    account, (f1, _f2, _f3) = make_account(project)
    ws = _workspace(qtbot, project, account)
    with qtbot.waitSignal(ws.accountRemoved):
        project.run(narrative.delete_account, account)
    assert "deleted" in ws.header.text() and not ws.flowchart.boxes
    project.undo()
    assert ws.fragments.count() == 3 and f1 in ws.flowchart.boxes


def test_empty_account_tells_the_next_step(qtbot, project) -> None:
    account = project.run(narrative.create_account, "Event")
    ws = _workspace(qtbot, project, account)
    assert "Add passages from your documents" in ws.flowchart.overlay.text()
    assert "Add to account" in ws.completeness.next_step.text()
    assert [ws.completeness.status(a) for a in ("manipulation", "sanction")] == ["missing", "missing"]


def test_add_to_account_existing_and_new(qtbot, project, messages) -> None:
    account, _ = make_account(project)
    dialog = AddToAccountDialog(project, [(1, 0, 11)])
    qtbot.addWidget(dialog)
    assert "Interviewer" in dialog.preview.text()
    dialog.choose("referral")
    assert dialog.list.currentItem().data(ID_ROLE) == account
    dialog.save()
    assert dialog.account_id == account and dialog.added == 1
    with project.read_session() as s:
        assert any(p["start"] == 0 and p["end"] == 11 for p in flowgraph.show(s, account)["passages"])
    again = AddToAccountDialog(project, [(1, 0, 11), (2, 0, 17)])
    qtbot.addWidget(again)
    assert again.list.currentItem().data(ID_ROLE) == account  # the account used last
    again.choose("Planning the event")
    assert again.list.currentItem().data(ID_ROLE) == NEW
    again.save()
    assert again.added == 2 and again.account_id != account
    with project.read_session() as s:
        assert flowgraph.show(s, "Planning the event")["passages"][0]["text"]
    repeat = AddToAccountDialog(project, [(1, 0, 11)])
    qtbot.addWidget(repeat)
    repeat.choose("Referral system")
    repeat.save()
    assert repeat.added == 0 and messages == ["The passage is already in that account."]


def test_account_details_and_actantial_roles(qtbot, project) -> None:
    from qdaapp.gui.narrative.account_dialogs import AccountDetailsDialog, ActantRolesDialog

    account, _ = make_account(project)
    ws = _workspace(qtbot, project, account)
    details = AccountDetailsDialog(project, account)
    qtbot.addWidget(details)
    details.title.setText("Referral pathway")
    with qtbot.waitSignal(ws.titleChanged) as renamed:
        details.save()
    assert renamed.args == ["Referral pathway"] and "Referral pathway" in ws.header.text()
    roles = ActantRolesDialog(project, account)
    qtbot.addWidget(roles)
    assert "GP" in [roles.actor.itemText(i) for i in range(roles.actor.count())]
    assert roles.assign("GP", "sender") and roles.assign("we", "subject")
    assert roles.table.rowCount() == 2
    roles.table.selectRow(0)
    roles._on_remove_clicked()
    assert roles.table.rowCount() == 1


def test_read_only_project_can_be_looked_at_not_changed(qtbot, project, project_path) -> None:
    from qdaapp.core.project import Project

    account, (f1, _f2, _f3) = make_account(project)
    reader = Project.open(project_path, read_only=True)
    try:
        ws = _workspace(qtbot, reader, account)
        assert ws.fragments.count() == 3
        assert not ws.new_action.isEnabled() and not ws.link_action.isEnabled()
        ws.fragments.setCurrentRow(1)
        assert not ws.move_up_action.isEnabled() and not ws.move_down_action.isEnabled()
        item = ws.flowchart.boxes[f1]
        assert not item.flags() & item.GraphicsItemFlag.ItemIsMovable
        ws.flowchart.set_link_mode(True)
        assert not ws.flowchart.link_mode
        ws.close()
        ws.deleteLater()
    finally:
        reader.close()
