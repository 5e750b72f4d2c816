"""Export a project as REFI-QDA: a .qdpx project or a .qdc codebook.

The files validate against the standard's Project.xsd and Codebook.xsd.
GUIDs are derived from the project id and each object's id, and every
timestamp comes from the data, so exporting an unchanged project twice gives
identical files. What maps to what, and what cannot travel, is written up in
docs/refi-mapping.md.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import InvalidInput
from ..models import AuditEvent, Meta, Node, Source
from ..progress import CancelToken, Progress, checkpoint
from . import write_atomically
from .refi_common import CODEBOOK_NS, FREE_FOLDER_NAME, FREE_FOLDER_NOTE, guid_maker, xsd_datetime

if TYPE_CHECKING:  # pragma: no cover
    from lxml import etree

MAX_INTERNAL_FILE = 2**31 - 1  # the standard's limit for one file inside a .qdpx
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def export_qdpx(session: Session, path: str | Path, node_ids: Iterable[int] | None = None,
                progress: Progress | None = None, cancel: CancelToken | None = None) -> Path:
    """Write the whole project (or only the codings of ``node_ids`` and their subtrees) as a .qdpx."""
    from .refi_export_project import build_project

    qde, files, stamp = build_project(session, node_ids, progress, cancel)
    for name, data in files:
        if len(data) > MAX_INTERNAL_FILE:
            raise InvalidInput(f"{name} is larger than the 2 GB a REFI-QDA archive may hold for one file.")

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            for name, data in [("project.qde", qde), *sorted(files)]:
                checkpoint(cancel)
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, data)

    return write_atomically(path, write, (".qdpx",))


def export_qdc(session: Session, path: str | Path, node_ids: Iterable[int] | None = None) -> Path:
    """Write the codebook (every node, or ``node_ids`` with their subtrees and ancestors) as a .qdc."""
    from lxml import etree

    ctx = ExportContext(session, node_ids)
    if not ctx.nodes:
        raise InvalidInput("The project has no nodes, so there is no codebook to export.")
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS})
    root.set("origin", ctx.origin)
    codes = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    add_codes(codes, ctx, CODEBOOK_NS, {})
    data = serialise(root)
    return write_atomically(path, lambda tmp: tmp.write_bytes(data), (".qdc",))


class ExportContext:
    """What both exports need: the project's identity, the node selection, and GUIDs."""

    def __init__(self, session: Session, node_ids: Iterable[int] | None = None) -> None:
        from qdaapp import __version__

        self.session = session
        meta = dict(session.execute(select(Meta.key, Meta.value)).all())
        self.project_id = meta.get("project_id", "")
        self.created_at = meta.get("created_at")
        self.origin = f"qdaapp {__version__}"
        self._make = guid_maker(self.project_id)
        rows = session.execute(select(Node.id, Node.name, Node.kind, Node.parent_id, Node.description, Node.color,
                                      Node.position)).all()
        by_id = {r.id: r for r in rows}
        self.selected: set[int] | None = None
        if node_ids is not None:
            wanted = set(node_ids)
            unknown = wanted - set(by_id)
            if unknown:
                raise InvalidInput(f"There is no node with id {min(unknown)}.")
            kids: dict[int | None, list[int]] = {}
            for r in rows:
                kids.setdefault(r.parent_id, []).append(r.id)
            selected, stack = set(), list(wanted)
            while stack:
                nid = stack.pop()
                if nid not in selected:
                    selected.add(nid)
                    stack.extend(kids.get(nid, []))
            keep = set(selected)
            for nid in selected:  # ancestors keep the selected nodes' paths
                parent = by_id[nid].parent_id
                while parent is not None and parent not in keep:
                    keep.add(parent)
                    parent = by_id[parent].parent_id
            self.selected = selected
            rows = [r for r in rows if r.id in keep]
        self.nodes = rows

    def guid(self, entity: str, ident: object) -> str:
        return self._make(entity, ident)

    def user(self, name: str | None) -> str | None:
        return self.guid("user", name) if name else None

    def codable(self, node_id: int) -> bool:
        return self.selected is None or node_id in self.selected


def add_codes(parent: etree._Element, ctx: ExportContext, ns: str, notes: dict[int, list[str]]) -> None:
    """Codes for the context's nodes: the tree, then free nodes under the documented 'Free Nodes' folder."""
    from lxml import etree

    kids: dict[int | None, list] = {}
    for r in ctx.nodes:
        if r.kind == "tree":
            kids.setdefault(r.parent_id, []).append(r)

    def code(into: etree._Element, r) -> etree._Element:
        elem = etree.SubElement(into, f"{{{ns}}}Code", guid=ctx.guid("node", r.id), name=clean(r.name),
                                isCodable="true")
        if r.color and len(r.color) == 7:
            elem.set("color", r.color.upper())
        if r.description:
            etree.SubElement(elem, f"{{{ns}}}Description").text = clean(r.description)
        for note in notes.get(r.id, []):
            etree.SubElement(elem, f"{{{ns}}}NoteRef", targetGUID=note)
        return elem

    def walk(into: etree._Element, parent_id: int | None) -> None:
        for r in sorted(kids.get(parent_id, []), key=lambda r: (r.position, r.name.lower(), r.id)):
            walk(code(into, r), r.id)

    walk(parent, None)
    free = sorted((r for r in ctx.nodes if r.kind == "free"), key=lambda r: (r.name.lower(), r.id))
    if free:
        folder = etree.SubElement(parent, f"{{{ns}}}Code", guid=ctx.guid("free-folder", 0), name=FREE_FOLDER_NAME,
                                  isCodable="false")
        etree.SubElement(folder, f"{{{ns}}}Description").text = FREE_FOLDER_NOTE
        for r in free:
            code(folder, r)


def clean(text: str) -> str:
    """Text XML 1.0 can carry: characters it forbids become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def serialise(root: etree._Element) -> bytes:
    from lxml import etree

    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True, standalone=True)


def export_losses(session: Session) -> list[str]:
    """What this project holds that a REFI-QDA file has no place for (to tell the user at export)."""
    from ..models import ActantRole, Actor, FrameworkCell, Lexicon, SearchRun

    lost = ["the audit trail and undo history"]
    for model, what in ((SearchRun, "search and marker runs with their hits"), (Lexicon, "edited lexicons"),
                        (ActantRole, "actantial roles of accounts"), (Actor, "the list of actors"),
                        (FrameworkCell, "framework matrix summaries")):
        if session.scalar(select(func.count()).select_from(model)):
            lost.append(what)
    return lost


def zip_stamp(session: Session) -> tuple[int, int, int, int, int, int]:
    """The time of the project's last change, for the archive's entries (so unchanged means identical)."""
    last = session.scalar(select(AuditEvent.time).order_by(AuditEvent.seq.desc()).limit(1))
    try:
        moment = datetime.fromisoformat(last) if last else None
    except ValueError:
        moment = None
    if moment is None or moment.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second - moment.second % 2)


def source_rows(session: Session) -> Sequence:
    return session.execute(
        select(Source.id, Source.name, Source.kind, Source.format, Source.case_id, Source.text, Source.original,
               Source.imported_at, Source.imported_by).order_by(Source.id)
    ).all()


def when(value: str | None) -> dict[str, str]:
    stamp = xsd_datetime(value)
    return {"creationDateTime": stamp} if stamp else {}
