"""File ▸ Import from other QDA tools and File ▸ Export: workers, summary, notices, menus."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QDialog, QFileDialog, QMainWindow, QMessageBox

from qdaapp.core import nodes as node_ops
from qdaapp.core.project import Project
from qdaapp.gui import exchange
from qdaapp.gui.exchange.kinds import BY_KEY, fix_suffix, plain
from qdaapp.gui.exchange.notice import current_notice
from qdaapp.gui.exchange.options import ExportOptionsDialog

from ..conftest import FIXTURES
from .test_main_window import make_window, messages, settings  # noqa: F401

ATLAS = FIXTURES / "refi" / "atlasti-8.4.0__refi_vendor_standard_project.qdpx"


class StandIn(QMainWindow):
    """The little a window needs for install(): a project, a menu bar, a status bar, settings."""

    def __init__(self, project: Project | None, store: QSettings) -> None:
        super().__init__()
        self.project = project
        self.settings = store
        self.menuBar().addMenu("&File")
        self.menuBar().addMenu("&Edit")
        self.resize(900, 600)


@pytest.fixture
def stand_in(qtbot, project: Project, settings: QSettings):
    window = StandIn(project, settings)
    qtbot.addWidget(window)
    exchange.install(window)
    return window


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for kind in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, kind, lambda _p, _t, text, *a, k=kind, **kw: out.append((k, text)))
    return out


def finish(qtbot, window) -> exchange.ExchangeController:
    controller = exchange.controller_of(window)
    qtbot.waitUntil(lambda: controller.job is None, timeout=20000)
    return controller


def menu_texts(menu) -> list[str]:
    return [plain(a.text()) for a in menu.actions() if not a.isSeparator()]


# ---------------------------------------------------------------------- exports
EXPORTS = [
    ("qdpx", "p.qdpx", {}),
    ("qdc", "codebook.qdc", {}),
    ("themes", "Coded themes.docx", {}),
    ("themes", "themes.xlsx", {}),
    ("themes", "themes.csv", {}),
    ("themes", "themes.html", {}),
    ("codebook_doc", "codebook.docx", {}),
    ("frequencies", "freq.csv", {"by": "case"}),
    ("frequencies", "freq.xlsx", {"by": "attribute:role"}),
    ("frequencies", "freq.png", {"by": "source"}),
    ("frequencies", "freq.svg", {"by": "case"}),
    ("cooccurrence", "co.xlsx", {"unit": "overlap"}),
    ("cooccurrence", "co.csv", {"unit": "source"}),
    ("framework", "fw.xlsx", {"rows": "cases", "cols": "accounts"}),
    ("framework", "fw.docx", {"rows": "sources", "cols": "nodes"}),
    ("memos", "memos.md", {}),
    ("memos", "memos.docx", {}),
    ("audit", "audit.docx", {}),
    ("audit", "audit.html", {}),
]


@pytest.mark.parametrize(("key", "name", "options"), EXPORTS, ids=[f"{k}-{n}" for k, n, _ in EXPORTS])
def test_each_export_writes_its_file(stand_in: StandIn, qtbot, tmp_path: Path, key: str, name: str,
                                     options: dict) -> None:
    controller = exchange.controller_of(stand_in)
    target = tmp_path / name
    with qtbot.waitSignal(controller.exported, timeout=20000) as blocker:
        assert controller.export(key, target, options) is not None
    assert blocker.args == [target]
    assert target.is_file() and target.stat().st_size > 0
    notice = current_notice(stand_in)
    assert notice is not None and notice.findChild(type(notice.open_button)) is notice.open_button
    assert f"Saved {name}" in stand_in.statusBar().currentMessage()
    assert "Audit trail seal: " in notice.text_label.text()
    notice.close()


def test_export_notice_opens_the_folder(stand_in: StandIn, qtbot, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    controller = exchange.controller_of(stand_in)
    controller.export("qdpx", tmp_path / "p.qdpx", {})
    finish(qtbot, stand_in)
    notice = current_notice(stand_in)
    assert notice is not None
    assert "REFI-QDA has no place for them" in notice.text_label.text()
    notice.open_button.click()
    assert opened == [str(tmp_path)]
    notice.close()


def test_coded_themes_through_the_dialogs_only_chosen_nodes(stand_in: StandIn, qtbot, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch, project: Project,
                                                            ) -> None:
    from qdaapp.core import coding as coding_ops
    from qdaapp.core import sources as source_ops

    with project.read_session() as s:
        rosa = next(i.id for i in source_ops.list_sources(s) if i.name == "Rosa.txt")
        trust = node_ops.resolve(s, "Trust").id
        workload = node_ops.resolve(s, "Barriers/Workload").id
    project.run(coding_ops.code, rosa, 0, 12, trust, "tester")
    project.run(coding_ops.code, rosa, 13, 40, workload, "tester")

    def accept(dialog: ExportOptionsDialog) -> int:
        assert dialog.picker is not None and set(dialog.picker.items) >= {trust, workload}
        assert not dialog.picker.isEnabled()
        dialog.some_nodes.setChecked(True)
        assert not dialog.ok.isEnabled()  # nothing ticked yet
        dialog.picker.set_checked([workload])
        assert dialog.ok.isEnabled()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ExportOptionsDialog, "exec", accept)
    asked: list[str] = []

    def save(_parent, _title, start, filters):
        asked.append(start)
        assert "Word document (*.docx)" in filters and "Web page (*.html)" in filters
        return str(tmp_path / "team report"), "CSV table (*.csv)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save)
    stand_in.findChild(type(stand_in.menuBar().actions()[0]), "export_themes").trigger()
    finish(qtbot, stand_in)
    assert asked and asked[0].endswith("project coded themes.docx")
    out = tmp_path / "team report.csv"
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert len(rows) == 2 and any("Workload" in cell for cell in rows[1])
    assert stand_in.settings.value("export/folder") == str(tmp_path)
    current_notice(stand_in).close()


def test_read_only_project_can_export(qtbot, project_path: Path, settings: QSettings,
                                      tmp_path: Path) -> None:
    project = Project.open(project_path, coder="tester", read_only=True)
    try:
        window = StandIn(project, settings)
        qtbot.addWidget(window)
        exchange.install(window)
        controller = exchange.controller_of(window)
        assert controller.export_actions["themes"].isEnabled()
        assert not controller.import_actions["qdpx"].isEnabled()
        controller.export("codebook_doc", tmp_path / "cb.docx", {})
        finish(qtbot, window)
        assert (tmp_path / "cb.docx").is_file()
        current_notice(window).close()
    finally:
        project.close()


def test_suffix_follows_the_chosen_file_type() -> None:
    kind = BY_KEY["frequencies"]
    assert fix_suffix(Path("/x/freq"), "SVG drawing (*.svg)", kind) == Path("/x/freq.svg")
    assert fix_suffix(Path("/x/freq.xlsx"), "SVG drawing (*.svg)", kind) == Path("/x/freq.xlsx")
    assert fix_suffix(Path("/x/v1.2"), "", kind) == Path("/x/v1.2.csv")


# ---------------------------------------------------------------------- imports
def new_project(tmp_path: Path) -> Project:
    return Project.create(tmp_path / "fresh.qda", coder="tester")


def test_qdpx_import_summary_lists_what_was_left_out(qtbot, tmp_path: Path, settings: QSettings,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    if not ATLAS.is_file():
        pytest.skip(f"fixture not found: {ATLAS}")
    project = new_project(tmp_path)
    try:
        window = StandIn(project, settings)
        qtbot.addWidget(window)
        exchange.install(window)
        monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(ATLAS), ""))
        controller = exchange.controller_of(window)
        with qtbot.waitSignal(controller.imported, timeout=20000) as blocker:
            controller.import_actions["qdpx"].trigger()
        summary = blocker.args[0]
        assert summary.nodes > 0 and summary.memos > 0  # its text sources are not in the archive
        assert project.summary()["nodes"] == summary.nodes
        dialog = controller.summary_dialog
        assert dialog is not None and dialog.isVisible()
        assert dialog.count_labels["nodes"].text() == str(summary.nodes)
        lines = dialog.skipped_lines()
        assert len(lines) == len(summary.skipped) > 0
        assert any("file missing" in line for line in lines)
        assert any("pictures are not imported" in line for line in lines)
        dialog.copy_button.click()
        copied = QGuiApplication.clipboard().text()
        assert copied.startswith(f"Imported {ATLAS.name}") and "Not imported" in copied
        dialog.close()
        project.undo()  # the whole import is one step
        assert project.summary()["nodes"] == 0
    finally:
        project.close()


def test_broken_qdpx_shows_the_message_and_changes_nothing(stand_in: StandIn, qtbot, tmp_path: Path,
                                                          shown: list, project: Project) -> None:
    broken = tmp_path / "Broken.qdpx"
    broken.write_bytes(b"this is not a zip archive")
    before = project.summary()
    controller = exchange.controller_of(stand_in)
    with qtbot.waitSignal(controller.failed, timeout=10000):
        controller.import_refi("qdpx", broken)
    assert shown and shown[0][0] == "warning"
    assert "Broken.qdpx could not be imported" in shown[0][1] and "Traceback" not in shown[0][1]
    assert project.summary() == before
    assert controller.summary_dialog is None


def test_hostile_archive_and_codebook_are_refused(stand_in: StandIn, qtbot, tmp_path: Path,
                                                 shown: list, project: Project) -> None:
    escape = tmp_path / "Escape.qdpx"
    with zipfile.ZipFile(escape, "w") as zf:
        zf.writestr("../../outside.qde", "<Project/>")
    entity = tmp_path / "Entity.qdc"
    entity.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                      '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="&e;"/></Codes></CodeBook>',
                      encoding="utf-8")
    before = project.summary()
    controller = exchange.controller_of(stand_in)
    for kind, path in (("qdpx", escape), ("qdc", entity)):
        with qtbot.waitSignal(controller.failed, timeout=10000):
            controller.import_refi(kind, path)
    assert [k for k, _ in shown] == ["warning", "warning"]
    assert "Escape.qdpx" in shown[0][1] and "Entity.qdc" in shown[1][1]
    assert project.summary() == before
    assert not (tmp_path.parent / "outside.qde").exists()


def test_qdc_round_trip_summary(stand_in: StandIn, qtbot, tmp_path: Path, settings: QSettings,
                                ) -> None:
    controller = exchange.controller_of(stand_in)
    controller.export("qdc", tmp_path / "cb.qdc", {})
    finish(qtbot, stand_in)
    current_notice(stand_in).close()
    other = new_project(tmp_path)
    try:
        window = StandIn(other, settings)
        qtbot.addWidget(window)
        exchange.install(window)
        second = exchange.controller_of(window)
        with qtbot.waitSignal(second.imported, timeout=10000) as blocker:
            second.import_refi("qdc", tmp_path / "cb.qdc")
        assert blocker.args[0].nodes == other.summary()["nodes"] > 0
        assert second.summary_dialog.skipped.isHidden()
        second.summary_dialog.close()
    finally:
        other.close()


def test_cancel_leaves_the_project_as_it_was_or_says_what_was_saved(stand_in: StandIn, qtbot,
                                                                   project: Project, tmp_path: Path) -> None:
    if not ATLAS.is_file():
        pytest.skip(f"fixture not found: {ATLAS}")
    controller = exchange.controller_of(stand_in)
    before = project.summary()
    controller.import_refi("qdpx", ATLAS).request_cancel()
    finish(qtbot, stand_in)
    if controller.summary_dialog is None:  # cancelled in time: nothing was written
        assert project.summary() == before
        assert "cancelled" in stand_in.statusBar().currentMessage()
    else:  # the import was saved before Cancel took effect, and the summary says so
        assert project.summary()["nodes"] > before["nodes"]
        controller.summary_dialog.close()
    target = tmp_path / "p.qdpx"
    controller.export("qdpx", target, {}).request_cancel()
    finish(qtbot, stand_in)
    notice = current_notice(stand_in)
    assert target.exists() == (notice is not None)
    if notice is not None:
        notice.close()


def test_read_only_project_refuses_import(qtbot, project_path: Path, settings: QSettings,
                                          shown: list) -> None:
    project = Project.open(project_path, coder="tester", read_only=True)
    try:
        window = StandIn(project, settings)
        qtbot.addWidget(window)
        exchange.install(window)
        assert exchange.controller_of(window).import_refi("qdc", project_path) is None
        assert shown and "read-only" in shown[0][1]
    finally:
        project.close()


# ---------------------------------------------------------------------- menus
def test_install_on_the_stand_in_builds_both_submenus(stand_in: StandIn) -> None:
    bar = stand_in.menuBar()
    file_menu = bar.actions()[0].menu()
    subs = {plain(a.text()): a.menu() for a in file_menu.actions() if a.menu() is not None}
    assert menu_texts(subs["Import from other QDA tools"]) == ["REFI-QDA project", "Codebook"]
    assert menu_texts(subs["Export"]) == [
        "Project for other QDA tools", "Codebook", "Coded themes", "Codebook document", "Node frequencies",
        "Co-occurrence matrix", "Framework matrix", "Memos and diary", "Audit report for supervisors"]
    exchange.install(stand_in)  # a second call adds nothing
    assert len(menu_texts(subs["Export"])) == 9


def test_install_on_the_real_main_window(make_window, project_path: Path, qtbot, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window()
    exchange.install(window)
    controller = exchange.controller_of(window)
    file_menu = next(a.menu() for a in window.menuBar().actions() if plain(a.text()) == "File")
    subs = {plain(a.text()): a.menu() for a in file_menu.actions() if a.menu() is not None}
    exports = menu_texts(subs["Export"])
    assert exports[:7] == ["Project for other QDA tools", "Codebook", "Coded themes", "Codebook document",
                           "Node frequencies", "Co-occurrence matrix", "Framework matrix"]
    assert exports.count("Memos and diary") == 1 and exports.count("Audit report for supervisors") == 1
    texts = [plain(a.text()) for a in file_menu.actions()]
    assert texts.index("Import from other QDA tools") == texts.index("Import files") + 1
    assert not controller.export_actions["themes"].isEnabled()  # no project yet
    assert window.open_project(str(project_path))
    qtbot.waitUntil(lambda: window.audit_result is not None, timeout=5000)
    assert controller.export_actions["themes"].isEnabled() and controller.import_actions["qdpx"].isEnabled()
    if ATLAS.is_file():
        with qtbot.waitSignal(controller.imported, timeout=20000):
            controller.import_refi("qdpx", ATLAS)
        with window.project.read_session() as s:
            ids = [n.id for n in node_ops.list_nodes(s)]
        assert len(ids) > 2 and all(window.nodes_panel.model.node(i) is not None for i in ids)  # dock re-read
        controller.summary_dialog.close()
        assert window.runner.can_undo()
