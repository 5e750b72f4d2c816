"""Bulk decisions in the marker review queue: a whole group, a source or a speaker at once.

A group is a speech act or a marker (its header row, or the marker of the
selected passage). **Ctrl+A** accepts the passages of the selected marker
left to review; **Shift+A** / **Shift+R** accept / reject those of the
group; the context menu of a row offers the same, and on a passage also
everything left from its speaker or in its source. Only the passages shown
count (hidden speakers stay untouched). Each action is one command, so one
Ctrl+Z undoes it, and the tree is updated in place: folded groups stay
folded and the next passage left to review becomes current.

Each asks why first (:mod:`qdaapp.gui.dialogs.reason`: one dialog, which is
also the confirmation; the reason is stored with the change), and a bulk
accept leaves negated passages ("did not have to") to review one by one
unless the user includes them (:func:`qdaapp.core.review.pick_bulk_accept`).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPoint
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu

from qdaapp.core import review
from qdaapp.core.review import HitRow
from qdaapp.gui.dialogs.reason import Answer, ask_reason
from qdaapp.gui.search.common import plural

UNDO_NOTE = "Ctrl+Z undoes this in one step."
EXAMPLE_BEFORE = 14  # characters before a negated marker shown in its example ("did not have to")


def negated_example(hit: HitRow) -> str:
    """A negated hit's marker with the words just before it ("did not have to"), from its sentence."""
    a, b = hit.start - hit.sentence_start, hit.end - hit.sentence_start
    cut = max(0, a - EXAMPLE_BEFORE)
    head = hit.sentence[cut:a]
    if cut > 0 and " " in head:
        head = head[head.index(" ") + 1:]  # from a whole word
    return " ".join((head + hit.sentence[a:b]).split())


def _every(n: int) -> str:
    return "The passage" if n == 1 else f"All {n} passages"


class BulkReview:
    """Mixed into the review panel (``self.model``, ``self.tree``, ``self.decide``...)."""

    model: Any
    tree: Any
    project: Any
    message: Any
    run_id: int | None

    def decide_all(self, accept: bool, hits: list[HitRow], what: str, details: str = "", ask: bool = True) -> bool:
        """Accept or reject, in one command, the passages of ``hits`` left to review; ``what`` names them.

        Asks why first (one dialog, which also stands for the confirmation; Cancel does nothing).
        Negated passages are left to review one by one unless the user includes them."""
        if self.project is None or self.project.read_only:
            return False
        ids = [h.id for h in hits if self.model.status(h.id) == "candidate"]
        if not ids:
            self.message.show_note(f"No passage {what} is left to review.")
            return False
        verb = "Accept" if accept else "Reject"
        negated: list[HitRow] = []
        if accept:
            with self.project.read_session() as s:
                left = set(review.pick_bulk_accept(s, self.run_id, ids).negated)
            negated = [h for h in hits if h.id in left]
        answer = Answer()
        if ask:
            found = ask_reason(self, f"review.{verb.lower()}", f"{verb} all {plural(len(ids), 'passage')} {what}?",
                               f"{verb} all", details=details or UNDO_NOTE, negated=len(negated),
                               negated_example=negated_example(negated[0]) if negated else "")
            if found is None:
                return False
            answer = found
        chosen, left_out = ids, 0
        if accept:
            with self.project.read_session() as s:
                pick = review.pick_bulk_accept(s, self.run_id, ids, include_negated=answer.include_negated)
            chosen, left_out = pick.accept, len(pick.left)
            if not chosen:
                self.message.show_note(f"{_every(len(ids))} {what} {'is' if len(ids) == 1 else 'are'} negated: "
                                       "accept or reject them one by one (A / R).")
                return False
        current = self.model.hit(self.tree.currentIndex())
        anchor = current.id if current is not None else hits[-1].id
        if not self.decide(accept, chosen, after=anchor, reason=answer.reason):
            return False
        if any(self.model.status(h.id) == "candidate" for h in self.model.visible_hits()):
            text = f"{verb}ed {plural(len(chosen), 'passage')} {what}."
            if left_out:
                text += (f" {plural(left_out, 'negated passage')} {'was' if left_out == 1 else 'were'} left to "
                         "review one by one.")
            self.message.show_ok(f"{text} Ctrl+Z undoes this in one step.")
        return True

    def accept_marker(self, ask: bool = True) -> bool:
        """Accept every passage left to review of the selected marker (Ctrl+A), after asking why."""
        found = self.model.marker_of(self.tree.currentIndex())
        if found is None:
            self.message.show_note("Select a marker (such as 'have to') or one of its passages, then press Ctrl+A.")
            return False
        act, marker, hits = found
        details = f"Each one codes {self.spread_text()} at Speech acts/{act}. {UNDO_NOTE}"
        return self.decide_all(True, hits, f"of '{marker}'", details=details, ask=ask)

    def decide_group(self, accept: bool, index: QModelIndex | None = None) -> bool:
        """The act or marker at ``index`` (default: the current row), or the marker of a passage."""
        found = self.model.group_of(index if index is not None else self.tree.currentIndex())
        if found is None:
            self.message.show_note("Select a speech act, a marker or a passage first.")
            return False
        name, hits = found
        return self.decide_all(accept, hits, f"of {name}")

    def decide_speaker(self, accept: bool, speaker: str) -> bool:
        hits = [h for h in self.model.visible_hits() if h.speaker == speaker]
        return self.decide_all(accept, hits, f"from {speaker}")

    def decide_source(self, accept: bool, source_id: int) -> bool:
        hits = [h for h in self.model.visible_hits() if h.source_id == source_id]
        return self.decide_all(accept, hits, f"in {hits[0].source}" if hits else "in this source")

    def bulk_menu(self, index: QModelIndex) -> QMenu | None:
        """The context menu of a row: accept or reject it, its group, its speaker's or its source's passages."""
        found = self.model.group_of(index)
        if found is None:
            return None
        writable = self.project is not None and not self.project.read_only
        menu = QMenu(self.tree)
        hit = self.model.hit(index)

        def add(text: str, hits: list[HitRow], run: Any, keys: str = "") -> None:
            left = sum(1 for h in hits if self.model.status(h.id) == "candidate")
            action = menu.addAction(f"{text} ({left} left)" if len(hits) > 1 else text, run)
            action.setEnabled(writable and left > 0)
            if keys:
                action.setShortcut(QKeySequence(keys))

        if hit is not None:
            add("Accept", [hit], lambda: self.decide(True, [hit.id]), "A")
            add("Reject", [hit], lambda: self.decide(False, [hit.id]), "R")
            history = menu.addAction("History of its coding…", lambda: self.hitHistoryRequested.emit(hit.id))
            history.setEnabled(self.model.status(hit.id) == "accepted")
            menu.addSeparator()
        name, hits = found
        add(f"Accept all of {name}", hits, lambda: self.decide_group(True, index), "Shift+A")
        add(f"Reject all of {name}", hits, lambda: self.decide_group(False, index), "Shift+R")
        if hit is not None:
            shown = self.model.visible_hits()
            if hit.speaker:
                mine = [h for h in shown if h.speaker == hit.speaker]
                menu.addSeparator()
                add(f"Accept all from {hit.speaker}", mine, lambda: self.decide_speaker(True, hit.speaker))
                add(f"Reject all from {hit.speaker}", mine, lambda: self.decide_speaker(False, hit.speaker))
            here = [h for h in shown if h.source_id == hit.source_id]
            menu.addSeparator()
            add(f"Accept all in {hit.source}", here, lambda: self.decide_source(True, hit.source_id))
            add(f"Reject all in {hit.source}", here, lambda: self.decide_source(False, hit.source_id))
        return menu

    def _on_context_menu(self, pos: QPoint) -> None:
        index = self.tree.indexAt(pos)
        menu = self.bulk_menu(index) if index.isValid() else None
        if menu is not None:
            self.tree.setCurrentIndex(index)
            menu.exec(self.tree.viewport().mapToGlobal(pos))
