"""Word documents (.docx).

The main document part is streamed through lxml's ``iterparse`` rather than
loaded as python-docx objects: a 1-million-word transcript then reads in a
few seconds with little memory, and the reader controls exactly which text
counts. What is read, in the order it appears:

* every paragraph of the body (headings, list items, title lines) as one line;
* soft line breaks (``w:br``, ``w:cr``) as line ends, tabs as tabs;
* tables row by row: the cells of a row joined by a tab, the paragraphs of a
  cell by line ends, nested tables inside their cell;
* text boxes before the paragraph they are anchored in;
* content controls (``w:sdt``) with the text Word shows in them, placeholder
  text included (Google Docs exports suggested edits this way);
* tracked changes as if accepted: insertions kept, deletions dropped.

Page headers and footers, footnotes and comments are not part of the text;
a warning says so when the document has any. Section headers that Word
shows on every page live in separate parts and are left out for that reason;
a title line at the top of the body (as in the interview fixtures, "date -
time - duration - name") is ordinary body text and is kept.

Before anything is parsed, every XML part is checked for a DOCTYPE (the
carrier of entity-expansion attacks, which Word never writes), and parts
whose unpacked size is out of all proportion are refused.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from typing import IO

from qdaapp.core.importers.base import ImportedDocument, PathLike, build_document, fail, load_bytes
from qdaapp.core.progress import CancelToken, Progress, checkpoint

# Unpacked size limits. Word's XML compresses about tenfold, and even a
# million-word transcript has a main part well under 100 MB.
MAX_PART_BYTES = 400 * 1024 * 1024
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
_PROLOG_LIMIT = 1024 * 1024
_CHUNK = 1 << 16

_W_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
)
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_MATH = (
    "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "http://purl.oclc.org/ooxml/officeDocument/math",
)

_W_LOCAL = (
    "p t tab ptab br cr noBreakHyphen sym tc tr del moveFrom ins moveTo pPr txbxContent commentReference"
).split()
# Subtrees whose content is never text on the page.
_SKIP = {"del", "moveFrom", "pPr", "Fallback"}
# Empty elements that stand for a character. A soft line break ends the line,
# so a speaker label after it still starts a line.
_MARKS = {"tab": "\t", "ptab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "-"}

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
_ASIDE_PARTS = re.compile(r"^word/(header|footer|footnotes|endnotes)\d*\.xml$", re.IGNORECASE)
_HAS_TEXT = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>[^<]*[^\s<]")
_ASIDE_NAMES = {
    "header": "page headers",
    "footer": "page footers",
    "footnotes": "footnotes",
    "endnotes": "endnotes",
}

_DAMAGED_ADVICE = "Open it in Word and save it again, or import the .txt version."


def read_docx(
    path: PathLike,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> ImportedDocument:
    """Read a Word document's text in reading order."""
    checkpoint(cancel)
    data = load_bytes(path)
    _check_container(path, data)
    warnings: list[str] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            scan_prologs(zf)
            main = find_main_part(zf)
            info = zf.getinfo(main)
            with open_part(zf, info, progress, cancel) as stream:
                text, notes = extract_text(stream)
            warnings.extend(notes)
            warnings.extend(_aside_warnings(zf))
    except DocxProblem as exc:
        raise fail(path, exc.problem, exc.advice) from exc
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        KeyError,
        zlib.error,
        NotImplementedError,
        RuntimeError,  # an encrypted zip member
    ) as exc:
        raise fail(path, "the file is damaged (not a valid Word document).", _DAMAGED_ADVICE) from exc
    except _xml_errors() as exc:
        raise fail(path, "the file is damaged (its text part is not valid XML).", _DAMAGED_ADVICE) from exc
    checkpoint(cancel)
    return build_document(
        path,
        "docx",
        text,
        data,
        warnings=warnings,
        empty_problem="the document contains no text (it may hold only pictures).",
        empty_advice="If the text is in a picture or a scan, run it through OCR first, then import the result.",
    )


def _xml_errors() -> tuple[type[BaseException], ...]:
    from lxml import etree

    return (etree.XMLSyntaxError, etree.ParseError)


def _check_container(path: PathLike, data: bytes) -> None:
    if data.startswith(_OLE):
        if _ENCRYPTED_MARK in data:
            raise fail(
                path,
                "the document is password-protected.",
                "Open it in Word, remove the password (File > Info > Protect Document > "
                "Encrypt with Password, then clear the password), save it, and import it again.",
            )
        raise fail(
            path,
            "it is an old-style Word document (.doc) with a .docx name.",
            "Open it in Word and use File > Save As > Word Document (.docx), then import the new file.",
        )
    if not data.startswith(b"PK"):
        raise fail(path, "the file is damaged (not a valid Word document).", _DAMAGED_ADVICE)


class DocxProblem(Exception):
    """A problem with the package, turned into an ImportFailure by the reader."""

    def __init__(self, problem: str, advice: str = _DAMAGED_ADVICE) -> None:
        super().__init__(problem)
        self.problem = problem
        self.advice = advice


def _bomb() -> DocxProblem:
    return DocxProblem(
        "the file unpacks to far more data than any real document "
        f"(over {MAX_PART_BYTES // (1024 * 1024)} MB); it may be damaged or unsafe.",
        "Open it in Word and save it again, or import the .txt version.",
    )


def scan_prologs(zf: zipfile.ZipFile) -> None:
    """Refuse the package if any XML part declares a DOCTYPE, or is too big."""
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.file_size > MAX_PART_BYTES or total > MAX_TOTAL_BYTES:
            raise _bomb()
        if info.filename.lower().endswith((".xml", ".rels")):
            with zf.open(info) as fh:
                if _declares_doctype(fh):
                    raise DocxProblem(
                        "the file contains XML entity declarations, which Word never writes; the file may be unsafe.",
                        "Open it in Word and save it as a new document, then import that copy.",
                    )


def _declares_doctype(fh: IO[bytes]) -> bool:
    """True if the XML prolog (before the root element) holds a declaration."""
    buf = b""
    while True:
        chunk = fh.read(_CHUNK)
        buf += chunk
        verdict = _scan_prolog(_as_text(buf), eof=not chunk)
        if verdict is not None:
            return verdict
        if len(buf) > _PROLOG_LIMIT:
            return True  # a prolog this long is not something Word writes


def _as_text(buf: bytes) -> str:
    if buf[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in buf[:4]:
        le = buf[:2] == b"\xff\xfe" or (len(buf) > 1 and buf[1:2] == b"\x00")
        return buf.decode("utf-16-le" if le else "utf-16-be", errors="ignore")
    return buf.decode("latin-1")


def _scan_prolog(text: str, eof: bool) -> bool | None:
    """Walk the prolog: True = declaration found, False = root reached, None = need more."""
    i, n = 0, len(text)
    if text.startswith("\ufeff"):
        i = 1
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if n - i < 9 and not eof:
            return None
        if text.startswith("<?", i):
            j = text.find("?>", i)
        elif text.startswith("<!--", i):
            j = text.find("-->", i)
        else:
            # "<!DOCTYPE" and the like; anything else is the root element, or
            # not XML at all, which lxml then reports.
            return text.startswith("<!", i)
        if j < 0:
            return None if not eof else False
        i = j + 2


def _safe_xml(zf: zipfile.ZipFile, name: str):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(zf.read(name), parser=parser)


def find_main_part(zf: zipfile.ZipFile) -> str:
    """Name of the main document part, checked to be WordprocessingML."""
    names = set(zf.namelist())
    main = None
    if "_rels/.rels" in names:
        for rel in _safe_xml(zf, "_rels/.rels"):
            if str(rel.get("Type", "")).endswith("/officeDocument"):
                main = str(rel.get("Target", "")).lstrip("/")
                break
    if main is None and "word/document.xml" in names:
        main = "word/document.xml"
    if main is None or main not in names:
        raise DocxProblem(
            "the file is damaged or not a Word document (it has no main text part).",
            _DAMAGED_ADVICE,
        )
    if "[Content_Types].xml" in names:
        for item in _safe_xml(zf, "[Content_Types].xml"):
            if str(item.get("PartName", "")).lstrip("/") == main:
                ctype = str(item.get("ContentType", ""))
                if "wordprocessingml" not in ctype:
                    raise DocxProblem(
                        "it is not a Word document (it seems to come from another Office program).",
                        "Open it in the program that made it and export or save it as .docx, .pdf "
                        "or .txt, then import that copy.",
                    )
    return main


class open_part:
    """``with open_part(zf, info, progress, cancel) as stream``: a zip member for lxml.

    Reading enforces the unpacked size limit (whatever the zip header claims),
    reports progress and honours Cancel.
    """

    def __init__(self, zf, info, progress=None, cancel=None):
        self._fh = zf.open(info)
        self._cancel, self._progress = cancel, progress
        self._read = self._reported = 0
        self._unit = max(_CHUNK, info.file_size // 100)
        self._steps = max(1, -(-info.file_size // self._unit))
        if progress is not None:
            progress.start(self._steps, "Reading the Word document")

    def __enter__(self) -> open_part:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self._fh.close()
        if exc_type is None:
            self._advance_to(self._steps)

    def read(self, n: int = -1) -> bytes:
        checkpoint(self._cancel)
        chunk = self._fh.read(n if n and n > 0 else _CHUNK)
        self._read += len(chunk)
        if self._read > MAX_PART_BYTES:
            raise _bomb()
        self._advance_to(min(self._steps, self._read // self._unit))
        return chunk

    def _advance_to(self, step: int) -> None:
        if self._progress is not None and step > self._reported:
            self._progress.advance(step - self._reported)
            self._reported = step


def _aside_warnings(zf: zipfile.ZipFile) -> list[str]:
    found: list[str] = []
    for info in zf.infolist():
        m = _ASIDE_PARTS.match(info.filename)
        if not m or info.file_size > MAX_PART_BYTES:
            continue
        what = _ASIDE_NAMES[m.group(1).lower()]
        if what in found:
            continue
        with zf.open(info) as fh:
            if _HAS_TEXT.search(fh.read()):
                found.append(what)
    if not found:
        return []
    listed = ", ".join(found[:-1]) + (" and " if len(found) > 1 else "") + found[-1]
    return [f"The document has {listed}; these were not imported, only the main text."]


def extract_text(stream: IO[bytes] | open_part) -> tuple[str, list[str]]:
    """Text of a WordprocessingML main part, one paragraph per line.

    Returns the text and a list of warnings about what it contains.
    """
    from lxml import etree

    tags = [f"{{{ns}}}{local}" for ns in _W_NAMESPACES for local in _W_LOCAL]
    tags += [f"{{{ns}}}t" for ns in _MATH] + [f"{{{_MC}}}Fallback"]

    body: list[str] = []
    containers: list[list[str]] = [body]  # where finished paragraphs go
    rows: list[list[str]] = []  # cells of the open table rows
    paras: list[list[str]] = []  # runs of text of the open paragraphs
    skip = 0
    tracked = False
    comments = 0

    events = etree.iterparse(
        stream,
        events=("start", "end"),
        tag=tags,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )
    for event, elem in events:
        local = elem.tag.rsplit("}", 1)[1]
        if event == "start":
            if local in _SKIP:
                if local in ("del", "moveFrom") and not skip:
                    tracked = True
                skip += 1
            elif skip:
                continue
            elif local == "p":
                paras.append([])
            elif local in ("tc", "txbxContent"):
                containers.append([])
            elif local == "tr":
                rows.append([])
            elif local in ("ins", "moveTo"):
                tracked = True
            continue

        # end events
        if local in _SKIP:
            skip -= 1
            continue
        if skip:
            continue
        if local == "t":
            if paras and elem.text:
                paras[-1].append(elem.text)
        elif local in _MARKS:
            if paras:
                paras[-1].append(_MARKS[local])
        elif local == "sym":
            if paras:
                paras[-1].append(_symbol(elem))
        elif local == "p":
            if paras:
                containers[-1].append("".join(paras.pop()))
            if not paras and not rows:
                _release(elem)
        elif local == "tc":
            if len(containers) > 1:
                cell = "\n".join(containers.pop())
                if rows:
                    rows[-1].append(cell)
        elif local == "tr":
            if rows:
                containers[-1].append("\t".join(rows.pop()))
            if not rows and not paras:
                _release(elem)
        elif local == "txbxContent":
            if len(containers) > 1:
                boxed = containers.pop()
                containers[-1].extend(boxed)
        elif local == "commentReference":
            comments += 1
    notes: list[str] = []
    if tracked:
        notes.append("The document contains tracked changes; the text was imported as if all changes were accepted.")
    if comments:
        notes.append(f"The document has {comments} comment{'s' if comments != 1 else ''}; comments are not imported.")
    return "\n".join(body), notes


def _symbol(elem) -> str:
    """Character of a ``w:sym``; symbol-font glyphs in the private use area are dropped."""
    for key, value in elem.attrib.items():
        if key.endswith("}char"):
            try:
                code = int(value, 16)
            except ValueError:
                return ""
            if 0xE000 <= code <= 0xF8FF or code < 0x20:
                return ""
            return chr(code)
    return ""


def _release(elem) -> None:
    """Free a finished top-level element and its already-read siblings."""
    elem.clear(keep_tail=False)
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]
