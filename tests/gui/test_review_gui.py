"""Review comments in the window: added read-only from the audit trail, a coding and a node; the inbox."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from qdaapp.core import coding, nodes
from qdaapp.core import review_comments as rc
from qdaapp.core.project import Project

from .test_main_window import make_window, messages, settings, source_id  # noqa: F401 (fixtures)


def _prepare(project_path: Path) -> int:
    with Project.open(project_path) as p:
        with p.read_session() as s:
            trust = nodes.resolve(s, "Trust").id
        return p.run(coding.code, source_id(p, "Rosa.txt"), 62, 80, trust, coder="tester")


def _save(qtbot, window, kind: str, ident, text: str):
    dialog = window.review.add_comment(kind, ident)
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.text, text)
    dialog.save_button.click()
    assert not dialog.isVisible(), dialog.error.text()
    return dialog.comment


def test_read_only_comments_from_viewer_coding_and_node(make_window, project_path: Path, qtbot) -> None:
    coding_id = _prepare(project_path)
    digest = hashlib.sha256(project_path.read_bytes()).hexdigest()
    window = make_window(project_path, read_only=True)
    flow = window.review
    assert flow.add_action.isEnabled() and flow.add_action.shortcut().toString() == "Ctrl+Shift+R"
    assert not flow.notice.isVisible()

    # The audit trail: its context menu offers the comment on the event.
    window.show_audit_trail()
    viewer = window.audit_viewer
    qtbot.waitUntil(lambda: viewer.model.rowCount() > 0)
    row = viewer.model.row(0)
    menu = viewer.build_context_menu(row)
    item = next(a for a in menu.actions() if a.text() == "Add review comment…")
    item.trigger()
    dialog = flow.dialog
    assert dialog.kind == "event" and dialog.ident == row[0]
    qtbot.keyClicks(dialog.text, "Why this change?")
    dialog.save_button.click()
    assert not dialog.isVisible(), dialog.error.text()

    # A coding stripe: the document's context menu over the coded passage.
    window.open_source(source_id(window.project, "Rosa.txt"))
    menu = window.coding.build_context_menu(source_id(window.project, "Rosa.txt"), 65, 65)
    assert "Add review comment…" in [a.text() for a in menu.actions()]
    _save(qtbot, window, "coding", coding_id, "Is this trust?")

    # A node: the Nodes panel's context menu, and Ctrl+Shift+R with the node selected.
    panel = window.nodes_panel
    trust_id = next(n.id for n in panel.model.nodes() if n.name == "Trust")
    menu = panel.build_context_menu(panel.model.index_for(trust_id))
    assert "Add review comment…" in [a.text() for a in menu.actions()]
    panel.select_node(trust_id)
    window.activateWindow()
    panel.view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.view)
    assert flow.current_target() == ("node", trust_id)
    flow.add_action.trigger()
    qtbot.keyClicks(flow.dialog.text, "Define trust in the codebook.")
    flow.dialog.save_button.click()

    comments = rc.list_comments(project_path)
    assert [(c.kind, c.author, c.status) for c in comments] == [
        ("event", "tester", "open"), ("coding", "tester", "open"), ("node", "tester", "open")]
    assert hashlib.sha256(project_path.read_bytes()).hexdigest() == digest

    inbox = flow.inbox
    assert inbox.table.rowCount() == 3
    assert [inbox.table.item(r, 3).text() for r in range(3)] == [c.label for c in comments]
    assert inbox.table.item(1, 4).text() == "Is this trust?"
    assert flow.notice.isVisible() and flow.notice.text() == "3 review comments from tester"


def test_student_sees_notice_goes_to_target_replies_and_resolves(make_window, project_path: Path,
                                                                   qtbot) -> None:
    coding_id = _prepare(project_path)
    with Project.open(project_path, coder="Dr Lee", read_only=True) as ro:
        rc.add_comment(ro, "Is this trust?", "coding", coding_id)
        rc.add_comment(ro, "Why?", "event", 2)
    window = make_window(project_path)
    flow = window.review
    assert flow.notice.isVisible() and flow.notice.text() == "2 review comments from Dr Lee"
    flow.notice.click()
    assert flow.dock.isVisible()
    inbox = flow.inbox
    assert inbox.table.rowCount() == 2 and inbox.current_comment().text == "Is this trust?"

    inbox.table.itemDoubleClicked.emit(inbox.table.item(0, 0))
    view = window.documents.current_view()
    assert view is not None and view.selected_span() == (62, 80)

    inbox.select_comment(2)
    inbox.go_to_current()
    assert window.audit_dock.isVisible()
    assert window.audit_viewer.current_row()[0] == 2

    inbox.select_comment(1)
    qtbot.keyClicks(inbox.reply_text, "Because she relies on the GP.")
    assert inbox.send_reply()
    (first,) = [c for c in rc.list_comments(project_path) if c.id == 1]
    assert first.status == "answered" and first.replies[0].author == "tester"
    assert "Because she relies on the GP." in inbox.detail.toPlainText()
    assert inbox.toggle_resolved()
    assert rc.list_comments(project_path)[0].status == "resolved"
    assert inbox.table.rowCount() == 1  # resolved ones are hidden unless "All comments" is chosen
    assert flow.notice.text() == "1 review comment from Dr Lee"


def test_a_blocked_action_says_why(make_window, project_path: Path, qtbot) -> None:
    window = make_window(project_path, read_only=True)
    for action in window.actions.edits:
        assert not action.isEnabled()
        assert action.toolTip().startswith("The project is open read-only"), action.text()
    window.open_source(source_id(window.project, "Rosa.txt"))
    view = window.documents.current_view()
    view.text_edit.setFocus()
    window.statusBar().clearMessage()
    qtbot.keyClick(view.text_edit, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage().startswith("The project is open read-only")


def test_comment_on_a_fragment_of_an_account(make_window, project_path: Path, qtbot) -> None:
    from qdaapp.core import narrative
    from qdaapp.gui.narrative.common import ID_ROLE

    with Project.open(project_path) as p:
        account = p.run(narrative.create_account, "Referral system")
        fragment = p.run(narrative.add_fragment, account, "The GP asked us to set it up.", act="manipulation")
    window = make_window(project_path, read_only=True)
    workspace = window.analysis.open_account(account)
    item = next(workspace.fragments.item(r) for r in range(workspace.fragments.count())
                if workspace.fragments.item(r).data(ID_ROLE) == fragment)
    workspace.fragments.setCurrentItem(item)
    window.activateWindow()
    workspace.fragments.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is workspace.fragments)
    assert window.review.current_target() == ("fragment", fragment)
    comment = _save(qtbot, window, *window.review.current_target(), "Is this manipulation or a request?")
    assert comment.label == "Fragment “The GP asked us to set it up.” in Referral system"
    assert window.review.inbox.table.item(0, 3).text() == comment.label
    window.open_source(source_id(window.project, "Rosa.txt"))
    assert window.documents.tabs.currentWidget() is not workspace
    assert window.review.go_to(comment)
    assert window.documents.tabs.currentWidget() is workspace


def test_read_only_menus_and_keys_in_panels_say_why(make_window, project_path: Path, qtbot) -> None:
    window = make_window(project_path, read_only=True)
    panel = window.nodes_panel
    trust_id = next(n.id for n in panel.model.nodes() if n.name == "Trust")
    menu = panel.build_context_menu(panel.model.index_for(trust_id))
    delete = next(a for a in menu.actions() if a.text() == "Delete…")
    assert not delete.isEnabled()
    assert delete.toolTip().startswith("The project is open read-only: “Delete” would change it.")
    panel.select_node(trust_id)
    window.activateWindow()
    panel.view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.view)
    window.statusBar().clearMessage()
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    assert window.statusBar().currentMessage().startswith("The project is open read-only: “Delete node” would")
    assert panel.model.node(trust_id) is not None
    window.import_files()  # e.g. files dropped on the Sources panel
    assert window.statusBar().currentMessage().startswith("The project is open read-only: “Import files” would")
