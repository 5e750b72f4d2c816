"""The centre: one tab per open source, each a :class:`DocumentView`.

When nothing is open the area says how to open a source (or import one).
Codings reach open documents incrementally: :meth:`add_coding` and
:meth:`remove_coding` touch only the view of that source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QTabBar, QTabWidget, QToolButton, QVBoxLayout, QWidget

from qdaapp.core import coding as coding_ops
from qdaapp.core import sources as source_ops
from qdaapp.core.layers import CodingSpan
from qdaapp.gui.views.document_view import DocumentView


def span_from_row(row: Any) -> CodingSpan:
    """A ``spans_for_source`` row as the view's :class:`CodingSpan`."""
    coding_id, start, end, node_id, node_name, color, coder = tuple(row)
    return CodingSpan(coding_id, start, end, node_id, node_name, color, coder)


class DocumentArea(QStackedWidget):
    """Tabs of open sources, or an empty state that says what to do."""

    currentSourceChanged = Signal(object)  # source id or None
    selectionChanged = Signal(int, int, int)  # source id, start, end
    stripeClicked = Signal(int, int)  # source id, coding id
    historyRequested = Signal(int)  # coding id: its history, asked for on its stripe
    contextMenuRequested = Signal(int, QPoint, int, int)  # source id, global pos, start, end

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DocumentArea")
        self.project: Any = None
        # Whose codings the stripes show (None: everyone's); the window's coder view sets it.
        self.shown_coders: Callable[[], set[str] | None] = lambda: None
        self.tabs = QTabWidget()
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.tabCloseRequested.connect(self._on_tab_close_requested)
        self.tabs.currentChanged.connect(self._on_current_changed)
        self._empty = QWidget()
        self._empty.setObjectName("EmptyState")
        self.empty_label = QLabel()
        self.empty_label.setObjectName("EmptyStateText")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        box = QVBoxLayout(self._empty)
        box.addStretch(1)
        box.addWidget(self.empty_label)
        box.addStretch(2)
        self.addWidget(self._empty)
        self.addWidget(self.tabs)
        self._views: dict[int, DocumentView] = {}
        self._workspaces: list[QWidget] = []
        self.set_empty_hint(has_sources=False)

    # -- state --------------------------------------------------------------------
    def set_empty_hint(self, has_sources: bool) -> None:
        if has_sources:
            self.empty_label.setText(
                "<p style='font-size:15pt; color:#4a4a4a'>Open a source to start reading and coding</p>"
                "<p style='color:#6b6b6b'>Double-click an interview in the <b>Sources</b> panel on the left.<br>"
                "Then select some text and press <b>Ctrl+K</b> to code it, or drag it onto a node.</p>"
            )
        else:
            self.empty_label.setText(
                "<p style='font-size:15pt; color:#4a4a4a'>Import your interview transcripts</p>"
                "<p style='color:#6b6b6b'>File ▸ Import files… (<b>Ctrl+I</b>) — Word, PDF or plain text.</p>"
            )

    def views(self) -> dict[int, DocumentView]:
        return dict(self._views)

    def view(self, source_id: int) -> DocumentView | None:
        return self._views.get(source_id)

    def current_view(self) -> DocumentView | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, DocumentView) else None

    def current_source_id(self) -> int | None:
        view = self.current_view()
        return view.property("source_id") if view is not None else None

    def find_in_document(self) -> bool:
        """Edit ▸ Find: open the find bar of the document in front; False when none is."""
        view = self.current_view()
        if view is None:
            return False
        view.show_find()
        return True

    # -- opening and closing ------------------------------------------------------
    def open_source(self, source_id: int, select: tuple[int, int] | None = None) -> DocumentView:
        view = self._views.get(source_id)
        if view is None:
            with self.project.read_session() as s:
                info = source_ops.structure(s, source_id)
                spans = [span_from_row(r) for r in coding_ops.spans_for_source(s, source_id, self.shown_coders())]
            view = DocumentView()
            view.setProperty("source_id", source_id)
            view.set_document(info["text"], spans, info["page_starts"], info["turns"])
            view.spanSelected.connect(lambda a, b, sid=source_id: self.selectionChanged.emit(sid, a, b))
            view.stripeClicked.connect(lambda cid, sid=source_id: self.stripeClicked.emit(sid, cid))
            view.stripeHistoryRequested.connect(self.historyRequested)
            view.stripe_margin.describe = self.describe_coding
            view.contextMenuForSelection.connect(
                lambda pos, a, b, sid=source_id: self.contextMenuRequested.emit(sid, pos, a, b))
            self._views[source_id] = view
            index = self.tabs.addTab(view, info["name"])
            self.tabs.setTabToolTip(index, info["name"])
            self._add_close_button(index, info["name"], lambda sid=source_id: self.close_source(sid))
        self.setCurrentWidget(self.tabs)
        self.tabs.setCurrentWidget(view)
        if select is not None:
            view.select_span(*select)
            view.text_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        return view

    def describe_coding(self, coding_id: int) -> str:
        """When and how a coding was made, for its stripe's tooltip."""
        from qdaapp.core.passage_history import coding_origin

        if self.project is None:
            return ""
        with self.project.engine.connect() as conn:
            return coding_origin(conn, coding_id)

    def _add_close_button(self, index: int, name: str, close: Any) -> None:
        button = QToolButton()
        button.setObjectName("TabClose")
        button.setText("✕")
        button.setToolTip(f"Close {name}")
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.clicked.connect(lambda _checked=False: close())
        self.tabs.tabBar().setTabButton(index, QTabBar.ButtonPosition.RightSide, button)

    def open_workspace(self, widget: QWidget, title: str) -> int:
        """A tab for a workspace (an account, a query…) beside the documents; it is shown at once."""
        if widget not in self._workspaces:
            self._workspaces.append(widget)
            index = self.tabs.addTab(widget, title)
            self.tabs.setTabToolTip(index, title)
            self._add_close_button(index, title, lambda w=widget: self.close_workspace(w))
        self.setCurrentWidget(self.tabs)
        self.tabs.setCurrentWidget(widget)
        return self.tabs.indexOf(widget)

    def close_workspace(self, widget: QWidget) -> None:
        if widget not in self._workspaces:
            return
        self._workspaces.remove(widget)
        self.tabs.removeTab(self.tabs.indexOf(widget))
        widget.close()
        widget.deleteLater()
        self._show_empty_if_nothing_open()

    def workspaces(self) -> list[QWidget]:
        return list(self._workspaces)

    def _show_empty_if_nothing_open(self) -> None:
        if not self._views and not self._workspaces:
            self.setCurrentWidget(self._empty)

    def close_source(self, source_id: int) -> None:
        view = self._views.pop(source_id, None)
        if view is None:
            return
        self.tabs.removeTab(self.tabs.indexOf(view))
        view.deleteLater()
        self._show_empty_if_nothing_open()

    def close_all(self) -> None:
        for source_id in list(self._views):
            self.close_source(source_id)
        for widget in list(self._workspaces):
            self.close_workspace(widget)

    def rename_source(self, source_id: int, name: str) -> None:
        view = self._views.get(source_id)
        if view is not None:
            index = self.tabs.indexOf(view)
            self.tabs.setTabText(index, name)
            self.tabs.setTabToolTip(index, name)

    # -- incremental updates ------------------------------------------------------
    def add_coding(self, source_id: int, span: CodingSpan) -> None:
        view = self._views.get(source_id)
        if view is not None:
            view.add_span(span)

    def remove_coding(self, source_id: int, coding_id: int) -> None:
        view = self._views.get(source_id)
        if view is not None:
            view.remove_span(coding_id)

    def restyle_node(self, node_id: int, name: str | None, color: str | None) -> None:
        """A node was renamed or recoloured: replace its spans in every open view."""
        for view in self._views.values():
            view.add_spans([replace(span, node_name=name or span.node_name, color=color or span.color)
                            for span in view.spans() if span.node_id == node_id])

    def reload_spans(self, source_ids: list[int] | None = None) -> None:
        """Re-read the codings of open documents (all, or those of ``source_ids``)."""
        views = {sid: v for sid, v in self._views.items() if source_ids is None or sid in source_ids}
        if not views:
            return
        with self.project.read_session() as s:
            for source_id, view in views.items():
                view.set_spans([span_from_row(r)
                                for r in coding_ops.spans_for_source(s, source_id, self.shown_coders())])

    # -- handlers -----------------------------------------------------------------
    def _on_tab_close_requested(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if isinstance(widget, DocumentView):
            self.close_source(widget.property("source_id"))
        elif widget in self._workspaces:
            self.close_workspace(widget)

    def _on_current_changed(self, _index: int) -> None:
        self.currentSourceChanged.emit(self.current_source_id())
