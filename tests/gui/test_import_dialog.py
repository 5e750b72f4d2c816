"""Import: file dialog, kind and case, reading on a worker, Cancel, failures."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog

from qdaapp.core import sources as source_ops
from qdaapp.gui.dialogs.import_dialog import ImportFlow, ImportOptionsDialog
from qdaapp.gui.models.sources_tree import KIND_ROLE

from .test_main_window import make_window, messages, settings  # noqa: F401

TEXT = "Interviewer: What happened next?\nP2: We were told to run the clinic on Fridays.\n"


def names(window) -> list[str]:
    with window.project.read_session() as s:
        return sorted(i.name for i in source_ops.list_sources(s))


def wait_finished(qtbot, flow: ImportFlow) -> list:
    results: list = []
    flow.finished.connect(results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=10000)
    return results


@pytest.fixture
def choose(monkeypatch: pytest.MonkeyPatch):
    """Answer the file dialog with ``paths`` and the options dialog with kind and case."""

    def answer(paths: list[Path], kind: str = "interview", case: str = "") -> None:
        monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(p) for p in paths], ""))

        def accept(dialog: ImportOptionsDialog) -> int:
            for button in dialog._kinds.buttons():
                button.setChecked(button.property("kind") == kind)
            dialog.case_combo.setEditText(case)
            return QDialog.DialogCode.Accepted

        monkeypatch.setattr(ImportOptionsDialog, "exec", accept)

    return answer


def test_import_through_the_dialogs_and_a_worker(make_window, project_path: Path, tmp_path: Path,
                                                 qtbot, choose) -> None:
    window = make_window(project_path)
    new = tmp_path / "Dev.txt"
    new.write_text(TEXT, encoding="utf-8")
    choose([new], kind="field-note", case="P2 Dev")
    assert window.import_files()
    flow = window.import_flow
    assert flow.job is not None
    (ids,) = wait_finished(qtbot, flow)
    assert ids and len(ids) == 1
    assert names(window) == ["Dev.txt", "Notes.txt", "Rosa.txt"]
    with window.project.read_session() as s:
        info = next(i for i in source_ops.list_sources(s) if i.name == "Dev.txt")
    assert (info.kind, info.case) == ("field-note", "P2 Dev")
    model = window.sources_panel.model
    assert model.item(1).text() == "Field notes (2)"
    item = model.source_item(ids[0])
    assert item is not None and item.data(KIND_ROLE) == "source"
    assert "3 sources" in window.summary_label.text()
    assert "Imported 1 source" in window.statusBar().currentMessage()


def test_cancel_before_the_write_leaves_project_unchanged(make_window, project_path: Path,
                                                          tmp_path: Path, qtbot) -> None:
    window = make_window(project_path)
    before = names(window)
    events = window.project.summary()["events"]
    files = []
    for i in range(3):
        path = tmp_path / f"Part{i}.txt"
        path.write_text(TEXT + f"P{i}: line {i}.\n", encoding="utf-8")
        files.append(path)
    flow = ImportFlow(window, window.project, window.runner.run)
    job = flow.run(files, "interview", None)
    job.request_cancel()  # whether or not reading has finished, nothing may be written
    (ids,) = wait_finished(qtbot, flow)
    assert ids is None
    assert names(window) == before
    assert window.project.summary()["events"] == events


def test_unreadable_file_is_named_in_the_message(make_window, project_path: Path, tmp_path: Path,
                                                 qtbot, choose, messages) -> None:
    window = make_window(project_path)
    empty = tmp_path / "Empty interview.txt"
    empty.write_bytes(b"")
    choose([empty])
    assert window.import_files()
    (ids,) = wait_finished(qtbot, window.import_flow)
    assert ids is None
    kind, text = messages[-1]
    assert kind == "warning"
    assert "Nothing was imported" in text and "Empty interview.txt" in text
    assert "Traceback" not in text
    assert names(window) == ["Notes.txt", "Rosa.txt"]


def test_partial_failure_asks_before_importing_the_rest(make_window, project_path: Path,
                                                        tmp_path: Path, qtbot, choose, messages) -> None:
    window = make_window(project_path)
    empty = tmp_path / "Blank.txt"
    empty.write_bytes(b"")
    good = tmp_path / "Tom.txt"
    good.write_text(TEXT.replace("P2", "P4"), encoding="utf-8")
    choose([empty, good])
    assert window.import_files()
    (ids,) = wait_finished(qtbot, window.import_flow)
    kind, text = messages[-1]
    assert kind == "question"
    assert "Blank.txt" in text and "Import the 1 file that could be read?" in text
    assert ids and len(ids) == 1
    assert names(window) == ["Notes.txt", "Rosa.txt", "Tom.txt"]


def test_duplicate_file_is_refused_with_its_name(make_window, project_path: Path, tmp_path: Path,
                                                 qtbot, messages) -> None:
    from tests.conftest import SAMPLE

    window = make_window(project_path)
    again = tmp_path / "Rosa again.txt"
    again.write_text(SAMPLE, encoding="utf-8")
    flow = ImportFlow(window, window.project, window.runner.run)
    flow.run([again], "interview", None)
    (ids,) = wait_finished(qtbot, flow)
    assert ids is None
    assert "already in the project as 'Rosa.txt'" in messages[-1][1]


def test_options_dialog_defaults(qtbot) -> None:
    dialog = ImportOptionsDialog(None, ["/x/Ana.docx", "/x/Ben.pdf"], ["P1 Rosa"], kind="document")
    qtbot.addWidget(dialog)
    assert dialog.kind() == "document"
    assert dialog.case_name() is None
    dialog.case_combo.setCurrentText("P1 Rosa")
    assert dialog.case_name() == "P1 Rosa"


def test_file_dialog_offers_every_registered_importer() -> None:
    from qdaapp.gui.dialogs.import_dialog import file_filter

    first = file_filter().split(";;")[0]
    for ext in ("*.txt", "*.docx", "*.pdf", "*.odt", "*.rtf"):  # .odt and .rtf come from the shipped plugin
        assert ext in first
    assert "OpenDocument text (*.odt)" in file_filter()


def test_language_chosen_at_import_is_kept(make_window, project_path: Path, tmp_path: Path,
                                           qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(project_path)
    fr = tmp_path / "Claire.txt"
    fr.write_text("Intervieweuse : Et ensuite ?\nP5 : Il faut que je parte, on doit finir.\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(fr)], ""))

    def accept(dialog: ImportOptionsDialog) -> int:
        assert dialog.language() is None  # detect by default
        dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("fr"))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ImportOptionsDialog, "exec", accept)
    assert window.import_files()
    (ids,) = wait_finished(qtbot, window.import_flow)
    from qdaapp.core.models import Source

    with window.project.read_session() as s:
        assert s.get(Source, ids[0]).language == "fr"


def test_one_case_per_file_from_the_dialog(make_window, project_path: Path, tmp_path: Path,
                                           qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(project_path)
    ana = tmp_path / "int-07.txt"
    ana.write_text("Interviewee: Ana Silva\n\n" + TEXT, encoding="utf-8")
    ward = tmp_path / "Ward 7.txt"
    ward.write_text("Field note.\nThe ward met at noon.\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(ana), str(ward)], ""))
    seen: dict = {}

    def accept(dialog: ImportOptionsDialog) -> int:
        dialog.case_combo.setEditText("Ignored when one case per file")
        dialog.per_file_check.setChecked(True)
        seen["combo enabled"] = dialog.case_combo.isEnabled()
        seen["case"] = dialog.case_name()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ImportOptionsDialog, "exec", accept)
    assert window.import_files()
    (ids,) = wait_finished(qtbot, window.import_flow)
    assert ids and len(ids) == 2
    assert seen == {"combo enabled": False, "case": None}
    with window.project.read_session() as s:
        owner = {i.name: i.case for i in source_ops.list_sources(s)}
    assert owner["int-07.txt"] == "Ana Silva" and owner["Ward 7.txt"] == "Ward 7"
    qtbot.waitUntil(lambda: {"Ana Silva", "Ward 7"} <= set(window.sources_panel.model.case_names.values()),
                    timeout=3000)
    assert window.runner.undo()  # sources and their new cases go in one step
    with window.project.read_session() as s:
        assert sorted(i.name for i in source_ops.list_sources(s)) == ["Notes.txt", "Rosa.txt"]
    qtbot.waitUntil(lambda: set(window.sources_panel.model.case_names.values()) == {"P1 Rosa"}, timeout=3000)
