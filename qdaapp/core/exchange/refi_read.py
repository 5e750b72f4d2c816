"""Read a .qdpx project or a .qdc codebook into plain records (no database).

Tolerates what programs really write: ``Project.qde`` or ``project.qde``,
``Sources/`` or ``sources/``, bare file names instead of ``internal://``,
a byte order mark, no users, no dates, braces and upper case in GUIDs.
What cannot be read is listed in ``skipped`` with the reason; only a file
that is not a REFI-QDA file at all, is unsafe, or has a codebook whose GUID
references are broken raises ImportFailure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ImportFailure
from ..models import SOURCE_KINDS
from ..progress import CancelToken, Progress, checkpoint
from .refi_common import (
    DEFAULT_LIMITS,
    DIARY_PREFIX,
    DIARY_SET_NOTE,
    FRAGMENT_PREFIX,
    FREE_FOLDER_NAME,
    FREE_FOLDER_NOTE,
    ORIGIN_PREFIX,
    SOURCE_KIND_VARIABLE,
    Limits,
    SafeArchive,
    child,
    child_text,
    children,
    is_free_folder_name,
    local,
    norm_guid,
    parse_datetime,
    parse_xml,
    same_name,
)
from .refi_model import RCase, RCode, RGraph, RLink, RNote, RProject, RSet, RVariable, RVertex
from .refi_sources import SourceReader

if TYPE_CHECKING:  # pragma: no cover
    from lxml import etree

_COLOR = re.compile(r"^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
VARIABLE_TYPES = {"Text": "text", "Boolean": "text", "Integer": "number", "Float": "number", "Date": "date",
                  "DateTime": "text"}
VALUE_ELEMENTS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue")


def read_qdpx(path: str | Path, progress: Progress | None = None, cancel: CancelToken | None = None,
              limits: Limits = DEFAULT_LIMITS) -> RProject:
    """Everything in a .qdpx that qdaapp can hold, plus what it left out and why."""
    path = Path(path)
    with SafeArchive(path, limits) as archive:
        entry = archive.project_entry()
        root = parse_xml(archive.read(entry), entry, str(path))
        if local(root.tag) != "Project":
            raise ImportFailure(str(path), f"{entry} is not a REFI-QDA project (its root element is "
                                f"<{local(root.tag)}>, not <Project>).")
        project = RProject(file_name=path.name, origin=root.get("origin") or "")
        project.ours = project.origin.startswith(ORIGIN_PREFIX)
        ids = _Ids()
        project.users = {g: (u.get("name") or u.get("id") or g) for u in _all(root, "Users", "User")
                         if (g := norm_guid(u.get("guid")))}
        codebook = child(root, "CodeBook")
        codes = child(codebook, "Codes") if codebook is not None else None
        if codes is not None:
            _read_codes(codes, project, ids)
        _read_variables(root, project, ids)
        _read_cases(root, project, ids)
        sources = child(root, "Sources")
        if sources is not None:
            SourceReader(archive, project, ids.new, progress, cancel).read(sources)
        checkpoint(cancel)
        _coded_free_folders(project)
        _read_notes(root, archive, project, ids)
        _drop_mirrored_source_memos(project)
        _read_links_sets_graphs(root, project, ids)
        check_code_references(project, path, {s.name: s.codes for s in project.sets})
        for ref in children(root, "NoteRef"):
            project.annotate(norm_guid(ref.get("targetGUID")), "project", None)
        description = child_text(root, "Description").strip()
        if description:
            guid = ids.new()
            project.notes.append(RNote(guid, "Project description", description, None, None, None))
            project.annotate(guid, "project", None)
    return project


def read_qdc(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> RProject:
    """The codes of a .qdc codebook (an XML file, not an archive)."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ImportFailure(str(path), "the file does not exist.", "Check the name and the folder.") from None
    if path.is_dir():
        raise ImportFailure(str(path), "it is a folder, not a file.")
    if not path.is_file():
        raise ImportFailure(str(path), "it is not a regular file (it is a pipe, a device or a socket).",
                            "Choose the exported file saved on the disk.")
    if size == 0:
        raise ImportFailure(str(path), "the file is empty (0 bytes).", "Export the codebook again.")
    if size > limits.max_entry_bytes:
        raise ImportFailure(str(path), "the file is too large for a codebook.")
    data = path.read_bytes()
    if data[:2] == b"PK":
        raise ImportFailure(str(path), "it is a ZIP archive, not a .qdc codebook (an XML file).",
                            "If it is a whole project (.qdpx), use import-qdpx instead.")
    root = parse_xml(data, path.name, str(path))
    if local(root.tag) != "CodeBook":
        raise ImportFailure(str(path), f"it is not a REFI-QDA codebook (its root element is <{local(root.tag)}>, "
                            "not <CodeBook>).")
    project = RProject(file_name=path.name, origin=root.get("origin") or "", codebook_only=True)
    project.ours = project.origin.startswith(ORIGIN_PREFIX)
    codes = child(root, "Codes")
    ids = _Ids()
    if codes is not None:
        _read_codes(codes, project, ids)
    _coded_free_folders(project)
    sets = {(s.get("name") or "(no name)"): [norm_guid(m.get("guid") or m.get("targetGUID"))
                                             for m in children(s, "MemberCode")]
            for s in _all(root, "Sets", "Set")}
    check_code_references(project, path, sets)
    for name in sets:
        project.skip("set", name, "qdaapp has no sets of codes; its codes were imported.")
    return project


def check_code_references(project: RProject, path: Path, sets: Mapping[str, Sequence[str | None]]) -> None:
    """Refuse a codebook whose GUIDs do not hold together.

    A code GUID used twice, a coding whose CodeRef names no code of the
    codebook, or a set member that is not one of its codes: importing the
    rest would put codings on the wrong node or silently drop them, so the
    whole file is refused and the project is left as it was.
    """
    problems: list[str] = []
    guid: str | None  # None where a coding's CodeRef is missing
    if project.duplicate_codes:
        guid, name = project.duplicate_codes[0]
        problems.append(f"{_n(len(project.duplicate_codes), 'code GUID')} used twice (first: {guid}, "
                        f"the code '{name}')")
    known = {c.guid for c in project.codes}
    dangling = [(src.name, c.code) for src in project.sources for sel in src.selections for c in sel.codings
                if c.code not in known]
    if dangling:
        name, guid = dangling[0]
        problems.append(f"{_n(len(dangling), 'coding')} of codes that are not in the codebook (first: "
                        f"{guid or 'a missing or malformed CodeRef'} in the source '{name}')")
    members = [(name, g) for name, guids in sets.items() for g in guids if g not in known]
    if members:
        name, guid = members[0]
        problems.append(f"{_n(len(members), 'set member')} that {'is' if len(members) == 1 else 'are'} not "
                        f"codes of the codebook (first: {guid or 'a malformed GUID'} in the set '{name}')")
    if problems:
        raise ImportFailure(str(path), "its codebook has broken GUID references: " + "; ".join(problems) + ".",
                            "Nothing was imported. Export the file again from the program that made it, "
                            "or correct the references.")


def _n(count: int, what: str) -> str:
    return f"{count} {what}{'' if count == 1 else 's'}"


class _Ids:
    """Stand-in GUIDs for elements that have none (or a malformed one)."""

    def __init__(self) -> None:
        self._n = 0

    def new(self) -> str:
        self._n += 1
        return f"missing-guid-{self._n}"

    def of(self, elem: etree._Element) -> str:
        return norm_guid(elem.get("guid")) or self.new()


def _all(root: etree._Element, group: str, name: str) -> list[etree._Element]:
    parent = child(root, group)
    return children(parent, name) if parent is not None else []


def clean_name(name: str | None, fallback: str) -> str:
    """A node name qdaapp accepts: no '/', not empty, at most 255 characters."""
    text = (name or "").replace("/", "\u2215").strip()
    return (text or fallback)[:255].strip()


def _color(value: str | None) -> str | None:
    if not value or not _COLOR.match(value.strip()):
        return None
    digits = value.strip()[1:]
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return "#" + digits.upper()


def _read_codes(codes: etree._Element, project: RProject, ids: _Ids) -> None:
    seen: set[str] = set()

    def walk(elem: etree._Element, parent: str | None, free: bool, taken: set[str]) -> None:
        guid = ids.of(elem)
        name = clean_name(elem.get("name"), "Unnamed code")
        if guid in seen:
            project.duplicate_codes.append((guid, name))
            return
        seen.add(guid)
        unique, n = name, 1
        while unique.casefold() in taken:
            n += 1
            unique = f"{name} ({n})"
        if unique != name:
            project.skip("node", name, f"renamed to '{unique}': another code with the same parent has this name.")
        taken.add(unique.casefold())
        description = child_text(elem, "Description")
        project.codes.append(RCode(guid, unique, parent, free, _color(elem.get("color")), description))
        for ref in children(elem, "NoteRef"):
            project.annotate(norm_guid(ref.get("targetGUID")), "code", guid)
        sub: set[str] = set()
        for c in children(elem, "Code"):
            walk(c, guid, False, sub)

    top: set[str] = set()
    free_taken: set[str] = set()

    def unfold_free_folder(folder: etree._Element) -> None:
        """The codes in a free-nodes folder: its leaves are free nodes, a code with children a tree."""
        for c in children(folder, "Code"):
            if children(c, "Code"):
                walk(c, None, False, top)
            else:
                walk(c, None, True, free_taken)

    folders = set() if project.ours else _foreign_free_folders(children(codes, "Code"))
    for elem in children(codes, "Code"):
        if elem in folders:
            # Another program's copy of the folder qdaapp keeps free nodes in (its note and isCodable may be
            # gone): its leaves are free nodes again. Should codings refer to the folder itself, it is kept
            # as a tree node too (see _coded_free_folders).
            guid = ids.of(elem)
            folder = RCode(guid, clean_name(elem.get("name"), "Free Nodes"), None, False, _color(elem.get("color")),
                           child_text(elem, "Description"))
            project.free_folders[guid] = folder
            for ref in children(elem, "NoteRef"):
                project.annotate(norm_guid(ref.get("targetGUID")), "code", guid)
            unfold_free_folder(elem)
            continue
        if project.ours and _is_free_folder(elem):
            unfold_free_folder(elem)
            continue
        walk(elem, None, False, top)


def _foreign_free_folders(top: list[etree._Element]) -> set[etree._Element]:
    """The top-level codes of another program's file that are qdaapp's 'Free Nodes' folder.

    Any spelling of the name will do. When several codes are so named (a user's own tree node called
    'Free Nodes', say), those that still carry qdaapp's note win, then those that are not codable.
    """
    named = [e for e in top if is_free_folder_name(e.get("name"))]
    noted = [e for e in named if child_text(e, "Description").strip() == FREE_FOLDER_NOTE]
    folders = [e for e in named if e.get("isCodable") in ("false", "0")]
    return set(noted or (folders if len(named) > 1 and folders else named))


def _coded_free_folders(project: RProject) -> None:
    """Keep as a tree node a 'Free Nodes' folder of another program that has codings of its own; list the
    description of one that has none as left out."""
    coded = {c.code for src in project.sources for sel in src.selections for c in sel.codings}
    for guid, code in project.free_folders.items():
        if guid in coded:
            project.codes.append(code)
            project.notices.append(f"'{code.name}' holds free nodes and has codings of its own: its codes became "
                                   "free nodes and it was kept as a tree node for its codings.")
        elif code.description.strip() and code.description.strip() != FREE_FOLDER_NOTE:
            project.skip("node", code.name, "its description was left out: it holds free nodes, and free nodes "
                         "have no folder in qdaapp.")


def _drop_mirrored_source_memos(project: RProject) -> None:
    """A qdaapp file repeats a source's first memo in the source's Description; import it once, not twice."""
    if not project.ours:
        return
    texts: dict[str, set[str]] = {}
    for note in project.notes:
        for kind, target in project.note_targets.get(note.guid, []):
            if kind == "source" and target and not note.guid.startswith(SOURCE_MEMO_PREFIX):
                texts.setdefault(target, set()).add(note.text.strip())
    keep = []
    for note in project.notes:
        if note.guid.startswith(SOURCE_MEMO_PREFIX):
            target = note.guid[len(SOURCE_MEMO_PREFIX):]
            if note.text.strip() in texts.get(target, set()):
                project.note_targets.pop(note.guid, None)
                continue
        keep.append(note)
    project.notes = keep


def _is_free_folder(elem: etree._Element) -> bool:
    return (elem.get("name") == FREE_FOLDER_NAME and elem.get("isCodable") in ("false", "0")
            and child_text(elem, "Description").strip() == FREE_FOLDER_NOTE)


def read_values(elem: etree._Element) -> list[tuple[str, str]]:
    """(variable GUID, value as text) of an element's VariableValues."""
    out = []
    for vv in children(elem, "VariableValue"):
        ref = child(vv, "VariableRef")
        guid = norm_guid(ref.get("targetGUID")) if ref is not None else None
        value = next((c for c in vv if local(c.tag) in VALUE_ELEMENTS), None)
        if guid and value is not None and (value.text or "").strip():
            out.append((guid, value.text.strip()))
    return out


def _read_variables(root: etree._Element, project: RProject, ids: _Ids) -> None:
    for v in _all(root, "Variables", "Variable"):
        kind = v.get("typeOfVariable") or "Text"
        name = (v.get("name") or "").strip() or "Unnamed variable"
        if same_name(name, SOURCE_KIND_VARIABLE) and project.kind_variable is None:
            project.kind_variable = ids.of(v)  # read into the sources' kinds, not an attribute
            continue
        project.variables.append(RVariable(ids.of(v), name[:255], VARIABLE_TYPES.get(kind, "text")))
        if kind in ("Boolean", "DateTime"):
            project.notices.append(f"The variable '{name}' ({kind}) was imported as a text attribute.")


def _read_cases(root: etree._Element, project: RProject, ids: _Ids) -> None:
    for n, c in enumerate(_all(root, "Cases", "Case"), start=1):
        name = " ".join((c.get("name") or "").split())[:255] or f"Case {n}"
        case = RCase(ids.of(c), name, child_text(c, "Description"))
        case.sources = [g for r in children(c, "SourceRef") if (g := norm_guid(r.get("targetGUID")))]
        case.values = [(g, v) for g, v in read_values(c) if g != project.kind_variable]
        project.cases.append(case)
        extra = len(children(c, "SelectionRef")) + len(children(c, "CodeRef"))
        if extra:
            project.skip("case", name, "qdaapp cases group whole sources; its references to passages or codes "
                         "were left out.", extra)


def _read_notes(root: etree._Element, archive: SafeArchive, project: RProject, ids: _Ids) -> None:
    from .refi_text import decode

    for note in _all(root, "Notes", "Note"):
        guid = ids.of(note)
        title = (note.get("name") or "").strip()[:255]
        text = child_text(note, "PlainTextContent")
        path = note.get("plainTextPath")
        if not text and path:
            entry = archive.find_source(path)
            if entry is not None:
                text = decode(archive.read(entry))[0]
        description = child_text(note, "Description").strip()
        record = RNote(guid, title, text, project.user_name(note.get("creatingUser")),
                       parse_datetime(note.get("creationDateTime")), parse_datetime(note.get("modifiedDateTime")))
        if project.ours and description.startswith(DIARY_PREFIX):
            record.diary_date = description[len(DIARY_PREFIX):].strip()[:10]
        elif project.ours and description.startswith(FRAGMENT_PREFIX):
            try:
                record.fragment = json.loads(description[len(FRAGMENT_PREFIX):])
            except ValueError:
                record.fragment = None
        elif description:
            record.text = f"{description}\n\n{text}" if text.strip() else description
        if not record.text.strip() and not record.title:
            project.skip("memo", guid, "the note is empty.")
            continue
        project.notes.append(record)
        for ref in children(note, "NoteRef"):
            project.annotate(norm_guid(ref.get("targetGUID")), "note", guid)


def _read_links_sets_graphs(root: etree._Element, project: RProject, ids: _Ids) -> None:
    for link in _all(root, "Links", "Link"):
        project.links.append(RLink(norm_guid(link.get("guid")), link.get("name") or "",
                                   norm_guid(link.get("originGUID")), norm_guid(link.get("targetGUID"))))
    for s in _all(root, "Sets", "Set"):
        record = RSet(ids.of(s), (s.get("name") or "").strip() or "Unnamed set", child_text(s, "Description"))
        record.codes = [g for m in children(s, "MemberCode") if (g := norm_guid(m.get("targetGUID")))]
        record.sources = [g for m in children(s, "MemberSource") if (g := norm_guid(m.get("targetGUID")))]
        record.notes = [g for m in children(s, "MemberNote") if (g := norm_guid(m.get("targetGUID")))]
        record.diary = project.ours and record.description.strip() == DIARY_SET_NOTE
        project.sets.append(record)
    for g in _all(root, "Graphs", "Graph"):
        graph = RGraph(ids.of(g), g.get("name") or "Graph")
        for v in children(g, "Vertex"):
            try:
                x, y = float(v.get("firstX") or 0), float(v.get("firstY") or 0)
            except ValueError:
                x = y = 0.0
            graph.vertices.append(RVertex(ids.of(v), norm_guid(v.get("representedGUID")), x, y))
        graph.edges = len(children(g, "Edge"))
        project.graphs.append(graph)


SOURCE_MEMO_PREFIX = "source-description-"


def source_kind(project: RProject, values: list[tuple[str, str]], description: str) -> tuple[str, str]:
    """(kind, memo) of a source from its variable values and its Description.

    The kind is the value of the 'qdaapp source kind' variable, whatever program wrote the file; a
    qdaapp file from before that variable kept the kind in the Description, which is then no memo.
    Otherwise the Description is the source's memo.
    """
    description = description.strip()
    given = next((v.strip() for g, v in values if g == project.kind_variable), None)
    if given is not None and given in SOURCE_KINDS:
        return given, description
    if given is None and project.ours and description in SOURCE_KINDS:
        return description, ""
    if given is not None:
        project.notices.append(f"'{given}' is not a kind of source qdaapp knows; the source was imported as an "
                               "interview.")
    return "interview", description
