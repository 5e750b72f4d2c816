"""A project open in another process is offered read-only; supervisors' read-only mode; who is coding."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox

from ..conftest import ROOT
from .test_coding_flow import codings, node_id
from .test_main_window import make_window, messages, settings, source_id  # noqa: F401

HOLD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from qdaapp.core.project import Project
    p = Project.open({path!r}, coder="maria")
    print("open", flush=True)
    time.sleep(60)
""")


@pytest.fixture
def held(project_path: Path) -> Iterator[Path]:
    """The project, held open for writing by another process."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD.format(root=str(ROOT), path=str(project_path))],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        yield project_path
    finally:
        holder.kill()
        holder.wait(timeout=30)
        holder.stdout.close()


def test_project_in_use_is_offered_read_only(make_window, held: Path, messages, qtbot) -> None:
    window = make_window()
    assert window.open_project(str(held))
    kind, text = messages[0]
    assert kind == "question"
    assert "project.qda is open in another qdaapp window by" in text and "Open it read-only now?" in text
    assert window.project.read_only
    assert window.read_only_badge.isVisible() and "(read-only)" in window.windowTitle()
    for action in window.actions.edits + [window.actions.undo, window.actions.redo]:
        assert not action.isEnabled(), action.text()
    assert not window.status.reason.isVisible()
    assert window.backups.job is None and not window.backups.timer.isActive()
    qtbot.waitUntil(lambda: window.audit_result is not None, timeout=5000)
    assert window.audit_result.ok


def test_project_in_use_declined_opens_nothing(make_window, held: Path, messages,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    window = make_window()
    assert not window.open_project(str(held))
    assert window.project is None
    assert window.central.currentWidget() is window.welcome


def test_the_lock_goes_with_the_other_process(make_window, project_path: Path, messages) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD.format(root=str(ROOT), path=str(project_path))],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "open"
    holder.kill()
    holder.wait(timeout=30)
    holder.stdout.close()
    window = make_window(project_path)
    assert not window.project.read_only and messages == []


# ---------------------------------------------------------------------- who is coding
class Asked(list):
    """The name questions asked so far; ``answers`` are given in turn (then the suggestion)."""

    answers: list[str]


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Asked:
    monkeypatch.delenv("QDAAPP_CODER", raising=False)
    questions = Asked()
    questions.answers = ["ana"]

    def get_text(_parent, _title, label, _mode=None, text="", *args, **kwargs):
        questions.append(label)
        return (questions.answers.pop(0) if questions.answers else text), True

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    return questions


def test_coder_is_asked_once_per_project(make_window, project_path: Path, tmp_path: Path, asked) -> None:
    other = tmp_path / "other.qda"
    window = make_window()
    # The first project made on this computer asks for the name (never the login "root" or "user" unasked).
    assert window.flow.create(other)
    assert len(asked) == 1 and window.project.coder == "ana"
    assert window.project.meta()["owner"] == "ana"
    window.close_project()
    asked.answers = ["ana r"]
    assert window.open_project(str(project_path))
    assert len(asked) == 2 and "Asked once per project" in asked[1]
    assert window.project.coder == "ana r"
    assert "project · ana r ·" in window.summary_label.text()
    window.coding.code(node_id(window, "Trust"), source_id(window.project, "Rosa.txt"), 0, 11)
    assert codings(window)[0].coder == "ana r"
    window.close_project()
    assert window.open_project(str(project_path))
    assert len(asked) == 2 and window.project.coder == "ana r"
    window.close_project()
    assert window.open_project(str(other))
    assert len(asked) == 2 and window.project.coder == "ana"
    window.close_project()
    copy = tmp_path / "copy-of-a-new-study.qda"
    shutil.copy(project_path, copy)  # the same project id: the same person on this machine
    assert window.open_project(str(copy))
    assert len(asked) == 2 and window.project.coder == "ana r"


def test_your_name_changes_the_coder_and_their_undo_history(make_window, project_path: Path,
                                                             asked) -> None:
    window = make_window(project_path)
    assert window.project.coder == "ana"
    window.coding.code(node_id(window, "Trust"), source_id(window.project, "Rosa.txt"), 0, 11)
    assert window.actions.undo.text() == "Undo: code 'Trust' in Rosa.txt (0-11)"
    asked.answers.append("Ana Silva")
    window.actions.coder_name.trigger()
    assert window.project.coder == "Ana Silva"
    assert "· Ana Silva ·" in window.summary_label.text()
    assert window.actions.undo.text() == "Undo"  # undo is per coder; Ana Silva has done nothing yet
    window.close_project()
    assert window.open_project(str(project_path))
    assert window.project.coder == "Ana Silva" and len(asked) == 2


def test_read_only_does_not_ask(make_window, project_path: Path, asked) -> None:
    window = make_window(project_path, read_only=True)
    assert asked == [] and window.project.coder
