"""PDF from report HTML with Qt's own PDF writer, for when LibreOffice is not installed.

Shared by the command line and the desktop app, and passed to the core as a
callback (``pdf_from_html``) like the flow-chart renderer: the core never
imports Qt. Qt's rich-text engine reads a subset of CSS, so tables get their
borders and full width as HTML attributes here; pages are numbered at the
foot by :meth:`QTextDocument.print_`.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from PySide6.QtCore import QByteArray, QMarginsF, QUrl
from PySide6.QtGui import QFont, QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

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


def pdf_from_html(page: str, images: dict, out: Path, paper: str = "a4") -> None:
    """Print ``page`` (with PNG ``images`` it names by file name) to the PDF file ``out``."""
    ensure_app()
    size = PAGES.get(paper, PAGES["a4"])
    doc = QTextDocument()
    font = QFont("DejaVu Sans")
    font.setPointSizeF(9)
    doc.setDefaultFont(font)
    doc.setDefaultStyleSheet(QT_CSS)
    for name, data in images.items():
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), QImage.fromData(QByteArray(data)))
    doc.setHtml(_for_qt(page))
    writer = QPdfWriter(str(out))
    writer.setPageSize(QPageSize(size))
    # QTextDocument.print_ lays the text out with 2 cm margins of its own and numbers the pages in them.
    writer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
    writer.setResolution(300)
    found = _TITLE.search(page)
    writer.setTitle(html.unescape(found.group(1)) if found else "Audit report")
    writer.setCreator("qdaapp")
    doc.print_(writer)
    del writer  # the file is complete once the writer is gone
