"""OpenDocument text (.odt): the text of ``content.xml`` in reading order.

What is read: paragraphs and headings one per line; list items as their
paragraphs; tables row by row (cells joined by a tab, paragraphs in a cell by
line ends, nested tables inside their cell); text boxes before the paragraph
they are anchored in; sections and the body of a table of contents. Spaces
follow ODF's rules (runs of white space collapse to one; ``text:s``, tabs and
line breaks are kept). Footnotes, comments and the deleted text of tracked
changes are left out, with a warning.

Before anything is parsed, every XML part is checked for a DOCTYPE (entity
declarations, which office programs never write) and for an unpacked size out
of all proportion; lxml then parses without entities, DTDs or network access.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from qdaapp.core.importers.base import ImportedDocument, PathLike, build_document, fail, load_bytes
from qdaapp.core.importers.docx import MAX_PART_BYTES, MAX_TOTAL_BYTES, _declares_doctype
from qdaapp.core.progress import CancelToken, Progress, checkpoint

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"


def _t(local: str) -> str:
    return f"{{{TEXT}}}{local}"


P, H, LIST, SPACE_EL, TAB_EL, BREAK_EL = _t("p"), _t("h"), _t("list"), _t("s"), _t("tab"), _t("line-break")
NOTE, TRACKED, NUMBER = _t("note"), _t("tracked-changes"), _t("number")
ANNOTATION = f"{{{OFFICE}}}annotation"
TABLE_EL, ROW, CELL, COVERED = (f"{{{TABLE}}}{n}" for n in ("table", "table-row", "table-cell", "covered-table-cell"))
ROW_GROUPS = {f"{{{TABLE}}}{n}" for n in ("table-header-rows", "table-rows", "table-row-group")}
FRAME, TEXT_BOX = f"{{{DRAW}}}frame", f"{{{DRAW}}}text-box"
# Block-level elements whose content is not text on the page.
_SKIP_BLOCKS = {TRACKED, _t("sequence-decls"), _t("variable-decls"), _t("user-field-decls"), f"{{{OFFICE}}}forms",
                _t("dde-connection-decls")}
# Placeholders for spaces, tabs and breaks that survive white-space collapsing.
_KEEP_SPACE, _KEEP_TAB, _KEEP_BREAK = "\ue000", "\ue001", "\ue002"
_RESTORE = str.maketrans({_KEEP_SPACE: " ", _KEEP_TAB: "\t", _KEEP_BREAK: "\n"})
_WHITE = re.compile(r"[ \t\r\n]+")

_DAMAGED_ADVICE = "Open it in LibreOffice Writer and save it again, or import a .docx or .txt copy."
_OTHER_KINDS = {b"spreadsheet": "a spreadsheet", b"presentation": "a presentation", b"graphics": "a drawing"}


class _Problem(Exception):
    def __init__(self, problem: str, advice: str = _DAMAGED_ADVICE) -> None:
        super().__init__(problem)
        self.problem, self.advice = problem, advice


def read_odt(path: PathLike, progress: Progress | None = None, cancel: CancelToken | None = None) -> ImportedDocument:
    """Read an OpenDocument text file's text in reading order."""
    if progress is not None:
        progress.start(2, "Reading the OpenDocument file")
    checkpoint(cancel)
    data = load_bytes(path)
    if not data.startswith(b"PK"):
        raise fail(path, "the file is damaged (not a valid OpenDocument text file).", _DAMAGED_ADVICE)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            content = _content_part(zf)
        checkpoint(cancel)
        if progress is not None:
            progress.advance(1, "Finding the text")
        text, warnings = extract_text(content)
    except _Problem as exc:
        raise fail(path, exc.problem, exc.advice) from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, KeyError, zlib.error, NotImplementedError,
            RuntimeError) as exc:
        raise fail(path, "the file is damaged (not a valid OpenDocument text file).", _DAMAGED_ADVICE) from exc
    if progress is not None:
        progress.advance(1)
    return build_document(
        path, "odt", text, data, warnings=warnings,
        empty_problem="the document contains no text (it may hold only pictures).",
        empty_advice="If the text is in a picture or a scan, run it through OCR first, then import the result.",
    )


def _content_part(zf: zipfile.ZipFile) -> bytes:
    names = set(zf.namelist())
    if "mimetype" in names:
        mimetype = zf.read("mimetype")[:200]
        for key, kind in _OTHER_KINDS.items():
            if key in mimetype:
                raise _Problem(f"it is {kind}, not a text document.",
                               "Open it in the program that made it, copy the text into a text document "
                               "and import that.")
    if "META-INF/manifest.xml" in names and b"encryption-data" in zf.read("META-INF/manifest.xml"):
        raise _Problem("the document is password-protected.",
                       "Open it in LibreOffice, save a copy without a password (File > Save As, untick "
                       "'Save with password'), and import that copy.")
    if "content.xml" not in names:
        raise _Problem("the file is damaged or not an OpenDocument text file (it has no content.xml).")
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.file_size > MAX_PART_BYTES or total > MAX_TOTAL_BYTES:
            raise _bomb()
        if info.filename.lower().endswith(".xml"):
            with zf.open(info) as fh:
                if _declares_doctype(fh):
                    raise _Problem(
                        "the file contains XML entity declarations, which office programs never write; "
                        "the file may be unsafe.",
                        "Open it in LibreOffice Writer and save it as a new document, then import that copy.")
    with zf.open("content.xml") as fh:
        content = fh.read(MAX_PART_BYTES + 1)
    if len(content) > MAX_PART_BYTES:
        raise _bomb()
    return content


def _bomb() -> _Problem:
    return _Problem("the file unpacks to far more data than any real document; it may be damaged or unsafe.")


def extract_text(content: bytes) -> tuple[str, list[str]]:
    """Text of an ODF ``content.xml``, one paragraph per line, and warnings."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True,
                             remove_pis=True, huge_tree=False)
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise _Problem("the file is damaged (its text part is not valid XML).") from exc
    if root.getroottree().docinfo.doctype:
        raise _Problem("the file contains a document type declaration, which office programs never write; "
                       "the file may be unsafe.")
    body = root.find(f"{{{OFFICE}}}body/{{{OFFICE}}}text")
    if body is None:
        raise _Problem("it is not an OpenDocument text file (it has no text body).")
    found = {"notes": 0, "comments": 0, "tracked": False}
    lines: list[str] = []
    _blocks(body, lines, found)
    warnings = []
    if found["tracked"]:
        warnings.append("The document contains tracked changes; the text was imported as if all changes were accepted.")
    if found["notes"]:
        warnings.append(f"The document has {found['notes']} footnote(s) or endnote(s); these were not imported, "
                        "only the main text.")
    if found["comments"]:
        warnings.append(f"The document has {found['comments']} comment(s); comments are not imported.")
    return "\n".join(lines), warnings


def _blocks(parent, out: list[str], found: dict) -> None:  # lxml element
    for child in parent:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP_BLOCKS or tag.endswith("-source"):
            found["tracked"] |= tag == TRACKED
            continue
        if tag in (P, H):
            boxes: list[str] = []
            line = _inline(child, boxes, found)
            out.extend(boxes)
            out.append(line)
        elif tag == TABLE_EL:
            _table(child, out, found)
        elif tag == ANNOTATION:
            found["comments"] += 1
        else:  # lists, list items, sections, index bodies, text boxes: their paragraphs in order
            _blocks(child, out, found)


def _rows(parent):
    for child in parent:
        if child.tag == ROW:
            yield child
        elif child.tag in ROW_GROUPS:
            yield from _rows(child)


def _table(table, out: list[str], found: dict) -> None:
    for row in _rows(table):
        cells = []
        for cell in row:
            if cell.tag in (CELL, COVERED):
                inner: list[str] = []
                _blocks(cell, inner, found)
                cells.append("\n".join(inner))
        while cells and not cells[-1].strip():
            cells.pop()
        if cells:
            out.append("\t".join(cells))


def _inline(paragraph, boxes: list[str], found: dict) -> str:
    parts: list[str] = []

    def walk(elem) -> None:
        if elem.text:
            parts.append(elem.text)
        for child in elem:
            tag = child.tag
            if tag == SPACE_EL:
                try:
                    count = int(child.get(_t("c"), "1"))
                except ValueError:
                    count = 1
                parts.append(_KEEP_SPACE * max(1, min(count, 1000)))
            elif tag == TAB_EL:
                parts.append(_KEEP_TAB)
            elif tag == BREAK_EL:
                parts.append(_KEEP_BREAK)
            elif tag == NOTE:
                found["notes"] += 1
            elif tag == ANNOTATION:
                found["comments"] += 1
            elif tag == FRAME:
                for box in child.iterchildren(TEXT_BOX):
                    _blocks(box, boxes, found)
            elif isinstance(tag, str) and tag != NUMBER:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(paragraph)
    return _WHITE.sub(" ", "".join(parts)).strip(" ").translate(_RESTORE)
