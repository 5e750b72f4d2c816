"""The status bar: project · coder · counts, the audit chain, the reason field, the read-only badge.

The reason field is the unobtrusive way to say *why*: whatever it holds is
recorded with every change made while it is filled in (each audit event has
a reason), for instance "second pass after supervision, 3 May". It is
cleared when the project closes, and tinted while it is in use so it is
never forgotten there.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QStatusBar, QWidget

REASON_TIP = ("Optional: why you are making the next changes. It is recorded with each change in the audit trail "
              "while this field is filled in; clear it when it no longer applies.")
OK_STYLE = "color: #2E6B3A;"
BAD_STYLE = "color: #B3261E; font-weight: bold;"
MUTED_STYLE = "color: #6b6b6b;"


class StatusArea(QObject):
    def __init__(self, bar: QStatusBar, runner: Any) -> None:
        super().__init__(bar)
        self.bar = bar
        self.runner = runner
        self.summary_label = QLabel()
        self.summary_label.setObjectName("StatusSummary")
        self.audit_label = QLabel()
        self.audit_label.setObjectName("StatusAudit")
        self.reason_label = QLabel("Reason:")
        self.reason_label.setObjectName("Muted")
        self.reason = QLineEdit()
        self.reason.setObjectName("ReasonField")
        self.reason.setPlaceholderText("optional; saved with your changes")
        self.reason.setToolTip(REASON_TIP)
        self.reason.setClearButtonEnabled(True)
        self.reason.setMinimumWidth(260)
        self.reason.setMaximumWidth(380)
        self.reason.textChanged.connect(self._on_reason_changed)
        self.reason.editingFinished.connect(lambda: self.reason.setCursorPosition(0))
        self.reason_label.setBuddy(self.reason)
        self.read_only_badge = QLabel("Read-only")
        self.read_only_badge.setObjectName("ReadOnlyBadge")
        self.read_only_badge.setToolTip("This project is open read-only: you can read, browse, search and review "
                                        "the audit trail, but nothing can be changed or undone.")
        self.read_only_badge.setVisible(False)
        bar.addWidget(self.summary_label)
        bar.addWidget(self.audit_label, 1)
        bar.addPermanentWidget(self.reason_label)
        bar.addPermanentWidget(self.reason)
        bar.addPermanentWidget(self.read_only_badge)
        self.set_project(None)

    def insert_permanent(self, *widgets: QWidget) -> None:
        """Put ``widgets`` among the permanent ones, before the reason field (which moves to their right)."""
        own = (self.reason_label, self.reason, self.read_only_badge)
        shown = [w.isVisibleTo(self.bar) for w in own]
        for widget in own:
            self.bar.removeWidget(widget)
        for widget in (*widgets, *own):
            self.bar.addPermanentWidget(widget)
        for widget, visible in zip(own, shown, strict=True):
            widget.setVisible(visible)

    def set_project(self, project: Any) -> None:
        editable = project is not None and not project.read_only
        self.reason.clear()
        self.reason.setEnabled(editable)
        self.reason_label.setVisible(editable)
        self.reason.setVisible(editable)
        self.read_only_badge.setVisible(project is not None and project.read_only)

    def _on_reason_changed(self, text: str) -> None:
        self.runner.reason = text.strip()
        self.reason.setStyleSheet("QLineEdit#ReasonField { background: #FFF4CE; border: 1px solid #D9B44A; }"
                                  if text.strip() else "")

    def edit_reason(self) -> None:
        if self.reason.isEnabled():
            self.reason.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.reason.selectAll()

    # -- texts --------------------------------------------------------------------
    def show_summary(self, project: Any, codings: int | None = None) -> None:
        """Project · coder · counts; ``codings``: the count of the codings shown, when not all are."""
        if project is None:
            self.summary_label.setText("No project open")
            self.audit_label.setText("")
            return
        counts = project.summary()
        s, c = counts["sources"], (counts["codings"] if codings is None else codings)
        self.summary_label.setText(
            f"{project.path.stem} · {project.coder} · {s:,} source{'s' if s != 1 else ''} · "
            f"{c:,} coding{'s' if c != 1 else ''} ·"
        )

    def show_audit(self, result: Any, checking: bool = False, failed: str | None = None) -> None:
        label = self.audit_label
        if failed:
            label.setText(failed)
            label.setStyleSheet(BAD_STYLE)
        elif result is None:
            label.setText("checking the audit trail…" if checking else "")
            label.setStyleSheet(MUTED_STYLE)
        elif result.ok:
            label.setText("audit chain verified")
            label.setStyleSheet(OK_STYLE)
            label.setToolTip(result.message())
        else:
            label.setText(f"audit chain broken at event {result.first_bad_seq}" if result.first_bad_seq is not None
                          else "audit chain verified, but rows changed outside qdaapp" if not result.problem
                          else "audit trail does not match the project")
            label.setStyleSheet(BAD_STYLE)
            lines = result.message().split("\n")  # the rows changed can be many: the first few, then a count
            label.setToolTip("\n".join(lines[:31]) + (f"\n… and {len(lines) - 31:,} more" if len(lines) > 31 else ""))
