"""Coded themes, codebook, memos, analyses and the audit report (no Qt: charts come from callbacks)."""

from __future__ import annotations

import csv
import random
import re
import struct
import zlib
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select, text

from qdaapp.core import audit, coding, memos, narrative, nodes, sources
from qdaapp.core.errors import DiskFull, InvalidInput, NotFound
from qdaapp.core.exchange import analysis, audit_report, codebook_doc, memo_export, themes
from qdaapp.core.models import AuditEvent, Coding
from qdaapp.core.project import Project

from ..conftest import SAMPLE

ODD = 'P2: She said <script>alert("x")</script> & =SUM(A1) "quoted" \u00e9t\u00e9.\n'


def tiny_png(width: int = 3, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def node_id(project: Project, ref: str) -> int:
    with project.read_session() as s:
        return nodes.resolve(s, ref).id


@pytest.fixture
def coded(project: Project, tmp_path: Path) -> dict:
    """The template project with codings (one over the emoji), an odd source, memos, a diary and an account."""
    odd = tmp_path / "Odd.txt"
    odd.write_text(ODD, encoding="utf-8")
    docs, _ = sources.read_files([odd])
    project.run(sources.import_documents, docs, kind="interview", case_name="P2 Sam")
    emoji = SAMPLE.index("😀")
    had = SAMPLE.index("We had to")
    spans = {
        "had": project.run(coding.code, "Rosa.txt", had, had + 9, "Trust", coder="tester"),
        "emoji": project.run(coding.code, "Rosa.txt", emoji - 9, emoji + 13, "Barriers/Workload", coder="tester"),
        "notes": project.run(coding.code, "Notes.txt", 0, 10, "Barriers/Workload", coder="ann"),
        "odd": project.run(coding.code, "Odd.txt", 13, 42, "Trust", coder="ann"),
        "parent": project.run(coding.code, "Rosa.txt", had, had + 30, "Barriers", coder="tester"),
    }
    workload = node_id(project, "Barriers/Workload")
    project.run(memos.add_memo, "Workload shows up <everywhere>.", target=f"node:{workload}", title="Workload memo",
                author="tester")
    project.run(memos.add_memo, "The emoji matters here.", target=f"coding:{spans['emoji']}", title="On the emoji")
    project.run(memos.add_memo, "A thought about the project.", title="Project memo", author="ann")
    project.run(memos.add_diary_entry, "Merged two codes today.", day="2024-05-03", author="tester")
    project.run(memos.add_diary_entry, "Started coding.", day="2024-05-01", author="tester")
    acc = project.run(narrative.create_account, "Referral system", description="setting up referrals")
    f1 = project.run(narrative.add_fragment, acc, "The GP asked us; we had to <set it up>.", act="manipulation",
                     case_ref="P1 Rosa", actors=["GP", "we"], passages=[("Rosa.txt", had, had + 9)])
    project.run(narrative.add_fragment, acc, "It worked well.", act="sanction", after=f1)
    project.run(nodes.update_node, node_id(project, "Trust"), description="Reliance on colleagues")
    project.undo()
    return {"codings": spans, "emoji_text": SAMPLE[emoji - 9:emoji + 13], "account": acc}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))


def assert_self_contained(page: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(page)
    names = {t for t, _ in parser.tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed"}
    for tag, attrs in parser.tags:
        for key in ("src", "href"):
            assert not (attrs.get(key) or "#").lstrip().startswith(("http", "//", "data:", "file:")), (tag, attrs)
    assert "@import" not in page and "url(" not in page.replace("url(#", "")
    return parser.tags


# ---------------------------------------------------------------------- coded themes
def test_themes_docx(project: Project, coded: dict, tmp_path: Path) -> None:
    import docx

    out = tmp_path / "themes.docx"
    with project.read_session() as s:
        assert themes.export_themes(s, out, "docx") == out
    doc = docx.Document(str(out))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert headings == ["Barriers", "Barriers/Workload", "Trust"]  # tree order, then free nodes
    body = [p.text for p in doc.paragraphs]
    assert "Too much to do" in " ".join(body)
    quotes = [p.text for p in doc.paragraphs if p.style.name == "Quote"]
    assert coded["emoji_text"] in quotes and "We had to" in quotes
    emoji = SAMPLE.index("😀")
    assert f"Rosa.txt · P1 Rosa · {emoji - 9}\u2013{emoji + 13} · tester" in "\n".join(body)
    assert "Workload shows up <everywhere>." in body and "The emoji matters here." in body
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in doc.tables]
    assert ["Notes.txt", "", "1"] in tables[2] and ["Rosa.txt", "P1 Rosa", "1"] in tables[2]  # Workload by source
    assert tables[3][1:] == [["P1 Rosa", "1", "1"], ["(no case)", "1", "1"]]  # Workload by case


def test_themes_xlsx_and_csv_rows(project: Project, coded: dict, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    with project.read_session() as s:
        themes.export_themes(s, tmp_path / "t.xlsx", "xlsx")
        themes.export_themes(s, tmp_path / "t.csv", "csv")
    header = ["Node", "Source", "Case", "role", "Text", "Coder", "Date", "Start", "End", "Page"]
    ws = load_workbook(tmp_path / "t.xlsx").active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0] == header and len(rows) == 6
    emoji = SAMPLE.index("😀")
    (row,) = [r for r in rows if r[4] == coded["emoji_text"]]
    assert row[:4] == ["Barriers/Workload", "Rosa.txt", "P1 Rosa", "Practice nurse"]
    assert (row[5], row[7], row[8], row[9]) == ("tester", emoji - 9, emoji + 13, None)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", row[6])
    odd_row = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "Odd.txt")
    assert odd_row[4].data_type == "s" and odd_row[4].value == ODD[13:42]  # never a formula
    with open(tmp_path / "t.csv", encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == header and len(table) == 6
    assert [r[4] for r in table[1:]] == [r[4] for r in rows[1:]]
    assert [r[0] for r in table[1:]] == ["Barriers", "Barriers/Workload", "Barriers/Workload", "Trust", "Trust"]
    assert next(r for r in table if r[1] == "Notes.txt")[2:4] == ["", ""]


def test_themes_html_is_escaped_and_self_contained(project: Project, coded: dict, tmp_path: Path) -> None:
    out = tmp_path / "t.html"
    with project.read_session() as s:
        themes.export_themes(s, out, "html")
    page = out.read_text(encoding="utf-8")
    tags = assert_self_contained(page)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page and "<script" not in page
    assert coded["emoji_text"] in page and "<style>" in page and '<meta charset="utf-8">' in page
    assert "Workload shows up &lt;everywhere&gt;." in page
    assert sum(1 for t, _ in tags if t == "blockquote") == 5
    emoji = SAMPLE.index("😀")
    assert f'<p class="caption">Rosa.txt · P1 Rosa · {emoji - 9}\u2013{emoji + 13} · tester · ' in page
    assert '<p class="caption">Notes.txt · no case · 0\u20131' in page
    assert "Too much to do" in page  # the node's definition
    headings = re.findall(r'<h2 id="node-\d+">.*?</span>(.*?)</h2>', page)
    assert headings == ["Barriers", "Barriers/Workload", "Trust"]
    workload = page[page.index(">Barriers/Workload</h2>"):page.index(">Trust</h2>")]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", workload)
    assert cells[:6] == ["Notes.txt", "", "1", "Rosa.txt", "P1 Rosa", "1"]  # counts by source
    assert "The emoji matters here." in workload  # the memo on the coding, under its node


def test_themes_give_the_page_of_a_paged_source(project: Project, tmp_path: Path) -> None:
    import docx
    from openpyxl import load_workbook

    from qdaapp.core.importers.base import build_document

    text = "First page words.\nSecond page starts here and goes on.\nThird page.\n"
    starts = [0, text.index("Second"), text.index("Third")]
    doc = build_document(tmp_path / "Report.pdf", "pdf", text, b"%PDF-1.4 stand-in", page_starts=starts)
    project.run(sources.import_documents, [doc], kind="document")
    at = text.index("starts here")
    project.run(coding.code, "Report.pdf", at, at + 11, "Trust", coder="tester")
    with project.read_session() as s:
        for fmt in ("docx", "xlsx", "csv", "html"):
            themes.export_themes(s, tmp_path / f"p.{fmt}", fmt)
    label = f"Report.pdf · no case · p. 2 · {at}\u2013{at + 11} · tester"
    assert any(p.text.startswith(label) for p in docx.Document(str(tmp_path / "p.docx")).paragraphs)
    assert label in (tmp_path / "p.html").read_text(encoding="utf-8")
    ws = load_workbook(tmp_path / "p.xlsx").active
    assert [(r[1], r[4], r[9]) for r in ws.iter_rows(min_row=2, values_only=True)] == [("Report.pdf", "starts here", 2)]
    with open(tmp_path / "p.csv", encoding="utf-8-sig", newline="") as fh:
        assert [(r["Source"], r["Page"]) for r in csv.DictReader(fh)] == [("Report.pdf", "2")]


def test_themes_restricted_to_subtrees(project: Project, coded: dict, tmp_path: Path) -> None:
    out = tmp_path / "sub.csv"
    with project.read_session() as s:
        themes.export_themes(s, out, "csv", node_ids=[node_id(project, "Barriers")])
        with pytest.raises(NotFound):
            themes.export_themes(s, tmp_path / "x.csv", "csv", node_ids=[9999])
    with open(out, encoding="utf-8-sig", newline="") as fh:
        assert {r["Node"] for r in csv.DictReader(fh)} == {"Barriers", "Barriers/Workload"}
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("fmt, name, message", [
    ("pdf", "t.pdf", "not a format"),
    ("docx", "t.xlsx", "ending in .docx"),
    ("html", "missing/t.html", "does not exist"),
])
def test_themes_bad_requests_leave_nothing(project: Project, tmp_path: Path, fmt: str, name: str,
                                           message: str) -> None:
    before = set(tmp_path.rglob("*"))
    with project.read_session() as s, pytest.raises(InvalidInput, match=message):
        themes.export_themes(s, tmp_path / name, fmt)
    assert set(tmp_path.rglob("*")) == before


def test_failed_write_keeps_the_old_file(project: Project, coded: dict, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "t.xlsx"
    out.write_bytes(b"previous")

    def broken(*_args) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(themes, "_write_xlsx", broken)
    with project.read_session() as s, pytest.raises(DiskFull, match="The disk is full: there is no space left in"):
        themes.export_themes(s, out, "xlsx")
    assert out.read_bytes() == b"previous" and [p.name for p in folder.iterdir()] == ["t.xlsx"]


# ---------------------------------------------------------------------- codebook and memos
def test_codebook_docx(project: Project, coded: dict, tmp_path: Path) -> None:
    import docx

    project.run(nodes.update_node, node_id(project, "Barriers/Workload"), color="#0072B2")
    out = tmp_path / "codebook.docx"
    with project.read_session() as s:
        codebook_doc.export_codebook(s, out)
    doc = docx.Document(str(out))
    tree, free = ([[c.text for c in r.cells] for r in t.rows] for t in doc.tables)
    assert tree[0] == ["Node", "Definition", "", "Codings", "Sources"]
    assert tree[1] == ["Barriers", "\u2014", "", "1", "1"]
    assert tree[2] == ["Workload\nBarriers/Workload", "Too much to do", "", "2", "2"]
    assert free[1:] == [["Trust", "\u2014", "", "2", "2"]]
    fill = doc.tables[0].rows[2].cells[2]._tc.xpath(".//w:shd/@w:fill")
    assert fill == ["0072B2"]
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Tree nodes", "Free nodes"]


def test_memos_docx_and_markdown(project: Project, coded: dict, tmp_path: Path) -> None:
    import docx

    with project.read_session() as s:
        memo_export.export_memos(s, tmp_path / "m.docx")
        memo_export.export_memos(s, tmp_path / "m.md")
        with pytest.raises(InvalidInput):
            memo_export.export_memos(s, tmp_path / "m.txt")
    md = (tmp_path / "m.md").read_text(encoding="utf-8")
    assert md.index("## Project memos") < md.index("## Memos on nodes") < md.index("## Memos on codings") \
        < md.index("## Reflective diary")
    assert md.index("Started coding.") < md.index("Merged two codes today.")  # diary in date order
    assert "node 'Barriers/Workload'" in md and "Workload shows up <everywhere>." in md
    emoji = SAMPLE.index("😀")
    assert f"coding of 'Barriers/Workload' in Rosa.txt ({emoji - 9}\u2013{emoji + 13})" in md
    doc = docx.Document(str(tmp_path / "m.docx"))
    h1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert h1 == ["Project memos", "Memos on nodes", "Memos on codings", "Reflective diary"]
    assert "Merged two codes today." in [p.text for p in doc.paragraphs]


# ---------------------------------------------------------------------- analyses
def test_frequencies_by_case_and_attribute(project: Project, coded: dict, tmp_path: Path) -> None:
    with project.read_session() as s:
        by_case = analysis.frequencies(s)
        by_role = analysis.frequencies(s, "attribute:role")
        with pytest.raises(NotFound, match="no attribute 'site'"):
            analysis.frequencies(s, "attribute:site")
        with pytest.raises(InvalidInput):
            analysis.frequencies(s, "colour")
    assert by_case.groups == ["P1 Rosa", "P2 Sam", "(no case)"]
    assert by_case.rows() == [["Barriers", 1, 0, 0, 1], ["Barriers/Workload", 1, 0, 1, 2], ["Trust", 1, 1, 0, 2]]
    assert by_role.groups == ["Practice nurse", "(no value)"]
    assert by_role.rows() == [["Barriers", 1, 0, 1], ["Barriers/Workload", 1, 1, 2], ["Trust", 1, 1, 2]]
    with project.read_session() as s:
        analysis.export_frequencies(s, tmp_path / "f.csv", "attribute:role")
        with pytest.raises(InvalidInput, match="cannot be drawn"):
            analysis.export_frequencies(s, tmp_path / "f.png")
        drawn = []
        analysis.export_frequencies(s, tmp_path / "f.svg", render_chart=lambda t, fmt: drawn.append(fmt) or b"<svg/>")
    with open(tmp_path / "f.csv", encoding="utf-8-sig", newline="") as fh:
        assert next(iter(csv.reader(fh))) == ["Node", "Practice nurse", "(no value)", "Total"]
    assert drawn == ["svg"] and (tmp_path / "f.svg").read_bytes() == b"<svg/>"
    assert not (tmp_path / "f.png").exists()


def brute_overlaps(spans: list[tuple[int, int, int]]) -> dict[tuple[int, int], int]:
    out: dict[tuple[int, int], int] = {}
    for (a1, b1, n1), (a2, b2, n2) in combinations(spans, 2):
        if n1 != n2 and a1 < b2 and a2 < b1:
            key = (min(n1, n2), max(n1, n2))
            out[key] = out.get(key, 0) + 1
    return out


@st.composite
def span_lists(draw) -> list[tuple[int, int, int]]:
    n = draw(st.integers(0, 40))
    out = []
    for _ in range(n):
        a = draw(st.integers(0, 60))
        out.append((a, a + draw(st.integers(1, 25)), draw(st.integers(1, 5))))
    return out


@settings(max_examples=300, deadline=None)
@given(span_lists())
def test_overlap_sweep_matches_brute_force(spans: list[tuple[int, int, int]]) -> None:
    assert analysis.overlap_pairs(spans) == brute_overlaps(spans)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cooccurrence_matches_brute_force_on_random_codings(project: Project, tmp_path: Path, seed: int) -> None:
    rnd = random.Random(seed)
    for path in ("Barriers/Time", "Enablers/Lead", "Enablers/Lead/Senior"):
        project.run(nodes.create_node, path)
    with project.read_session() as s:
        ids = [n.id for n in nodes.list_nodes(s)]
        lengths = {src.id: len(sources.text_and_pages(s, src.id)[0]) for src in sources.list_sources(s)}
    rows = set()
    while len(rows) < 300:
        sid = rnd.choice(list(lengths))
        a = rnd.randrange(lengths[sid] - 1)
        rows.add((sid, rnd.choice(ids), a, rnd.randint(a + 1, min(lengths[sid], a + 40)), rnd.choice("xyz")))
    with project.write_session() as s:  # test data in bulk; the commands are tested elsewhere
        s.execute(insert(Coding), [{"source_id": r[0], "node_id": r[1], "start": r[2], "end": r[3], "coder": r[4]}
                                   for r in rows])
        s.commit()
    with project.read_session() as s:
        matrix = analysis.cooccurrence(s)
        by_source = analysis.cooccurrence(s, unit="source")
        chosen = ids[:3]
        sub = analysis.cooccurrence(s, node_ids=chosen)
    index = {nid: i for i, (nid, _) in enumerate(matrix.nodes)}
    expected = [[0] * len(ids) for _ in ids]
    for src in lengths:
        mine = [(a, b, n) for sid, n, a, b, _ in rows if sid == src]
        for (x, y), count in brute_overlaps(mine).items():
            expected[index[x]][index[y]] += count
            expected[index[y]][index[x]] += count
        for _, _, n in mine:
            expected[index[n]][index[n]] += 1
        present = {n for _, _, n in mine}
        for x in present:
            for y in present:
                assert by_source.counts[index[x]][index[y]] >= 1
    assert matrix.counts == expected
    for x in ids:
        for y in ids:
            both = {sid for sid, n, *_ in rows if n == x} & {sid for sid, n, *_ in rows if n == y}
            assert by_source.counts[index[x]][index[y]] == len(both)
    sub_index = [index[nid] for nid, _ in sub.nodes]
    assert sorted(nid for nid, _ in sub.nodes) == sorted(chosen)
    assert sub.counts == [[expected[i][j] for j in sub_index] for i in sub_index]


def test_cooccurrence_exports(project: Project, coded: dict, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    with project.read_session() as s:
        analysis.export_cooccurrence(s, tmp_path / "c.csv")
        analysis.export_cooccurrence(s, tmp_path / "c.xlsx", unit="source")
        with pytest.raises(InvalidInput):
            analysis.export_cooccurrence(s, tmp_path / "c.docx")
        with pytest.raises(InvalidInput, match="unit"):
            analysis.cooccurrence(s, unit="sentence")
    with open(tmp_path / "c.csv", encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    # "Barriers" (had..had+30) overlaps "Trust" (had..had+9) in Rosa.txt; Workload starts later.
    assert table == [["Node", "Barriers", "Barriers/Workload", "Trust"], ["Barriers", "1", "0", "1"],
                     ["Barriers/Workload", "0", "2", "0"], ["Trust", "1", "0", "2"]]
    ws = load_workbook(tmp_path / "c.xlsx").active
    assert [c.value for c in ws[3]] == ["Barriers/Workload", 1, 2, 1]


# ---------------------------------------------------------------------- audit report (more in test_audit_report)
def add_events(project: Project, n: int, seed: int = 0) -> None:
    """Append ``n`` hash-chained events quickly (mostly codings, some node changes) over many days."""
    rnd = random.Random(seed)
    with project.write_session() as s:
        seq, prev = s.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).one()
        t0 = datetime(2024, 1, 8, 9, 0, tzinfo=UTC)
        rows = []
        for i in range(n):
            seq += 1
            time_ = (t0 + timedelta(seconds=i * 50)).isoformat(timespec="microseconds")
            coder = rnd.choice(("ana", "ben", "carla"))
            if rnd.random() < 0.95:
                action, entity, summary = "coding.create", "coding", f"code 'Trust' in Rosa.txt ({i}-{i + 5})"
            else:
                action, entity, summary = "node.update", "node", f"change description of node 'N{i}'"
            after = audit.to_json({"id": i})
            digest = audit.event_hash(seq, time_, coder, action, entity, i, summary, None, after, "", prev)
            rows.append({"seq": seq, "time": time_, "coder": coder, "action": action, "entity": entity,
                         "entity_id": i, "summary": summary, "before": None, "after": after, "reason": "",
                         "prev_hash": prev, "hash": digest})
            prev = digest
        s.execute(insert(AuditEvent), rows)
        audit._keep_head(s.connection(), seq, prev)  # as append_many keeps it
        s.commit()


@pytest.mark.slow
def test_audit_report_on_100k_events(project: Project, tmp_path: Path) -> None:
    add_events(project, 100_000)
    with project.read_session() as s:
        audit_report.export_audit_report(s, tmp_path / "big.docx")
        audit_report.export_audit_report(s, tmp_path / "big.html")
        per_day = s.execute(text("SELECT count(DISTINCT substr(time, 1, 10)) FROM audit_events "
                                 "WHERE action = 'coding.create'")).scalar()
    assert (tmp_path / "big.docx").stat().st_size > 0
    page = (tmp_path / "big.html").read_text(encoding="utf-8")
    assert "Checked when this report was written: intact. All 100" in page
    assert page.count("coding(s) made") >= per_day  # one counted row per coder and day
    assert page.count("code 'Trust' in Rosa.txt") == 0
