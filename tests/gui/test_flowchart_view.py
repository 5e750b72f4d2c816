"""The flow chart: boxes and arrows from the project, drags saved as one command, links."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from sqlalchemy import func, select

from qdaapp.core import narrative
from qdaapp.core.models import AuditEvent
from qdaapp.gui.narrative.flowchart_view import FlowchartView

from .test_account_workspace import make_account, own_settings  # noqa: F401  (autouse fixture)


def _events(project, action: str) -> int:
    with project.read_session() as s:
        return s.scalar(select(func.count()).where(AuditEvent.action == action))


def _view(qtbot, project, account):
    view = FlowchartView(project, account)
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    qtbot.waitExposed(view)
    view.resetTransform()
    return view


def _send(view, kind: QEvent.Type, scene_pos: QPointF, button=Qt.MouseButton.LeftButton,
          buttons=Qt.MouseButton.LeftButton, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    pos = QPointF(view.mapFromScene(scene_pos))
    event = QMouseEvent(kind, pos, QPointF(view.viewport().mapToGlobal(pos.toPoint())), button, buttons, modifiers)
    if kind == QEvent.Type.MouseButtonPress:
        view.mousePressEvent(event)
    elif kind == QEvent.Type.MouseMove:
        view.mouseMoveEvent(event)
    else:
        view.mouseReleaseEvent(event)


def test_boxes_and_arrows_follow_the_project(qtbot, project) -> None:
    account, (f1, f2, f3) = make_account(project)
    view = _view(qtbot, project, account)
    assert set(view.boxes) == {f1, f2, f3}
    assert set(view.edges) == {(f1, f2), (f2, f3)}
    assert view.boxes[f1].pos().y() < view.boxes[f2].pos().y() < view.boxes[f3].pos().y()
    f4 = project.run(narrative.add_fragment, account, "It was written up.", act="performance")
    assert f4 in view.boxes and (f3, f4) in view.edges
    project.run(narrative.delete_fragment, f4)
    assert f4 not in view.boxes and (f3, f4) not in view.edges


def test_dragging_boxes_is_one_command_and_undo_puts_them_back(qtbot, project) -> None:
    account, (f1, f2, f3) = make_account(project)
    view = _view(qtbot, project, account)
    start = {fid: QPointF(item.pos()) for fid, item in view.boxes.items()}
    before = _events(project, "fragment.place")
    view.boxes[f1].setSelected(True)
    view.boxes[f2].setSelected(True)
    view.boxes[f1].moveBy(150, 10)
    view.boxes[f2].moveBy(150, 10)
    edge = view.edges[(f1, f2)]
    assert edge.boundingRect().right() > 150  # the arrow followed the boxes
    assert view.commit_moves()
    assert _events(project, "fragment.place") == before + 1
    assert not view.commit_moves()  # nothing more to save
    with project.read_session() as s:
        from qdaapp.core.flowgraph import account_graph

        saved = {b.id: (b.x, b.y, b.saved) for b in account_graph(s, account).boxes}
    assert saved[f1][:2] == (start[f1].x() + 150, start[f1].y() + 10) and saved[f1][2]
    assert not saved[f3][2]
    project.undo()
    assert view.boxes[f1].pos() == start[f1] and view.boxes[f2].pos() == start[f2]


def test_mouse_drag_on_the_view_saves_once(qtbot, project) -> None:
    account, (_f1, _f2, f3) = make_account(project)
    view = _view(qtbot, project, account)
    item = view.boxes[f3]
    origin = QPointF(item.pos())
    grip = item.scene_rect().center()
    before = _events(project, "fragment.place")
    _send(view, QEvent.Type.MouseButtonPress, grip)
    for step in range(1, 6):
        _send(view, QEvent.Type.MouseMove, grip + QPointF(20 * step, 8 * step), Qt.MouseButton.NoButton)
    _send(view, QEvent.Type.MouseButtonRelease, grip + QPointF(100, 40), buttons=Qt.MouseButton.NoButton)
    assert _events(project, "fragment.place") == before + 1
    moved = view.boxes[f3].pos()
    assert abs(moved.x() - origin.x() - 100) < 2 and abs(moved.y() - origin.y() - 40) < 2
    project.undo()
    assert view.boxes[f3].pos() == origin


def test_shift_drag_links_and_edges_can_be_relabelled_and_removed(qtbot, project) -> None:
    account, (f1, f2, f3) = make_account(project)
    view = _view(qtbot, project, account)
    shift = Qt.KeyboardModifier.ShiftModifier
    a, c = view.boxes[f1].scene_rect().center(), view.boxes[f3].scene_rect().center()
    _send(view, QEvent.Type.MouseButtonPress, a, modifiers=shift)
    _send(view, QEvent.Type.MouseMove, (a + c) / 2, Qt.MouseButton.NoButton, modifiers=shift)
    _send(view, QEvent.Type.MouseButtonRelease, c, buttons=Qt.MouseButton.NoButton, modifiers=shift)
    assert (f1, f3) in view.edges
    assert view.boxes[f1].pos() == QPointF(view.boxes[f1].box.x, view.boxes[f1].box.y)  # no move
    assert view.relabel_link(f1, f3, "shortcut")
    assert view.edges[(f1, f3)].label == "shortcut"
    view.edges[(f1, f3)].setSelected(True)
    assert view.selected_edges() == [(f1, f3)]
    assert view.unlink(f1, f3)
    assert (f1, f3) not in view.edges
    view.set_link_mode(True)
    b = view.boxes[f2].scene_rect().center()
    _send(view, QEvent.Type.MouseButtonPress, c)
    _send(view, QEvent.Type.MouseButtonRelease, a, buttons=Qt.MouseButton.NoButton)
    assert (f3, f1) in view.edges
    view.set_link_mode(False)
    assert b.y() > 0


def test_auto_layout_is_one_undoable_command(qtbot, project) -> None:
    account, (_f1, f2, _f3) = make_account(project)
    view = _view(qtbot, project, account)
    auto = {fid: QPointF(item.pos()) for fid, item in view.boxes.items()}
    project.run(narrative.place_fragments, {f2: (900.0, 600.0)})
    assert view.boxes[f2].pos() == QPointF(900, 600)
    before = _events(project, "fragment.place")
    assert view.auto_layout()
    assert _events(project, "fragment.place") == before + 1
    assert {fid: item.pos() for fid, item in view.boxes.items()} == auto
    assert not any(item.box.saved for item in view.boxes.values())
    assert not view.auto_layout()  # nothing placed by hand any more
    project.undo()
    assert view.boxes[f2].pos() == QPointF(900, 600)


def _joins(edge, view) -> bool:
    """The arrow starts on its source box's border and ends on its target's."""
    def on_border(point, item) -> bool:
        r = item.scene_rect()
        x, y = point
        inside = r.left() - 0.5 <= x <= r.right() + 0.5 and r.top() - 0.5 <= y <= r.bottom() + 0.5
        return inside and min(abs(x - r.left()), abs(x - r.right()), abs(y - r.top()), abs(y - r.bottom())) < 0.5
    a, b = edge.key
    return on_border(edge.points[0], view.boxes[a]) and on_border(edge.points[-1], view.boxes[b])


def test_layout_choice_lays_the_chart_out_and_is_remembered(qtbot, project) -> None:
    account, (f1, f2, f3) = make_account(project)
    project.run(narrative.link_fragments, f3, f1, label="again")
    view = _view(qtbot, project, account)
    view.set_layout_mode("across")
    tops = {item.pos().y() for item in view.boxes.values()}
    assert len(tops) == 1 and view.boxes[f1].pos().x() < view.boxes[f2].pos().x() < view.boxes[f3].pos().x()
    assert len({(i.box.width, i.box.height) for i in view.boxes.values()}) == 1
    assert all(_joins(edge, view) for edge in view.edges.values())
    back = view.edges[(f3, f1)]
    assert len(back.points) == 4 and min(y for _, y in back.points) < min(tops)  # around, above the row
    assert FlowchartView(project, account).layout_mode == "across"  # the next view opens as it was left
    project.run(narrative.place_fragments, {f2: (900.0, 600.0)})
    view.set_layout_mode("down")  # a new layout puts the box moved by hand back in it
    assert view.boxes[f1].pos().y() < view.boxes[f2].pos().y() < view.boxes[f3].pos().y()
    assert view.boxes[f2].pos().x() == view.boxes[f1].pos().x() and not view.boxes[f2].box.saved
    assert all(_joins(edge, view) for edge in view.edges.values())


def test_ctrl_wheel_zooms_and_fit(qtbot, project) -> None:
    account, _ = make_account(project)
    view = _view(qtbot, project, account)
    pos = QPointF(200, 200)
    wheel = QWheelEvent(pos, QPointF(view.mapToGlobal(QPoint(200, 200))), QPoint(0, 0), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    view.wheelEvent(wheel)
    assert view.transform().m11() > 1.1
    view.fit_to_window()
    assert view.transform().m11() <= 1.0


def test_empty_account_says_what_to_do(qtbot, project) -> None:
    account = project.run(narrative.create_account, "Nothing yet")
    view = _view(qtbot, project, account)
    assert not view.boxes and view.overlay.isVisible()
    assert "Add passages from your documents" in view.overlay.text()
