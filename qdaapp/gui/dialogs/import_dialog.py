"""Import files: choose them, say what they are, read them off the GUI thread, write once.

The flow is File ▸ Import files… → a file dialog → :class:`ImportOptionsDialog`
(kind, and a case for all the files or one per file) → :meth:`ImportFlow.run` reads the files on a worker
with a progress dialog (Cancel leaves the project unchanged) → failures are
listed by file → one ``source.import`` command writes everything that could
be read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import sources as source_ops
from qdaapp.core.progress import CancelToken, Progress
from qdaapp.gui.dialogs.messages import confirm, show_error, warn
from qdaapp.gui.workers import Job, make_progress_dialog, run_in_worker

NAMES = {".txt": "Text files", ".docx": "Word documents", ".pdf": "PDF files", ".odt": "OpenDocument text",
         ".rtf": "Rich Text Format"}


def file_filter() -> str:
    """The file dialog's filter: every extension an importer is registered for (plugins' included)."""
    from qdaapp.core.importers import supported_extensions

    exts = list(supported_extensions()) or [".txt", ".docx", ".pdf"]
    parts = ["Transcripts and documents (" + " ".join(f"*{e}" for e in exts) + ")"]
    parts += [f"{NAMES.get(e, e.lstrip('.').upper() + ' files')} (*{e})" for e in exts]
    return ";;".join(parts + ["All files (*)"])
LANGUAGES = (("en", "English"), ("fr", "French"))
KINDS = (
    ("interview", "Interview transcripts"),
    ("field-note", "Field notes"),
    ("document", "Documents (minutes, agendas, reports)"),
    ("diary", "Diary"),
)
NO_CASE = ""


class ImportOptionsDialog(QDialog):
    """What the chosen files are (kind) and, optionally, whose they are (case)."""

    def __init__(self, parent: QWidget | None, paths: Sequence[str], cases: Sequence[str],
                 kind: str = "interview") -> None:
        super().__init__(parent)
        self.setWindowTitle("Import files")
        self.setMinimumWidth(460)
        names = [Path(p).name for p in paths]
        shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
        heading = QLabel(f"<b>{len(names)} file{'s' if len(names) != 1 else ''}</b>: {shown}")
        heading.setWordWrap(True)
        self._kinds = QButtonGroup(self)
        kind_box = QVBoxLayout()
        for i, (key, label) in enumerate(KINDS):
            button = QRadioButton(label)
            button.setProperty("kind", key)
            button.setChecked(key == kind)
            self._kinds.addButton(button, i)
            kind_box.addWidget(button)
        self.case_combo = QComboBox()
        self.case_combo.setEditable(True)
        self.case_combo.addItem(NO_CASE)
        self.case_combo.addItems(list(cases))
        self.case_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.case_combo.lineEdit().setPlaceholderText("No case — or type a new case name")
        self.case_combo.setCurrentIndex(0)
        case_hint = QLabel("A case is a person or a site. Choose one if all these files belong to it, or give "
                           "each file its own; you can assign cases later from the Sources panel.")
        case_hint.setWordWrap(True)
        case_hint.setObjectName("Muted")
        self.per_file_check = QCheckBox("One case per file (named after the interviewee)")
        self.per_file_check.setToolTip(
            "Each file goes into a case of its own, named after the person the file names in its header "
            "(Interviewee:, Participant:, Narrator:, Respondent:, or a transcription service's title), "
            "else after the file name. A case that exists already receives the file.")
        self.per_file_check.toggled.connect(self._on_per_file_toggled)
        self.language_combo = QComboBox()
        self.language_combo.addItem("Detect from the text", None)
        for code, name in LANGUAGES:
            self.language_combo.addItem(name, code)
        self.language_combo.setToolTip("The language decides which word forms and which speech-act lexicon "
                                       "apply (English: greimas-en; French: greimas-fr)")
        form = QFormLayout()
        form.addRow("These files are:", kind_box)
        form.addRow("Case:", self.case_combo)
        form.addRow("", self.per_file_check)
        form.addRow("", case_hint)
        form.addRow("Language:", self.language_combo)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def kind(self) -> str:
        button = self._kinds.checkedButton()
        return str(button.property("kind")) if button else "interview"

    def case_name(self) -> str | None:
        if self.case_per_file():
            return None
        text = self.case_combo.currentText().strip()
        return text or None

    def case_per_file(self) -> bool:
        """True when each file is to go into its own case (the case box is then not used)."""
        return self.per_file_check.isChecked()

    def _on_per_file_toggled(self, on: bool) -> None:
        self.case_combo.setEnabled(not on)

    def language(self) -> str | None:
        """An ISO code the user chose, or None to detect each file's language."""
        return self.language_combo.currentData()


def _list_failures(failures: Sequence[Exception], limit: int = 12) -> str:
    lines = [f"• {f}" for f in failures[:limit]]
    if len(failures) > limit:
        lines.append(f"• … and {len(failures) - limit} more.")
    return "\n".join(lines)


class ImportFlow(QObject):
    """One import, from file choice to the write. ``finished(ids or None)`` ends it."""

    finished = Signal(object)

    def __init__(self, window: QWidget, project: Any, run_command: Callable[..., tuple[bool, Any]],
                 settings: QSettings | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._project = project
        self._run_command = run_command
        self._settings = settings
        self.job: Job | None = None
        self._kind = "interview"
        self._case: str | None = None
        self._language: str | None = None
        self._case_per_file = False

    # -- step 1 and 2: dialogs ----------------------------------------------------
    def start(self, cases: Sequence[str]) -> bool:
        """Ask for files and options; False if the user backed out."""
        folder = str(self._settings.value("import/folder", "")) if self._settings else ""
        paths, _ = QFileDialog.getOpenFileNames(self._window, "Import files", folder, file_filter())
        if not paths:
            return False
        if self._settings is not None:
            self._settings.setValue("import/folder", str(Path(paths[0]).parent))
        kind = str(self._settings.value("import/kind", "interview")) if self._settings else "interview"
        options = ImportOptionsDialog(self._window, paths, cases, kind)
        if self._settings is not None:
            options.per_file_check.setChecked(self._settings.value("import/case_per_file", False, type=bool))
        if options.exec() != QDialog.DialogCode.Accepted:
            return False
        if self._settings is not None:
            self._settings.setValue("import/kind", options.kind())
            self._settings.setValue("import/case_per_file", options.case_per_file())
        self.run(paths, options.kind(), options.case_name(), options.language(), options.case_per_file())
        return True

    # -- step 3: read on a worker -------------------------------------------------
    def run(self, paths: Sequence[str], kind: str, case_name: str | None, language: str | None = None,
            case_per_file: bool = False) -> Job:
        self._kind, self._case, self._language = kind, case_name, language
        self._case_per_file = case_per_file
        files = [str(p) for p in paths]

        def read(progress: Progress, cancel: CancelToken):  # runs on the worker
            return source_ops.read_files(files, progress=progress, cancel=cancel)

        dialog = make_progress_dialog(self._window, "Importing", f"Reading {len(files)} file(s)…")
        self.job = run_in_worker(read, self._on_read, self._on_error, dialog, self._on_cancelled)
        return self.job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.request_cancel()

    # -- step 4: report failures, write -------------------------------------------
    def _on_read(self, result: tuple[list, list]) -> None:
        docs, failures = result
        if failures and not docs:
            warn(self._window, "Nothing was imported.\n\n" + _list_failures(failures))
            self.finished.emit(None)
            return
        if failures:
            question = (f"{len(failures)} file{'s' if len(failures) != 1 else ''} could not be read:\n\n"
                        f"{_list_failures(failures)}\n\n"
                        f"Import the {len(docs)} file{'s' if len(docs) != 1 else ''} that could be read?")
            if not confirm(self._window, question, default_yes=True):
                self.finished.emit(None)
                return
        if self.job is not None and self.job.cancel.cancelled:
            self.finished.emit(None)
            return
        cancel = self.job.cancel if self.job is not None else None
        ok, ids = self._run_command(
            source_ops.import_documents, docs, kind=self._kind, case_name=self._case,
            imported_by=self._project.coder, cancel=cancel, language=self._language,
            case_per_file=self._case_per_file,
        )
        self.finished.emit(ids if ok else None)

    def _on_error(self, exc: BaseException) -> None:
        show_error(self._window, exc)
        self.finished.emit(None)

    def _on_cancelled(self) -> None:
        self.finished.emit(None)
