"""File ▸ Merge a coder's copy… and File ▸ Make a copy for a coder…."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog

from qdaapp.core import nodes
from qdaapp.core.merge_copy import copy_note
from qdaapp.core.project import Project
from qdaapp.gui.exchange import merge_dialog
from qdaapp.gui.exchange.merge_dialog import MergeDialog, MergeFlow

from ..core.merge_helpers import code_phrase, coding_keys, plain_copy, state
from .test_main_window import make_window, messages, settings  # noqa: F401


def _node_id(p: Project, path: str) -> int:
    with p.read_session() as s:
        return nodes.resolve(s, path).id


def _bens_copy(project_path: Path) -> Path:
    other = plain_copy(project_path, "ben.qda")
    with Project.open(project_path, coder="Ana") as p:
        p.run(nodes.update_node, _node_id(p, "Trust"), name="Trust in the GP")
    with Project.open(other, coder="Ben") as b:
        b.run(nodes.update_node, _node_id(b, "Trust"), name="Confidence")
        code_phrase(b, "I wanted to help", "Confidence")
    return other


def test_merge_previews_conflicts_takes_the_choice_and_undoes_in_one_step(
        make_window, project_path: Path, messages, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    other = _bens_copy(project_path)
    window = make_window(project_path)
    file_menu = window.menuBar().actions()[0].menu()
    assert window.actions.merge_copy in file_menu.actions() and window.actions.copy_for_coder in file_menu.actions()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(other), ""))
    seen = {}

    def answer(dialog: MergeDialog) -> int:
        seen["conflicts"] = dialog.conflicts.rowCount()
        seen["label"] = dialog.conflicts.item(0, 0).text()
        rows = {dialog.counts.item(r, 0).text(): dialog.counts.item(r, 1).text()
                for r in range(dialog.counts.rowCount())}
        seen["codings"] = rows.get("Codings")
        (combo,) = dialog.combos.values()
        combo.setCurrentIndex(combo.findData("theirs"))
        seen["enabled"] = dialog.merge_button.isEnabled()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(MergeDialog, "exec", answer)
    window.actions.merge_copy.trigger()
    flow = MergeFlow.of(window)
    qtbot.waitUntil(lambda: flow.last_report is not None, timeout=15000)
    assert seen == {"conflicts": 1, "label": "node 'Trust in the GP' is called 'Confidence' in the copy",
                    "codings": "1", "enabled": True}
    report = flow.last_report
    assert report.written and report.merged == {"coding": 1}
    assert messages[-1][0] == "information" and "Merged ben.qda" in messages[-1][1] and report.seal in messages[-1][1]
    assert coding_keys(other) <= coding_keys(project_path)
    with window.project.read_session() as s:
        assert nodes.resolve(s, "Confidence")
    assert window.runner.can_undo() and "merge ben.qda" in window.runner.undo_text()
    window.runner.undo()
    assert not coding_keys(other) <= coding_keys(project_path)


def test_a_copy_that_was_tampered_with_is_refused_and_nothing_changes(
        make_window, project_path: Path, messages, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    other = _bens_copy(project_path)
    conn = sqlite3.connect(other)
    conn.execute("UPDATE audit_events SET summary = 'nothing' WHERE seq = 2")
    conn.commit()
    conn.close()
    window = make_window(project_path)
    before = state(project_path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(other), ""))
    monkeypatch.setattr(MergeDialog, "exec", lambda _d: pytest.fail("no preview for a refused copy"))
    window.actions.merge_copy.trigger()
    flow = MergeFlow.of(window)
    qtbot.waitUntil(lambda: flow.job is None, timeout=15000)
    assert messages[-1][0] == "warning" and "ben.qda was refused: its audit trail does not hold" in messages[-1][1]
    assert state(project_path) == before


def test_make_a_copy_for_a_coder(make_window, project_path: Path, tmp_path: Path, messages, qtbot,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(project_path)
    target = tmp_path / "out" / "For Ben"
    target.parent.mkdir()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("  Ben ", True))
    asked = {}

    def save(_parent, title, start, _filter):
        asked["title"], asked["start"] = title, Path(start).name
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save)
    window.actions.copy_for_coder.trigger()
    flow = MergeFlow.of(window)
    qtbot.waitUntil(lambda: flow.last_copy is not None, timeout=15000)
    assert asked == {"title": "Save the copy for Ben", "start": "project for Ben.qda"}
    assert flow.last_copy == target.with_name("For Ben.qda")
    assert copy_note(flow.last_copy)["copy_for"] == "Ben"
    assert "Saved a copy for Ben: For Ben.qda" in messages[-1][1]


def test_the_notice_says_when_nothing_is_new() -> None:
    report = merge_dialog.MergeReport("ben.qda", "3-abc", "Ben", True, {}, {"coding": 3}, {}, (), False)
    assert merge_dialog.notice_text(report).startswith("Nothing new in ben.qda (Ben's copy)")


def test_a_source_that_differs_must_be_settled_before_merging(project_path: Path, tmp_path: Path, qtbot) -> None:
    from qdaapp.core import merge, sources
    from qdaapp.core.merge_read import read_copy

    other = plain_copy(project_path, "ben.qda")
    for path, words in ((other, "Ben's text."), (project_path, "Ana's text.")):
        folder = tmp_path / path.stem
        folder.mkdir()
        (folder / "Extra.txt").write_text(words + "\n", encoding="utf-8")
        with Project.open(path, coder="x") as p:
            docs, _ = sources.read_files([folder / "Extra.txt"])
            p.run(sources.import_documents, docs)
    with Project.open(other, coder="Ben") as b:
        b.run(nodes.create_node, "Barriers/Paperwork")  # something new besides the source that differs
    with Project.open(project_path, coder="Ana") as p:
        copy = read_copy(other)
        dialog = MergeDialog(None, p, copy, merge.preview(p, copy))
        qtbot.addWidget(dialog)
        assert not dialog.merge_button.isEnabled()
        assert dialog.note.text().startswith(
            "Before merging, choose what to do where source 'Extra.txt' has a different text in the copy")
        (combo,) = dialog.combos.values()
        assert [combo.itemData(i) for i in range(combo.count())] == ["refuse", "rename", "skip"]
        combo.setCurrentIndex(combo.findData("rename"))
        assert dialog.merge_button.isEnabled() and dialog.note.text() == ""
        rows = {dialog.counts.item(r, 0).text(): dialog.counts.item(r, 1).text()
                for r in range(dialog.counts.rowCount())}
        assert rows["Sources"] == "1"
        assert dialog.resolutions() == {next(iter(dialog.combos)): "rename"}
