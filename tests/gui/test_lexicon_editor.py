"""Lexicon editor: add, move, remove and exclude through the buttons; errors inline; undo redraws."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from qdaapp.core import lexicon
from qdaapp.core.project import Project
from qdaapp.gui.search.lexicon_editor import HELP, LexiconEditor


def spec(project: Project) -> lexicon.LexiconSpec:
    with project.read_session() as s:
        return lexicon.load(s)


def phrases(project: Project, act: str) -> list[str]:
    return [p.text for p in spec(project).acts[act].phrases]


@pytest.fixture
def editor(project: Project, qtbot) -> LexiconEditor:
    dialog = LexiconEditor(project)
    qtbot.addWidget(dialog)
    return dialog


def test_shows_acts_phrases_and_help(editor: LexiconEditor) -> None:
    assert editor.version == 3
    assert "version 3" in editor.title.text() and "greimas-en" in editor.title.text()
    assert editor.tree.topLevelItemCount() == 5
    assert "Phrases match word forms" in HELP
    assert editor.select("phrase", "unable to")
    assert "negative" in editor.tree.currentItem().text(1)
    assert editor.move_button.isEnabled() and editor.remove_button.isEnabled()
    assert editor.select("phrase", "can")
    assert editor.tree.currentItem().text(1) == "Bare modal verbs (low precision) · off by default"


def test_add_move_remove_exclude_through_the_buttons(editor: LexiconEditor, project: Project, qtbot,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["were instructed to", "have to do with it"])
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (next(answers), True))
    monkeypatch.setattr(QInputDialog, "getItem", lambda _p, _t, _l, items, *a, **k: ("Commitment", True))

    assert editor.select("act", "manipulation")
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert "were instructed to" in phrases(project, "manipulation")
    assert editor.version == spec(project).version == 4
    assert editor.selected_phrase() == "were instructed to"
    assert "version 4" in editor.message.text()

    qtbot.mouseClick(editor.move_button, Qt.MouseButton.LeftButton)
    assert "were instructed to" in phrases(project, "commitment")
    assert "were instructed to" not in phrases(project, "manipulation")
    assert editor.version == 5

    assert editor.select("phrase", "have to")
    qtbot.mouseClick(editor.exclude_button, Qt.MouseButton.LeftButton)
    assert "have to do with it" in spec(project).acts["manipulation"].exclude
    assert editor.version == 6

    assert editor.select("phrase", "were instructed to")
    qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)
    assert "were instructed to" not in phrases(project, "commitment")
    assert editor.version == 7

    project.undo()
    assert editor.version == 6 and "were instructed to" in phrases(project, "commitment")


def test_errors_are_shown_inline(editor: LexiconEditor, project: Project) -> None:
    assert not editor.add_phrase("have to", act="commitment")
    assert editor.message.isVisibleTo(editor)
    assert "already a marker of manipulation" in editor.message.text()
    assert spec(project).version == 3
    assert not editor.add_phrase("   ", act="commitment")
    assert "Type the words" in editor.message.text()
