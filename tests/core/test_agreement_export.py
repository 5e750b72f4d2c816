"""Agreement written as XLSX, DOCX and HTML: the files are opened again and their cells read."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from qdaapp.core import agreement, coding, nodes
from qdaapp.core.errors import InvalidInput
from qdaapp.core.exchange.agreement_export import write_agreement
from qdaapp.core.project import Project


@pytest.fixture
def result(project: Project) -> agreement.Agreement:
    """Trust in Notes: Ana 0-12, Ben 8-20 (52 characters); '=Risk' (a formula-like name) in Rosa: both 10-40."""
    project.run(nodes.create_node, "=Risk", free=True)
    for source, start, end, node, coder in (("Notes.txt", 0, 12, "Trust", "Ana"), ("Notes.txt", 8, 20, "Trust", "Ben"),
                                            ("Rosa.txt", 10, 40, "=Risk", "Ana"), ("Rosa.txt", 10, 40, "=Risk", "Ben")):
        project.run(coding.code, source, start, end, node, coder)
    with project.read_session() as s:
        return agreement.compute(s, ["Ana", "Ben"])


def test_xlsx_holds_the_figures_as_numbers_and_names_as_text(result: agreement.Agreement, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = write_agreement(result, tmp_path / "agreement.xlsx", title="Ward study")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Summary", "By node", "By source", "By node and source", "Matrix"]
    summary = wb["Summary"]
    assert summary["A1"].value == "Intercoder agreement: Ward study"
    assert summary["A6"].value == result.method
    by_node = wb["By node"]
    header = [c.value for c in by_node[1]]
    assert header == ["Node", "Characters", "Coded by both", "Only Ana", "Only Ben", "Coded by neither",
                      "Agreement %", "Kappa", "Alpha"]
    rows = {r[0]: r for r in by_node.iter_rows(min_row=2, values_only=True)}
    assert rows["Trust"][1:6] == (316, 4, 8, 8, 296)
    assert rows["Trust"][7] == pytest.approx(2240 / 7296)
    risk = next(r[0] for r in by_node.iter_rows(min_row=2) if r[0].value == "=Risk")
    assert (risk.value, risk.data_type, risk.quotePrefix) == ("=Risk", "s", True)  # never a formula
    pairs = {(r[0], r[1]): r for r in wb["By node and source"].iter_rows(min_row=2, values_only=True)}
    assert len(pairs) == 4  # every node and source, those nobody coded included
    assert pairs[("Trust", "Rosa.txt")][2:] == (264, 0, 0, 0, 264, 100, "undefined", "undefined")
    matrix = wb["Matrix"]
    assert [c.value for c in matrix[1]] == ["Kappa by node and source", "Notes.txt", "Rosa.txt", "All sources"]
    trust_row = next(r for r in matrix.iter_rows(min_row=2) if r[0].value == "Trust")
    assert trust_row[1].value == pytest.approx(128 / 960)
    assert trust_row[1].fill.start_color.rgb.endswith("F2A39B")  # poor: below 0.40
    assert trust_row[2].value == "undefined"


def test_docx_has_the_method_and_the_tables(result: agreement.Agreement, tmp_path: Path) -> None:
    import docx

    path = write_agreement(result, tmp_path / "agreement.docx")
    doc = docx.Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Intercoder agreement" in text and result.method in text
    assert "Ana and Ben, by character: 97.5 % agreement, kappa 0.796, alpha 0.796" in text
    assert doc.core_properties.subject == "Intercoder agreement"
    overall, by_node, by_source, by_pair = doc.tables
    assert [c.text for c in overall.rows[1].cells] == ["632", "34", "8", "8", "582", "97.47", "0.796", "0.796"]
    trust = next(r for r in by_node.rows if r.cells[0].text == "Trust")
    assert [c.text for c in trust.cells] == ["Trust", "316", "4", "8", "8", "296", "94.94", "0.307", "0.308"]
    assert len(by_source.rows) == 3
    # only the pairs where a coder coded the node: Trust in Notes and =Risk in Rosa
    assert [(r.cells[0].text, r.cells[1].text) for r in by_pair.rows[1:]] == [("=Risk", "Rosa.txt"),
                                                                               ("Trust", "Notes.txt")]


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, str]]] = []
        self._cls = ""
        self._in = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._in, self._cls = True, dict(attrs).get("class") or ""
            self.rows[-1].append(("", self._cls))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._in = False

    def handle_data(self, data: str) -> None:
        if self._in:
            text, cls = self.rows[-1][-1]
            self.rows[-1][-1] = (text + data, cls)


def test_html_is_self_contained_escaped_and_coloured_by_kappa(result: agreement.Agreement, tmp_path: Path) -> None:
    path = write_agreement(result, tmp_path / "agreement.html", title="<Ward>")
    page = path.read_text(encoding="utf-8")
    assert "<title>Intercoder agreement: &lt;Ward&gt;</title>" in page
    assert not re.search(r"(src|href)=\"https?:", page)
    parser = _Cells()
    parser.feed(page)
    trust = next(r for r in parser.rows if r and r[0][0] == "Trust" and r[1][0] == "316")
    assert trust[-2] == ("0.307", "n poor")
    risk = next(r for r in parser.rows if r and r[0][0] == "=Risk" and r[1][0] == "Rosa.txt")
    assert risk[-2] == ("1.000", "n almost-perfect")


def test_a_text_that_a_spreadsheet_would_read_as_an_error_code_stays_text(tmp_path: Path) -> None:
    from openpyxl import Workbook, load_workbook

    from qdaapp.core.exchange import sheets

    wb = Workbook()
    sheets.append_row(wb.active, ["#N/A", "plain", 3])
    wb.save(tmp_path / "x.xlsx")
    cells = load_workbook(tmp_path / "x.xlsx").active[1]
    assert [(c.value, c.data_type) for c in cells] == [("#N/A", "s"), ("plain", "s"), (3, "n")]


def test_three_coders_have_alpha_and_no_kappa(project: Project, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    for coder, end in (("Ana", 10), ("Ben", 12), ("Cleo", 14)):
        project.run(coding.code, "Notes.txt", 0, end, "Trust", coder)
    with project.read_session() as s:
        three = agreement.compute(s, ["Ana", "Ben", "Cleo"])
    wb = load_workbook(write_agreement(three, tmp_path / "three.xlsx"))
    header = [c.value for c in wb["By node"][1]]
    assert header == ["Node", "Characters", "Coded by all", "Only Ana", "Only Ben", "Only Cleo", "Coded by none",
                      "Agreement %", "Alpha"]
    assert wb["Matrix"]["A1"].value == "Alpha by node and source"


def test_a_wrong_ending_or_folder_writes_nothing(result: agreement.Agreement, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(InvalidInput, match="agreement.pdf: choose a file ending in .xlsx, .docx, .html"):
        write_agreement(result, out / "agreement.pdf")
    with pytest.raises(InvalidInput, match="the folder .* does not exist"):
        write_agreement(result, out / "missing" / "agreement.xlsx")
    assert list(out.iterdir()) == []
