"""Prose from a PDF's printed lines: paragraphs rebuilt from the layout.

A PDF records where each line was printed, not where a paragraph ends, so
reading its lines as lines cuts sentences at every right margin: a marker
phrase split over two lines ("have / to") is missed and a hit starts in the
middle of a sentence. This module turns the printed lines of each page, with
their positions, into the text a reader sees:

* Lines of one paragraph are joined with a space. A line ends its paragraph
  only when the writer ended it: the first word of the next line would have
  fitted in the room left on it, the next line starts a speaker turn or a
  list item, the type size changes, or the line is a ``Name  00:15`` turn
  header. (pdfminer puts an indented first line in a box of its own.) Text boxes (lines printed with space between
  them) are paragraphs, unless a box ends on a full line mid-sentence and the
  next one carries on, as at a page break.
* End-of-line hyphenation is undone ("docu- / ment" becomes "document") in
  documents that hyphenate words at line ends. A line-end hyphen keeps its
  place when the document writes that word with the hyphen elsewhere and
  never without it, or when the document does not hyphenate at all (few of
  its lines end in a hyphen): a transcript printed ragged-right breaks
  "well-regarded" only at its own hyphen.
* Running headers, footers and page numbers are left out: lines at the top
  or bottom of the page, in a text box of their own, whose text recurs at
  the same height on at least half of the pages (page numbers recur as a
  number that goes up with the page). A box with a speaker label is never
  taken for one.

Paragraphs are separated by a blank line, breaks inside one box by a line
end, and a turn header by a line end from its speech. ``page_starts[i]`` is
the offset of the first character that came from page ``i + 1``; after a
paragraph is joined across a page break that can be inside the paragraph.
A page with no text starts where the next page with text does.

The module knows nothing of pdfminer: the reader hands it :class:`Line`
records, so the rules are tested on hand-made layouts too.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from qdaapp.core.turns import is_header_line, line_label

# Room for a word plus the space before it, in units of the type size: an
# inter-word space is about a quarter of an em, the rest is for kerning.
_SPACE_EM = 0.6
_SIZE_CHANGE = 0.2  # a change of type size by more than this ends a paragraph
_SAME_HEIGHT = 3.0  # points: a running header is printed at the same height on each page
_EDGE_LINES = 3  # lines at the top and at the bottom of a page that may be running lines
_COLUMN_SLACK = 6.0  # points: lines starting this close together share a right margin
# A document whose lines end in a hyphen this often hyphenates words (typeset
# text: 5-10 % of lines); below it, a line-end hyphen is part of the word.
_HYPHENATING_SHARE = 0.02

_LIST_ITEM = re.compile(r"(?:[\u2022\u25e6\u25aa\u25ab\u2023\u2219\u00b7*\-\u2013\u2014]|\(?\d{1,3}[.)]|\(?[a-z][)])\s")
_CLOSERS = "\"'\u201d\u2019)]\u00bb"
_SENTENCE_END = ".?!:;\u2026"
_HYPHENS = "-\u2010"
_DASHES = "\u2013\u2014"
_TAIL_WORD = re.compile(r"([^\W\d_]+(?:[-\u2010][^\W\d_]+)*)[-\u2010]$")
_HEAD_WORD = re.compile(r"[^\W\d_]+")
_VOCAB_WORD = re.compile(r"[^\W\d_]+(?:[-\u2010][^\W\d_]+)*")
_DIGITS = re.compile(r"\d+")


@dataclass(slots=True)
class Line:
    """One printed line. Positions are PDF points, y growing upwards."""

    text: str  # normalised, without a line end or spaces at either end
    x0: float
    x1: float
    y0: float
    y1: float
    size: float  # the line's height, about its type size
    first_word: float  # printed width of its first word (up to a space or a hyphen)
    box: int  # the text box the line belongs to, numbered within the page
    fixed: bool = False  # vertical text or text inside a figure: its line ends stay


@dataclass
class Rebuilt:
    """The text of the whole document and where each page starts in it."""

    text: str
    page_starts: list[int]
    dropped: int  # running header, footer and page number lines left out


def rebuild(pages: list[list[Line]]) -> Rebuilt:
    """Join the printed lines of all pages into paragraphs (see the module docstring)."""
    drop = running_lines(pages)
    kept = [[line for j, line in enumerate(lines) if line.text and (i, j) not in drop] for i, lines in enumerate(pages)]
    glue = _Glue(kept)
    parts: list[str] = []
    pos = 0
    starts: list[int | None] = []
    prev: Line | None = None
    prev_page = -1
    for i, lines in enumerate(kept):
        start = None
        for line in lines:
            if prev is not None:
                sep = glue.between(prev, line, same_box=prev_page == i and prev.box == line.box)
                if sep is _DROP_HYPHEN:
                    parts[-1] = parts[-1][:-1]
                    pos -= 1
                    sep = ""
                parts.append(sep)
                pos += len(sep)
            if start is None:
                start = pos
            parts.append(line.text)
            pos += len(line.text)
            prev, prev_page = line, i
        starts.append(start)
    following = pos
    page_starts = [0] * len(starts)
    for i in range(len(starts) - 1, -1, -1):
        start = starts[i]
        following = start if start is not None else following
        page_starts[i] = following
    return Rebuilt("".join(parts), page_starts, len(drop))


def running_lines(pages: list[list[Line]]) -> set[tuple[int, int]]:
    """``(page index, line index)`` of running headers, footers and page numbers."""
    with_text = sum(1 for lines in pages if any(line.text for line in lines))
    if with_text < 2:
        return set()
    need = max(2, math.ceil(with_text / 2))
    found: dict[str, list[tuple[float, int, int, str]]] = defaultdict(list)
    for i, lines in enumerate(pages):
        order = sorted((j for j, line in enumerate(lines) if line.text and not line.fixed), key=lambda j: lines[j].y0)
        edges = set(order[:_EDGE_LINES]) | set(order[-_EDGE_LINES:])
        # A running line is printed apart from the body: its box lies wholly at the edge of the
        # page and holds no speaker label.
        inner = {lines[j].box for j in order if j not in edges or line_label(lines[j].text) is not None}
        for j in edges:
            if lines[j].box in inner:
                continue
            text = lines[j].text
            key = _DIGITS.sub("#", " ".join(text.lower().split()))
            found[key].append((lines[j].y0, i, j, text))
    drop: set[tuple[int, int]] = set()
    for items in found.values():
        if len(items) < need:
            continue
        items.sort()
        cluster: list[tuple[float, int, int, str]] = []
        for item in [*items, None]:
            if item is not None and cluster and item[0] - cluster[0][0] <= _SAME_HEIGHT:
                cluster.append(item)
                continue
            if len({page for _y, page, _j, _t in cluster}) >= need and (
                len({text for *_rest, text in cluster}) == 1 or _counts_pages(cluster)
            ):
                drop.update((page, j) for _y, page, j, _t in cluster)
            cluster = [item] if item is not None else []
    return drop


def _counts_pages(cluster: list[tuple[float, int, int, str]]) -> bool:
    """True if one of the numbers in these lines goes up with the page ("Page 3 of 12")."""
    numbers = [[int(n) for n in _DIGITS.findall(text)] for *_rest, text in cluster]
    for k in range(min(len(ns) for ns in numbers)):
        offsets = Counter(ns[k] - page for ns, (_y, page, _j, _t) in zip(numbers, cluster, strict=True))
        if offsets.most_common(1)[0][1] >= 0.8 * len(cluster):
            return True
    return False


_DROP_HYPHEN = "\x00drop"  # a sentinel: join without the line's final hyphen


class _Glue:
    """Decides what goes between two consecutive printed lines."""

    def __init__(self, pages: list[list[Line]]) -> None:
        self._lines = [line for lines in pages for line in lines]
        # Right margin per column: lines starting near the same x share it.
        self._right: dict[int, float] = {}
        self._box_left: dict[tuple[int, int], float] = {}
        for i, lines in enumerate(pages):
            for line in lines:
                key = (i, line.box)
                self._box_left[key] = min(self._box_left.get(key, line.x0), line.x0)
        for i, lines in enumerate(pages):
            for line in lines:
                if line.fixed or line.text.count(" ") < 2:
                    continue  # a short label or a long URL says nothing about the margin
                left = round(self._box_left[(i, line.box)])
                self._right[left] = max(self._right.get(left, line.x1), line.x1)
        self._page_of = {id(line): i for i, lines in enumerate(pages) for line in lines}
        self._vocab: set[str] | None = None
        self._kinds: dict[int, str] = {}
        self._margins: dict[int, float | None] = {}
        ends = sum(1 for line in self._lines if len(line.text) > 1 and line.text[-1] in _HYPHENS
                   and line.text[-2].isalpha())
        self._hyphenates = ends >= max(2, _HYPHENATING_SHARE * len(self._lines))

    def between(self, prev: Line, line: Line, same_box: bool) -> str:
        prev_kind, kind = self._kind(prev), self._kind(line)
        if prev_kind == "alone":
            return "\n"  # a "Name  00:15" header: the speech starts on the next line
        brk = "\n" if same_box else "\n\n"
        if (
            prev.fixed
            or line.fixed
            or kind
            or prev_kind == "header"
            or _LIST_ITEM.match(line.text)
            or not self._wraps(prev, line)
        ):
            return brk
        if not same_box and _ends_sentence(prev.text) and not _starts_lower(line.text):
            return brk
        return self._join(prev.text, line.text)

    def _kind(self, line: Line) -> str:
        """What the line is, for the joining rules (worked out once per line).

        ``alone``: a speaker label with nothing after it; ``label``: one with
        speech after it; ``header``: a header line such as SPEAKERS; empty
        for any other line.
        """
        key = id(line)
        kind = self._kinds.get(key)
        if kind is None:
            label = line_label(line.text)
            if label is not None:
                kind = "alone" if label[1] else "label"
            else:
                kind = "header" if is_header_line(line.text) else ""
            self._kinds[key] = kind
        return kind

    def _wraps(self, prev: Line, line: Line) -> bool:
        """True if ``prev`` ended only because ``line``'s first word did not fit on it."""
        if abs(prev.size - line.size) > _SIZE_CHANGE * max(prev.size, line.size):
            return False
        prev_left = self._box_left[(self._page_of[id(prev)], prev.box)]
        right = self._right_margin(prev_left, prev.x1)
        return right - prev.x1 < line.first_word + _SPACE_EM * line.size

    def _right_margin(self, left: float, fallback: float) -> float:
        key = round(left)
        if key not in self._margins:
            slack = int(_COLUMN_SLACK)
            near = [self._right[k] for k in range(key - slack, key + slack + 1) if k in self._right]
            self._margins[key] = max(near) if near else None
        return self._margins[key] or fallback

    def _join(self, before: str, after: str) -> str:
        last = before[-1]
        if last == "\u00ad":  # a soft hyphen only shows where a word was broken
            return _DROP_HYPHEN
        if last in _HYPHENS and len(before) > 1 and before[-2].isalpha():
            if not _starts_lower(after, at_once=True):
                return ""  # "COVID-" + "19"
            return _DROP_HYPHEN if self._broken_word(before, after) else ""
        if last in _DASHES and len(before) > 1 and not before[-2].isspace():
            return ""  # "complex—" + "these"
        return " "

    def _broken_word(self, before: str, after: str) -> bool:
        """True if the hyphen ending ``before`` only breaks a word in two at the line end."""
        tail = _TAIL_WORD.search(before)
        head = _HEAD_WORD.match(after)
        if tail is None or head is None:
            return self._hyphenates
        if self._vocab is None:
            self._vocab = {w.lower() for line in self._lines for w in _VOCAB_WORD.findall(line.text)}
        left, right = tail.group(1).lower(), head.group(0).lower()
        hyphenated, closed = f"{left}-{right}" in self._vocab, f"{left}{right}" in self._vocab
        if hyphenated != closed:
            return closed
        return self._hyphenates


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _SENTENCE_END


def _starts_lower(text: str, at_once: bool = False) -> bool:
    """True if the first letter of ``text`` (after opening quotes, or at once) is lower case."""
    for ch in text:
        if ch.isalpha():
            return ch.islower()
        if at_once or ch.isdigit():
            return False
    return False


def mid_sentence_breaks(text: str) -> list[int]:
    """Offsets of the line ends that cut a sentence: the measure of how well lines were joined.

    A line end cuts a sentence when the last non-space character before it
    on its line is not sentence-final punctuation (``. ? ! : ; …`` or a
    closing quote or bracket), that line is not a speaker turn header nor a
    header such as ``SUMMARY KEYWORDS``, and the next line starts (after
    spaces) with a lower-case letter.
    """
    found: list[int] = []
    line_start = 0
    n = len(text)
    while True:
        end = text.find("\n", line_start)
        if end < 0:
            return found
        line = text[line_start:end].rstrip()
        following = end + 1
        while following < n and text[following] in " \t":
            following += 1
        if (
            line
            and line[-1] not in _SENTENCE_END + _CLOSERS
            and following < n
            and text[following].islower()
            and line_label(line) is None
            and not is_header_line(line)
        ):
            found.append(end)
        line_start = end + 1
