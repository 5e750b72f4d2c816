"""Reading the <Sources> of a project: texts, selections and their codings.

Text sources, the text representation of PDF sources and the transcripts
of audio and video become qdaapp sources; pictures and the media files
themselves cannot, and are listed as skipped with their codings. Positions
are collected as the file has them and converted only once the whole file
has been read, because the way they are counted is decided for the file
(see :mod:`.refi_text`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..progress import CancelToken, Progress, checkpoint
from .refi_common import SafeArchive, child, child_text, children, local, norm_guid, parse_datetime
from .refi_model import RCoding, RNote, RProject, RSelection, RSource
from .refi_text import DESCRIBE, STANDARD, TextMap, choose_counting, decode

if TYPE_CHECKING:  # pragma: no cover
    from lxml import etree


@dataclass
class _Raw:
    guid: str | None
    start: int
    end: int
    codings: list[RCoding]
    description: str = ""
    coder: str | None = None  # the selection's creatingUser and creationDateTime
    created: str | None = None


@dataclass
class _Pending:
    source: RSource
    tmap: TextMap
    raw: list[_Raw] = field(default_factory=list)
    whole: list[RCoding] = field(default_factory=list)


class SourceReader:
    def __init__(self, archive: SafeArchive, project: RProject, new_id: Callable[[], str],
                 progress: Progress | None, cancel: CancelToken | None) -> None:
        self.archive, self.project, self.new_id = archive, project, new_id
        self.progress, self.cancel = progress, cancel
        self.pending: list[_Pending] = []

    def read(self, sources: etree._Element) -> None:
        elems = list(sources)
        if self.progress is not None:
            self.progress.start(len(elems), "Reading sources")
        for n, elem in enumerate(elems, start=1):
            checkpoint(self.cancel)
            kind = local(elem.tag)
            name = (elem.get("name") or "").strip() or f"Source {n}"
            if (guid := norm_guid(elem.get("guid"))) is not None:
                self.project.source_names[guid] = name
            if kind == "TextSource":
                self._text_source(elem, name)
            elif kind == "PDFSource":
                self._pdf_source(elem, name)
            elif kind in ("AudioSource", "VideoSource"):
                self._media_source(elem, name, kind[:-6].lower())
            elif kind == "PictureSource":
                self._skip(name, "qdaapp holds text sources only; pictures are not imported.", _count_codings(elem))
            if self.progress is not None:
                self.progress.advance(1, name)
        self._finish()

    # ------------------------------------------------------------------ kinds of source
    def _text_source(self, elem: etree._Element, name: str) -> None:
        got = self._text_of(elem)
        if isinstance(got, str):
            self._skip(name, got, _count_codings(elem))
            return
        raw, data, encoding = got
        original, fmt = data, "txt"
        rich = elem.get("richTextPath") or ""
        if rich.lower().endswith(".docx") and (entry := self.archive.find_source(rich)) is not None:
            original, fmt = self.archive.read(entry), "docx"
        pending = self._start(elem, name, raw, original, fmt, encoding)
        if pending is not None:
            self._selections(elem, pending, "PlainTextSelection")

    def _pdf_source(self, elem: etree._Element, name: str) -> None:
        rep = child(elem, "Representation")
        got = self._text_of(rep) if rep is not None else "it has no text representation (only the PDF)."
        if isinstance(got, str):
            self._skip(name, got, _count_codings(elem))
            return
        raw, data, encoding = got
        original = data
        entry = self.archive.find_source(elem.get("path") or "") if elem.get("path") else None
        if entry is not None:
            original = self.archive.read(entry)
        pending = self._start(elem, name, raw, original, "pdf" if original is not data else "txt", encoding)
        if pending is None:
            return
        self._selections(rep, pending, "PlainTextSelection")
        pending.whole.extend(self._codings(rep))
        areas = sum(len(children(s, "Coding")) for s in children(elem, "PDFSelection"))
        if areas:
            self.project.skip("coding", name, "codings of areas of PDF pages cannot be held in qdaapp "
                              "(only codings of its text).", areas)
        if self.project.ours and original is not data:
            pending.source.page_starts = _pdf_pages(original, pending.tmap.text)

    def _media_source(self, elem: etree._Element, name: str, label: str) -> None:
        transcripts = children(elem, "Transcript")
        media_codings = len(children(elem, "Coding")) + sum(
            len(children(s, "Coding")) for s in elem if local(s.tag).endswith("Selection"))
        done = "; its transcripts are read as text sources" if transcripts else ""
        self._skip(name, f"qdaapp holds text sources only; the {label} file is not imported{done}.", media_codings)
        for i, t in enumerate(transcripts, start=1):
            tname = (t.get("name") or "").strip() or f"{name} (transcript{' ' + str(i) if i > 1 else ''})"
            got = self._text_of(t)
            if isinstance(got, str):
                self._skip(tname, got, _count_codings(t))
                continue
            raw, data, encoding = got
            pending = self._start(t, tname, raw, data, "txt", encoding)
            if pending is None:
                continue
            sync = {norm_guid(p.get("guid")): p.get("position") for p in children(t, "SyncPoint")}
            for sel in children(t, "TranscriptSelection"):
                a, b = sync.get(norm_guid(sel.get("fromSyncPoint"))), sync.get(norm_guid(sel.get("toSyncPoint")))
                self._add_raw(sel, pending, a, b, tname)

    # ------------------------------------------------------------------ pieces
    def _text_of(self, elem: etree._Element) -> str | tuple[str, bytes, str]:
        """(text, its bytes, encoding), or why there is none."""
        path = (elem.get("plainTextPath") or "").strip()
        reason = "it has no text (neither a text file nor PlainTextContent)."
        if path:
            if path.lower().startswith(("relative://", "absolute://")):
                reason = (f"its text is an external file ({path}) that is not in the archive; qdaapp reads "
                          "only what the .qdpx contains.")
            elif (entry := self.archive.find_source(path)) is not None:
                return _with_bytes(self.archive.read(entry))
            else:
                reason = f"file missing: '{path}' is not in the archive."
        content = child(elem, "PlainTextContent")
        if content is not None and (content.text or "").strip():
            return content.text, content.text.encode("utf-8"), "utf-8"
        return reason

    def _start(self, elem: etree._Element, name: str, raw: str, original: bytes, fmt: str,
               encoding: str) -> _Pending | None:
        from .refi_read import SOURCE_MEMO_PREFIX, read_values, source_kind

        tmap = TextMap(raw)
        if not tmap.text.strip():
            self._skip(name, "it has no text.", _count_codings(elem))
            return None
        if tmap.nfc_kept:
            self.project.notices.append(f"The text of '{name}' was kept as given (not NFC) so that its "
                                        "positions stay exact.")
        guid = norm_guid(elem.get("guid")) or self.new_id()
        values = read_values(elem)
        kind, memo = source_kind(self.project, values, child_text(elem, "Description"))
        source = RSource(guid, name, tmap.text, original, fmt, encoding, kind=kind,
                         imported_by=self.project.user_name(elem.get("creatingUser")),
                         imported_at=parse_datetime(elem.get("creationDateTime")))
        source.values = [(g, v) for g, v in values if g != self.project.kind_variable]
        if memo:  # the Description is where programs keep a source's memo
            note = RNote(SOURCE_MEMO_PREFIX + guid, "", memo, None, None, None)
            self.project.notes.append(note)
            self.project.annotate(note.guid, "source", guid)
        for ref in children(elem, "NoteRef"):
            self.project.annotate(norm_guid(ref.get("targetGUID")), "source", guid)
        pending = _Pending(source, tmap)
        pending.whole.extend(self._codings(elem))
        self.pending.append(pending)
        return pending

    def _selections(self, elem: etree._Element, pending: _Pending, tag: str) -> None:
        for sel in children(elem, tag):
            self._add_raw(sel, pending, sel.get("startPosition"), sel.get("endPosition"), pending.source.name)

    def _add_raw(self, sel: etree._Element, pending: _Pending, start: str | None, end: str | None,
                 name: str) -> None:
        guid = norm_guid(sel.get("guid")) or self.new_id()
        codings = self._codings(sel)
        for ref in children(sel, "NoteRef"):
            self.project.annotate(norm_guid(ref.get("targetGUID")), "selection", guid)
        try:
            a, b = int(start or ""), int(end or "")
        except ValueError:
            if codings:
                self.project.skip("coding", name, "its selection has no valid start and end position.", len(codings))
            return
        pending.raw.append(_Raw(guid, a, b, codings, child_text(sel, "Description").strip(),
                                self.project.user_name(sel.get("creatingUser")),
                                parse_datetime(sel.get("creationDateTime"))))

    def _codings(self, elem: etree._Element) -> list[RCoding]:
        out = []
        for c in children(elem, "Coding"):
            ref = child(c, "CodeRef")
            guid = norm_guid(c.get("guid")) or self.new_id()
            coder = self.project.user_name(c.get("creatingUser"))
            created = parse_datetime(c.get("creationDateTime"))
            out.append(RCoding(guid, norm_guid(ref.get("targetGUID")) if ref is not None else None, coder, created))
            for note in children(c, "NoteRef"):
                self.project.annotate(norm_guid(note.get("targetGUID")), "coding", guid)
        return out

    def _skip(self, name: str, reason: str, codings: int) -> None:
        self.project.skip("source", name, reason)
        if codings:
            self.project.skip("coding", name, f"the source '{name}' was not imported.", codings)

    def _finish(self) -> None:
        counting = STANDARD
        if not self.project.ours:
            counting, _, _ = choose_counting((p.tmap, [(r.start, r.end) for r in p.raw]) for p in self.pending)
            if counting != STANDARD:
                self.project.notices.append(f"{self.project.file_name} counts positions in {DESCRIBE[counting]}; "
                                            "they were converted to code points.")
        by_selection = self._codings_say_little()
        for p in self.pending:
            source = p.source
            for r in p.raw:
                for c in r.codings:
                    if by_selection or c.coder is None:
                        c.coder = r.coder or c.coder
                    if by_selection or c.created_at is None:
                        c.created_at = r.created or c.created_at
            if p.whole:
                source.selections.append(RSelection(None, 0, len(source.text), p.whole))
            for r in p.raw:
                span = p.tmap.span(r.start, r.end, counting)
                if span is None:
                    if r.codings:
                        self.project.skip("coding", source.name, f"its selection {r.start}-{r.end} is empty or "
                                          f"outside the text ({len(p.tmap.raw)} characters).", len(r.codings))
                    if r.description:
                        self.project.skip("memo", source.name, f"the description of the selection {r.start}-"
                                          f"{r.end} was left out: the selection is empty or outside the text.")
                    continue
                a, b = span
                source.selections.append(RSelection(r.guid, a, b, r.codings, r.description))
                if r.description:  # a coding's memo, as programs with one coding per selection write it
                    note = RNote(f"selection-description-{r.guid}", "", r.description, r.coder or next(
                        (c.coder for c in r.codings if c.coder), None), r.created, None)
                    self.project.notes.append(note)
                    if r.codings and r.codings[0].guid:
                        self.project.annotate(note.guid, "coding", r.codings[0].guid)
                    else:
                        self.project.annotate(note.guid, "selection", r.guid)
                if r.guid:
                    self.project.selections[r.guid] = (source.guid, a, b)
                for c in r.codings:
                    if c.guid:
                        self.project.coding_keys[c.guid] = (source.guid, a, b, c.code, c.coder)
            self.project.sources.append(source)
        self.pending.clear()


    def _codings_say_little(self) -> bool:
        """True if every coding carries the same user and time while the selections differ.

        NVivo writes its exporting user and one time on every Coding; who
        coded what, and when, is then on the selections.
        """
        if self.project.ours:
            return False
        codings = {(c.coder, c.created_at) for p in self.pending for r in p.raw for c in r.codings}
        selections = {(r.coder, r.created) for p in self.pending for r in p.raw if r.codings}
        return len(codings) == 1 and len(selections) > 1 and not any(None in pair for pair in selections)


def _with_bytes(data: bytes) -> tuple[str, bytes, str]:
    text, encoding = decode(data)
    return text, data, encoding


def _count_codings(elem: etree._Element) -> int:
    return sum(1 for e in elem.iter() if local(e.tag) == "Coding")


def _pdf_pages(pdf: bytes, text: str) -> list[int] | None:
    """Page starts of a PDF whose text qdaapp extracts exactly as the representation has it; else None."""
    from ..importers.base import ImportFailure
    from ..importers.pdf import read_pdf

    fd, tmp = tempfile.mkstemp(suffix=".pdf")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pdf)
        doc = read_pdf(tmp)
    except (ImportFailure, OSError, ValueError):
        return None
    finally:
        os.unlink(tmp)
    return doc.page_starts if doc.text == text else None
