"""PDF of a report's blocks with Qt's own PDF writer, for when LibreOffice is not installed.

Shared by the command line and the desktop app, and passed to the core as a
callback (``pdf_printer``) like the flow-chart renderer: the core never
imports Qt. The blocks (:mod:`qdaapp.core.exchange.audit_report.blocks`) are
laid out here in one pass, lines broken with the measured width of each word
(measured once per word and face), tables in fixed relative column widths
with their header repeated on every page; a second pass draws every page
with "title · page N of M" at its foot. Qt's rich-text engine is not used: it
lays a long table out in time that grows faster than its length.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QByteArray, QLineF, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from qdaapp.core.exchange.audit_report.blocks import (
    BOLD,
    META,
    WARN,
    WHERE,
    Block,
    BlockDocument,
    Chart,
    Heading,
    MemoBody,
    Para,
    Quote,
    Table,
)

from .flowchart import ensure_app

PAGES = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
MARGIN_MM = 20.0
FOOTER_PT = 18.0  # the band under the text where the page number goes
RESOLUTION = 300
FAMILY = "DejaVu Sans"
MONO = "DejaVu Sans Mono"
GREY, WARN_RED, RULE, HEAD_FILL, MEMO_FILL = "#555555", "#a40000", "#999999", "#eeeeee", "#f4f4ef"
PAD_PT = 2.5  # inside a table cell
HEADING_PT = {1: 18.0, 2: 14.0, 3: 11.0, 4: 10.0}


def pt(points: float) -> float:
    """Points in device pixels of the writer."""
    return points * RESOLUTION / 72


class Face:
    """A font on the writer, with the width of every word it has measured."""

    def __init__(self, family: str, size: float, bold: bool = False, italic: bool = False,
                 colour: str = "#000000") -> None:
        self.font = QFont(family)
        self.font.setPointSizeF(size)
        self.font.setBold(bold)
        self.font.setItalic(italic)
        self.colour = colour
        self.metrics: QFontMetricsF | None = None
        self.widths: dict[str, float] = {}

    def bind(self, device: QPdfWriter) -> None:
        self.metrics = QFontMetricsF(self.font, device)
        self.space = self.metrics.horizontalAdvance(" ")
        self.ascent = self.metrics.ascent()
        self.line = self.metrics.lineSpacing()

    def width(self, word: str) -> float:
        w = self.widths.get(word)
        if w is None:
            assert self.metrics is not None
            w = self.widths[word] = self.metrics.horizontalAdvance(word)
        return w

    def wrap(self, text: str, width: float) -> list[str]:
        """``text`` in lines no wider than ``width``; line breaks in the text are kept."""
        lines: list[str] = []
        space, measure = self.space, self.width
        for paragraph in text.split("\n"):
            line: list[str] = []
            used = 0.0
            for word in paragraph.split():
                w = measure(word)
                if w > width:
                    if line:
                        lines.append(" ".join(line))
                    *whole, word = self._break(word, width)
                    lines += whole
                    line, used = [word], measure(word)
                elif line and used + space + w > width:
                    lines.append(" ".join(line))
                    line, used = [word], w
                else:
                    used += (space if line else 0.0) + w
                    line.append(word)
            lines.append(" ".join(line))
        return lines

    def _break(self, word: str, width: float) -> list[str]:
        """A word wider than the column (a fingerprint, a long path) in pieces that fit."""
        assert self.metrics is not None
        pieces, start = [], 0
        while start < len(word):
            end = start + 1
            while end < len(word) and self.metrics.horizontalAdvance(word[start:end + 1]) <= width:
                end += 1
            pieces.append(word[start:end])
            start = end
        return pieces


@dataclass
class Page:
    ops: list[tuple] = field(default_factory=list)


class Layout:
    """Places the blocks on pages as drawing operations; nothing is drawn yet."""

    def __init__(self, writer: QPdfWriter, width: float, height: float) -> None:
        self.width, self.height = width, height
        self.faces = {
            "body": Face(FAMILY, 9), "bold": Face(FAMILY, 9, bold=True), "meta": Face(FAMILY, 8, colour=GREY),
            "warn": Face(FAMILY, 9, bold=True, colour=WARN_RED), "quote": Face(FAMILY, 9, italic=True),
            "cell": Face(FAMILY, 8), "cell-bold": Face(FAMILY, 8, bold=True), "mono": Face(MONO, 7),
            **{f"h{n}": Face(FAMILY, size, bold=True) for n, size in HEADING_PT.items()},
        }
        for face in self.faces.values():
            face.bind(writer)
        self.pages: list[Page] = [Page()]
        self.y = 0.0
        # The last heading placed: (where its operations start, its top, where they end). A heading is
        # kept with what follows it: if that needs a new page, the heading moves there too.
        self.kept: tuple[int, float, int] | None = None

    # ------------------------------------------------------------------ pages
    @property
    def ops(self) -> list[tuple]:
        return self.pages[-1].ops

    def new_page(self) -> None:
        self.pages.append(Page())
        self.y = 0.0

    def room(self, needed: float) -> None:
        """Start a new page unless ``needed`` fits below; a fresh page takes anything. A heading
        placed just before moves to the new page with what follows it."""
        if self.y > 0 and self.y + needed > self.height:
            carried: list[tuple] = []
            if self.kept and self.kept[2] == len(self.ops) and self.kept[0] > 0:
                start, top, _ = self.kept
                carried = [(*op[:3], op[3] - top, *op[4:]) for op in self.ops[start:]]
                del self.ops[start:]
                height = self.y - top
            self.new_page()
            if carried:
                self.ops.extend(carried)
                self.y = height
        self.kept = None

    def text(self, face: str, x: float, top: float, line: str) -> None:
        if line:
            self.ops.append(("t", face, x, top + self.faces[face].ascent, line))

    # ------------------------------------------------------------------ blocks
    def add(self, block: Block) -> None:
        if isinstance(block, Heading):
            self.heading(block)
        elif isinstance(block, Para):
            self.paragraph(block)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Quote):
            self.lines("quote", block.text, pt(18), rule=True)
        elif isinstance(block, Chart):
            self.chart(block)
        elif isinstance(block, MemoBody):
            self.memo(block)

    def heading(self, h: Heading) -> None:
        face = self.faces[f"h{h.level}"]
        lines = face.wrap(h.text, self.width)
        before = pt(HEADING_PT[h.level] * 0.6) if self.y > 0 else 0.0
        self.room(before + face.line * len(lines) + self.faces["body"].line)
        self.y += before if self.y > 0 else 0.0
        start, top = len(self.ops), self.y
        for line in lines:
            self.text(f"h{h.level}", 0, self.y, line)
            self.y += face.line
        self.y += pt(3)
        self.kept = (start, top, len(self.ops))

    def paragraph(self, p: Para) -> None:
        style = {META: "meta", WHERE: "meta"}.get(p.style, "body")
        indent = pt(18) if p.style == WHERE else 0.0
        words: list[tuple[str, str]] = []
        for run in p.runs:
            face = {BOLD: "bold", META: "meta", WARN: "warn"}.get(run.style, style)
            words += [(face, w) for w in run.text.split()]
        lines: list[list[tuple[str, str]]] = [[]]
        used, limit = 0.0, self.width - indent
        for face, word in words:
            w = self.faces[face].width(word)
            gap = self.faces[face].space if lines[-1] else 0.0
            if lines[-1] and used + gap + w > limit:
                lines.append([])
                used, gap = 0.0, 0.0
            lines[-1].append((face, word))
            used += gap + w
        height = max(self.faces[f].line for f, _ in words) if words else self.faces[style].line
        for line in lines:
            self.room(height)
            x = indent
            for face, word in line:
                self.text(face, x, self.y, word)
                x += self.faces[face].width(word) + self.faces[face].space
            self.y += height
        self.y += pt(4)

    def lines(self, face: str, text: str, indent: float, rule: bool = False, fill: str | None = None) -> None:
        f = self.faces[face]
        pad = pt(3) if fill else 0.0
        for line in f.wrap(text, self.width - indent - 2 * pad):
            self.room(f.line)
            if fill:
                self.ops.append(("r", 0, self.y, self.width, f.line, fill))
            if rule:
                self.ops.append(("l", indent - pt(6), self.y, indent - pt(6), self.y + f.line, RULE, pt(1.5)))
            self.text(face, indent + pad, self.y, line)
            self.y += f.line
        self.y += pt(4)

    def memo(self, m: MemoBody) -> None:
        self.lines("meta", m.meta, 0, fill=MEMO_FILL)
        self.y -= pt(4)
        self.lines("body", m.text, 0, fill=MEMO_FILL)

    def chart(self, c: Chart) -> None:
        image = QImage.fromData(QByteArray(c.png or b""))
        if image.isNull():
            return
        w = min(self.width, pt(image.width() * 72 / 96))
        h = image.height() * w / image.width()
        if h > self.height:
            w, h = w * self.height / h, self.height
        self.room(h)
        self.ops.append(("i", 0, self.y, w, h, image))
        self.y += h + pt(6)

    # ------------------------------------------------------------------ tables
    def table(self, t: Table) -> None:
        total = sum(t.widths)
        xs = [0.0]
        for w in t.widths:
            xs.append(xs[-1] + self.width * w / total)
        pad = pt(PAD_PT)
        header = self._row(t, list(t.header), xs, "cell-bold", None) if t.header else None
        fresh = self.height - (header[0] if header else 0.0)
        rows = [self._row(t, values, xs, "cell", r) for r, values in enumerate(t.rows)]
        first = rows[0][0] if rows else 0.0
        self.room((header[0] if header else 0.0) + min(first, fresh))  # never a header alone at a page's foot
        top = self.y
        if header:
            self._place(header, xs, fill=HEAD_FILL)
        for row in rows:
            while self.y + row[0] > self.height:
                if row[0] > fresh and self.height - self.y >= 2 * pad + 2 * self.faces["cell"].line:
                    part, row = self._cut(row, self.height - self.y)  # taller than a page: split at line ends
                    self._place(part, xs)
                self._grid(xs, top)
                self.new_page()
                top = self.y
                if header:
                    self._place(header, xs, fill=HEAD_FILL)
            self._place(row, xs)
        self._grid(xs, top)
        self.y += pt(6)

    def _row(self, t: Table, values: list[str], xs: list[float], face: str, r: int | None) -> tuple:
        pad = pt(PAD_PT)
        strong = r is not None and bool(t.bold and t.bold[r])
        cells = []
        for i, value in enumerate(values):
            name = "mono" if i in t.mono and r is not None else face
            if strong and (t.bold_cols is None or i in t.bold_cols):
                name = "cell-bold"
            if r is None or (t.header is None and i == 0):
                name = "cell-bold" if name != "mono" else name
            lead = 0.0
            if i == 0 and r is not None:
                lead = (pt(11 * t.indent[r]) if t.indent else 0.0) + (pt(9) if t.swatch else 0.0)
            width = xs[i + 1] - xs[i] - 2 * pad - lead
            right = t.numeric_from is not None and i >= t.numeric_from
            cells.append((name, self.faces[name].wrap(value, width), lead, right,
                          t.swatch[r] if (t.swatch and i == 0 and r is not None) else None))
        height = max(len(c[1]) * self.faces[c[0]].line for c in cells) + 2 * pad
        return height, cells

    def _place(self, row: tuple, xs: list[float], fill: str | None = None) -> None:
        height, cells = row
        pad = pt(PAD_PT)
        if fill:
            self.ops.append(("r", 0, self.y, self.width, height, fill))
        for i, (name, lines, lead, right, swatch) in enumerate(cells):
            face = self.faces[name]
            y = self.y + pad
            if swatch:
                self.ops.append(("r", xs[i] + pad + lead - pt(9), y + pt(1.5), pt(6), pt(6), swatch))
            for line in lines:
                x = xs[i + 1] - pad - face.width(line) if right else xs[i] + pad + lead
                self.text(name, x, y, line)
                y += face.line
        self.y += height
        self.ops.append(("l", 0, self.y, self.width, self.y, RULE, pt(0.5)))

    def _grid(self, xs: list[float], top: float) -> None:
        """The table's frame and column rules on this page, from ``top`` to where it has come."""
        if self.y <= top:
            return
        self.ops.append(("l", 0, top, self.width, top, RULE, pt(0.5)))
        for x in xs:
            self.ops.append(("l", x, top, x, self.y, RULE, pt(0.5)))

    def _cut(self, row: tuple, room: float) -> tuple[tuple, tuple]:
        """A row cut in two at line ends: the part that fits in ``room`` and the rest."""
        pad = pt(PAD_PT)
        now, rest = [], []
        for name, lines, lead, right, swatch in row[1]:
            n = max(1, int((room - 2 * pad) // self.faces[name].line))
            now.append((name, lines[:n], lead, right, swatch))
            rest.append((name, lines[n:], lead, right, None))

        def height(cells: list) -> float:
            return max(len(c[1]) * self.faces[c[0]].line for c in cells) + 2 * pad

        return (height(now), now), (height(rest), rest)


def print_blocks(doc: BlockDocument, out: Path) -> None:
    """Print ``doc`` to the PDF file ``out`` on its paper, with "title · page N of M" at each foot."""
    ensure_app()
    writer = QPdfWriter(str(out))
    writer.setPageSize(QPageSize(PAGES.get(doc.paper, PAGES["a4"])))
    writer.setPageMargins(QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM), QPageLayout.Unit.Millimeter)
    writer.setResolution(RESOLUTION)
    writer.setTitle(doc.title)
    writer.setAuthor(doc.author)
    writer.setCreator("qdaapp")
    area = writer.pageLayout().paintRectPixels(RESOLUTION)
    footer = pt(FOOTER_PT)
    layout = Layout(writer, area.width(), area.height() - footer)
    for block in doc.blocks:
        layout.add(block)
    pages = [p for p in layout.pages if p.ops] or [Page()]
    _draw(writer, layout, pages, doc.title, footer)


def _draw(writer: QPdfWriter, layout: Layout, pages: list[Page], title: str, footer: float) -> None:
    painter = QPainter(writer)
    fonts = {name: (face.font, QColor(face.colour)) for name, face in layout.faces.items()}
    foot = layout.faces["meta"]
    try:
        for number, page in enumerate(pages, start=1):
            if number > 1:
                writer.newPage()
            current = None
            for op in page.ops:
                kind = op[0]
                if kind == "t":
                    if op[1] != current:
                        current = op[1]
                        font, colour = fonts[current]
                        painter.setFont(font)
                        painter.setPen(colour)
                    painter.drawText(QPointF(op[2], op[3]), op[4])
                elif kind == "l":
                    painter.setPen(QPen(QColor(op[5]), op[6]))
                    painter.drawLine(QLineF(op[1], op[2], op[3], op[4]))
                    current = None
                elif kind == "r":
                    painter.fillRect(QRectF(op[1], op[2], op[3], op[4]), QColor(op[5]))
                else:
                    painter.drawImage(QRectF(op[1], op[2], op[3], op[4]), op[5])
            painter.setFont(foot.font)
            painter.setPen(QColor(foot.colour))
            painter.drawText(QRectF(0, layout.height, layout.width, footer),
                             int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
                             f"{title} · page {number} of {len(pages)}")
    finally:
        painter.end()
