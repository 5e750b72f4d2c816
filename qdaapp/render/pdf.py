"""PDF from report HTML with Qt's own PDF writer, for when LibreOffice is not installed.

Shared by the command line and the desktop app, and passed to the core as a
callback (``pdf_from_html``) like the flow-chart renderer: the core never
imports Qt. Qt's rich-text engine reads a subset of CSS, so tables get their
borders and full width as HTML attributes here. The page is laid out in
pieces (see :data:`PIECE`) and each page numbered at its foot.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from PySide6.QtCore import QByteArray, QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import QFont, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QTextDocument

from .flowchart import ensure_app

PAGES = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)


_STYLE = re.compile(r"<style>.*?</style>", re.DOTALL)
# Sizes in points: the page's own CSS is in pixels and rem, which Qt applies per device pixel.
QT_CSS = """
body { font-family: 'DejaVu Sans', 'Segoe UI', Arial, sans-serif; font-size: 9pt; }
h1 { font-size: 18pt; } h2 { font-size: 14pt; } h3 { font-size: 11pt; } h4 { font-size: 10pt; }
table { font-size: 8pt; } th { background-color: #eeeeee; text-align: left; } td.n, th.n { text-align: right; }
.meta, .where, .caption { color: #555555; font-size: 8pt; }
.fingerprint { font-family: 'DejaVu Sans Mono', Consolas, monospace; font-size: 7pt; }
blockquote { margin-left: 18pt; font-style: italic; } .memo { background-color: #f4f4ef; }
"""
TABLE = '<table width="100%" border="1" cellspacing="0" cellpadding="3">'


def _for_qt(page: str) -> str:
    """The page without its screen CSS, tables with the attributes Qt's rich text honours."""
    page = _STYLE.sub("", page)
    return page.replace("<table>", TABLE).replace('<table class="fixed">', TABLE)


# Characters of HTML laid out as one document. Qt's rich-text layout draws each page by walking the
# whole document, so printing one long report costs the square of its length: in pieces of this
# size a 370-page report prints in seconds instead of half a minute.
PIECE = 150_000
_CUTS = re.compile(r"<table\b|</table>|<h2\b")
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL)
MARGIN_MM = 20.0
FOOTER_PT = 18.0  # the band under the text where the page number goes


def pieces(body: str, size: int = PIECE) -> list[str]:
    """``body`` cut into runs of whole elements about ``size`` long: only after a table or before a
    section heading, never inside a table."""
    cuts, depth = [], 0
    for m in _CUTS.finditer(body):
        token = m.group()
        if token == "<table":
            depth += 1
        elif token == "</table>":
            depth -= 1
            if depth == 0:
                cuts.append(m.end())
        elif depth == 0:
            cuts.append(m.start())
    out, start = [], 0
    for cut in cuts:
        if cut - start >= size:
            out.append(body[start:cut])
            start = cut
    out.append(body[start:])
    return [p for p in out if p.strip()]


def pdf_from_html(page: str, images: dict, out: Path, paper: str = "a4") -> None:
    """Print ``page`` (with PNG ``images`` it names by file name) to the PDF file ``out``, with
    "title · page N of M" at the foot of each page."""
    ensure_app()
    found = _TITLE.search(page)
    title = html.unescape(found.group(1)).strip() if found else "Audit report"
    writer = QPdfWriter(str(out))
    writer.setPageSize(QPageSize(PAGES.get(paper, PAGES["a4"])))
    writer.setPageMargins(QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM), QPageLayout.Unit.Millimeter)
    writer.setResolution(300)
    writer.setTitle(title)
    writer.setCreator("qdaapp")
    area = writer.pageLayout().paintRectPixels(writer.resolution())
    footer = FOOTER_PT * writer.resolution() / 72
    size = QSizeF(area.width(), area.height() - footer)
    body = _BODY.search(_for_qt(page))
    docs = [_piece_document(part, images, writer, size) for part in pieces(body.group(1) if body else page)]
    total = sum(d.pageCount() for d in docs)
    painter = QPainter(writer)
    font = QFont("DejaVu Sans")
    font.setPointSizeF(8)
    number = 0
    for doc in docs:
        for i in range(doc.pageCount()):
            if number:
                writer.newPage()
            number += 1
            painter.save()
            painter.translate(0, -i * size.height())
            doc.drawContents(painter, QRectF(0, i * size.height(), size.width(), size.height()))
            painter.restore()
            painter.setFont(font)
            painter.drawText(QRectF(0, size.height(), size.width(), footer),
                             int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
                             f"{title} · page {number} of {total}")
    painter.end()
    del writer  # the file is complete once the writer is gone


def _piece_document(part: str, images: dict, device: QPdfWriter, size: QSizeF) -> QTextDocument:
    """One piece of the page laid out in pages of ``size`` for ``device``."""
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(device)
    font = QFont("DejaVu Sans")
    font.setPointSizeF(9)
    doc.setDefaultFont(font)
    doc.setDefaultStyleSheet(QT_CSS)
    for name, data in images.items():
        if name in part:
            doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), QImage.fromData(QByteArray(data)))
    doc.setHtml(f"<html><body>{part}</body></html>")
    doc.setPageSize(size)
    return doc
