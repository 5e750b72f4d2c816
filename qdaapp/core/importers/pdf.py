"""PDF documents (.pdf), read with pdfminer.six page by page.

pdfminer's layout analysis gives each page's text boxes and printed lines
with their positions (the same grouping as ``pdfminer.high_level.extract_text``).
:mod:`.pdf_layout` turns those lines into prose: the lines of a paragraph
joined, end-of-line hyphenation undone, running headers, footers and page
numbers left out, speaker turn headers kept on lines of their own.
``page_starts[i]`` is the code point offset in the final text of the first
character that came from page ``i + 1`` (the first is 0); a page without
text starts where the next page with text does.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from qdaapp.core.importers.base import ImportedDocument, PathLike, build_document, fail, load_bytes
from qdaapp.core.importers.pdf_layout import Line, rebuild
from qdaapp.core.progress import Cancelled, CancelToken, Progress, checkpoint
from qdaapp.core.text import normalise

_CID = re.compile(r"\(cid:\d+\)")
_EDGE_SPACE = " \t\n\u00a0\ufeff"

_DAMAGED_ADVICE = (
    "Open it in a PDF reader and save or print it as a new PDF, or import a .docx or .txt version of the document."
)


def read_pdf(
    path: PathLike,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> ImportedDocument:
    """Read the text layer of a PDF as paragraphs, recording where each page starts."""
    checkpoint(cancel)
    data = load_bytes(path)
    if b"%PDF-" not in data[:1024]:
        raise fail(
            path,
            "the file is not a PDF (it does not start with the PDF signature).",
            "Check that you chose the right file; if it is a Word or text file, give it "
            "the matching extension (.docx or .txt).",
        )
    try:
        with _quiet_pdfminer():
            pages = _extract_pages(data, progress, cancel)
    except Cancelled:
        raise
    except Exception as exc:  # pdfminer raises many kinds of error on bad input
        raise _classify(path, exc) from exc

    if not pages:
        raise fail(path, "the PDF is damaged (no pages could be found in it).", _DAMAGED_ADVICE)
    blank = [str(i + 1) for i, lines in enumerate(pages) if not any(line.text for line in lines)]
    if len(blank) == len(pages):
        raise fail(
            path,
            "the PDF has no text layer (it is a scanned image).",
            "Run it through OCR (text recognition, for example in Adobe Acrobat or "
            "a free OCR tool) first, then import the result.",
        )

    warnings: list[str] = []
    if blank:
        shown = ", ".join(blank[:10]) + (" ..." if len(blank) > 10 else "")
        warnings.append(
            f"Page{'s' if len(blank) > 1 else ''} {shown} of the PDF "
            f"{'have' if len(blank) > 1 else 'has'} no text (blank or a scanned image); "
            "run the PDF through OCR if those pages matter."
        )
    rebuilt = rebuild(pages)
    if _CID.search(rebuilt.text):
        warnings.append(
            "Some characters in the PDF could not be decoded and appear as '(cid:NN)'. "
            "If that matters, import a .docx or .txt version instead."
        )
    return build_document(path, "pdf", rebuilt.text, data, page_starts=rebuilt.page_starts, warnings=warnings)


def _extract_pages(data: bytes, progress: Progress | None, cancel: CancelToken | None) -> list[list[Line]]:
    """The printed lines of every page, in pdfminer's reading order."""
    from io import BytesIO

    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    parser = PDFParser(BytesIO(data))
    document = PDFDocument(parser, password="")
    page_objects = list(PDFPage.create_pages(document))
    if progress is not None:
        progress.start(len(page_objects), "Reading PDF pages")
    manager = PDFResourceManager(caching=True)
    device = PDFPageAggregator(manager, laparams=LAParams())
    interpreter = PDFPageInterpreter(manager, device)
    pages: list[list[Line]] = []
    for number, page in enumerate(page_objects, start=1):
        checkpoint(cancel)
        interpreter.process_page(page)
        pages.append(page_lines(device.get_result()))
        if progress is not None:
            progress.advance(1, f"Page {number} of {len(page_objects)}")
    return pages


def page_lines(layout) -> list[Line]:  # a pdfminer LTPage
    """The printed lines of one laid-out page, box by box; a figure's text is one fixed line."""
    from pdfminer.layout import LTContainer, LTFigure, LTText, LTTextBox, LTTextBoxVertical, LTTextLine

    lines: list[Line] = []
    box = 0
    stack = [layout]
    while stack:
        item = stack.pop()
        if isinstance(item, LTTextBox):
            box += 1
            vertical = isinstance(item, LTTextBoxVertical)
            lines.extend(_line(line, box, vertical) for line in item if isinstance(line, LTTextLine))
        elif isinstance(item, LTTextLine):  # a line outside any box
            box += 1
            lines.append(_line(item, box, False))
        elif isinstance(item, LTFigure):
            box += 1
            text = _clean("".join(_figure_text(item, LTContainer, LTText)))
            if text:
                x0, y0, x1, y1 = item.bbox
                lines.append(Line(text, x0, x1, y0, y1, item.height, 0.0, box, fixed=True))
        elif isinstance(item, LTContainer):
            stack.extend(reversed(list(item)))
    return lines


def _line(line, box: int, fixed: bool) -> Line:  # a pdfminer LTTextLine
    """One printed line, with the width of its first word (up to a space or after a hyphen)."""
    from pdfminer.layout import LTChar

    first = last = None
    for obj in line:
        is_char = isinstance(obj, LTChar)
        blank = obj.get_text().isspace()
        if first is None:
            if blank or not is_char:
                continue
            first = obj
        if blank or not is_char:
            break
        last = obj
        if obj.get_text() in "-\u2010":
            break
    width = last.x1 - first.x0 if first is not None and last is not None else 0.0
    return Line(_clean(line.get_text()), line.x0, line.x1, line.y0, line.y1, line.height, width, box, fixed)


def _figure_text(figure, container: type, text_type: type[Any]) -> Iterator[str]:  # a pdfminer LTFigure
    for item in figure:
        if isinstance(item, container):
            yield from _figure_text(item, container, text_type)
        elif isinstance(item, text_type):
            yield item.get_text()


def _clean(raw: str) -> str:
    """One line's text: normalised, no line ends or form feeds inside, trimmed."""
    return normalise(raw).replace("\n", " ").replace("\f", " ").strip(_EDGE_SPACE)


def _classify(path: PathLike, exc: Exception):
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    if isinstance(exc, (PDFPasswordIncorrect, PDFEncryptionError)) or "encrypt" in str(exc).lower():
        return fail(
            path,
            "the PDF is password-protected.",
            "Open it with its password and save or print it as a PDF without a password, then import that copy.",
        )
    return fail(path, "the PDF is damaged and its text cannot be read.", _DAMAGED_ADVICE)


@contextmanager
def _quiet_pdfminer() -> Iterator[None]:
    """Keep pdfminer's notes about odd fonts out of the user's console."""
    logger = logging.getLogger("pdfminer")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
