"""The flow chart of one account: boxes you can drag, link and edit.

A drag of one or many boxes is saved on release as ONE ``place_fragments``
command, so it is audited and one Undo puts every box back. Shift+drag from
a box to another (or any drag in link mode) links them. The chart redraws
from the project after every change, including Undo and Redo; a change of
the order clears boxes placed by hand, so the chart is laid out again.
The layout (down, across, snake) is a view setting, kept per project and
account in the user's settings.

Run ``python -m qdaapp.gui.narrative.flowchart_view`` for a quick look.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLineF, QPoint, QRectF, QSettings, Qt, Signal
from PySide6.QtGui import QColor, QContextMenuEvent, QKeyEvent, QMouseEvent, QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import (
    QGraphicsLineItem,
    QGraphicsScene,
    QGraphicsView,
    QInputDialog,
    QLabel,
    QMenu,
    QWidget,
)

from qdaapp.core import flowgraph, narrative
from qdaapp.core.errors import NotFound
from qdaapp.gui.read_only import tell_blocked
from qdaapp.render import flowchart

from .common import hint_label, try_run, watch
from .flowchart_items import EdgeItem, FragmentItem, TitleItem

EMPTY_TEXT = ("<b>No fragments yet.</b><br>Add passages from your documents (right-click a selection "
              "▸ <i>Add to account…</i>), then create fragments with <i>New fragment…</i>")
LINK_HINT = "Link mode: drag from a box to the box that follows it. Esc ends link mode."


class FlowchartView(QGraphicsView):
    """The flow chart of account ``account_id``.

    Signals: ``fragmentSelected(id)`` (0 when no single box is selected),
    ``fragmentActivated(id)`` (double-click; the view then opens the fragment
    dialog), ``linkModeChanged(bool)``.
    """

    fragmentSelected = Signal(int)
    fragmentActivated = Signal(int)
    linkModeChanged = Signal(bool)

    def __init__(self, project: Any, account_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.account_id = int(account_id)
        self.layout_mode = self._saved_layout()
        self.fonts = flowchart.fonts()
        self.boxes: dict[int, FragmentItem] = {}
        self.edges: dict[tuple[int, int], EdgeItem] = {}
        self.graph: flowgraph.Graph | None = None
        self.link_mode = False
        self._title: TitleItem | None = None
        self._link_from: FragmentItem | None = None
        self._link_line: QGraphicsLineItem | None = None
        self._fitted = False
        self.setScene(QGraphicsScene(self))
        self.scene().setBackgroundBrush(QColor("white"))
        self.scene().setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.setBackgroundBrush(QColor("white"))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.overlay = hint_label(EMPTY_TEXT)
        self.overlay.setParent(self.viewport())
        self.overlay.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.overlay.setFixedWidth(440)
        self.overlay.hide()
        self.mode_hint = QLabel(LINK_HINT, self.viewport())
        self.mode_hint.setStyleSheet("QLabel { background: #2F6FA3; color: white; border-radius: 4px;"
                                     " padding: 4px 10px; }")
        self.mode_hint.hide()
        self.scene().selectionChanged.connect(self._on_scene_selection_changed)
        watch(project, self, self._on_project_changed)
        self.reload()

    # ------------------------------------------------------------------ loading
    def reload(self) -> None:
        """Re-read the account's graph and update the items in place."""
        try:
            with self.project.read_session() as s:
                graph = flowgraph.account_graph(s, self.account_id, mode=self.layout_mode)
        except NotFound:
            graph = None
        self.graph = graph
        if graph is not None:
            flowchart.fit_heights(graph, self.fonts)
        self._sync(graph)

    def _sync(self, graph: flowgraph.Graph | None) -> None:
        scene = self.scene()
        blocker = scene.blockSignals(True)
        selected = set(self.selected_ids())
        for edge in self.edges.values():
            edge.detach()
            scene.removeItem(edge)
        self.edges.clear()
        boxes = {b.id: b for b in (graph.boxes if graph else [])}
        for fid in [fid for fid in self.boxes if fid not in boxes]:
            scene.removeItem(self.boxes.pop(fid))
        movable = not self.project.read_only
        for box in boxes.values():
            item = self.boxes.get(box.id)
            if item is None:
                item = FragmentItem(box, self.fonts, movable)
                self.boxes[box.id] = item
                scene.addItem(item)
            else:
                item.set_box(box)
            item.setSelected(box.id in selected)
        for e in graph.edges if graph else []:
            a, b = self.boxes.get(e["from"]), self.boxes.get(e["to"])
            if a is not None and b is not None:
                edge = EdgeItem(a, b, e, self.fonts)
                self.edges[edge.key] = edge
                scene.addItem(edge)
        if self._title is not None:
            scene.removeItem(self._title)
            self._title = None
        if graph is not None and graph.boxes:
            self._title = TitleItem(graph.title, graph.width, self.fonts)
            scene.addItem(self._title)
        scene.blockSignals(blocker)
        self._update_scene_rect()
        self.overlay.setVisible(not self.boxes)
        self._place_overlays()
        if selected != set(self.selected_ids()):
            self._on_scene_selection_changed()

    def _update_scene_rect(self) -> None:
        rect = self.scene().itemsBoundingRect() if self.boxes else QRectF(0, 0, 400, 300)
        self.scene().setSceneRect(rect.adjusted(-60, -40, 60, 60))

    def set_empty_text(self, html: str) -> None:
        self.overlay.setText(html)
        self._place_overlays()

    # ------------------------------------------------------------------ selection
    def selected_ids(self) -> list[int]:
        """Selected boxes, in the account's sequence order."""
        order = {b.id: i for i, b in enumerate(self.graph.boxes)} if self.graph else {}
        ids = [i.fragment_id for i in self.scene().selectedItems() if isinstance(i, FragmentItem)]
        return sorted(ids, key=lambda fid: order.get(fid, 0))

    def selected_edges(self) -> list[tuple[int, int]]:
        return [i.key for i in self.scene().selectedItems() if isinstance(i, EdgeItem)]

    def select_fragment(self, fragment_id: int, center: bool = True) -> None:
        item = self.boxes.get(fragment_id)
        if item is None or (item.isSelected() and len(self.scene().selectedItems()) == 1):
            return
        self.scene().clearSelection()
        item.setSelected(True)
        if center:
            self.ensureVisible(item, 40, 40)

    def _on_scene_selection_changed(self) -> None:
        ids = self.selected_ids()
        self.fragmentSelected.emit(ids[0] if len(ids) == 1 else 0)

    # ------------------------------------------------------------------ commands
    def commit_moves(self) -> bool:
        """Save every box moved since the last save as one ``place_fragments`` command."""
        moved = [item for item in self.boxes.values() if item.moved()]
        if not moved:
            return False
        positions = {item.fragment_id: (item.pos().x(), item.pos().y()) for item in moved}
        done, _ = try_run(self, self.project, narrative.place_fragments, positions)
        if not done:
            for item in moved:
                item.setPos(item.box.x, item.box.y)
            return False
        for item in moved:
            item.box.x, item.box.y, item.box.saved = item.pos().x(), item.pos().y(), True
        self._update_scene_rect()
        return True

    def auto_layout(self) -> bool:
        """Put every box placed by hand back in the automatic layout (one undoable command)."""
        placed = {fid: None for fid, item in self.boxes.items() if item.box.saved}
        if not placed:
            return False
        done, _ = try_run(self, self.project, narrative.place_fragments, placed)
        if done:
            self.fit_to_window()
        return done

    def set_layout_mode(self, mode: str) -> None:
        """Lay the chart out top to bottom (``down``), left to right (``across``) or in rows that wrap.

        Choosing a layout asks for a re-layout: boxes moved by hand (whose
        places were chosen for the old one) go back into it, as one undoable
        command; a read-only project just shows them where they are.
        """
        if mode not in flowgraph.LAYOUTS:
            raise ValueError(mode)
        if mode != self.layout_mode:
            self.layout_mode = mode
            QSettings().setValue(self._settings_key(), mode)
            if self.project.read_only or not self.auto_layout():
                self.reload()
            self.fit_to_window()

    def _settings_key(self) -> str:
        return f"flowchart/layout/{getattr(self.project, 'path', '')}/{self.account_id}"

    def _saved_layout(self) -> str:
        mode = QSettings().value(self._settings_key(), "down")
        return mode if mode in flowgraph.LAYOUTS else "down"

    def link(self, from_id: int, to_id: int, label: str = "") -> bool:
        return try_run(self, self.project, narrative.link_fragments, from_id, to_id, label=label)[0]

    def unlink(self, from_id: int, to_id: int) -> bool:
        return try_run(self, self.project, narrative.unlink_fragments, from_id, to_id)[0]

    def relabel_link(self, from_id: int, to_id: int, label: str) -> bool:
        """Give a link a new label (the link is removed and made again with the label)."""
        edge = self.edges.get((from_id, to_id))
        if edge is None or edge.label == label.strip():
            return False
        return self.unlink(from_id, to_id) and self.link(from_id, to_id, label.strip())

    def ask_link_label(self, from_id: int, to_id: int) -> None:
        edge = self.edges.get((from_id, to_id))
        current = edge.label if edge else ""
        label, ok = QInputDialog.getText(self, "Label the link", "Label shown on the arrow (leave empty for none):",
                                         text=current)
        if ok:
            self.relabel_link(from_id, to_id, label)

    def edit_fragment(self, fragment_id: int) -> None:
        from .fragment_dialog import FragmentDialog

        FragmentDialog(self.project, self.account_id, fragment_id=fragment_id, parent=self).exec()

    def new_fragment(self) -> None:
        from .fragment_dialog import FragmentDialog

        FragmentDialog(self.project, self.account_id, parent=self).exec()

    def delete_fragments(self, ids: list[int]) -> None:
        from qdaapp.gui.dialogs.reason import ask_reason

        if not ids:
            return
        what = "the fragment" if len(ids) == 1 else f"{len(ids)} fragments"
        answer = ask_reason(self, "fragment.delete", f"Delete {what} from the flow chart?", "Delete",
                            details="The passages and codings stay; Edit ▸ Undo brings them back.", destructive=True)
        if answer is not None:
            for fid in ids:
                if not try_run(self, self.project, narrative.delete_fragment, fid, reason=answer.reason)[0]:
                    break

    def set_link_mode(self, on: bool) -> None:
        on = bool(on) and not self.project.read_only
        if on != self.link_mode:
            self.link_mode = on
            self.setDragMode(QGraphicsView.DragMode.NoDrag if on else QGraphicsView.DragMode.RubberBandDrag)
            self.mode_hint.setVisible(on)
            self._place_overlays()
            self.linkModeChanged.emit(on)

    # ------------------------------------------------------------------ zoom
    def fit_to_window(self, max_scale: float = 1.0, width_only: bool = False) -> None:
        """Show the whole chart (or its full width, from the top), never enlarged beyond ``max_scale``."""
        rect = self.scene().itemsBoundingRect().adjusted(-24, -24, 24, 24)
        if rect.isEmpty() or self.viewport().width() < 50:
            return
        self.resetTransform()
        scale = min(self.viewport().width() / rect.width(), max_scale)
        if not width_only:
            scale = min(scale, self.viewport().height() / rect.height())
        self.scale(scale, scale)
        self.centerOn(rect.center().x(), rect.top() + self.viewport().height() / (2 * scale))

    def zoom_by(self, factor: float) -> None:
        current = self.transform().m11()
        factor = max(0.15 / current, min(factor, 3.0 / current))
        self.scale(factor, factor)

    # ------------------------------------------------------------------ events
    def _fragment_at(self, pos: QPoint) -> FragmentItem | None:
        for item in self.items(pos):
            if isinstance(item, FragmentItem):
                return item
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        item = self._fragment_at(event.position().toPoint())
        if (event.button() == Qt.MouseButton.LeftButton and item is not None and (self.link_mode or shift)
                and not self.project.read_only):
            self._link_from = item
            centre = item.scene_rect().center()
            self._link_line = QGraphicsLineItem(QLineF(centre, centre))
            self._link_line.setPen(QPen(QColor("#2F6FA3"), 1.5, Qt.PenStyle.DashLine))
            self._link_line.setZValue(10)
            self.scene().addItem(self._link_line)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._link_line is not None and self._link_from is not None:
            line = self._link_line.line()
            line.setP2(self.mapToScene(event.position().toPoint()))
            self._link_line.setLine(line)
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._link_from is not None:
            source, self._link_from = self._link_from, None
            if self._link_line is not None:
                self.scene().removeItem(self._link_line)
                self._link_line = None
            target = self._fragment_at(event.position().toPoint())
            if target is not None and target is not source:
                self.link(source.fragment_id, target.fragment_id)
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            self.commit_moves()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        item = self.itemAt(event.position().toPoint())
        if isinstance(item, FragmentItem):
            self.fragmentActivated.emit(item.fragment_id)
            self.edit_fragment(item.fragment_id)
        elif isinstance(item, EdgeItem) and not self.project.read_only:
            self.ask_link_label(*item.key)
        else:
            super().mouseDoubleClickEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            event.accept()
        else:
            super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape and self.link_mode:
            self.set_link_mode(False)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.project.read_only:
            tell_blocked(self, self.project, "Delete")
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            edges = self.selected_edges()
            for a, b in edges:
                self.unlink(a, b)
            if not edges:
                self.delete_fragments(self.selected_ids())
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and len(self.selected_ids()) == 1:
            self.edit_fragment(self.selected_ids()[0])
        else:
            super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        item = self.itemAt(event.pos())
        menu = QMenu(self)
        writable = not self.project.read_only
        if isinstance(item, EdgeItem):
            a, b = item.key
            menu.addAction("Set label…", lambda: self.ask_link_label(a, b)).setEnabled(writable)
            menu.addAction("Remove link", lambda: self.unlink(a, b)).setEnabled(writable)
        elif isinstance(item, FragmentItem):
            self._fill_box_menu(menu, item.fragment_id, writable)
        else:
            menu.addAction("New fragment…", self.new_fragment).setEnabled(writable)
            menu.addAction("Auto layout", self.auto_layout).setEnabled(writable and bool(self.boxes))
            menu.addAction("Fit to window", self.fit_to_window)
        menu.exec(event.globalPos())

    def _fill_box_menu(self, menu: QMenu, fid: int, writable: bool) -> None:
        menu.addAction("Edit fragment…", lambda: self.edit_fragment(fid))
        numbers = {b.id: i + 1 for i, b in enumerate(self.graph.boxes)} if self.graph else {}
        link_to = menu.addMenu("Link to")
        for other in self.graph.boxes if self.graph else []:
            if other.id != fid and (fid, other.id) not in self.edges:
                text = f"{numbers[other.id]}. {other.summary[:48]}{'…' if len(other.summary) > 48 else ''}"
                link_to.addAction(text, lambda o=other.id: self.link(fid, o))
        link_to.setEnabled(writable and not link_to.isEmpty())
        unlink = menu.addMenu("Remove link to")
        for a, b in self.edges:
            if a == fid:
                unlink.addAction(f"{numbers.get(b, '?')}. {self.boxes[b].box.summary[:48]}",
                                 lambda t=b: self.unlink(fid, t))
        unlink.setEnabled(writable and not unlink.isEmpty())
        menu.addSeparator()
        menu.addAction("Delete fragment…", lambda: self.delete_fragments([fid])).setEnabled(writable)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._place_overlays()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._fitted and self.boxes:
            self._fitted = True
            self.fit_to_window(width_only=True)

    def _place_overlays(self) -> None:
        size = self.viewport().size()
        self.overlay.adjustSize()
        self.overlay.move(max(8, (size.width() - self.overlay.width()) // 2),
                          max(8, (size.height() - self.overlay.height()) // 3))
        self.mode_hint.adjustSize()
        self.mode_hint.move(max(4, (size.width() - self.mode_hint.width()) // 2), 8)

    def _on_project_changed(self, change: Any) -> None:
        if self._link_from is None:
            self.reload()


if __name__ == "__main__":
    from .demo import quick_look

    quick_look(lambda project, account_id: FlowchartView(project, account_id), "flowchart")
