"""Bottom dock "Marker review": the hits of a marker run as a queue to accept or reject.

Hits are grouped by speech act, then marker. Keys on the list: **A** accept,
**R** reject (then the next passage left to review is selected), **Up/Down**
move between passages, **Space** emits ``openPassage(source_id, start, end)``,
**Ctrl+A** accepts every passage of the selected marker left to review;
**Shift+A** / **Shift+R** and the context menu decide a whole act or marker,
a speaker or a source at once (see ``review_bulk``).
Each decision is one audited, undoable command; the view re-reads statuses
after any ``hits.*``, ``undo`` or ``redo`` change, whoever made it.

With ``load_when_shown`` (the main window's dock) a project's runs are read
when the panel first comes on screen (:meth:`ReviewPanel.ensure_loaded`), not
as the project opens: a study's run can hold tens of thousands of passages.
The newest run's passages are then read and grouped on a worker while the
panel says so (at once if the panel is in front as the project opens), and
so are those of a run chosen in the list; a change that needs the runs
again reads on the GUI thread as before (and drops a read still under way).
"""

from __future__ import annotations

from itertools import chain, islice
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import review
from qdaapp.core.errors import NotFound, QdaError
from qdaapp.gui.dialogs.messages import error_text, show_error
from qdaapp.gui.read_only import tell_blocked
from qdaapp.gui.search.common import ChangeBridge, MessageLabel, hint_label, plural
from qdaapp.gui.search.marker_run import RunMarkersDialog, RunSelector, start_marker_run
from qdaapp.gui.search.review_bulk import BulkReview
from qdaapp.gui.search.review_delegate import ReviewTree
from qdaapp.gui.search.review_model import Grouping, ReviewModel, group_hits
from qdaapp.gui.speakers import interviewer_names, open_speakers_dialog
from qdaapp.gui.workers import Job, building_kept_data, run_in_worker

SPREADS = (("sentence", "its sentence"), ("turn", "the speaker's turn"), ("hit", "only the marker"))
EMPTY = ("<p style='font-size:11pt'><b>No marker run yet.</b></p><p>Press <b>Run marker search…</b> to find "
         "<i>'have to'</i>, <i>'want to'</i>, <i>'able to'</i>… in your interviews.<br>Then go through the "
         "passages here: <b>A</b> accepts one (it is coded under Speech acts), <b>R</b> rejects it.</p>")
LOADING = "<p style='font-size:11pt'>Reading the passages of the newest marker run…</p>"
READ_ONLY_KEYS = "↑ ↓ next passage · Space show in document"
DISABLED_STYLE = "QPushButton#PrimaryButton:disabled { background: #B9C3CC; color: #F2F2F2; }"
KEYS_HINT = ("A accept · R reject · ↑ ↓ next passage · Space show in document · Shift+A / Shift+R accept / reject "
             "a whole act or marker · right-click for a speaker or a source")


class ReviewPanel(BulkReview, QWidget):
    openPassage = Signal(int, int, int)  # source id, start, end
    runFinished = Signal(int)  # run id of a marker run started here
    hitHistoryRequested = Signal(int)  # hit id: the history of the coding it made

    def __init__(self, project: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Any = None
        self.indexer: Any = None
        self.run_id: int | None = None
        self.job: Job | None = None
        self._hidden: set[str] = set()
        self._hide_chosen = False  # the user ticked or unticked "Hide interviewer turns"
        self.load_when_shown = False  # read the runs when the panel first shows (see ensure_loaded)
        self._pending = False  # the project's runs are not read yet
        self._reading: Job | None = None  # a run's passages being read on a worker
        self._reads = 0  # counts reads started, so a read overtaken by another is dropped
        self._changed_while_reading = False
        self._bridge = ChangeBridge(self)
        self._bridge.changed.connect(self._on_project_change)

        self.run_button = QPushButton("Run marker search…")
        self.run_button.setObjectName("PrimaryButton")
        self.run_button.setStyleSheet(DISABLED_STYLE)
        self.run_combo = RunSelector()
        self.lexicon_button = QPushButton("Edit lexicon…")
        self.lexicon_button.setToolTip("Add, move or exclude marker phrases of the project's lexicon")
        self.counter = QLabel("")
        self.counter.setObjectName("PanelHeader")
        self.hide_check = QCheckBox("Hide interviewer turns")
        self.hide_check.setToolTip("Leave out passages spoken by the project's interviewers (on once roles are known)")
        self.speakers_button = QPushButton("Speakers…")
        self.speakers_button.setToolTip("Who interviews and who is interviewed, for the whole project")
        self.spread_combo = QComboBox()
        for key, label in SPREADS:
            self.spread_combo.addItem(label, key)
        self.spread_combo.setToolTip("How much text an accepted passage codes at Speech acts/<act>")
        self.message = MessageLabel()
        self.model = ReviewModel(self)
        self.tree = ReviewTree(self.model, self.handle_key)
        self.empty = hint_label(EMPTY)
        self.loading = hint_label(LOADING)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.loading)
        self.keys_hint = QLabel(KEYS_HINT)
        self.keys_hint.setObjectName("Muted")

        top = QHBoxLayout()
        top.addWidget(self.run_button)
        top.addWidget(self.run_combo, 1)
        top.addWidget(self.lexicon_button)
        second = QHBoxLayout()
        second.addWidget(self.counter, 1)
        second.addWidget(self.hide_check)
        second.addWidget(self.speakers_button)
        second.addSpacing(12)
        second.addWidget(QLabel("Accepting codes"))
        second.addWidget(self.spread_combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(second)
        layout.addWidget(self.message)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.keys_hint)

        self.run_button.clicked.connect(lambda: self.run_marker_search())
        self.run_combo.currentIndexChanged.connect(self._on_run_chosen)
        self.lexicon_button.clicked.connect(self.edit_lexicon)
        self.hide_check.toggled.connect(self._on_hide_toggled)
        self.speakers_button.clicked.connect(lambda: open_speakers_dialog(self, self.project))
        self.tree.doubleClicked.connect(lambda index: self.show_passage(index))
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._on_context_menu)
        self.set_project(project)

    # -- project and runs ----------------------------------------------------------------
    def set_project(self, project: Any) -> None:
        self.project = project
        self._bridge.attach(project)
        self.message.clear_message()
        self._drop_reading()
        self._pending = project is not None and self.load_when_shown
        if self._pending:
            self.run_combo.reload(None, None)
            self.run_id = None
            self.model.set_hits([])
            self.stack.setCurrentWidget(self.empty)
            if self.on_screen():
                self.ensure_loaded()  # in front already: its passages are read on a worker
        else:
            self.reload_runs()
        self._update_controls()

    def on_screen(self) -> bool:
        """Whether some of the panel can be seen (a dock behind another dock's tab cannot)."""
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def ensure_loaded(self) -> None:
        """Read the project's runs and show the newest, if that was left until the panel shows
        (its passages are read on a worker: see :meth:`is_reading`)."""
        if not self._pending:
            return
        self._pending = False
        chosen = self.run_combo.reload(self.project, None)
        if chosen is None:
            self.load_run(None)
        else:
            self._read_in_background(chosen)
        self._update_controls()

    def is_reading(self) -> bool:
        """Whether a run's passages are being read on a worker (the panel says so meanwhile)."""
        return self._reading is not None

    def _drop_reading(self) -> None:
        self._reads += 1
        self._reading = None

    def _read_in_background(self, run_id: int) -> None:
        project = self.project
        known = self._sync_hide_check()
        leave_out = known if self.hide_check.isChecked() else set()
        self._drop_reading()
        reads = self._reads
        self.run_id = run_id
        self._changed_while_reading = False
        self.model.set_hits([])
        self.stack.setCurrentWidget(self.loading)

        def work(_progress: Any, _cancel: Any) -> tuple[list, Grouping]:
            with building_kept_data():
                with project.read_session() as s:
                    hits = review.list_hits(s, run_id)
                return hits, group_hits(hits, leave_out)  # the interviewers with no passage here change nothing

        def done(result: tuple[list, Grouping]) -> None:
            if reads != self._reads or self.project is not project:
                return
            self._reading = None
            hits, grouping = result
            self._show_run(run_id, hits, self._interviewers(known, hits) if leave_out else set(), grouping)
            if self._changed_while_reading:
                self._refresh_hidden()
                self.refresh_statuses()

        def failed(exc: BaseException) -> None:
            if reads == self._reads:
                self._reading = None
                self.stack.setCurrentWidget(self.empty)
                self.message.show_error(error_text(exc))

        self._reading = run_in_worker(work, done, failed)

    def set_indexer(self, indexer: Any) -> None:
        self.indexer = indexer

    def reload_runs(self, select: int | None = None) -> None:
        """Fill the run selector, newest first; keeps (or picks) ``select``, else the current run."""
        self._pending = False
        chosen = self.run_combo.reload(self.project, select if select is not None else self.run_id)
        if chosen != self.run_id:
            self.load_run(chosen)

    def _on_run_chosen(self, _row: int) -> None:
        run_id = self.run_combo.currentData()
        if self.load_when_shown and run_id is not None and self.project is not None:
            self._read_in_background(run_id)  # the user chose it: the window answers while it is read
            self._update_controls()
        else:
            self.load_run(run_id)

    def load_run(self, run_id: int | None) -> None:
        self._drop_reading()
        hits = []
        if run_id is not None and self.project is not None:
            with self.project.read_session() as s:
                hits = review.list_hits(s, run_id)
        # The interviewers' passages are left out as the tree is built (one regrouping, one layout).
        known = self._sync_hide_check()
        self._show_run(run_id, hits, self._interviewers(known, hits) if self.hide_check.isChecked() else set())

    def _show_run(self, run_id: int | None, hits: list, hidden: set[str],
                  grouping: Grouping | None = None) -> None:
        self.run_id = run_id
        self._hidden = hidden
        self.model.set_hits(hits, hidden, grouping)
        self.expand_groups()  # before anything lays the tree out: it is then laid out once, unfolded
        self.stack.setCurrentWidget(self.tree if run_id is not None else self.empty)
        if run_id is not None and not hits:
            self.message.show_note("This run found no marker phrases. Check the lexicon (Edit lexicon…) "
                                   "or the sources it searched, and run it again.")
        self.select_next_candidate(None)
        self._update_controls()

    def expand_groups(self) -> None:
        """Unfold every act and marker (what ``expandAll`` does, without visiting each passage row)."""
        for index in self.model.group_indexes():
            self.tree.expand(index)

    def refresh_statuses(self) -> None:
        """Re-read the statuses of the shown run (one query per status; no tree rebuild)."""
        if self.project is None or self.run_id is None:
            return
        try:
            with self.project.read_session() as s:
                accepted = review.select_hits(s, self.run_id, status="accepted")
                rejected = review.select_hits(s, self.run_id, status="rejected")
        except NotFound:
            self.reload_runs()
            return
        statuses = dict.fromkeys(self.model.hit_ids(), "candidate")
        statuses.update(dict.fromkeys(accepted, "accepted"))
        statuses.update(dict.fromkeys(rejected, "rejected"))
        self.model.set_statuses(statuses)
        self._update_controls()

    def _on_project_change(self, change: Any) -> None:
        if self._pending:
            return  # read as it is when the panel shows
        if self._reading is not None:
            self._changed_while_reading = True
        if change.touches("search run"):  # a run made, or taken back by undo
            self.reload_runs()
            self.refresh_statuses()
        elif change.touches("search hit"):
            self.refresh_statuses()
        if change.touches("speaker"):
            self._refresh_hidden()

    # -- running a marker search ---------------------------------------------------------
    def run_marker_search(self, lexicon_name: str | None = None, acts: list[str] | None = None,
                          source_ids: list[int] | None = None, ask: bool = True,
                          groups: list[str] | None = None, include_interviewer: bool = False) -> Job | None:
        """Ask what to search (unless ``ask`` is False), then run it on a worker."""
        if self.project is None or self.project.read_only or self.job is not None:
            return None
        if self.indexer is not None and self.indexer.is_running():
            self.message.show_note(f"{self.indexer.status_text} Marker search can run when it finishes "
                                   "(see the status bar).")
            return None
        name = lexicon_name or self._current_lexicon()
        if ask:
            dialog = RunMarkersDialog(self, self.project, name)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            name, acts, source_ids = dialog.lexicon_name(), dialog.acts(), dialog.source_ids()
            groups = dialog.groups()
            include_interviewer = dialog.include_interviewer()
        self.message.show_note("Finding markers…")
        self.job = start_marker_run(self, self.project, name, acts, source_ids, self._on_run_done,
                                    self._on_run_error, self._on_run_cancelled, groups=groups,
                                    include_interviewer=include_interviewer)
        self._update_controls()
        return self.job

    def _on_run_done(self, run_id: int) -> None:
        self.job = None
        self.reload_runs(select=run_id)
        total = self.model.counts()[1]
        if total:
            self.message.show_ok(f"Found {plural(total, 'passage')} with markers. Go through them: A accepts, "
                                 "R rejects, Space shows the passage in its document.")
        self.tree.setFocus()
        self.runFinished.emit(run_id)

    def _on_run_error(self, exc: BaseException) -> None:
        self.job = None
        self.message.show_error(error_text(exc))
        self._update_controls()

    def _on_run_cancelled(self) -> None:
        self.job = None
        self.message.show_note("The marker search was cancelled; nothing was stored.")
        self._update_controls()

    def _current_lexicon(self) -> str:
        return self.run_combo.lexicon_of(self.run_id)

    def edit_lexicon(self) -> None:
        if self.project is None:
            return
        self.ensure_loaded()  # the lexicon of the run shown
        from qdaapp.gui.search.lexicon_editor import LexiconEditor

        LexiconEditor(self.project, self._current_lexicon(), self).exec()

    # -- speakers ------------------------------------------------------------------------
    def _interviewers(self, known: set[str] | None = None, hits: list | None = None) -> set[str]:
        """The run's speakers (or those of ``hits``) whose project role (set or guessed) is interviewer."""
        known = set(interviewer_names(self.project)) if known is None else known
        speakers = self.model.speakers() if hits is None else {h.speaker for h in hits if h.speaker}
        return {s for s in speakers if s in known}

    def _sync_hide_check(self) -> set[str]:
        """The project's interviewers; ticks "Hide interviewer turns" when some are known, unless the user chose."""
        known = set(interviewer_names(self.project))
        if not self._hide_chosen:
            self.hide_check.blockSignals(True)
            self.hide_check.setChecked(bool(known))
            self.hide_check.blockSignals(False)
        return known

    def _refresh_hidden(self) -> None:
        """Hide the interviewers' passages: on by default once roles are known, until the user says otherwise."""
        known = self._sync_hide_check()
        hidden = self._interviewers(known) if self.hide_check.isChecked() else set()
        if hidden == self._hidden:
            return  # an undo or a role change that hides the same speakers leaves folds and place alone
        self._hidden = hidden
        self._apply_hidden()

    def _on_hide_toggled(self, on: bool) -> None:
        self._hide_chosen = True
        self._hidden = self._interviewers() if on else set()
        self._apply_hidden()

    def _apply_hidden(self) -> None:
        current = self.current_hit()
        self.model.set_hidden_speakers(self._hidden)
        self.expand_groups()
        if current is not None and self.model.hit_index(current.id).isValid():
            self.select_hit(current.id)
        elif current is not None:
            self.select_next_candidate(None)
        self._update_controls()

    # -- moving and deciding -------------------------------------------------------------
    def current_hit(self) -> review.HitRow | None:
        return self.model.hit(self.tree.currentIndex())

    def spread(self) -> str:
        return str(self.spread_combo.currentData())

    def select_hit(self, hit_id: int) -> None:
        index = self.model.hit_index(hit_id)
        if index.isValid():
            self.tree.expand(index.parent().parent())
            self.tree.expand(index.parent())
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)

    def select_next_candidate(self, after: int | None) -> bool:
        """Select the next passage left to review after hit ``after`` (wrapping); False if none is left.

        Passages in groups the user has folded come last, so deciding never unfolds a group
        while an unfolded one still has passages to review."""
        order = self.model.visible_hits()
        start = next((i + 1 for i, h in enumerate(order) if h.id == after), 0) if after is not None else 0
        status, first = self.model.status, None
        for h in chain(islice(order, start, None), islice(order, 0, start)):  # stops at the first one found
            if status(h.id) != "candidate":
                continue
            if self._unfolded(h.id):
                self.select_hit(h.id)
                return True
            first = first or h
        if first is None:
            return False
        self.select_hit(first.id)
        return True

    def _unfolded(self, hit_id: int) -> bool:
        marker = self.model.hit_index(hit_id).parent()
        return self.tree.isExpanded(marker) and self.tree.isExpanded(marker.parent())

    def move(self, step: int) -> None:
        order = [h.id for h in self.model.visible_hits()]
        if not order:
            return
        current = self.current_hit()
        if current is None:
            index = self.tree.currentIndex()
            first = self.model.index(0, 0, index) if index.isValid() else QModelIndex()
            while first.isValid() and self.model.hit(first) is None:
                first = self.model.index(0, 0, first)
            self.select_hit(self.model.hit(first).id if first.isValid() else order[0])
            return
        pos = max(0, min(len(order) - 1, order.index(current.id) + step))
        self.select_hit(order[pos])

    def decide(self, accept: bool, hit_ids: list[int] | None = None, after: int | None = None,
               reason: str = "") -> bool:
        """Accept or reject ``hit_ids`` (default: the selected passage), then move to the next one to review
        (after hit ``after``, default the selected passage); ``reason`` goes into the audit trail."""
        if self.project is None or self.run_id is None:
            return False
        current = self.current_hit()
        if hit_ids is None:
            if current is None:
                self.message.show_note("Select a passage first (or press Ctrl+A on a marker to accept all of it).")
                return False
            hit_ids = [current.id]
        try:
            if accept:
                self.project.run(review.accept_hits, self.run_id, hit_ids, spread=self.spread(),
                                 coder=self.project.coder, reason=reason)
            else:
                self.project.run(review.reject_hits, self.run_id, hit_ids, coder=self.project.coder, reason=reason)
        except QdaError as exc:
            self.message.show_error(str(exc))
            return False
        except Exception as exc:  # logged and shown by show_error
            show_error(self, exc)
            return False
        self.message.clear_message()
        if not self.select_next_candidate(after if after is not None else current.id if current else None):
            self.message.show_ok("Every passage of this run has been reviewed. The accepted ones are coded "
                                 "under Speech acts in the Nodes panel.")
        return True

    def spread_text(self) -> str:
        """The chosen spread in words ("its sentence")."""
        return dict(SPREADS)[self.spread()]

    def show_passage(self, index: QModelIndex | None = None) -> None:
        h = self.model.hit(index if index is not None else self.tree.currentIndex())
        if h is not None:
            self.openPassage.emit(h.source_id, h.start, h.end)

    def handle_key(self, event: QKeyEvent) -> bool:
        key, mods = event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        plain = mods == Qt.KeyboardModifier.NoModifier
        writable = self.project is not None and not self.project.read_only
        deciding = (key == Qt.Key.Key_A and mods == Qt.KeyboardModifier.ControlModifier) or (
            key in (Qt.Key.Key_A, Qt.Key.Key_R) and mods in (Qt.KeyboardModifier.NoModifier,
                                                            Qt.KeyboardModifier.ShiftModifier))
        if deciding and not writable and self.project is not None:
            tell_blocked(self, self.project, "Accept or reject")
        if key == Qt.Key.Key_A and mods == Qt.KeyboardModifier.ControlModifier:
            if writable:
                self.accept_marker()
            return True
        if plain and key in (Qt.Key.Key_A, Qt.Key.Key_R):
            if writable:
                self.decide(key == Qt.Key.Key_A)
            return True
        if mods == Qt.KeyboardModifier.ShiftModifier and key in (Qt.Key.Key_A, Qt.Key.Key_R):
            if writable:
                self.decide_group(key == Qt.Key.Key_A)
            return True
        if plain and key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self.move(1 if key == Qt.Key.Key_Down else -1)
            return True
        if plain and key == Qt.Key.Key_Space:
            self.show_passage()
            return True
        return False

    # -- state ---------------------------------------------------------------------------
    def _update_controls(self) -> None:
        has_project = self.project is not None
        writable = has_project and not self.project.read_only
        has_run = self.run_id is not None
        self.run_button.setEnabled(writable and self.job is None)
        self.run_button.setVisible(writable or not has_project)
        self.lexicon_button.setEnabled(has_project)
        for w in (self.hide_check, self.speakers_button):
            w.setEnabled(has_run)
        self.spread_combo.setEnabled(has_run and writable)
        self.keys_hint.setText(KEYS_HINT if writable or not has_project else READ_ONLY_KEYS)
        reviewed, total, hidden = self.model.counts()
        text = f"<b>Reviewed {reviewed:,} / {total:,}</b>" if has_run and self._reading is None else ""
        if hidden:
            text += f" <span style='color:#6b6b6b'>· {plural(hidden, 'passage')} hidden</span>"
        self.counter.setText(text)
        if has_project and not writable:
            self.message.show_note("This project is open read-only: "
                                   "you can read the hits but not accept or reject them.")


if __name__ == "__main__":
    from qdaapp.gui.search._demo import run_standalone

    def make(project: Any) -> QWidget:
        panel = ReviewPanel(project)
        panel.openPassage.connect(lambda sid, a, b: panel.message.show_note(f"openPassage({sid}, {a}, {b})"))
        return panel

    run_standalone(make, "Marker review")
