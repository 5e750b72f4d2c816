"""Import a REFI-QDA project (.qdpx) or codebook (.qdc) into a project.

Two steps, like every import: read the file (slow, cancellable, no
database; see :mod:`.refi_read`), then write everything in ONE transaction
with ONE audit event, ``refi.import`` (undo reverts the whole import).
A failure or Cancel leaves the project exactly as it was.

Into a project that already has material, the import merges: a code whose
path (or free node whose name) exists is reused, a source whose text is
identical is reused (its codings are added to it), a case with the same
name is reused. Nothing existing is renamed or overwritten.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..commands import Change, command
from ..models import Attribute, AttributeValue, Case, Coding, Node, Source, utcnow
from ..nlp import detect_language
from ..nodes import PALETTE
from ..progress import CancelToken, Progress, checkpoint
from ..speakers import turn_figures
from ..text import count_words, paragraph_starts
from ..turns import find_turns
from .refi_common import DEFAULT_LIMITS, Limits, Skipped
from .refi_model import RProject
from .refi_notes import NoteWriter

if TYPE_CHECKING:  # pragma: no cover
    from ..project import Project


@dataclass
class ImportSummary:
    """What an import created, what it merged into existing items, and what it left out."""

    file: str
    sources: int = 0
    nodes: int = 0
    codings: int = 0
    memos: int = 0
    cases: int = 0
    attributes: int = 0
    accounts: int = 0
    merged: dict[str, int] = field(default_factory=lambda: {"sources": 0, "nodes": 0, "cases": 0})
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["skipped"] = [s.as_dict() for s in self.skipped]
        return data

    def counts(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in ("sources", "nodes", "codings", "memos", "cases", "attributes",
                                               "accounts")}


def import_qdpx(project: Project, path: str | Path, progress: Progress | None = None,
                cancel: CancelToken | None = None, limits: Limits = DEFAULT_LIMITS) -> ImportSummary:
    """Read ``path`` and add what it holds to ``project`` in one audited transaction."""
    from .refi_read import read_qdpx

    project.require_writable()
    parsed = read_qdpx(path, progress=progress, cancel=cancel, limits=limits)
    return project.run(import_parsed, parsed, coder=project.coder, cancel=cancel)


def import_qdc(project: Project, path: str | Path, limits: Limits = DEFAULT_LIMITS) -> ImportSummary:
    """Merge the codes of a .qdc codebook into the project's nodes."""
    from .refi_read import read_qdc

    project.require_writable()
    parsed = read_qdc(path, limits=limits)
    return project.run(import_parsed, parsed, coder=project.coder)


@command("refi.import")
def import_parsed(session: Session, parsed: RProject, coder: str, cancel: CancelToken | None = None) -> Change:
    """Create sources, nodes, codings, memos, cases, attributes and accounts read from one file."""
    summary = ImportSummary(parsed.file_name, skipped=list(parsed.skipped), notices=list(parsed.notices))
    node_ids = _nodes(session, parsed, coder, summary)
    checkpoint(cancel)
    case_ids = _cases(session, parsed, summary)
    source_ids = _sources(session, parsed, coder, case_ids, summary)
    checkpoint(cancel)
    _attributes(session, parsed, case_ids, source_ids, summary)
    _codings(session, parsed, coder, node_ids, source_ids, summary)
    checkpoint(cancel)
    if not parsed.codebook_only:
        NoteWriter(session, parsed, coder, summary, node_ids, source_ids, case_ids).write()
    what = "codebook" if parsed.codebook_only else "project"
    made = ", ".join(f"{n} {k}" for k, n in summary.counts().items() if n or k in ("sources", "nodes", "codings"))
    if parsed.codebook_only:
        made = f"{summary.nodes} nodes ({summary.merged['nodes']} already there)"
    change = Change("refi.import", "project", None, f"import {what} {parsed.file_name}: {made}",
                    after={"file": parsed.file_name, "origin": parsed.origin, **summary.counts(),
                           "merged": summary.merged, "skipped": sum(s.count for s in summary.skipped)},
                    result=summary)
    return change


# ---------------------------------------------------------------------- nodes
def _nodes(session: Session, parsed: RProject, coder: str, summary: ImportSummary) -> dict[str, int]:
    rows = session.execute(select(Node.id, Node.name, Node.kind, Node.parent_id, Node.position)).all()
    existing: dict[tuple[int | None, str, str], int] = {(r.parent_id, r.kind, r.name): r.id for r in rows}
    next_pos: dict[tuple[int | None, str], int] = {}
    for r in rows:
        key = (r.parent_id, r.kind)
        next_pos[key] = max(next_pos.get(key, 0), r.position + 1)
    count = len(rows)
    ids: dict[str, int] = {}
    for code in parsed.codes:
        kind = "free" if code.free else "tree"
        if code.parent is not None and code.parent not in ids:
            continue  # its parent was left out
        parent_id = ids.get(code.parent) if code.parent else None
        found = existing.get((parent_id, kind, code.name))
        if found is not None:
            ids[code.guid] = found
            summary.merged["nodes"] += 1
            continue
        node = Node(name=code.name, kind=kind, parent_id=parent_id, description=code.description or "",
                    color=code.color or PALETTE[count % (len(PALETTE) - 1)],
                    position=next_pos.get((parent_id, kind), 0), created_by=coder)
        session.add(node)
        session.flush()
        count += 1
        next_pos[(parent_id, kind)] = node.position + 1
        existing[(parent_id, kind, code.name)] = node.id
        ids[code.guid] = node.id
        summary.nodes += 1
    return ids


# ---------------------------------------------------------------------- cases and sources
def _cases(session: Session, parsed: RProject, summary: ImportSummary) -> dict[str, int]:
    existing = dict(session.execute(select(Case.name, Case.id)).all())
    ids: dict[str, int] = {}
    for case in parsed.cases:
        if case.name in existing:
            ids[case.guid] = existing[case.name]
            summary.merged["cases"] += 1
            continue
        row = Case(name=case.name, description=case.description)
        session.add(row)
        session.flush()
        existing[case.name] = ids[case.guid] = row.id
        summary.cases += 1
    return ids


def _sources(session: Session, parsed: RProject, coder: str, case_ids: dict[str, int],
             summary: ImportSummary) -> dict[str, int]:
    case_of: dict[str, str] = {}
    for case in parsed.cases:
        for guid in case.sources:
            if guid in case_of and case_of[guid] != case.guid:
                summary.skipped.append(Skipped("case", case.name, "a source belongs to one case in qdaapp; "
                                               "it stays with the first case listed."))
            case_of.setdefault(guid, case.guid)
    names = set(session.scalars(select(Source.name)).all())
    by_sha = dict(session.execute(select(Source.sha256, Source.id)).all())
    by_text: dict[str, int] | None = None
    ids: dict[str, int] = {}
    merged_into: list[tuple] = []  # (source read, the project's source it is, the case the file gives it)
    for src in parsed.sources:
        text_sha = hashlib.sha256(src.text.encode("utf-8")).hexdigest()
        if by_text is None:
            by_text = {} if not names else {
                hashlib.sha256(t.encode("utf-8")).hexdigest(): i
                for i, t in session.execute(select(Source.id, Source.text)).all()
            }
        if text_sha in by_text:
            ids[src.guid] = by_text[text_sha]
            summary.merged["sources"] += 1
            if src.guid in case_of:
                merged_into.append((src, by_text[text_sha], case_ids.get(case_of[src.guid])))
            continue
        sha = hashlib.sha256(src.original).hexdigest()
        if sha in by_sha:
            summary.skipped.append(Skipped("source", src.name, "the same file is already in the project with a "
                                           "different text; the codings of this one would not fit it."))
            continue
        name = _unique(src.name, names)
        if name != src.name:
            summary.notices.append(f"The source '{src.name}' was imported as '{name}' (the name was taken).")
        case_id = case_ids.get(case_of.get(src.guid, ""))
        turns = find_turns(src.text)
        row = Source(
            name=name, kind=src.kind, format=src.format, case_id=case_id, text=src.text, original=src.original,
            original_name=src.name, sha256=sha, encoding=src.encoding, words=count_words(src.text),
            length=len(src.text), page_starts=json.dumps(src.page_starts) if src.page_starts else None,
            paragraph_starts=json.dumps(paragraph_starts(src.text)),
            turns=json.dumps([[t.start, t.end, t.speaker] for t in turns]), turn_stats=turn_figures(src.text, turns),
            imported_by=src.imported_by or coder, imported_at=src.imported_at or utcnow(),
            language=detect_language(src.text),
        )
        session.add(row)
        session.flush()
        names.add(name)
        by_sha[sha] = by_text[text_sha] = ids[src.guid] = row.id
        summary.sources += 1
    _lost_case_links(session, parsed, ids, merged_into, summary)
    return ids


def _lost_case_links(session: Session, parsed: RProject, ids: dict[str, int], merged_into: list[tuple],
                     summary: ImportSummary) -> None:
    """List every case-to-source link of the file that the project does not get, with the reason."""
    read = {**parsed.source_names, **{src.guid: src.name for src in parsed.sources}}
    for case in parsed.cases:
        for guid in case.sources:
            if guid not in read:
                summary.skipped.append(Skipped("case", case.name, f"its link to the source {guid} was left out: "
                                               "the file has no source with that GUID."))
            elif guid not in ids:
                summary.skipped.append(Skipped("case", case.name, f"its link to the source '{read[guid]}' was "
                                               "left out: that source was not imported."))
    for src, sid, case_id in merged_into:
        have = session.get_one(Source, sid)
        if case_id is not None and have.case_id != case_id:
            now = (f"in the case '{session.get_one(Case, have.case_id).name}'" if have.case_id is not None
                   else "in no case")
            wanted = session.get_one(Case, case_id).name
            summary.skipped.append(Skipped("case", wanted, f"its link to the source '{src.name}' was left out: that "
                                           f"source was already in the project (as '{have.name}', {now}), "
                                           "and an import does not change existing sources."))


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem} ({n}).{ext}" if ext else f"{stem} ({n})"
    return candidate


# ---------------------------------------------------------------------- attributes
def _attributes(session: Session, parsed: RProject, case_ids: dict[str, int], source_ids: dict[str, int],
                summary: ImportSummary) -> None:
    from ..cases import canonical_value
    from ..errors import InvalidInput

    if not parsed.variables:
        return
    attrs = {a.name: a for a in session.scalars(select(Attribute)).all()}
    by_guid: dict[str, Attribute] = {}
    for var in parsed.variables:
        attr = attrs.get(var.name)
        if attr is None:
            attr = attrs[var.name] = Attribute(name=var.name, type=var.type)
            session.add(attr)
        by_guid[var.guid] = attr
    session.flush()
    owners: list[tuple[str, str, int | None, Iterable[tuple[str, str]]]] = []
    owners += [("case", c.name, case_ids.get(c.guid), c.values) for c in parsed.cases]
    owners += [("source", s.name, source_ids.get(s.guid), s.values) for s in parsed.sources]
    for owner, name, owner_id, values in owners:
        if owner_id is None:
            continue
        column = AttributeValue.case_id if owner == "case" else AttributeValue.source_id
        have = dict(session.execute(select(AttributeValue.attribute_id, AttributeValue.value)
                                    .where(column == owner_id)).all())
        for guid, raw in values:
            attr = by_guid.get(guid)
            if attr is None:
                summary.skipped.append(Skipped("attribute", name, "a value refers to a variable that is not "
                                               "in the file."))
                continue
            value = raw[:10] if attr.type == "date" else raw
            try:
                value = canonical_value(value, attr.type, attr.name)
            except InvalidInput as exc:
                summary.skipped.append(Skipped("attribute", f"{attr.name} of {name}", str(exc)))
                continue
            if attr.id in have:
                if have[attr.id] != value:
                    summary.skipped.append(Skipped("attribute", f"{attr.name} of {name}",
                                                   f"it already has the value '{have[attr.id]}', which was kept."))
                continue
            session.add(AttributeValue(attribute_id=attr.id, value=value,
                                       **({"case_id": owner_id} if owner == "case" else {"source_id": owner_id})))
            have[attr.id] = value
            summary.attributes += 1
    session.flush()


# ---------------------------------------------------------------------- codings
def _codings(session: Session, parsed: RProject, coder: str, node_ids: dict[str, int],
             source_ids: dict[str, int], summary: ImportSummary) -> None:
    seen: set[tuple[int, int, int, int, str]] = set()
    if summary.merged["sources"]:
        seen.update((s, n, a, b, c) for s, n, a, b, c in session.execute(
            select(Coding.source_id, Coding.node_id, Coding.start, Coding.end, Coding.coder)
            .where(Coding.source_id.in_(set(source_ids.values())))).all())
    rows: list[dict] = []
    missing_code: dict[str, int] = {}
    duplicates: dict[str, int] = {}
    now = utcnow()
    for src in parsed.sources:
        sid = source_ids.get(src.guid)
        if sid is None:
            n = sum(len(s.codings) for s in src.selections)
            if n:
                summary.skipped.append(Skipped("coding", src.name, f"the source '{src.name}' was not imported.", n))
            continue
        for sel in src.selections:
            for c in sel.codings:
                nid = node_ids.get(c.code or "")
                if nid is None:
                    missing_code[src.name] = missing_code.get(src.name, 0) + 1
                    continue
                key = (sid, nid, sel.start, sel.end, c.coder or coder)
                if key in seen:
                    duplicates[src.name] = duplicates.get(src.name, 0) + 1
                    continue
                seen.add(key)
                rows.append({"source_id": sid, "node_id": nid, "start": sel.start, "end": sel.end,
                             "coder": key[4], "created_at": c.created_at or now, "origin": "refi-import"})
    for name, n in missing_code.items():
        summary.skipped.append(Skipped("coding", name, "it refers to a code that is not in the codebook "
                                       "(a broken GUID reference).", n))
    for name, n in duplicates.items():
        summary.skipped.append(Skipped("coding", name, "the same code, passage and coder is already there.", n))
    if rows:
        session.execute(insert(Coding), rows)
    summary.codings = len(rows)


def coding_id_lookup(session: Session, source_ids: Iterable[int]) -> dict[tuple[int, int, int, int, str], int]:
    """(source, node, start, end, coder) -> coding id, for the sources an import touched."""
    ids = list(set(source_ids))
    if not ids:
        return {}
    rows = session.execute(select(Coding.source_id, Coding.node_id, Coding.start, Coding.end, Coding.coder,
                                  Coding.id).where(Coding.source_id.in_(ids))).all()
    return {(s, n, a, b, c): cid for s, n, a, b, c, cid in rows}
