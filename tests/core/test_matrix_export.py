"""Framework matrix to Word and Excel: whole cells, page numbers, speech-act labels."""

from __future__ import annotations

from pathlib import Path

from qdaapp.core import framework, narrative, sources
from qdaapp.core.exchange.matrix import XLSX_CELL_LIMIT, export_matrix
from qdaapp.core.project import Project

from ..conftest import SAMPLE
from .test_importers_pdf import content, make_pdf

PDF_PAGES = [["Minutes of the practice meeting."], ["Attendance and apologies."],
             ["The nurses said they were able to run the clinic on Tuesdays."]]
QUOTES = ["How did the referral system start?", "We had to do something", "the GP asked us to set it up.",
          "I wanted to help", "I was able to use the template.", "It worked well.", "so we ran a small audit."]


def _matrix_project(project: Project, tmp_path: Path) -> int:
    pdf = tmp_path / "Minutes.pdf"
    pdf.write_bytes(make_pdf([content(lines) for lines in PDF_PAGES]))
    docs, failures = sources.read_files([pdf])
    assert not failures
    project.run(sources.import_documents, docs, kind="document", case_name="P1 Rosa")
    with project.read_session() as s:
        rosa, minutes = sources.resolve(s, "Rosa.txt").id, sources.resolve(s, "Minutes.pdf").id
        text = sources.structure(s, minutes)["text"]
    acc = project.run(narrative.create_account, "Referral")
    for quote in QUOTES:
        start = SAMPLE.index(quote)
        project.run(narrative.add_passage, acc, rosa, start, start + len(quote))
    start = text.index("able to run the clinic")
    project.run(narrative.add_passage, acc, minutes, start, start + len("able to run the clinic"))
    project.run(narrative.add_fragment, acc, "We had to set it up.", act="manipulation", case_ref="P1 Rosa")
    project.run(narrative.add_fragment, acc, "The nurses were able to run the clinic.", act="competence",
                case_ref="P1 Rosa")
    project.run(narrative.add_fragment, acc, "The practice had a small team.", case_ref="P1 Rosa")
    return acc


def test_docx_cells_are_whole_with_pages_and_act_labels(project: Project, tmp_path: Path) -> None:
    import docx

    _matrix_project(project, tmp_path)
    with project.read_session() as s:
        export_matrix(s, tmp_path / "m.docx", "cases", "accounts", include_interviewer=True)
    table = docx.Document(str(tmp_path / "m.docx")).tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Case", "Referral"]
    assert table.rows[1].cells[0].text == "P1 Rosa"
    cell = table.rows[1].cells[1]
    text = cell.text
    assert "more)" not in text
    for quote in QUOTES:  # all seven, none cut
        assert f"“{quote}” (Rosa.txt)" in text
    assert "“able to run the clinic” (Minutes.pdf, p. 3)" in text
    labels = {run.text for p in cell.paragraphs for run in p.runs if run.bold}
    assert labels == {"Manipulation: ", "Competence: ", "Background: "}
    first = [p.text for p in cell.paragraphs][:3]
    assert first == ["Manipulation: We had to set it up.", "Competence: The nurses were able to run the clinic.",
                     "Background: The practice had a small team."]
    xml = table._tbl.xml
    assert "w:tblHeader" in xml and "w:cantSplit" not in xml  # header repeats; long rows may break


def test_a_very_long_cell_still_makes_a_valid_document(project: Project, tmp_path: Path) -> None:
    import docx
    from openpyxl import load_workbook

    acc = _matrix_project(project, tmp_path)
    long_summary = " ".join(f"word{i}" for i in range(3000))  # pages long, under the XLSX limit
    project.run(narrative.add_fragment, acc, long_summary, act="sanction", case_ref="P1 Rosa")
    with project.read_session() as s:
        export_matrix(s, tmp_path / "m.docx")
        export_matrix(s, tmp_path / "m.xlsx")
    cell = docx.Document(str(tmp_path / "m.docx")).tables[0].rows[1].cells[1]
    assert f"Sanction: {long_summary}" in cell.text
    value = load_workbook(tmp_path / "m.xlsx").active["B2"].value
    assert "Sanction: word0 word1" in value and "(Minutes.pdf, p. 3)" in value
    assert "“I was able to use the template.” (Rosa.txt)" in value


def test_xlsx_states_the_cell_limit_instead_of_failing(project: Project, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    acc = _matrix_project(project, tmp_path)
    project.run(narrative.add_fragment, acc, "x" * (XLSX_CELL_LIMIT + 10), act="sanction", case_ref="P1 Rosa")
    with project.read_session() as s:
        export_matrix(s, tmp_path / "m.xlsx")
    value = load_workbook(tmp_path / "m.xlsx").active["B2"].value
    assert len(value) == XLSX_CELL_LIMIT and value.endswith("the DOCX export has the whole cell]")


def test_the_export_leaves_out_interviewer_turns_as_the_matrix_does(project: Project, tmp_path: Path) -> None:
    import docx

    _matrix_project(project, tmp_path)
    with project.read_session() as s:
        export_matrix(s, tmp_path / "left-out.docx")
        export_matrix(s, tmp_path / "kept.docx", include_interviewer=True)
    left_out = docx.Document(str(tmp_path / "left-out.docx")).tables[0].rows[1].cells[1].text
    kept = docx.Document(str(tmp_path / "kept.docx")).tables[0].rows[1].cells[1].text
    question = "How did the referral system start?"  # the Interviewer's turn in SAMPLE
    assert question not in left_out and question in kept
    assert "“I was able to use the template.” (Rosa.txt)" in left_out


def test_a_passage_around_an_interviewer_turn_quotes_no_empty_piece(project: Project, tmp_path: Path) -> None:
    import docx

    with project.read_session() as s:
        rosa = sources.resolve(s, "Rosa.txt").id
    acc = project.run(narrative.create_account, "Referral")
    start = SAMPLE.index("It worked well.") + len("It worked well.")  # the line break before the Interviewer
    end = SAMPLE.index("so we ran a small audit.")
    project.run(narrative.add_passage, acc, rosa, start, end)
    with project.read_session() as s:
        export_matrix(s, tmp_path / "m.docx")
        matrix = framework.build(s)
    text = docx.Document(str(tmp_path / "m.docx")).tables[0].rows[1].cells[1].text
    assert text == "“P1: We didn't know how to measure it,” (Rosa.txt)"
    (cell,) = matrix.cells.values()  # the matrix on screen lists the one passage left, trimmed to its words
    left = SAMPLE.index("P1: We didn't")
    assert cell.passages == [(rosa, left, SAMPLE.index(" so we ran a small audit."))]
