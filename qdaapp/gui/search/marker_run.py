"""Run marker search…: choose the lexicon, the speech acts, the phrase groups and the sources, then run.

Phrase groups that are off by default (bare modal verbs: low precision) are
shown unticked; ticking one adds its phrases to this run only.

:func:`start_marker_run` indexes any source still missing its index (when no
background indexing is doing it already), then runs the ``markers.run``
command with the job's cancel token: Cancel rolls the run back, so nothing
is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import indexing, lexicon, markers, review, sources
from qdaapp.core.errors import QdaError
from qdaapp.core.progress import CancelToken, Progress
from qdaapp.core.review import ACT_COLORS
from qdaapp.gui.models.node_tree import swatch
from qdaapp.gui.search.common import ChecklistDialog, MessageLabel, plural, when_label
from qdaapp.gui.speakers import InterviewerCheck
from qdaapp.gui.workers import Job, make_progress_dialog, run_in_worker

INTRO = ("Step 1 of the method: find passages with marker phrases such as <i>have to</i>, <i>want to</i>, "
         "<i>able to</i>. Every hit starts as a candidate that you accept or reject in the review queue.")


class RunSelector(QComboBox):
    """The marker runs of a project, newest first: "run 3 · greimas-en v1 · 18 Mar 14:02 · 212 hits"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runs: dict[int, dict] = {}
        self.setMinimumContentsLength(30)
        self.setToolTip("Which marker run to review")

    def reload(self, project: Any, keep: int | None) -> int | None:
        """Re-read the runs without emitting signals; selects ``keep`` if it still exists, else the newest."""
        runs = []
        if project is not None:
            with project.read_session() as s:
                runs = [r for r in review.list_runs(s) if r["kind"] == "markers"]
        self.runs = {r["run"]: r for r in runs}
        self.blockSignals(True)
        self.clear()
        for r in reversed(runs):
            self.addItem(f"run {r['run']} · {r['lexicon']} v{r['version']} · {when_label(r['created_at'])} · "
                         f"{plural(r['hits'], 'hit')}", r["run"])
        ids = [self.itemData(i) for i in range(self.count())]
        chosen = keep if keep in ids else (ids[0] if ids else None)
        if chosen is not None:
            self.setCurrentIndex(ids.index(chosen))
        self.blockSignals(False)
        self.setEnabled(bool(ids))
        return chosen

    def lexicon_of(self, run_id: int | None) -> str:
        return (self.runs.get(run_id) or {}).get("lexicon") or "greimas-en"


class RunMarkersDialog(QDialog):
    def __init__(self, parent: QWidget | None, project: Any, lexicon_name: str = "greimas-en") -> None:
        super().__init__(parent)
        self.project = project
        self.setWindowTitle("Run marker search")
        self.setMinimumWidth(520)
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        self.lexicon_combo = QComboBox()
        names = sorted(set(lexicon.available()) | {lexicon_name})
        self.lexicon_combo.addItems(names)
        self.lexicon_combo.setCurrentText(lexicon_name)
        self.acts_box = QVBoxLayout()
        self.act_checks: dict[str, QCheckBox] = {}
        self.groups_box = QVBoxLayout()
        self.group_checks: dict[str, QCheckBox] = {}
        self.groups_label = QLabel("Phrase groups:")
        self.all_sources = QRadioButton("All sources")
        self.interviews = QRadioButton("Interviews only")
        self.chosen = QRadioButton("Chosen sources…")
        self.scope = QButtonGroup(self)
        for button in (self.all_sources, self.interviews, self.chosen):
            self.scope.addButton(button)
        self.all_sources.setChecked(True)
        self.chosen_label = QLabel("")
        self.chosen_label.setObjectName("Muted")
        self._chosen_ids: list[int] = []
        with project.read_session() as s:
            self._sources = sources.list_sources(s)
        scope_box = QVBoxLayout()
        row = QHBoxLayout()
        row.addWidget(self.chosen)
        row.addWidget(self.chosen_label, 1)
        scope_box.addWidget(self.all_sources)
        scope_box.addWidget(self.interviews)
        scope_box.addLayout(row)
        form = QFormLayout()
        form.addRow("Lexicon:", self.lexicon_combo)
        form.addRow("Speech acts:", self.acts_box)
        form.addRow(self.groups_label, self.groups_box)
        form.addRow("Search in:", scope_box)
        self.interviewer_check = InterviewerCheck()
        self.interviewer_check.refresh(project)
        form.addRow("", self.interviewer_check)
        self.message = MessageLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.run_button: QPushButton = self.buttons.addButton("Run", QDialogButtonBox.ButtonRole.AcceptRole)
        self.run_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.lexicon_combo.currentTextChanged.connect(self._fill_acts)
        self.chosen.clicked.connect(lambda: self.choose_sources())
        self.scope.buttonToggled.connect(lambda *_: self._update())
        self._fill_acts(self.lexicon_combo.currentText())

    def _fill_acts(self, name: str) -> None:
        for check in [*self.act_checks.values(), *self.group_checks.values()]:
            check.setParent(None)
        self.act_checks.clear()
        self.group_checks.clear()
        self.message.clear_message()
        try:
            with self.project.read_session() as s:
                spec = lexicon.load(s, name)
        except QdaError as exc:
            self.message.show_error(str(exc))
            self._update()
            return
        for act in spec.acts.values():
            check = QCheckBox(f"{act.label}  ({plural(len(act.phrases), 'phrase')})")
            check.setIcon(swatch(ACT_COLORS.get(act.name, "#999999")))
            check.setChecked(True)
            check.setToolTip(act.description)
            check.toggled.connect(lambda _on: self._update())
            self.act_checks[act.name] = check
            self.acts_box.addWidget(check)
        for group in spec.groups.values():
            count = sum(1 for act in spec.acts.values() for p in act.phrases if p.group == group.name)
            check = QCheckBox(f"{group.label}  ({plural(count, 'phrase')})")
            check.setChecked(group.enabled)
            words = ", ".join(p.text for act in spec.acts.values() for p in act.phrases if p.group == group.name)
            check.setToolTip(f"{group.description}\n\nPhrases: {words}" if group.description else f"Phrases: {words}")
            self.group_checks[group.name] = check
            self.groups_box.addWidget(check)
        self.groups_label.setVisible(bool(self.group_checks))
        self._update()

    def choose_sources(self, source_ids: list[int] | None = None) -> None:
        if source_ids is None:
            dialog = ChecklistDialog(self, "Search chosen sources", "Tick the sources to search for markers:",
                                     [(i.id, i.name) for i in self._sources], self._chosen_ids, "Use these")
            if dialog.exec() == QDialog.DialogCode.Accepted:
                source_ids = dialog.checked()
        if source_ids:
            self._chosen_ids = list(source_ids)
            self.chosen.setChecked(True)
        elif not self._chosen_ids:
            self.all_sources.setChecked(True)
        self.chosen_label.setText(plural(len(self._chosen_ids), "source") if self._chosen_ids else "")
        self._update()

    def lexicon_name(self) -> str:
        return self.lexicon_combo.currentText()

    def acts(self) -> list[str] | None:
        """The ticked acts, or None when all are ticked."""
        ticked = [name for name, check in self.act_checks.items() if check.isChecked()]
        return None if len(ticked) == len(self.act_checks) else ticked

    def groups(self) -> list[str]:
        """The ticked phrase groups."""
        return [name for name, check in self.group_checks.items() if check.isChecked()]

    def include_interviewer(self) -> bool:
        return self.interviewer_check.include_interviewer()

    def source_ids(self) -> list[int] | None:
        if self.interviews.isChecked():
            return [i.id for i in self._sources if i.kind == "interview"]
        if self.chosen.isChecked():
            return list(self._chosen_ids)
        return None

    def _update(self) -> None:
        ok = bool(self.act_checks) and any(c.isChecked() for c in self.act_checks.values())
        ids = self.source_ids()
        if ids is not None and not ids:
            ok = False
            self.message.show_note("There are no sources to search in this choice.")
        elif ok:
            self.message.clear_message()
        self.run_button.setEnabled(ok)


def start_marker_run(parent: QWidget | None, project: Any, lexicon_name: str, acts: list[str] | None,
                     source_ids: list[int] | None, on_done: Callable[[int], None],
                     on_error: Callable[[BaseException], None], on_cancelled: Callable[[], None],
                     groups: list[str] | None = None, include_interviewer: bool = False) -> Job:
    """Index what is missing, then run ``markers.run`` on a worker; ``on_done(run_id)``.
    ``groups``: the lexicon's phrase groups to use (None: those on by default)."""

    def work(progress: Progress, cancel: CancelToken) -> int:
        with project.read_session() as s:
            spec = lexicon.load(s, lexicon_name)
            wanted = set(source_ids) if source_ids is not None else None
            waiting = [i for i in indexing.pending(s) if wanted is None or i in wanted]
        if waiting:
            progress.start(len(waiting), "Preparing the sources for search…")
            for n, source_id in enumerate(waiting):
                indexing.index_sources(project, [source_id], cancel=cancel)
                progress.advance(1, f"Prepared {n + 1} of {plural(len(waiting), 'source')}…")
        cancel.check()
        progress.start(0, f"Finding {spec.name} markers…")
        return project.run(markers.run_markers, spec, source_ids=source_ids, acts=acts, coder=project.coder,
                           cancel=cancel, groups=groups, include_interviewer=include_interviewer)

    dialog = make_progress_dialog(parent, "Marker search", "Finding markers…")
    return run_in_worker(work, on_done, on_error, dialog, on_cancelled)
