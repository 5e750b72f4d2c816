"""CLI contract for reports: audit, memos, codebook, frequencies (tables and charts), co-occurrence."""

from __future__ import annotations

import csv
import struct
from pathlib import Path

import pytest

from qdaapp.cli import main

from ..conftest import SAMPLE


def run(capsys: pytest.CaptureFixture, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def svg_bars(path: Path) -> dict[str, list[float]]:
    """Widths of the filled bars in a chart SVG, by colour, top to bottom (legend swatches left out)."""
    from lxml import etree

    ns = "{http://www.w3.org/2000/svg}"
    out: dict[str, list[tuple[float, float]]] = {}
    for g in etree.parse(str(path)).iter(f"{ns}g"):
        fill = g.get("fill", "")
        if fill in ("none", "#ffffff") or not fill.startswith("#"):
            continue
        for rect in g.iter(f"{ns}rect"):
            w, h = float(rect.get("width")), float(rect.get("height"))
            if (w, h) != (9.0, 9.0):
                out.setdefault(fill, []).append((float(rect.get("y")), w))
    return {k: [w for _, w in sorted(v)] for k, v in out.items()}


def png_runs(path: Path, colours: tuple[str, ...]) -> dict[str, int]:
    """The longest horizontal run of each exact colour in a PNG: the length of its longest bar."""
    from PySide6.QtGui import QColor, QImage

    image = QImage(str(path))
    assert not image.isNull()
    wanted = {QColor(c).rgb() & 0xFFFFFF: c for c in colours}
    best = dict.fromkeys(colours, 0)
    for y in range(image.height()):
        run, last = 0, None
        for x in range(image.width()):
            colour = wanted.get(image.pixel(x, y) & 0xFFFFFF)
            run = run + 1 if colour is not None and colour == last else (1 if colour else 0)
            last = colour
            if colour:
                best[colour] = max(best[colour], run)
    return best


@pytest.fixture
def coded_path(project_path: Path, capsys: pytest.CaptureFixture) -> Path:
    p = project_path
    had = SAMPLE.index("We had to")
    emoji = SAMPLE.index("😀")
    for argv in (
        ["code", p, "Rosa.txt", had, had + 9, "Trust"],
        ["code", p, "Rosa.txt", had, had + 40, "Barriers/Workload"],
        ["code", p, "Rosa.txt", emoji - 5, emoji + 5, "Barriers/Workload"],
        ["code", p, "Notes.txt", 0, 10, "Trust"],
        ["diary", "add", p, "Compared <Rosa> with the notes.", "--date", "2024-05-03"],
        ["account", "add", p, "Referral system"],
        ["fragment", "add", p, "Referral system", "--summary", "We had to <script>go</script>.", "--act",
         "manipulation", "--case", "P1 Rosa", "--actor", "GP"],
        ["fragment", "add", p, "Referral system", "--summary", "It worked well.", "--act", "sanction"],
    ):
        code, _, err = run(capsys, *argv)
        assert code == 0, (argv, err)
    return p


def test_audit_report_docx_and_html(coded_path: Path, tmp_path: Path, capsys) -> None:
    import docx

    code, out, err = run(capsys, "report", "audit", coded_path, "--out", tmp_path / "audit.docx")
    assert code == 0, err
    assert "audit.docx" in out
    doc = docx.Document(str(tmp_path / "audit.docx"))
    assert len(doc.inline_shapes) == 1  # the account's flow chart as PNG
    texts = [p.text for p in doc.paragraphs]
    assert "Compared <Rosa> with the notes." in texts
    code, _, err = run(capsys, "report", "audit", coded_path, "--out", tmp_path / "audit.html")
    assert code == 0, err
    page = (tmp_path / "audit.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 1 and "<?xml" not in page and "<text" in page and "MANIPULATION" in page
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "<img" not in page and "<link" not in page and 'src="http' not in page
    code, _, err = run(capsys, "report", "audit", coded_path, "--no-charts", "--out", tmp_path / "plain.html")
    assert code == 0 and "<svg" not in (tmp_path / "plain.html").read_text(encoding="utf-8")


def test_audit_report_filters_paper_and_bad_input(coded_path: Path, tmp_path: Path, capsys) -> None:
    import docx

    code, _, err = run(capsys, "report", "audit", coded_path, "--out", tmp_path / "a.docx", "--paper", "letter",
                       "--since", "2000-01-01", "--coder", "TESTER")
    assert code == 0, err
    doc = docx.Document(str(tmp_path / "a.docx"))
    assert round(doc.sections[0].page_width.inches, 2) == 8.5
    coders = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert "tester" in coders
    for argv, message in (
        (["--out", tmp_path / "a.odt"], "a.odt: the audit report can be written as .docx, .html, .htm, .pdf"),
        (["--out", tmp_path / "b.docx", "--since", "May 3"], "'May 3' is not a date; write it as YYYY-MM-DD"),
        (["--out", tmp_path / "b.docx", "--coder", "zoe"], "Nobody called 'zoe' has worked on this project"),
    ):
        code, _, err = run(capsys, "report", "audit", coded_path, *argv)
        assert code != 0 and message in err, err
    assert not (tmp_path / "b.docx").exists() and not (tmp_path / "a.odt").exists()


def test_audit_report_pdf_by_qt(coded_path: Path, tmp_path: Path, capsys) -> None:
    code, out, err = run(capsys, "report", "audit", coded_path, "--out", tmp_path / "a.pdf", "--pdf-with", "qt")
    assert code == 0, err
    assert "PDF made with Qt" in out
    data = (tmp_path / "a.pdf").read_bytes()
    assert data.startswith(b"%PDF") and b"/Count " in data and len(data) > 5000


def test_memos_and_codebook(coded_path: Path, tmp_path: Path, capsys) -> None:
    import docx

    assert run(capsys, "memo", "add", coded_path, "Workload is the main theme.")[0] == 0
    for name in ("memos.md", "memos.docx", "codebook.docx"):
        kind = "codebook" if name.startswith("codebook") else "memos"
        code, _, err = run(capsys, "report", kind, coded_path, "--out", tmp_path / name)
        assert code == 0, err
    md = (tmp_path / "memos.md").read_text(encoding="utf-8")
    assert "## Project memos" in md and "Workload is the main theme." in md and "## Reflective diary" in md
    codebook = docx.Document(str(tmp_path / "codebook.docx"))
    rows = [[c.text for c in r.cells] for r in codebook.tables[0].rows]
    assert rows[2] == ["Workload\nBarriers/Workload", "Too much to do", "", "2", "1"]


def test_frequencies_tables_and_charts(coded_path: Path, tmp_path: Path, capsys) -> None:
    from openpyxl import load_workbook

    from qdaapp.core.exchange.analysis import frequencies
    from qdaapp.core.project import Project
    from qdaapp.render.charts import SCALE, chart_size, frequency_chart

    for name, by in (("f.csv", "case"), ("f.xlsx", "attribute:role"), ("f.png", "case"), ("f.svg", "attribute:role")):
        code, _, err = run(capsys, "report", "frequencies", coded_path, "--by", by, "--out", tmp_path / name)
        assert code == 0, err
    with open(tmp_path / "f.csv", encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table == [["Node", "P1 Rosa", "(no case)", "Total"], ["Barriers", "0", "0", "0"],
                     ["Barriers/Workload", "2", "0", "2"], ["Trust", "1", "1", "2"]]
    ws = load_workbook(tmp_path / "f.xlsx").active
    assert [c.value for c in ws[1]] == ["Node", "Practice nurse", "(no value)", "Total"]
    with Project.open(coded_path, read_only=True) as p, p.read_session() as s:
        size = chart_size(frequency_chart(frequencies(s, "case")))
    assert png_size(tmp_path / "f.png") == (round(size.width() * SCALE), round(size.height() * SCALE))
    svg = (tmp_path / "f.svg").read_text(encoding="utf-8")
    assert svg.count("<text") > 5 and "Practice nurse" in svg and "Number of codings" in svg and "<image" not in svg
    # The bars say what the table says: by case and by role alike, Workload 2 and Trust 1 in the first
    # group, Trust 1 in the second, so the longest first-colour bar is twice each other bar.
    bars = svg_bars(tmp_path / "f.svg")
    assert sorted(bars) == ["#56b4e9", "#e69f00"]
    (workload, trust), (other_trust,) = bars["#e69f00"], bars["#56b4e9"]
    assert workload == pytest.approx(2 * trust, rel=0.01) and trust == pytest.approx(other_trust, rel=0.01)
    runs = png_runs(tmp_path / "f.png", ("#E69F00", "#56B4E9"))
    assert runs["#E69F00"] == pytest.approx(2 * runs["#56B4E9"], rel=0.03)
    code, _, err = run(capsys, "report", "frequencies", coded_path, "--nodes", "Trust", "--out", tmp_path / "t.csv")
    assert code == 0, err
    assert (tmp_path / "t.csv").read_text(encoding="utf-8-sig").splitlines()[1:] == ["Trust,1,1,2"]


def test_cooccurrence(coded_path: Path, tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "report", "cooccurrence", coded_path, "--nodes", "Trust", "Barriers/Workload",
                       "--out", tmp_path / "c.csv")
    assert code == 0, err
    with open(tmp_path / "c.csv", encoding="utf-8-sig", newline="") as fh:
        assert list(csv.reader(fh)) == [["Node", "Barriers/Workload", "Trust"], ["Barriers/Workload", "2", "1"],
                                        ["Trust", "1", "2"]]
    code, _, err = run(capsys, "report", "cooccurrence", coded_path, "--unit", "source", "--out", tmp_path / "c.xlsx")
    assert code == 0, err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["report", "audit", "{p}", "--out", "{t}/a.odt"], "a.odt: the audit report can be written as .docx"),
        (["report", "memos", "{p}", "--out", "{t}/missing/m.md"], "the folder"),
        (["report", "codebook", "{p}", "--out", "{t}/c.xlsx"], "can be written as .docx"),
        (["report", "frequencies", "{p}", "--by", "attribute:site", "--out", "{t}/f.csv"], "no attribute 'site'"),
        (["report", "frequencies", "{p}", "--by", "colour", "--out", "{t}/f.png"], "not a grouping"),
        (["report", "cooccurrence", "{p}", "--nodes", "Nope", "--out", "{t}/c.csv"], "no node 'Nope'"),
        (["report", "cooccurrence", "{p}", "--out", "{t}/c.png"], "can be written as .csv, .xlsx"),
        (["report", "audit", "{t}/none.qda", "--out", "{t}/a.html"], "none.qda"),
        (["report", "audit", "{p}", "--out", "{t}/dir.html"], "Cannot write dir.html"),
    ],
)
def test_user_errors_are_one_line_and_leave_nothing(project_path: Path, tmp_path: Path, capsys, argv, message) -> None:
    out_dir = tmp_path / "out"
    (out_dir / "dir.html").mkdir(parents=True)
    before = set(out_dir.rglob("*"))
    code, _out, err = run(capsys, *[a.format(p=project_path, t=out_dir) for a in argv])
    assert code == 1
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert set(out_dir.rglob("*")) == before
