"""PDF documents (.pdf), read with pdfminer.six page by page.

Each page's text comes from pdfminer's layout analysis (the same grouping
into text boxes as ``pdfminer.high_level.extract_text``). Within a page,
trailing spaces at line ends and runs of more than one blank line are
removed, and the page is trimmed; pages are then joined with a single line
end, so no form feeds remain. ``page_starts[i]`` is the code point offset in
the final text where page ``i + 1`` begins (the first is 0); an empty page
starts where the next one does.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

from qdaapp.core.importers.base import ImportedDocument, PathLike, build_document, fail, load_bytes
from qdaapp.core.progress import Cancelled, CancelToken, Progress, checkpoint
from qdaapp.core.text import normalise

_TRAILING_SPACE = re.compile(r"[ \t\u00a0]+$", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")
_CID = re.compile(r"\(cid:\d+\)")

_DAMAGED_ADVICE = (
    "Open it in a PDF reader and save or print it as a new PDF, or import a .docx or .txt version of the document."
)


def read_pdf(
    path: PathLike,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> ImportedDocument:
    """Read the text layer of a PDF, recording where each page starts."""
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
    if not any(pages):
        raise fail(
            path,
            "the PDF has no text layer (it is a scanned image).",
            "Run it through OCR (text recognition, for example in Adobe Acrobat or "
            "a free OCR tool) first, then import the result.",
        )

    warnings: list[str] = []
    page_starts: list[int] = []
    offset = 0
    for i, page in enumerate(pages):
        page_starts.append(offset)
        offset += len(page) + (1 if i + 1 < len(pages) else 0)
    text = "\n".join(pages)

    blank = [str(i + 1) for i, page in enumerate(pages) if not page.strip()]
    if blank:
        shown = ", ".join(blank[:10]) + (" ..." if len(blank) > 10 else "")
        warnings.append(
            f"Page{'s' if len(blank) > 1 else ''} {shown} of the PDF "
            f"{'have' if len(blank) > 1 else 'has'} no text (blank or a scanned image); "
            "run the PDF through OCR if those pages matter."
        )
    if _CID.search(text):
        warnings.append(
            "Some characters in the PDF could not be decoded and appear as '(cid:NN)'. "
            "If that matters, import a .docx or .txt version instead."
        )
    return build_document(path, "pdf", text, data, page_starts=page_starts, warnings=warnings)


def _extract_pages(data: bytes, progress: Progress | None, cancel: CancelToken | None) -> list[str]:
    """Tidied, normalised text of every page."""
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
    texts: list[str] = []
    for number, page in enumerate(page_objects, start=1):
        checkpoint(cancel)
        interpreter.process_page(page)
        layout = device.get_result()
        texts.append(tidy_page(_page_text(layout)))
        if progress is not None:
            progress.advance(1, f"Page {number} of {len(page_objects)}")
    return texts


def _page_text(layout) -> str:
    """Text of one laid-out page as pdfminer's text converter writes it."""
    from pdfminer.layout import LTContainer, LTText, LTTextBox

    parts: list[str] = []
    stack = [layout]
    while stack:
        item = stack.pop()
        if isinstance(item, LTTextBox):
            parts.append(item.get_text())
            parts.append("\n")
        elif isinstance(item, LTContainer):
            stack.extend(reversed(list(item)))
        elif isinstance(item, LTText):
            parts.append(item.get_text())
    return "".join(parts)


def tidy_page(raw: str) -> str:
    """One page's text: normalised, no trailing spaces, no blank-line runs, trimmed."""
    text = normalise(raw.replace("\f", "\n")).lstrip("\ufeff")
    text = _TRAILING_SPACE.sub("", text)
    text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip().lstrip("\ufeff").strip()


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
