"""The document view: selection, highlights, stripes, offsets (pytest-qt)."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent, QMouseEvent, QTextCursor, QWheelEvent
from PySide6.QtWidgets import QApplication

from qdaapp.core.layers import CodingSpan
from qdaapp.core.text import OffsetMap
from qdaapp.gui.views.document_view import NODES_PROPERTY, SPAN_MIME, DocumentView

TEXT = (
    "Researcher: How did it start? 😀\n"
    "Ana: It started in the square 𝄞 after the eviction. We promised each other "
    "that nobody would face the bailiffs alone.\n"
    "Researcher: And the council?\n"
    "Ana: The council tried to buy us off with a small grant.\n"
)


def turns_of(text: str) -> list[tuple[int, int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        if ":" in line:
            out.append((pos, pos + len(line), line.split(":", 1)[0]))
        pos += len(line) + 1
    return out


TURNS = turns_of(TEXT)


def span(cid: int, start: int, end: int, node: int = 1, name: str = "Trust", coder: str = "ana") -> CodingSpan:
    colors = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7"]
    return CodingSpan(cid, start, end, node, name, colors[node % len(colors)], coder)


@pytest.fixture
def view(qtbot) -> DocumentView:
    v = DocumentView()
    qtbot.addWidget(v)
    v.resize(1000, 700)
    v.show()
    qtbot.waitExposed(v)
    return v


def u16(text: str, cp: int) -> int:
    return OffsetMap.for_text(text).to_utf16(cp)


def char_point(view: DocumentView, cp: int) -> QPoint:
    """Viewport point in the middle of the character at code point ``cp``."""
    edit = view.text_edit
    a = QTextCursor(edit.document())
    a.setPosition(u16(view.text(), cp))
    b = QTextCursor(edit.document())
    b.setPosition(u16(view.text(), cp + 1))
    ra, rb = edit.cursorRect(a), edit.cursorRect(b)
    return QPoint((ra.center().x() + rb.center().x()) // 2, ra.center().y())


def highlighted_nodes(view: DocumentView) -> dict[int, frozenset[int]]:
    """Code point -> node ids, read back from the block layouts' formats."""
    omap = OffsetMap.for_text(view.text())
    out: dict[int, frozenset[int]] = {}
    block = view.text_edit.document().firstBlock()
    while block.isValid():
        for fr in block.layout().formats():
            value = fr.format.property(NODES_PROPERTY)
            if not value:
                continue
            nodes = frozenset(int(x) for x in str(value).split(","))
            for unit in range(block.position() + fr.start, block.position() + fr.start + fr.length):
                cp = omap.to_codepoint(unit)
                assert out.get(cp, nodes) == nodes  # both halves of a pair agree
                out[cp] = nodes
        block = block.next()
    return out


def expected_nodes(text: str, spans: list[CodingSpan]) -> dict[int, frozenset[int]]:
    out: dict[int, frozenset[int]] = {}
    for cp, ch in enumerate(text):
        if ch == "\n":
            continue  # a block separator carries no character format
        nodes = frozenset(s.node_id for s in spans if s.start <= cp < s.end)
        if nodes:
            out[cp] = nodes
    return out


def test_selection_in_code_points(view: DocumentView, qtbot) -> None:
    view.set_document(TEXT, [])
    start = TEXT.index("It started")
    end = TEXT.index(" after")
    cursor = QTextCursor(view.text_edit.document())
    cursor.setPosition(u16(TEXT, start))
    cursor.setPosition(u16(TEXT, end), QTextCursor.MoveMode.KeepAnchor)
    with qtbot.waitSignal(view.spanSelected) as blocker:
        view.text_edit.setTextCursor(cursor)
    assert blocker.args == [start, end]
    assert view.selected_span() == (start, end)
    assert TEXT[start:end].endswith("𝄞")
    with qtbot.waitSignal(view.spanSelected) as blocker:
        cursor.clearSelection()
        view.text_edit.setTextCursor(cursor)
    assert blocker.args[0] == blocker.args[1]
    assert view.selected_span() is None


def test_mouse_selection(view: DocumentView, qtbot) -> None:
    view.set_document(TEXT, [], turns=TURNS)
    start = TEXT.index("promised")
    end = TEXT.index(" each")
    viewport = view.text_edit.viewport()
    a, b = char_point(view, start), char_point(view, end - 1)
    b.setX(b.x() + 3)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=a - QPoint(2, 0))
    move = QMouseEvent(
        QEvent.Type.MouseMove, QPointF(b), QPointF(viewport.mapToGlobal(b)),
        Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(viewport, move)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=b)
    assert view.selected_span() == (start, end)


def test_add_click_and_remove_a_stripe(view: DocumentView, qtbot) -> None:
    view.set_document(TEXT, [span(1, 0, 20, node=2, name="Doubt")], turns=TURNS)
    target = span(7, TEXT.index("We promised"), TEXT.index("Researcher: And") - 1, node=3, name="Trust")
    view.add_span(target)
    assert view.lane_of(7) is not None
    rects = view.stripe_rects()
    assert 7 in rects and 1 in rects
    margin = view.stripe_margin
    assert margin.tooltip_text_at(rects[7].center()) == "Trust — ana"
    with qtbot.waitSignal(view.stripeClicked) as blocker:
        qtbot.mouseClick(margin, Qt.MouseButton.LeftButton, pos=rects[7].center())
    assert blocker.args == [7]
    assert view.selected_span() == (target.start, target.end)
    view.remove_span(7)
    assert 7 not in view.stripe_rects()
    assert view.lane_of(7) is None
    view.remove_span(7)  # unknown ids are ignored


def test_overlapping_codings_get_separate_lanes(view: DocumentView) -> None:
    spans = [span(1, 0, 60, node=1), span(2, 30, 90, node=2), span(3, 100, 140, node=1)]
    view.set_document(TEXT, spans)
    assert view.lane_of(1) == view.lane_of(3) != view.lane_of(2)
    rects = view.stripe_rects()
    assert rects[1].x() != rects[2].x()
    assert rects[1].x() == rects[3].x()


def test_stripes_line_up_with_the_text(view: DocumentView) -> None:
    start = TEXT.index("Ana: The council")
    view.set_document(TEXT, [span(1, start, start + 10)])
    rect = view.stripe_rects()[1]
    line = view.text_edit.cursorRect(QTextCursor(view.text_edit.document().findBlock(u16(TEXT, start))))
    assert abs(rect.center().y() - line.center().y()) <= line.height()


def test_adding_a_coding_rehighlights_only_its_blocks(view: DocumentView) -> None:
    text = "\n".join(f"Paragraph {i} with some words in it." for i in range(200))
    view.set_document(text, [span(i, i * 40, i * 40 + 25, node=i % 3) for i in range(150)])
    counter = view._highlighter
    counter.blocks_highlighted = 0
    start = text.index("Paragraph 10 ")
    view.add_span(span(999, start, text.index("Paragraph 12 ") + 5, node=4))
    assert 1 <= counter.blocks_highlighted <= 3
    counter.blocks_highlighted = 0
    view.remove_span(999)
    assert 1 <= counter.blocks_highlighted <= 3
    assert highlighted_nodes(view) == expected_nodes(text, view.spans())


def test_opening_tints_each_block_once(view: DocumentView) -> None:
    text = "\n".join(f"Ana: paragraph {i} with some words in it." for i in range(300))
    spans = [span(i, i * 40, i * 40 + 25, node=i % 3) for i in range(250)]
    view._highlighter.blocks_highlighted = 0
    view.set_document(text, spans, turns=turns_of(text))
    assert view._highlighter.blocks_highlighted == view.text_edit.document().blockCount() == 300
    assert highlighted_nodes(view) == expected_nodes(text, spans)


def test_rereading_codings_redraws_only_what_changed(view: DocumentView) -> None:
    text = "\n".join(f"Paragraph {i} with some words in it." for i in range(200))
    spans = [span(i, i * 40, i * 40 + 25, node=i % 3) for i in range(150)]
    view.set_document(text, spans)
    counter = view._highlighter
    counter.blocks_highlighted = 0
    at = text.index("Paragraph 50 ")
    moved = span(3, at, at + 30, node=3)  # coding 3 now elsewhere, at a new node
    now = [s for s in spans if s.coding_id not in (3, 7)] + [moved, span(500, at + 100, at + 180, node=1)]
    view.set_spans(now)
    assert 1 <= counter.blocks_highlighted <= 8  # the blocks of codings 3 (old and new place), 7 and 500
    assert sorted(view.spans(), key=lambda s: s.coding_id) == sorted(now, key=lambda s: s.coding_id)
    assert highlighted_nodes(view) == expected_nodes(text, now)
    assert set(view.stripe_rects()) >= {s.coding_id for s in now if s.start < 600}


def test_a_coding_that_needs_a_new_lane_does_not_move_the_text(view: DocumentView) -> None:
    view.set_document(TEXT, [span(1, 0, 60, node=1)], turns=TURNS)
    left = view.text_edit.viewportMargins().left()
    lanes = view.stripe_margin.lanes_shown
    view.add_span(span(2, 30, 90, node=2))  # overlaps coding 1: a second lane
    assert view.stripe_margin.lanes_shown == lanes + 1
    assert view.text_edit.viewportMargins().left() == left
    rects = view.stripe_rects()
    assert rects[1].x() != rects[2].x() and rects[2].right() < view.stripe_margin.width()


def test_speaker_labels_are_bold_and_keep_their_tint(view: DocumentView) -> None:
    view.set_document(TEXT, [span(1, 0, 40)], turns=TURNS)
    block = view.text_edit.document().firstBlock()
    bold = [
        (fr.start, fr.length, fr.format.property(NODES_PROPERTY))
        for fr in block.layout().formats()
        if fr.format.fontWeight() > 500
    ]
    assert bold == [(0, len("Researcher:"), "1")]
    second = block.next()
    labels = [fr for fr in second.layout().formats() if fr.format.fontWeight() > 500]
    assert [(fr.start, fr.length) for fr in labels] == [(0, len("Ana:"))]


def test_drag_carries_the_span(view: DocumentView, qtbot, monkeypatch) -> None:
    view.set_document(TEXT, [])
    start = TEXT.index("square")
    end = TEXT.index(" after")
    view.select_span(start, end)
    mime = view.text_edit.createMimeDataFromSelection()
    assert mime.hasFormat(SPAN_MIME)
    assert json.loads(bytes(mime.data(SPAN_MIME)).decode()) == {"start": start, "end": end}
    assert mime.text() == TEXT[start:end]

    # A press inside the selection followed by a move starts Qt's drag.
    made = []
    original = type(view.text_edit).createMimeDataFromSelection
    monkeypatch.setattr(
        type(view.text_edit), "createMimeDataFromSelection", lambda self: made.append(1) or original(self)
    )
    viewport = view.text_edit.viewport()
    p = char_point(view, start + 2)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=p)
    far = p + QPoint(60, 50)
    move = QMouseEvent(
        QEvent.Type.MouseMove, QPointF(far), QPointF(viewport.mapToGlobal(far)),
        Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(viewport, move)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=far)
    assert made


def test_context_menu_and_code_request(view: DocumentView, qtbot) -> None:
    view.set_document(TEXT, [])
    with qtbot.assertNotEmitted(view.codeRequested):
        view.request_code()
    view.select_span(5, 12)
    with qtbot.waitSignal(view.codeRequested):
        view.request_code()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(10, 10), QPoint(300, 200))
    with qtbot.waitSignal(view.contextMenuForSelection) as blocker:
        view.text_edit.contextMenuEvent(event)
    assert blocker.args == [QPoint(300, 200), 5, 12]


def test_select_span_scrolls_and_scroll_to(view: DocumentView) -> None:
    text = "\n".join(f"Line {i} of a long interview transcript." for i in range(400))
    view.set_document(text, [])
    bar = view.text_edit.verticalScrollBar()
    target = text.index("Line 300 ")
    view.select_span(target, target + 8)
    assert bar.value() > 0
    assert view.selected_span() == (target, target + 8)
    view.scroll_to(0)
    assert bar.value() == 0


def test_page_numbers_take_a_gutter(view: DocumentView) -> None:
    view.set_document(TEXT, [span(1, 0, 30)], page_starts=[0, 100])
    assert view.stripe_margin.gutter_width > 0
    assert not view.grab().isNull()
    view.set_document(TEXT, [span(1, 0, 30)])
    assert view.stripe_margin.gutter_width == 0


def test_two_thousand_codings_paint(view: DocumentView) -> None:
    rng = random.Random(3)
    words = ["we", "said", "the", "council", "trust", "assembly", "housing", "promise", "people", "time", "😀", "𝄞"]
    lines = ["Ana: " + " ".join(rng.choice(words) for _ in range(rng.randint(10, 90))) for _ in range(250)]
    text = "\n".join(lines)
    # Ten nodes, each coding ~90% of the text in 200 codings: ~9 layers.
    spans, cid = [], 0
    step = len(text) // 200
    for node in range(10):
        for k in range(200):
            cid += 1
            a = k * step + node * 7
            spans.append(span(cid, a, min(len(text), a + int(step * 0.9)), node=node, name=f"Node {node}"))
    view.set_document(text, spans, page_starts=[0, len(text) // 2])
    assert not view.grab().isNull()
    assert view.stripe_rects()
    assert view.stripe_margin.lanes_shown == 10
    assert not view.stripe_margin.compact
    view.scroll_to(len(text) // 2)
    view.add_span(span(5000, len(text) // 2, len(text) // 2 + 300, node=3))
    assert 5000 in view.stripe_rects()
    assert not view.grab().isNull()
    assert highlighted_nodes(view) == expected_nodes(text, view.spans())


def test_too_many_lanes_are_narrowed_not_spilled(view: DocumentView) -> None:
    rng = random.Random(5)
    text = "\n".join("Ana: " + "word " * rng.randint(5, 60) for _ in range(200))
    spans = []
    for cid in range(1, 2001):
        a = rng.randrange(len(text) - 50)
        spans.append(span(cid, a, min(len(text), a + rng.randint(20, 600)), node=cid % 10))
    view.set_document(text, spans)
    margin = view.stripe_margin
    assert margin.compact
    assert margin.width() <= margin.max_width
    assert view.text_edit.viewport().width() > 300
    assert view.stripe_rects()
    assert not view.grab().isNull()


ALPHABET = st.sampled_from(list("ab e\n") + ["😀", "𝄞", "\u0301", "\u0308", "中", "é", "🇺", "🇸"])


@st.composite
def documents(draw):
    text = "".join(draw(st.lists(ALPHABET, min_size=1, max_size=60)))
    n = len(text)
    spans = []
    for cid in range(1, draw(st.integers(0, 8)) + 1):
        a, b = draw(st.integers(0, n)), draw(st.integers(0, n))
        spans.append(span(cid, min(a, b), max(a, b), node=draw(st.integers(1, 4))))
    sel = sorted((draw(st.integers(0, n)), draw(st.integers(0, n))))
    return text, spans, sel


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents())
def test_offsets_survive_astral_and_combining_text(view: DocumentView, doc) -> None:
    text, spans, (s, e) = doc
    view.set_document(text, spans[: len(spans) // 2])
    for extra in spans[len(spans) // 2 :]:
        view.add_span(extra)
    qdoc = view.text_edit.document()
    assert qdoc.characterCount() - 1 == OffsetMap.for_text(text).utf16_length()
    assert highlighted_nodes(view) == expected_nodes(text, spans)
    view.select_span(s, e)
    assert view.selected_span() == ((s, e) if s < e else None)
    if spans:
        view.remove_span(spans[0].coding_id)
        assert highlighted_nodes(view) == expected_nodes(text, spans[1:])


def test_wheel_over_the_margin_scrolls_the_text(view: DocumentView) -> None:
    view.set_document("\n".join(f"Line {i}" for i in range(300)), [span(1, 0, 50)])
    margin = view.stripe_margin
    event = QWheelEvent(
        QPointF(20, 20), QPointF(margin.mapToGlobal(QPoint(20, 20))), QPoint(0, 0), QPoint(0, -120),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    QApplication.sendEvent(margin, event)
    assert view.text_edit.verticalScrollBar().value() > 0
