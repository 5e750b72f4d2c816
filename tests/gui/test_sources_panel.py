"""The Sources dock: opening, renaming, kinds, cases and deleting sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QInputDialog

from qdaapp.core import coding as coding_ops
from qdaapp.core import sources as source_ops

from .test_main_window import make_window, messages, settings, source_id  # noqa: F401


def group_labels(window) -> list[str]:
    model = window.sources_panel.model
    return [model.item(r).text() for r in range(model.rowCount())]


def test_activating_a_source_opens_it(make_window, project_path: Path) -> None:
    window = make_window(project_path)
    panel = window.sources_panel
    rosa = source_id(window.project, "Rosa.txt")
    item = panel.model.source_item(rosa)
    panel.view.activated.emit(item.index())
    assert window.documents.current_source_id() == rosa
    assert "source 'Rosa.txt'" in window.memos.header.text()


def test_rename_kind_and_case_from_the_context_menu(make_window, project_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(project_path)
    panel = window.sources_panel
    notes = source_id(window.project, "Notes.txt")
    window.open_source(notes)
    menu = panel.build_context_menu(panel.model.source_item(notes).index())
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Open", "Rename…", "This source is", "Case", "Delete…", "Add review comment…"]
    kinds = next(a.menu() for a in menu.actions() if a.text() == "This source is")
    next(a for a in kinds.actions() if a.text() == "Document").trigger()
    assert group_labels(window)[1:3] == ["Field notes (0)", "Documents (1)"]
    cases = next(a.menu() for a in menu.actions() if a.text() == "Case")
    next(a for a in cases.actions() if a.text() == "P1 Rosa").trigger()
    menu.deleteLater()
    with window.project.read_session() as s:
        info = next(i for i in source_ops.list_sources(s) if i.id == notes)
    assert (info.kind, info.case) == ("document", "P1 Rosa")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Field note 3 May.txt", True))
    panel.rename_source(notes)
    assert window.documents.tabs.tabText(window.documents.tabs.currentIndex()) == "Field note 3 May.txt"
    assert panel.model.source_item(notes).text() == "Field note 3 May.txt"


def test_delete_source_closes_its_tab_and_updates_counts(make_window, project_path: Path,
                                                         asked_reasons) -> None:
    window = make_window(project_path)
    rosa = source_id(window.project, "Rosa.txt")
    view = window.open_source(rosa)
    trust = next(n.id for n in window.nodes_panel.model.nodes() if n.name == "Trust")
    window.coding.code(trust, rosa, 0, 11)
    assert window.sources_panel.delete_source(rosa)
    ((kind, asked, _),) = asked_reasons
    assert kind == "source.delete" and "Delete Rosa.txt from the project?" in asked and "1 coding" in asked
    assert window.documents.view(rosa) is None and view is not None
    assert group_labels(window)[0] == "Interviews (0)"
    assert window.nodes_panel.model.node(trust).count == 0
    with window.project.read_session() as s:
        assert coding_ops.list_codings(s) == []
    assert "1 source" in window.summary_label.text()


def test_new_case_from_a_source_ticks_it_and_suggests_the_interviewee(make_window, project_path: Path,
                                                                      tmp_path: Path, qtbot,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialogButtonBox

    from qdaapp.core import cases as case_ops
    from qdaapp.gui.dialogs.case_dialog import SOURCE_ID_ROLE, CaseDialog

    window = make_window(project_path)
    path = tmp_path / "int-09.txt"
    path.write_text("Interviewee: Joan Mbeki\n\nResearcher: Hello.\nJoan: Hi.\n", encoding="utf-8")
    docs, _ = source_ops.read_files([path])
    (joan,) = window.project.run(source_ops.import_documents, docs)
    qtbot.waitUntil(lambda: window.sources_panel.model.source_item(joan) is not None, timeout=3000)
    shown: list[CaseDialog] = []

    def save(dialog: CaseDialog) -> int:
        shown.append(dialog)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        return dialog.result()

    monkeypatch.setattr(CaseDialog, "exec", save)
    panel = window.sources_panel
    for sid, name in ((joan, "Joan Mbeki"), (source_id(window.project, "Notes.txt"), "")):
        menu = panel.build_context_menu(panel.model.source_item(sid).index())
        cases = next(a.menu() for a in menu.actions() if a.text() == "Case")
        next(a for a in cases.actions() if a.text() == "New case…").trigger()
        menu.deleteLater()
        dialog = shown[-1]
        ticked = [dialog.source_list.item(i).data(SOURCE_ID_ROLE) for i in range(dialog.source_list.count())
                  if dialog.source_list.item(i).checkState() == Qt.CheckState.Checked]
        assert ticked == [sid]
        assert dialog.name_edit.text() == name  # no interviewee in the header: no name is guessed
    with window.project.read_session() as s:
        assert next(c for c in case_ops.list_cases(s) if c.name == "Joan Mbeki").sources == ["int-09.txt"]
