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

PAGES = {"a4": (QPageSize.PageSizeId.A4, 20.0), "letter": (QPageSize.PageSizeId.Letter, 25.4)}
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def _for_qt(page: str) -> str:
    """Table attributes Qt's rich text honours (it ignores most of the page's CSS)."""
    page = page.replace("<table>", '<table width="100%" border="1" cellspacing="0" cellpadding="3">')
    return page.replace('<table class="fixed">', '<table width="100%" border="1" cellspacing="0" cellpadding="3">')


def pdf_from_html(page: str, images: dict, out: Path, paper: str = "a4") -> None:
    """Print ``page`` (with PNG ``images`` it names by file name) to the PDF file ``out``."""
    ensure_app()
    size, margin = PAGES.get(paper, PAGES["a4"])
    doc = QTextDocument()
    font = QFont("DejaVu Sans")
    font.setPointSizeF(9)
    doc.setDefaultFont(font)
    for name, data in images.items():
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), QImage.fromData(QByteArray(data)))
    doc.setHtml(_for_qt(page))
    writer = QPdfWriter(str(out))
    writer.setPageSize(QPageSize(size))
    writer.setPageMargins(QMarginsF(margin, margin, margin, margin), QPageLayout.Unit.Millimeter)
    writer.setResolution(300)
    found = _TITLE.search(page)
    writer.setTitle(html.unescape(found.group(1)) if found else "Audit report")
    writer.setCreator("qdaapp")
    doc.print_(writer)
    del writer  # the file is complete once the writer is gone
