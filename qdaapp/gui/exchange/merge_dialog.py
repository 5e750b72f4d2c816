"""File ▸ Merge a coder's copy… and File ▸ Make a copy for a coder….

Merging: the user picks the copy; it is checked and read on a worker (its
audit trail verified first); a preview lists what comes in and each conflict
with a choice (the default preselected); Merge writes it in one command (one
undo step); a notice gives the counts and the copy's seal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core.errors import ProjectDamaged
from qdaapp.core.merge import CHOICE_WORDS, MergeReport, merge_copy, preview
from qdaapp.core.merge_read import Copy, read_copy

from ..dialogs.messages import inform, show_error
from ..workers import make_progress_dialog, run_in_worker

PROJECT_FILTER = "qdaapp projects (*.qda);;All files (*)"
# What each kind of row is called in the preview, in the order it is listed.
KINDS = ("source", "case", "attribute", "attribute value", "node", "coding", "memo", "account", "account passage",
         "fragment", "fragment passage", "fragment link")


def _plural(kind: str) -> str:
    return {"attribute value": "attribute values"}.get(kind, kind + "s")


class MergeDialog(QDialog):
    """The preview of a merge: what comes in, and a choice per conflict."""

    def __init__(self, parent: QWidget | None, project: Any, copy: Copy, first: MergeReport) -> None:
        super().__init__(parent)
        self.project, self.copy = project, copy
        who = f" — {copy.copy_for}'s copy" if copy.copy_for else ""
        self.setWindowTitle(f"Merge {copy.name}{who}")
        self.setMinimumSize(760, 520)
        layout = QVBoxLayout(self)
        head = QLabel(
            f"<b>{copy.name}</b>{who}<br>Its audit trail was checked: {copy.events} events, every row matches "
            f"its history. Seal of the copy: <code>{copy.seal}</code>."
            + ("" if first.same_project else "<br><b>Note:</b> this copy was not made from this project."))
        head.setWordWrap(True)
        layout.addWidget(head)
        layout.addWidget(QLabel("<b>What comes in</b>"))
        self.counts = QTableWidget(0, 4, self)
        self.counts.setHorizontalHeaderLabels(["", "New", "Here already", "Left out"])
        self._table_look(self.counts)
        self.counts.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.counts.horizontalHeader().setStretchLastSection(False)
        self.counts.setWordWrap(False)
        layout.addWidget(self.counts)
        self.conflict_label = QLabel()
        layout.addWidget(self.conflict_label)
        self.conflicts = QTableWidget(0, 4, self)
        self.conflicts.setHorizontalHeaderLabels(["Conflict", "Here", "In the copy", "What to do"])
        self._table_look(self.conflicts)
        header = self.conflicts.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, 170)
        self.conflicts.setWordWrap(True)
        # Rows take the height their wrapped text needs at the columns' widths as laid out.
        header.sectionResized.connect(lambda *_a: self.conflicts.resizeRowsToContents())
        layout.addWidget(self.conflicts, 3)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #9A3412;")
        layout.addWidget(self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.merge_button: QPushButton = buttons.addButton("&Merge", QDialogButtonBox.ButtonRole.AcceptRole)
        self.merge_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.combos: dict[str, QComboBox] = {}
        self._fill_conflicts(first)
        self._show(first)

    @staticmethod
    def _table_look(table: QTableWidget) -> None:
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)

    def _fill_conflicts(self, report: MergeReport) -> None:
        self.conflicts.setRowCount(len(report.conflicts))
        for row, c in enumerate(report.conflicts):
            for col, text in enumerate((c.label, c.ours, c.theirs)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.conflicts.setItem(row, col, item)
            combo = QComboBox(self.conflicts)
            for choice in c.choices:
                words = CHOICE_WORDS[choice] + (" (default)" if choice == c.default else "")
                combo.addItem(words[0].upper() + words[1:], choice)
            combo.setCurrentIndex(c.choices.index(c.chosen))
            combo.setAccessibleName(f"What to do: {c.label}")
            combo.currentIndexChanged.connect(lambda _i: self._refresh())
            self.conflicts.setCellWidget(row, 3, combo)
            self.combos[c.key] = combo
        self.conflicts.resizeRowsToContents()
        self.conflicts.setVisible(bool(report.conflicts))

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.conflicts.resizeRowsToContents()

    def resolutions(self) -> dict[str, str]:
        """The choice taken for each conflict."""
        return {key: combo.currentData() for key, combo in self.combos.items()}

    def _refresh(self) -> None:
        self._show(preview(self.project, self.copy, self.resolutions()))

    def _show(self, report: MergeReport) -> None:
        kinds = [k for k in KINDS if report.merged.get(k) or report.duplicates.get(k) or report.skipped.get(k)]
        self.counts.setRowCount(len(kinds))
        for row, kind in enumerate(kinds):
            values = [_plural(kind).capitalize(), report.merged.get(kind, 0), report.duplicates.get(kind, 0),
                      report.skipped.get(kind, 0)]
            for col, value in enumerate(values):
                item = QTableWidgetItem(f"{value:,}" if isinstance(value, int) else value)
                if col:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.counts.setItem(row, col, item)
        self.counts.setColumnHidden(3, not any(report.skipped.values()))
        self.counts.resizeRowsToContents()
        frame = 2 * self.counts.frameWidth()
        self.counts.setFixedHeight(self.counts.horizontalHeader().sizeHint().height()
                                   + self.counts.verticalHeader().length() + frame)
        n = len(report.conflicts)
        self.conflict_label.setText(
            f"<b>{n} conflict{'s' if n != 1 else ''}</b> — each has a default; choose another where you wish"
            if n else "<b>No conflicts</b>: the copy and this project agree wherever both have something.")
        refused = [c for c in report.conflicts if c.chosen == "refuse"]
        nothing = not report.merged and not any(c.chosen in ("theirs", "delete") for c in report.conflicts)
        if refused:
            self.note.setText("Before merging, choose what to do where " + "; ".join(c.label for c in refused)
                              + ": bring it in under another name, or leave it out.")
        elif nothing:
            self.note.setText("Everything in this copy is here already: merging would change nothing.")
        else:
            self.note.setText("")
        self.merge_button.setEnabled(not refused and not nothing)


class MergeFlow:
    """The two File menu entries of working apart; one per window."""

    def __init__(self, window: Any) -> None:
        self.w = window
        self.job: Any = None
        self.last_report: MergeReport | None = None
        self.last_copy: Path | None = None

    @classmethod
    def of(cls, window: Any) -> MergeFlow:
        flow = getattr(window, "_merge_flow", None)
        if flow is None:
            flow = window._merge_flow = cls(window)
        return flow

    # ------------------------------------------------------------------ merging
    def merge_dialog(self) -> bool:
        project = self.w.project
        if project is None or self.job is not None:
            return False
        chosen, _ = QFileDialog.getOpenFileName(self.w, "Merge a coder's copy", str(Path(project.path).parent),
                                                PROJECT_FILTER)
        return bool(chosen) and self.read(Path(chosen))

    def read(self, path: Path) -> bool:
        """Check and read the copy on a worker, then show the preview."""
        project = self.w.project
        if project is None or self.job is not None:
            return False

        def work(progress: Any, cancel: Any) -> Copy:
            return read_copy(path, project.path, lambda text: progress.advance(0, text))

        def done(copy: Copy) -> None:
            self.job = None
            self.show_preview(copy)

        def failed(exc: BaseException) -> None:
            self.job = None
            show_error(self.w, exc)

        def cancelled() -> None:
            self.job = None
            self.w.statusBar().showMessage("Nothing was merged.", 6000)

        dialog = make_progress_dialog(self.w, "Merge a coder's copy", f"Checking {path.name}…")
        self.job = run_in_worker(work, done, failed, dialog, cancelled)
        return True

    def show_preview(self, copy: Copy) -> MergeReport | None:
        project = self.w.project
        if project is None:
            return None
        try:
            first = preview(project, copy)
        except Exception as exc:
            show_error(self.w, exc)
            return None
        dialog = MergeDialog(self.w, project, copy, first)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            self.w.statusBar().showMessage("Nothing was merged.", 6000)
            return None
        return self.run_merge(copy, dialog.resolutions())

    def run_merge(self, copy: Copy, resolutions: dict[str, str]) -> MergeReport | None:
        project = self.w.project
        if project is None:
            return None
        busy = QProgressDialog(f"Merging {copy.name}…", "", 0, 0, self.w)
        busy.setWindowTitle("Merge a coder's copy")
        busy.setCancelButton(None)  # one transaction: it finishes or leaves the project as it was
        busy.setMinimumDuration(0)
        busy.setMinimumWidth(420)
        busy.show()
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        QGuiApplication.processEvents()
        try:
            report = merge_copy(project, Path(copy.name), resolutions, reason=self.w.runner.reason.strip(),
                                copy=copy)
        except ProjectDamaged:
            self.w.project_damaged()
            return None
        except Exception as exc:
            show_error(self.w, exc)
            return None
        finally:
            QGuiApplication.restoreOverrideCursor()
            busy.close()
            busy.deleteLater()
        self.w.runner.sync()
        self.last_report = report
        inform(self.w, notice_text(report))
        return report

    # ------------------------------------------------------------------ copying
    def copy_dialog(self) -> bool:
        project = self.w.project
        if project is None or self.job is not None:
            return False
        coder, ok = QInputDialog.getText(self.w, "Make a copy for a coder",
                                         "Who is the copy for? (their coder name)")
        coder = " ".join(coder.split())
        if not ok or not coder:
            return False
        path = Path(project.path)
        start = str(path.with_name(f"{path.stem} for {coder}{path.suffix or '.qda'}"))
        chosen, _ = QFileDialog.getSaveFileName(self.w, f"Save the copy for {coder}", start, PROJECT_FILTER)
        if not chosen:
            return False
        target = Path(chosen)
        if target.suffix.lower() != ".qda":
            target = target.with_name(target.name + ".qda")
        return self.make_copy(target, coder)

    def make_copy(self, target: Path, coder: str) -> bool:
        from qdaapp.core.merge_copy import make_copy

        project = self.w.project
        if project is None or self.job is not None:
            return False

        def work(progress: Any, cancel: Any) -> Any:
            # The file dialog has already asked whether to replace an existing file.
            return make_copy(project, target, coder, force=True, progress=progress, cancel=cancel)

        def done(made: Any) -> None:
            self.job = None
            self.last_copy = made.path
            inform(self.w, f"Saved a copy for {made.coder}: {made.path.name} in {made.path.parent}.\n\n"
                           f"{made.coder} can open it with qdaapp and code on their own. When it comes back, "
                           f"File ▸ Merge a coder's copy… brings their work in.\n\nSeal of the copy: {made.seal}")

        def failed(exc: BaseException) -> None:
            self.job = None
            show_error(self.w, exc)

        def cancelled() -> None:
            self.job = None
            self.w.statusBar().showMessage("No copy was saved.", 6000)

        dialog = make_progress_dialog(self.w, "Make a copy for a coder", f"Saving a copy for {coder}…")
        self.job = run_in_worker(work, done, failed, dialog, cancelled)
        return True


def notice_text(report: MergeReport) -> str:
    who = f" ({report.copy_for}'s copy)" if report.copy_for else ""
    if not report.written:
        return f"Nothing new in {report.copy}{who}: everything in it is here already. The project was not changed."
    came = "\n".join(f"  {n:,} {_plural(k) if n != 1 else k}" for k in KINDS if (n := report.merged.get(k)))
    there = sum(report.duplicates.values())
    settled = f"\n\n{len(report.conflicts)} conflict(s) settled as chosen." if report.conflicts else ""
    return (f"Merged {report.copy}{who}.\n\nCame in:\n{came or '  nothing new'}\n\n{there:,} item(s) were here "
            f"already.{settled}\n\nSeal of the copy: {report.seal} (recorded in the audit trail). "
            "Edit ▸ Undo takes the whole merge back.")
