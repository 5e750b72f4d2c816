"""REFI-QDA exchange loses nothing silently: what other programs write is imported or listed as skipped,
and what qdaapp writes survives their conventions (one coder per selection, the memo in a source's
Description, the 'Free Nodes' folder coming back in any spelling)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from qdaapp.core import coding, memos, nodes
from qdaapp.core.exchange.refi_export import export_qdpx
from qdaapp.core.exchange.refi_import import import_qdc, import_qdpx
from qdaapp.core.models import Case, Coding, Memo, Node, Source

from .test_refi import NS, STORY, G, blank_project, build_rich, fresh, make_qdpx, qde, snapshot  # noqa: F401

Q = f"{{{NS}}}"
TEXT = "Alpha beta gamma delta epsilon zeta eta theta"


def other_tool_file(tmp_path: Path, folder_name: str = "free  nodes", folder_codable: str = "true",
                    code_the_folder: bool = False) -> Path:
    """A project as another program writes it: a 'Free Nodes' folder without qdaapp's note, a memo in the
    source's Description, a coding memo in its selection's Description, a note on an uncoded passage and a
    case that names a source the file does not hold."""
    codes = (f'<Code guid="{G(1)}" name="{folder_name}" isCodable="{folder_codable}">'
             f'<Code guid="{G(2)}" name="Trust" isCodable="true"/><Code guid="{G(3)}" name="Hope" isCodable="true"/>'
             f'</Code><Code guid="{G(4)}" name="Barriers" isCodable="false">'
             f'<Code guid="{G(5)}" name="Time" isCodable="true"/></Code>')
    folder_coding = (f'<PlainTextSelection guid="{G(30)}" startPosition="0" endPosition="5">'
                     f'<Coding guid="{G(31)}" creatingUser="{G(90)}"><CodeRef targetGUID="{G(1)}"/></Coding>'
                     f'</PlainTextSelection>') if code_the_folder else ""
    sources = (
        f'<TextSource guid="{G(10)}" name="Interview A" plainTextPath="internal://{G(11)}.txt" '
        f'creatingUser="{G(90)}"><Description>Memo about interview A</Description>'
        f'<PlainTextSelection guid="{G(12)}" startPosition="6" endPosition="10" creatingUser="{G(90)}">'
        f'<Description>Why beta is trust</Description>'
        f'<Coding guid="{G(13)}" creatingUser="{G(90)}"><CodeRef targetGUID="{G(2)}"/></Coding>'
        f'</PlainTextSelection>'
        f'<PlainTextSelection guid="{G(14)}" startPosition="17" endPosition="30" creatingUser="{G(91)}">'
        f'<NoteRef targetGUID="{G(20)}"/></PlainTextSelection>'
        f'<PlainTextSelection guid="{G(15)}" startPosition="11" endPosition="16" creatingUser="{G(91)}">'
        f'<Coding guid="{G(16)}" creatingUser="{G(91)}"><CodeRef targetGUID="{G(5)}"/></Coding>'
        f'</PlainTextSelection>{folder_coding}</TextSource>'
    )
    extra = (f'<Notes><Note guid="{G(20)}" name="Annotation" creatingUser="{G(91)}">'
             f'<PlainTextContent>An annotation on delta epsilon</PlainTextContent></Note></Notes>'
             f'<Cases><Case guid="{G(40)}" name="Case A"><SourceRef targetGUID="{G(10)}"/>'
             f'<SourceRef targetGUID="{G(99)}"/></Case></Cases>')
    users = f'<Users><User guid="{G(90)}" name="ann"/><User guid="{G(91)}" name="bo"/></Users>'
    xml = qde(sources, codes, extra, attrs='origin="Another Tool 3.5"').replace("<CodeBook>", users + "<CodeBook>")
    return make_qdpx(tmp_path / "other.qdpx", xml, {f"sources/{G(11)}.txt": TEXT.encode("utf-8")})


def memo_rows(project) -> list[tuple]:
    with project.read_session() as s:
        out = []
        for m in s.scalars(select(Memo).order_by(Memo.id)):
            where = None
            if m.target_type == "coding":
                c = s.get(Coding, m.target_id)
                where = (s.get(Source, c.source_id).name, c.start, c.end, s.get(Node, c.node_id).name, c.coder)
            elif m.target_type == "source":
                where = s.get(Source, m.target_id).name
            out.append((m.target_type, where, m.text, m.author))
        return out


def node_rows(project) -> set[tuple[str, str]]:
    with project.read_session() as s:
        return {(n.path, n.kind) for n in nodes.list_nodes(s)}


# ---------------------------------------------------------------------- import from other programs
def test_memos_annotations_and_lost_case_links_from_another_program(blank_project: Path, tmp_path: Path) -> None:
    project = fresh(blank_project, tmp_path, "t.qda")
    summary = import_qdpx(project, other_tool_file(tmp_path))
    rows = memo_rows(project)
    assert ("source", "Interview A", "Memo about interview A", "") in rows  # the source's Description
    assert ("coding", ("Interview A", 6, 10, "Trust", "ann"), "Why beta is trust", "ann") in rows  # the selection's
    a, b = 17, 30
    assert TEXT[a:b] == "delta epsilon"
    annotation = [r for r in rows if "An annotation on delta epsilon" in r[2]]
    assert annotation == [("source", "Interview A", f"On characters {a}\u2013{b} of Interview A: \u201cdelta "
                           f"epsilon\u201d\n\nAn annotation on delta epsilon", "bo")]
    assert any("not anchored to a passage" in n for n in summary.notices)
    reasons = [(s.kind, s.name, s.reason) for s in summary.skipped]
    assert ("case", "Case A", f"its link to the source {G(99)} was left out: the file has no source with that "
            "GUID.") in reasons
    assert len(rows) == 3 and summary.memos == 3
    with project.read_session() as s:
        assert s.scalar(select(Source.kind)) == "interview"
        assert s.scalar(select(Case.name).join(Source, Source.case_id == Case.id)) == "Case A"
    project.close()


@pytest.mark.parametrize("name", ["free  nodes", "Free Nodes", "FREE_NODES", " FreeNodes ", "Free-nodes"])
def test_a_free_nodes_folder_from_any_program_gives_free_nodes(blank_project: Path, tmp_path: Path,
                                                               name: str) -> None:
    project = fresh(blank_project, tmp_path, "t.qda")
    import_qdpx(project, other_tool_file(tmp_path, folder_name=name))
    assert node_rows(project) == {("Trust", "free"), ("Hope", "free"), ("Barriers", "tree"),
                                  ("Barriers/Time", "tree")}
    with project.read_session() as s:
        free = {n.name for n in s.scalars(select(Node).where(Node.kind == "free"))}
        coded = {s.get(Node, c.node_id).name for c in s.scalars(select(Coding))}
    assert free == {"Trust", "Hope"} and coded == {"Trust", "Time"}
    project.close()


def test_a_coded_free_nodes_folder_keeps_its_codings(blank_project: Path, tmp_path: Path) -> None:
    project = fresh(blank_project, tmp_path, "t.qda")
    summary = import_qdpx(project, other_tool_file(tmp_path, code_the_folder=True))
    assert node_rows(project) == {("Trust", "free"), ("Hope", "free"), ("Barriers", "tree"),
                                  ("Barriers/Time", "tree"), ("free  nodes", "tree")}
    assert summary.codings == 3 and any("codings of its own" in n for n in summary.notices)
    project.close()


def test_what_a_free_nodes_folder_carried_is_listed(blank_project: Path, tmp_path: Path) -> None:
    path = other_tool_file(tmp_path)
    with zipfile.ZipFile(path) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    folder = b'name="free  nodes" isCodable="true">'
    entries["project.qde"] = entries["project.qde"].replace(
        folder, folder + f'<Description>Codes to sort</Description><NoteRef targetGUID="{G(21)}"/>'.encode()).replace(
        b"</Notes>", f'<Note guid="{G(21)}" name="On the folder"><PlainTextContent>Sort these soon'
                     f'</PlainTextContent></Note></Notes>'.encode())
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    project = fresh(blank_project, tmp_path, "t.qda")
    summary = import_qdpx(project, path)
    reasons = [(s.kind, s.name, s.reason) for s in summary.skipped]
    assert ("node", "free  nodes", "its description was left out: it holds free nodes, and free nodes have no "
            "folder in qdaapp.") in reasons
    assert ("memo", "On the folder", "what it annotates was not imported; it was kept as a project memo.") in reasons
    assert ("project", None, "Sort these soon", "") in memo_rows(project)
    project.close()


def test_a_free_nodes_folder_in_a_codebook(blank_project: Path, tmp_path: Path) -> None:
    book = tmp_path / "b.qdc"
    book.write_text(f'<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0" '
                    f'origin="Another Tool"><Codes><Code guid="{G(1)}" name="Free nodes" isCodable="false">'
                    f'<Code guid="{G(2)}" name="Trust" isCodable="true"/></Code></Codes></CodeBook>', encoding="utf-8")
    project = fresh(blank_project, tmp_path, "t.qda")
    import_qdc(project, book)
    assert node_rows(project) == {("Trust", "free")}
    project.close()


def test_a_case_link_to_a_source_not_imported_is_listed(blank_project: Path, tmp_path: Path) -> None:
    sources = (f'<TextSource guid="{G(10)}" name="A" plainTextPath="internal://{G(11)}.txt"/>'
               f'<PictureSource guid="{G(12)}" name="Photo" path="internal://{G(13)}.png"/>')
    extra = (f'<Cases><Case guid="{G(40)}" name="C"><SourceRef targetGUID="{G(10)}"/>'
             f'<SourceRef targetGUID="{G(12)}"/></Case></Cases>')
    path = make_qdpx(tmp_path / "c.qdpx", qde(sources, "", extra), {f"sources/{G(11)}.txt": b"Some text here"})
    project = fresh(blank_project, tmp_path, "t.qda")
    summary = import_qdpx(project, path)
    assert ("case", "C", "its link to the source 'Photo' was left out: that source was not imported.") in \
        [(s.kind, s.name, s.reason) for s in summary.skipped]
    project.close()


def test_a_case_link_to_a_source_already_in_another_case_is_listed(blank_project: Path, tmp_path: Path) -> None:
    from qdaapp.core import cases

    from .test_refi import add_text

    project = fresh(blank_project, tmp_path, "t.qda")
    add_text(project, tmp_path, "Mine.txt", "Some text here", case_name="Old case")
    sources = f'<TextSource guid="{G(10)}" name="A" plainTextPath="internal://{G(11)}.txt"/>'
    extra = f'<Cases><Case guid="{G(40)}" name="New case"><SourceRef targetGUID="{G(10)}"/></Case></Cases>'
    path = make_qdpx(tmp_path / "c.qdpx", qde(sources, "", extra), {f"sources/{G(11)}.txt": b"Some text here"})
    summary = import_qdpx(project, path)
    assert summary.merged["sources"] == 1
    assert any(s.kind == "case" and s.name == "New case" and "already in the project (as 'Mine.txt', in the case "
               "'Old case')" in s.reason for s in summary.skipped)
    with project.read_session() as s:
        assert [c.sources for c in cases.list_cases(s) if c.name == "Old case"] == [["Mine.txt"]]
    project.close()


def test_source_kind_from_the_variable_and_from_files_written_before(blank_project: Path, tmp_path: Path) -> None:
    var = f'<Variables><Variable guid="{G(50)}" name="qdaapp source kind" typeOfVariable="Text"/></Variables>'
    new = (f'<TextSource guid="{G(10)}" name="A" plainTextPath="internal://{G(11)}.txt">'
           f'<Description>field-note</Description><VariableValue><VariableRef targetGUID="{G(50)}"/>'
           f'<TextValue>document</TextValue></VariableValue></TextSource>')
    old = (f'<TextSource guid="{G(12)}" name="B" plainTextPath="internal://{G(13)}.txt">'
           f'<Description>field-note</Description></TextSource>')
    files = {f"sources/{G(11)}.txt": b"Text of A", f"sources/{G(13)}.txt": b"Text of B"}
    # Another program that kept the variable: the kind is read from it, the Description is the memo.
    project = fresh(blank_project, tmp_path, "t.qda")
    import_qdpx(project, make_qdpx(tmp_path / "v.qdpx", qde(new, "", var, attrs='origin="Other 1"'), files))
    with project.read_session() as s:
        assert s.execute(select(Source.name, Source.kind)).all() == [("A", "document")]
        assert [(m.target_type, m.text) for m in s.scalars(select(Memo))] == [("source", "field-note")]
        assert s.scalar(select(func_count(Memo))) == 1
        from qdaapp.core.models import Attribute
        assert s.scalars(select(Attribute.name)).all() == []  # the kind variable is no attribute
    project.close()
    # A qdaapp file written before the variable: the kind is the Description, no memo.
    project = fresh(blank_project, tmp_path, "u.qda")
    import_qdpx(project, make_qdpx(tmp_path / "o.qdpx", qde(old, "", "", attrs='origin="qdaapp 0.9"'), files))
    with project.read_session() as s:
        assert s.execute(select(Source.name, Source.kind)).all() == [("B", "field-note")]
        assert s.scalars(select(Memo)).all() == []
    project.close()


def func_count(model):
    from sqlalchemy import func

    return func.count(model.id)


# ---------------------------------------------------------------------- export
def test_export_writes_one_selection_per_coder_and_the_memo_as_description(blank_project: Path,
                                                                           tmp_path: Path) -> None:
    project = fresh(blank_project, tmp_path, "rich.qda")
    build_rich(project, tmp_path)
    start = STORY.index("We had to")
    project.run(coding.code, "Rosa 🌹.txt", start, start + 13, "Barriers/Time", "alice")  # alice twice on the span
    project.run(memos.add_memo, "A second memo on Rosa", target="source:1")
    with project.read_session() as s:
        out = export_qdpx(s, tmp_path / "rich.qdpx")
    doc = etree.fromstring(zipfile.ZipFile(out).read("project.qde"))
    users = {u.get("guid"): u.get("name") for u in doc.iter(f"{Q}User")}
    spans: dict[tuple[str, str], list[str]] = {}
    for sel in doc.iter(f"{Q}PlainTextSelection"):
        coders = {users[c.get("creatingUser")] for c in sel.iter(f"{Q}Coding")}
        assert len(coders) <= 1
        if coders:
            assert users[sel.get("creatingUser")] in coders
            spans.setdefault((sel.get("startPosition"), sel.get("endPosition")), []).append(coders.pop())
    assert sorted(spans[(str(start), str(start + 13))]) == ["alice", "bob"]
    guids = [sel.get("guid") for sel in doc.iter(f"{Q}PlainTextSelection")]
    assert len(guids) == len(set(guids))
    by_name = {e.get("name"): e for e in doc.iter(f"{Q}TextSource")}
    assert by_name["Rosa 🌹.txt"].findtext(f"{Q}Description") == "About Rosa's interview"  # the first memo
    assert by_name["Notes.txt"].find(f"{Q}Description") is None  # no memo; never the kind
    kind_var = [v.get("guid") for v in doc.iter(f"{Q}Variable") if v.get("name") == "qdaapp source kind"]
    kinds = {name: [vv.findtext(f"{Q}TextValue") for vv in e.findall(f"{Q}VariableValue")
                    if vv.find(f"{Q}VariableRef").get("targetGUID") == kind_var[0]] for name, e in by_name.items()}
    assert kinds == {"Rosa 🌹.txt": ["interview"], "Notes.txt": ["field-note"]}
    project.close()


# ---------------------------------------------------------------------- round trips
def as_another_program(path: Path, out: Path) -> Path:
    """Our export as another program writes it back: its own origin, 'Free Nodes' renamed, without our
    note, source memos only in the Description, every coding memo in its selection's Description (one
    coding per selection)."""
    with zipfile.ZipFile(path) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    doc = etree.fromstring(entries["project.qde"])
    doc.set("origin", "Another Tool 3.5")
    for code in doc.find(f"{Q}CodeBook/{Q}Codes"):
        if code.get("name") == "Free Nodes" and code.get("isCodable") == "false":
            code.set("name", "FREE NODES")  # a folder (not codable) without our note; the tree node of the
            code.remove(code.find(f"{Q}Description"))  # user's called "Free Nodes" stays codable
    notes = {n.get("guid"): n for n in doc.iter(f"{Q}Note")}
    for src in doc.iter(f"{Q}TextSource"):
        for ref in src.findall(f"{Q}NoteRef"):
            if src.find(f"{Q}Description") is not None and \
                    notes[ref.get("targetGUID")].findtext(f"{Q}PlainTextContent") == src.findtext(f"{Q}Description"):
                note = notes[ref.get("targetGUID")]
                note.getparent().remove(note)
                src.remove(ref)
    for sel in list(doc.iter(f"{Q}PlainTextSelection")):
        for c in sel.findall(f"{Q}Coding"):
            for ref in c.findall(f"{Q}NoteRef"):
                note = notes[ref.get("targetGUID")]
                description = etree.Element(f"{Q}Description")
                description.text = note.findtext(f"{Q}PlainTextContent")
                sel.insert(0, description)
                c.remove(ref)
                note.getparent().remove(note)
    entries["project.qde"] = etree.tostring(doc, xml_declaration=True, encoding="utf-8")
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out


def comparable(snap: dict) -> dict:
    """A snapshot without what another program is not asked to keep: memo titles, and the diary and
    narrative accounts (qdaapp's own, rebuilt only from qdaapp's files)."""
    out = dict(snap)
    out["memos"] = sorted(((text, kind, target, author) for text, _title, kind, target, _day, author
                           in snap["memos"] if kind in ("source", "coding", "node", "case", "memo")), key=repr)
    return out


def test_round_trip_through_another_programs_conventions(blank_project: Path, tmp_path: Path) -> None:
    project = fresh(blank_project, tmp_path, "rich.qda")
    build_rich(project, tmp_path)
    with project.read_session() as s:
        out = export_qdpx(s, tmp_path / "rich.qdpx")
    other = as_another_program(out, tmp_path / "other.qdpx")
    target = fresh(blank_project, tmp_path, "copy.qda", coder="carol")
    summary = import_qdpx(target, other)
    before, after = comparable(snapshot(project)), comparable(snapshot(target))
    for key in ("nodes", "codings", "sources", "cases", "attributes", "source_attributes", "memos"):
        if key == "memos":  # fragments of accounts come back as memos on their passages, as notes do
            assert [m for m in after[key] if not m[0].startswith("qdaapp fragment ")] == before[key]
        else:
            assert after[key] == before[key], key
    assert not [s for s in summary.skipped if s.kind in ("coding", "case", "source")]
    assert not [s for s in summary.skipped if s.kind == "memo" and "already" in s.reason]
    project.close()
    target.close()


def test_round_trip_of_what_another_program_wrote(blank_project: Path, tmp_path: Path) -> None:
    first = fresh(blank_project, tmp_path, "first.qda")
    import_qdpx(first, other_tool_file(tmp_path))
    with first.read_session() as s:
        out = export_qdpx(s, tmp_path / "again.qdpx")
    second = fresh(blank_project, tmp_path, "second.qda", coder="carol")
    summary = import_qdpx(second, out)
    assert not summary.skipped and not summary.notices
    a, b = snapshot(first), snapshot(second)
    for key in a:
        assert b[key] == a[key], key
    assert memo_rows(second) == memo_rows(first) and len(memo_rows(second)) == 3
    first.close()
    second.close()
