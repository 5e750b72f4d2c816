"""Find in document: Ctrl+F, Enter / Shift+Enter, F3, match count, code-point offsets (pytest-qt)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from qdaapp.gui.views.document_view import DocumentView
from qdaapp.gui.views.find_bar import find_all

from .test_document_view import TEXT, TURNS, highlighted_nodes, span, u16, view  # noqa: F401 (fixture)
from .test_main_window import make_window, messages, settings  # noqa: F401 (fixtures)


def activate(qtbot, view: DocumentView) -> None:
    """Shortcuts (Ctrl+F, F3) need the window to be active and the focus in the view."""
    with qtbot.waitActive(view):
        view.activateWindow()
    view.text_edit.setFocus()


def type_query(qtbot, view: DocumentView, text: str) -> None:
    """Type into the find field and wait for the search that follows a pause in typing."""
    qtbot.keyClicks(view.find_bar.field, text)
    qtbot.waitUntil(lambda: view.find_bar.count.text() != "", timeout=2000)


def occurrences(text: str, word: str) -> list[tuple[int, int]]:
    lower, out, i = text.lower(), [], text.lower().find(word.lower())
    while i != -1:
        out.append((i, i + len(word)))
        i = lower.find(word.lower(), i + len(word))
    return out


def test_ctrl_f_then_enter_twice_selects_the_second_match(view: DocumentView, qtbot) -> None:
    view.set_document(TEXT, [], turns=TURNS)
    activate(qtbot, view)
    assert view.find_bar.isHidden()
    qtbot.keyClick(view.text_edit, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = view.find_bar
    assert bar.isVisible() and bar.field.hasFocus()
    type_query(qtbot, view, "the")
    found = occurrences(TEXT, "the")  # "the square", "The council", "other", ...
    assert len(found) >= 4
    assert bar.count.text() == f"{len(found)} matches" and view.selected_span() is None  # typing only marks
    assert [(a, b) for a, b, _ in view.find_marks()] == found
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    assert view.selected_span() == found[1]
    assert bar.count.text() == f"2 of {len(found)}"
    assert [m for m in view.find_marks() if m[2]] == [(*found[1], True)]  # the current match stands out
    qtbot.keyClick(bar.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert view.selected_span() == found[0]
    qtbot.keyClick(bar.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert view.selected_span() == found[-1]  # wraps to the last
    qtbot.keyClick(bar.field, Qt.Key.Key_F3)
    assert view.selected_span() == found[0]  # and back to the first
    qtbot.keyClick(bar.field, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert view.selected_span() == found[-1]


def test_a_match_after_emoji_is_selected_exactly(view: DocumentView, qtbot) -> None:
    view.set_document(TEXT, [], turns=TURNS)
    assert "😀" in TEXT[: TEXT.index("bailiffs")] and "𝄞" in TEXT[: TEXT.index("bailiffs")]
    view.show_find()
    qtbot.keyClicks(view.find_bar.field, "BAILIFFS")
    qtbot.keyClick(view.find_bar.field, Qt.Key.Key_Return)
    start, end = view.selected_span()
    assert TEXT[start:end] == "bailiffs" and start == TEXT.index("bailiffs")
    assert view.text_edit.textCursor().selectedText() == "bailiffs"  # what Qt shows is the same word
    assert view.find_marks() == [(start, end, True)]


def test_match_case_no_matches_and_escape(view: DocumentView, qtbot) -> None:
    spans = [span(1, TEXT.index("It started"), TEXT.index(" We promised"), node=2)]
    view.set_document(TEXT, spans, turns=TURNS)
    tints = highlighted_nodes(view)
    view.show_find()
    bar = view.find_bar
    type_query(qtbot, view, "Council")
    assert len(bar.matches) == 2  # case-insensitive by default
    bar.match_case.setChecked(True)
    assert bar.matches == []
    assert bar.count.text() == "No matches" and not bar.next_button.isEnabled()
    bar.match_case.setChecked(False)
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    assert view.selected_span() == occurrences(TEXT, "council")[0]
    assert highlighted_nodes(view) == tints  # find marks are a layer apart from coding tints
    qtbot.keyClick(bar.field, Qt.Key.Key_Escape)
    assert bar.isHidden() and view.find_marks() == [] and view.text_edit.hasFocus()
    assert view.selected_span() == occurrences(TEXT, "council")[0]  # the match stays selected
    assert highlighted_nodes(view) == tints


def test_ctrl_f_offers_the_selection_and_next_starts_at_the_caret(view: DocumentView, qtbot) -> None:
    view.set_document(TEXT, [], turns=TURNS)
    activate(qtbot, view)
    a = TEXT.index("council")
    cursor = QTextCursor(view.text_edit.document())
    cursor.setPosition(u16(TEXT, a))
    cursor.setPosition(u16(TEXT, a + len("council")), QTextCursor.MoveMode.KeepAnchor)
    view.text_edit.setTextCursor(cursor)
    qtbot.keyClick(view.text_edit, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert view.find_bar.field.text() == "council"
    qtbot.keyClick(view.find_bar.field, Qt.Key.Key_Return)
    assert view.selected_span() == occurrences(TEXT, "council")[1]  # the next one after the selection
    view.text_edit.setFocus()
    qtbot.keyClick(view.text_edit, Qt.Key.Key_Escape)
    assert view.find_bar.isHidden()
    qtbot.keyClick(view.text_edit, Qt.Key.Key_F3)  # F3 reopens the bar and goes on with the same query
    assert view.find_bar.isVisible() and view.selected_span() == occurrences(TEXT, "council")[0]


def test_find_all_spans() -> None:
    text = "We had to.\nHad TO go, 😀 had\tto"
    assert find_all(text, "had to") == [(3, 9), (11, 17), (24, 30)]  # code points: the emoji is one
    assert find_all(text, "had to", match_case=True) == [(3, 9), (24, 30)]
    assert find_all(text, "to.\nHad") == [(7, 14)]
    assert find_all(text, "   ") == [] and find_all(text, "a.b") == []


def test_find_in_the_main_window(make_window, project_path, qtbot) -> None:
    window = make_window(project_path)
    assert not window.documents.find_in_document()  # no document open: nothing to find in
    assert not window.actions.find.isEnabled()
    view = window.documents.open_source(1)
    assert window.actions.find.isEnabled()
    view.text_edit.setFocus()
    qtbot.keyClick(view.text_edit, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert view.find_bar.isVisible() and view.find_bar.field.hasFocus()
    qtbot.keyClicks(view.find_bar.field, "had to")
    qtbot.keyClick(view.find_bar.field, Qt.Key.Key_F3)
    start, end = view.selected_span()
    assert view.text()[start:end] == "had to"
    qtbot.keyClick(view.find_bar.field, Qt.Key.Key_Escape)
    assert view.find_bar.isHidden()
    window.actions.find.trigger()  # Edit ▸ Find in document…
    assert view.find_bar.isVisible() and view.find_bar.field.text() == "had to"
