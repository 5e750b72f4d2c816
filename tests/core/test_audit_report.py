"""The audit report: page-one figures, Word layout (fixed widths, paper, page numbers, properties), quotes, filters."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from qdaapp.core import coding, lexicon, markers, memos, nodes, review
from qdaapp.core.errors import InvalidInput
from qdaapp.core.exchange import audit_report
from qdaapp.core.exchange.audit_report import blocks, facts
from qdaapp.core.project import Project
from qdaapp.core.review_comments import Reply, ReviewComment

from ..conftest import SAMPLE
from .test_markers import TEXT, _indexed
from .test_reports import assert_self_contained, coded, tiny_png  # noqa: F401 - the fixture is used by name

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def reviewed(tmp_path: Path):
    """A known project: 9 marker hits, 3 accepted (1 negated), 1 rejected with a reason; codings of every origin."""
    p = _indexed(tmp_path, TEXT, "P2.txt")
    with p.read_session() as s:
        spec = lexicon.load(s)
    run_id = p.run(markers.run_markers, spec, coder="tester")
    with p.read_session() as s:
        have = review.select_hits(s, run_id, marker="have to") + review.select_hits(s, run_id, marker="asked * to")
        worked = review.select_hits(s, run_id, marker="worked well")
    p.run(review.accept_hits, run_id, have, spread="sentence", coder="tester")  # no reason: counts
    p.coder = "ann"  # the next decision is Ann's
    p.run(review.reject_hits, run_id, worked, coder="ann", reason="praise, not a sanction")
    p.coder = "tester"
    p.run(nodes.create_node, "Trust", free=True)
    p.run(nodes.create_node, "Relying on others", free=True)
    p.run(coding.code, "P2.txt", TEXT.index("We had"), TEXT.index("We had") + 9, "Trust", coder="tester")
    start = TEXT.index("It worked")
    p.run(coding.code_passages, [(1, start, start + 9)], "Trust", "tester")  # search.code, no reason: counts
    p.run(nodes.create_node, "Care/Home visits")
    p.run(nodes.create_node, "Services")
    p.run(nodes.move_node, "Care", to_parent="Services")  # a subtree, no reason: counts
    p.run(nodes.move_node, "Services/Care/Home visits", to_parent="Services")  # one node: not weighty
    into = p.run(nodes.create_node, "Old idea", free=True)
    p.run(nodes.delete_node, into)  # no reason: counts
    p.run(nodes.merge_nodes, "Trust", "Relying on others")  # a memo on the node it kept: reasoned
    with p.read_session() as s:
        kept = nodes.resolve(s, "Relying on others").id
    p.run(memos.add_memo, "Merged because the two overlapped.", target=f"node:{kept}", author="tester")
    yield p
    p.close()


def test_page_one_totals_on_a_known_project(reviewed: Project) -> None:
    with reviewed.read_session() as s:
        report = audit_report.build_report(s, author="Sam")
    f = report.summary
    assert f.codings_by_coder == [("tester", 5)]
    assert f.codings_by_origin == [("by hand", 1), ("accepting marker hits", 3), ("coding search results", 1)]
    assert f.merged == 2  # the hand and the search coding moved from 'Trust'
    m = f.markers
    assert (m.hits, m.accepted, m.rejected, m.open, m.negated_accepted) == (9, 3, 1, 5, 1)
    u = f.unreasoned
    assert (u.total, u.without) == (6, 4)
    assert dict(u.by_action) == {"hits.accept": 1, "search.code": 1, "node.delete": 1, "node.move": 1}
    assert f.coders == ["ann", "tester"] and f.chain.ok and f.seal == f.chain.seal
    assert [name for name, _kind, _sha in f.sources] == ["P2.txt"] and len(f.sources[0][2]) == 64
    rows = {r.marker: r for r in report.markers}
    assert (rows["have to"].accepted, rows["have to"].negated_accepted, rows["worked well"].rejected) == (2, 1, 1)
    assert [c.change for c in report.changes][-2:] == ["Deleted", "Merged"]
    assert report.changes[-1].node == "Trust \u2192 Relying on others"
    assert report.changes[-2].node == "Old idea"  # named as recorded, not by id


def test_a_diary_entry_that_day_gives_the_reason(reviewed: Project) -> None:
    reviewed.run(memos.add_diary_entry, "Cleaned up the codebook and accepted the obligations.", author="tester")
    with reviewed.read_session() as s:
        u = audit_report.build_report(s).summary.unreasoned
    assert (u.total, u.without) == (6, 0)


def test_since_and_coder_narrow_the_report(reviewed: Project) -> None:
    with reviewed.read_session() as s:
        ann = audit_report.build_report(s, coder="ANN")  # matched without regard to case
        later = audit_report.build_report(s, since="2999-01-01")
        with pytest.raises(InvalidInput, match="Nobody called 'zoe'.*ann, tester"):
            audit_report.build_report(s, coder="zoe")
        with pytest.raises(InvalidInput, match="'3 May' is not a date"):
            audit_report.build_report(s, since="3 May")
    assert [t.coder for t in ann.coders] == ["ann"]
    # the timeline is worded by the audit trail's own sentences by default
    assert [r.text for r in ann.coders[0].rows] == ["Rejected 1 hit of marker 'worked well' (sanction) in 1 source"]
    assert ann.summary.markers.rejected == 1 and ann.summary.markers.accepted == 0
    assert ann.summary.codings_by_coder == [] and ann.summary.unreasoned.total == 1
    assert ann.changes == [] and "the work of ann" in audit_report.report_html(ann)
    assert later.coders == [] and later.changes == [] and later.summary.unreasoned.total == 0
    assert later.summary.period[0] == "2999-01-01" and later.summary.codings_by_origin == []


def test_describe_words_the_timeline_and_comments_are_shown(reviewed: Project, tmp_path: Path) -> None:
    seen = []

    def describe(conn, rows):
        seen.extend(r[3] for r in rows)
        return [f"Sentence for {r[3]}" if r[3] == "hits.accept" else "" for r in rows]

    comments = [ReviewComment(1, "Prof. Lee", "2024-05-02T10:00:00+00:00", "project", None, "the project",
                              "Why were negated hits accepted?", "answered",
                              (Reply("Ana", "2024-05-03T09:00:00+00:00", "They narrate the opposite; undone."),))]
    out = tmp_path / "r.html"
    with reviewed.read_session() as s:
        audit_report.export_audit_report(s, out, describe=describe, comments=comments)
        bare = audit_report.build_report(s)
    page = out.read_text(encoding="utf-8")
    assert "hits.accept" in seen and "Sentence for hits.accept" in page
    assert "reject 1 hit(s) of run #1" in page  # an empty sentence falls back to the event's summary
    assert "Why were negated hits accepted?" in page and "Prof. Lee" in page and "2024-05-02 10:00" in page
    assert "Ana (2024-05-03 09:00): They narrate the opposite; undone." in page and "[answered]" in page
    assert bare.comments == [] and "No review comments." in audit_report.report_html(bare)


def _xml(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(name).decode("utf-8")


def test_docx_layout_paper_page_numbers_and_properties(project: Project, coded: dict, tmp_path: Path) -> None:
    import docx
    from lxml import etree

    a4, letter = tmp_path / "a4.docx", tmp_path / "letter.docx"
    before = datetime.now(UTC).replace(microsecond=0)
    with project.read_session() as s:
        audit_report.export_audit_report(s, a4, author="Ana Silva")
        audit_report.export_audit_report(s, letter, paper="letter", author="Ana Silva")
        with pytest.raises(InvalidInput, match="'legal' is not a paper size"):
            audit_report.export_audit_report(s, tmp_path / "x.docx", paper="legal")
    assert not (tmp_path / "x.docx").exists()
    doc = docx.Document(str(a4))
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    other = docx.Document(str(letter)).sections[0]
    assert (round(other.page_width.inches, 2), round(other.page_height.inches, 2)) == (8.5, 11.0)
    props = doc.core_properties
    assert props.author == "Ana Silva" and props.last_modified_by == "Ana Silva"
    assert props.title == "Audit report: template"
    created, modified = (d.replace(tzinfo=UTC) if d.tzinfo is None else d for d in (props.created, props.modified))
    assert created >= before and modified >= before
    assert "python-docx" not in _xml(a4, "docProps/core.xml") and "2013" not in _xml(a4, "docProps/core.xml")
    assert "<Application>qdaapp</Application>" in _xml(a4, "docProps/app.xml")
    footer = _xml(a4, "word/footer1.xml") if "word/footer1.xml" in zipfile.ZipFile(a4).namelist() else ""
    assert "PAGE" in footer and "NUMPAGES" in footer and 'fldCharType="begin"' in footer
    body = etree.fromstring(_xml(a4, "word/document.xml").encode("utf-8"))
    text_width = round((21.0 - 4.0) * 567)
    tables = body.iter(f"{W}tbl")
    checked = 0
    for tbl in tables:
        layout = tbl.find(f"{W}tblPr/{W}tblLayout")
        assert layout is not None and layout.get(f"{W}type") == "fixed"
        grid = [int(c.get(f"{W}w")) for c in tbl.find(f"{W}tblGrid")]
        assert int(tbl.find(f"{W}tblPr/{W}tblW").get(f"{W}w")) == sum(grid) <= text_width
        assert min(grid) >= 400  # no column squeezed to a few characters
        for tr in tbl.findall(f"{W}tr"):
            cells = [int(tc.find(f"{W}tcPr/{W}tcW").get(f"{W}w")) for tc in tr.findall(f"{W}tc")]
            assert cells == grid[:len(cells)]
        checked += 1
    assert checked >= 6
    timeline = next(t for t in body.iter(f"{W}tbl")
                    if "Decision" in "".join(t.find(f"{W}tr").itertext()))
    assert timeline.find(f"{W}tr/{W}trPr/{W}tblHeader") is not None  # the header row repeats on each page


def test_docx_page_one_and_quotes_behind_fragments(project: Project, coded: dict, tmp_path: Path) -> None:
    import docx

    out = tmp_path / "audit.docx"
    with project.read_session() as s:
        audit_report.export_audit_report(s, out, render_flowchart=lambda g, fmt: tiny_png(600, 300))
    doc = docx.Document(str(out))
    h1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert h1 == ["Codebook changes over time", "Marker decisions", "Narrative accounts", "Review comments",
                  "Timeline of analytic decisions", "Codebook as it is now", "Reflective diary", "Memos"]
    # page one ends by starting the next section on a new page, never with a break of its own (which leaves
    # a blank page when page one fills its page exactly)
    first = next(p for p in doc.paragraphs if p.text == "Codebook changes over time")
    assert first.paragraph_format.page_break_before
    assert 'w:type="page"' not in doc.element.xml
    identity = {r.cells[0].text: r.cells[1].text for r in doc.tables[0].rows}
    with project.read_session() as s:
        seal = audit_report.build_report(s).summary.seal
    assert identity["Seal"].startswith(seal) and identity["Audit trail now"] == "intact"
    totals = {r.cells[0].text: r.cells[1].text for r in doc.tables[1].rows}
    assert totals["Codings by coder"] == "ann: 2; tester: 3" and totals["Codings by origin"] == "by hand: 5"
    texts = [p.text for p in doc.paragraphs]
    had = SAMPLE.index("We had to")
    assert "We had to" in texts  # the quote behind the fragment, not its offsets
    assert "\u2014 Rosa.txt, turn 2, P1" in texts  # where it is: the source and the speaker's turn
    assert not any(f"{had}" in t and "Rosa.txt" in t for t in texts)
    assert any(t.startswith("1. The GP asked us; we had to <set it up>.") for t in texts)
    timeline = [[c.text for c in r.cells] for t in doc.tables
                if [c.text for c in t.rows[0].cells] == ["Date", "Time", "What", "Decision", "Reason"]
                for r in t.rows[1:]]
    assert any(r[3] == "5 coding(s) made" and r[1] == "" for r in timeline)  # counted per day, not listed
    undo_row = next(r for t in doc.tables for r in t.rows
                    if len(r.cells) == 5 and r.cells[3].text.startswith("Undid: "))
    assert undo_row.cells[3].paragraphs[0].runs[0].bold
    assert "Merged two codes today." in texts and len(doc.inline_shapes) == 1


def test_html_has_the_seal_and_is_self_contained(project: Project, coded: dict, tmp_path: Path) -> None:
    out = tmp_path / "audit.html"
    with project.read_session() as s:
        audit_report.export_audit_report(s, out)
        seal = audit_report.build_report(s).summary.seal
    page = out.read_text(encoding="utf-8")
    assert_self_contained(page)
    assert seal in page and "What the check of the audit trail proves" in page
    assert "Checked when this report was written: intact." in page
    assert "<blockquote class=\"quote\">We had to</blockquote>" in page


def test_a_broken_chain_is_said_on_page_one(project_path: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(project_path)
    conn.execute("UPDATE audit_events SET summary = 'edited' WHERE seq = 2")
    conn.commit()
    conn.close()
    with Project.open(project_path, read_only=True) as p, p.read_session() as s:
        report = audit_report.build_report(s)
    assert not report.chain.ok
    sentence = facts.chain_sentence(report.chain)
    assert sentence.startswith("Checked when this report was written: NOT intact") and "broken at event 2" in sentence


def test_pdf_without_any_converter_says_what_is_missing(project: Project, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(audit_report, "office_program", lambda: None)
    with project.read_session() as s, pytest.raises(InvalidInput, match="LibreOffice is not installed.*PySide6"):
        audit_report.export_audit_report(s, tmp_path / "r.pdf")
    with project.read_session() as s, pytest.raises(InvalidInput, match="choose a file ending in"):
        audit_report.export_audit_report(s, tmp_path / "r.odt")
    assert not list(tmp_path.glob("r.*"))


def test_pdf_through_a_given_printer(project: Project, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(audit_report, "office_program", lambda: None)
    got = {}

    def printer(doc: audit_report.BlockDocument, out: Path) -> None:
        got.update(doc=doc)
        out.write_bytes(b"%PDF-1.4 test")

    with project.read_session() as s:
        audit_report.export_audit_report(s, tmp_path / "r.pdf", paper="letter", pdf_printer=printer)
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    doc = got["doc"]
    assert doc.paper == "letter" and doc.title == "Audit report: template"
    headings = [b.text for b in doc.blocks if isinstance(b, blocks.Heading) and b.level == 2]
    assert headings == ["Codebook changes over time", "Marker decisions", "Narrative accounts", "Review comments",
                        "Timeline of analytic decisions", "Codebook as it is now", "Reflective diary", "Memos"]


def test_auto_prints_with_the_given_printer_even_when_libreoffice_is_installed(monkeypatch) -> None:
    monkeypatch.setattr(audit_report, "office_program", lambda: "/usr/bin/soffice")
    assert audit_report.pdf_route("auto", lambda doc, out: None) == "qt"
    assert audit_report.pdf_route("auto", None) == "libreoffice"
    assert audit_report.pdf_route("libreoffice", lambda doc, out: None) == "libreoffice"
    monkeypatch.setattr(audit_report, "office_program", lambda: None)
    with pytest.raises(InvalidInput, match="LibreOffice is not installed"):
        audit_report.pdf_route("libreoffice", lambda doc, out: None)


def test_every_way_a_coding_is_made_has_a_label() -> None:
    assert [facts.origin_label(o) for o in ("manual", "markers:12", "search", "search:have to", "similar",
                                            "agreement", "refi-import", "something new")] == [
        "by hand", "accepting marker hits", "coding search results", "coding search results",
        "accepting similar passages", "settling coders' disagreements", "imported from another QDA program", "other"]
    assert "project.merge" in facts.WEIGHTY_ACTIONS
