"""Bulk decisions in the marker review queue: a whole group, a source or a speaker at once.

A group is a speech act or a marker (its header row, or the marker of the
selected passage). **Shift+A** / **Shift+R** accept / reject the passages of
the group left to review; the context menu of a row offers the same, and on
a passage also everything left from its speaker or in its source. Only the
passages shown count (hidden speakers stay untouched). Each action is one
command, so one Ctrl+Z undoes it, and the tree is updated in place: folded
groups stay folded and the next passage left to review becomes current.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPoint
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu

from qdaapp.core.review import HitRow
from qdaapp.gui.search.common import plural


class BulkReview:
    """Mixed into the review panel (``self.model``, ``self.tree``, ``self.decide``...)."""

    model: Any
    tree: Any
    project: Any
    message: Any

    def decide_all(self, accept: bool, hits: list[HitRow], what: str) -> bool:
        """Accept or reject, in one command, the passages of ``hits`` left to review; ``what`` names them."""
        if self.project is None or self.project.read_only:
            return False
        ids = [h.id for h in hits if self.model.status(h.id) == "candidate"]
        if not ids:
            self.message.show_note(f"No passage {what} is left to review.")
            return False
        current = self.model.hit(self.tree.currentIndex())
        anchor = current.id if current is not None else hits[-1].id
        if not self.decide(accept, ids, after=anchor):
            return False
        if any(self.model.status(h.id) == "candidate" for h in self.model.visible_hits()):
            verb = "Accepted" if accept else "Rejected"
            self.message.show_ok(f"{verb} {plural(len(ids), 'passage')} {what}. Ctrl+Z undoes this in one step.")
        return True

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
