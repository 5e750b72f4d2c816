"""CLI contract for accounts, fragments, flow charts and the framework matrix."""

from __future__ import annotations

import json
import re
from itertools import pairwise
from pathlib import Path

import pytest

from qdaapp.cli import main

from ..conftest import SAMPLE


def run(capsys: pytest.CaptureFixture, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_accounts_fragments_check_and_exports(project_path: Path, tmp_path: Path, capsys) -> None:
    p = project_path
    assert run(capsys, "account", "add", p, "Referral system", "--description", "setting up referrals")[0] == 0
    code, out, _ = run(capsys, "account", "list", p, "--json")
    (acc,) = json.loads(out)
    start = SAMPLE.index("We had to")
    code, out, err = run(capsys, "fragment", "add", p, "Referral system", "--summary", "We had to set it up.",
                         "--act", "manipulation", "--case", "P1 Rosa", "--actor", "GP", "--actor", "we",
                         "--passage", f"Rosa.txt:{start}:{start + 9}", "--json")
    assert code == 0, err
    first = json.loads(out)["id"]
    for act in ("commitment", "competence", "performance"):
        assert run(capsys, "fragment", "add", p, acc["id"], "--summary", f"A {act} step.", "--act", act)[0] == 0
    assert run(capsys, "fragment", "add", p, acc["id"], "--summary", "It worked well.", "--act", "sanction",
               "--after", first)[0] == 0
    code, out, _ = run(capsys, "account", "check", p, "Referral system", "--json")
    assert json.loads(out) == {"present": ["manipulation", "commitment", "competence", "performance", "sanction"],
                               "missing": [], "cases": 1, "sources": 1}
    code, out, _ = run(capsys, "account", "show", p, "Referral system", "--json")
    data = json.loads(out)
    assert [f["act"] for f in data["fragments"]] == ["manipulation", "sanction", "commitment", "competence",
                                                     "performance"]
    assert data["fragments"][0]["passages"][0]["text"] == "We had to" and data["actors"] == ["GP", "we"]
    for suffix in ("svg", "png", "pdf"):
        out_file = tmp_path / f"chart.{suffix}"
        code, _, err = run(capsys, "flowchart", p, "Referral system", "--out", out_file)
        assert code == 0, err
        assert out_file.stat().st_size > 1000
    svg = (tmp_path / "chart.svg").read_text(encoding="utf-8")
    assert "<text" in svg and "MANIPULATION" in svg and "<image" not in svg  # vector text, no bitmap
    assert (tmp_path / "chart.pdf").read_bytes().startswith(b"%PDF")
    for suffix in ("xlsx", "csv", "docx"):
        assert run(capsys, "framework", p, "--out", tmp_path / f"fw.{suffix}")[0] == 0
    assert run(capsys, "framework", p, "--rows", "sources", "--cols", "nodes", "--out", tmp_path / "n.csv")[0] == 0


@pytest.mark.parametrize(
    "argv, message",
    [
        (["account", "show", "{p}", "Nope"], "no account 'Nope'"),
        (["fragment", "add", "{p}", "Nope", "--summary", "x"], "no account 'Nope'"),
        (["flowchart", "{p}", "Nope", "--out", "{d}/x.svg"], "no account 'Nope'"),
        (["framework", "{p}", "--out", "{d}/missing/x.csv"], "does not exist"),
        (["framework", "{p}", "--out", "{d}/x.pdf"], "choose a file ending"),
    ],
)
def test_bad_input(project_path: Path, tmp_path: Path, capsys, argv: list[str], message: str) -> None:
    before = project_path.read_bytes()
    code, _, err = run(capsys, *[a.format(p=project_path, d=tmp_path) for a in argv])
    assert code == 1 and message in err
    assert project_path.read_bytes() == before


def test_flowchart_to_unwritable_place_leaves_nothing(project_path: Path, tmp_path: Path, capsys) -> None:
    run(capsys, "account", "add", project_path, "A")
    run(capsys, "fragment", "add", project_path, "A", "--summary", "s")
    code, _, err = run(capsys, "flowchart", project_path, "A", "--out", tmp_path / "nope" / "c.svg")
    assert code == 1 and "does not exist" in err
    assert not (tmp_path / "nope").exists()


def _pdf_page(path: Path) -> tuple[float, float]:
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    with open(path, "rb") as fh:
        (page,) = list(PDFPage.create_pages(PDFDocument(PDFParser(fh))))
    x0, y0, x1, y1 = page.mediabox
    return x1 - x0, y1 - y0


def _seven(capsys, p: Path) -> list[int]:
    run(capsys, "account", "add", p, "Referral system")
    ids = []
    for n in range(7):
        _, out, _ = run(capsys, "fragment", "add", p, "Referral system", "--summary",
                        f"Step {n + 1}: the nurses took on " + "more of the work " * n, "--act", "competence",
                        "--json")
        ids.append(json.loads(out)["id"])
    return ids


def test_fragment_move_relinks_and_show_lists_links(project_path: Path, capsys) -> None:
    p = project_path
    ids = _seven(capsys, p)
    code, out, err = run(capsys, "fragment", "move", p, ids[6], "--to", 2)
    assert code == 0, err
    assert out.strip() == f"moved fragment {ids[6]} to place 2"
    code, out, _ = run(capsys, "account", "show", p, "Referral system", "--json")
    data = json.loads(out)
    order = [ids[0], ids[6], *ids[1:6]]
    assert [f["id"] for f in data["fragments"]] == order
    assert sorted((e["from"], e["to"], e["label"], e["kind"]) for e in data["links"]) == \
        sorted((a, b, "", "sequence") for a, b in pairwise(order))
    assert all(set(e) == {"from", "to", "label", "kind"} for e in data["links"])


@pytest.mark.parametrize("to", [0, 8])
def test_fragment_move_out_of_range(project_path: Path, capsys, to: int) -> None:
    ids = _seven(capsys, project_path)
    before = project_path.read_bytes()
    code, out, err = run(capsys, "fragment", "move", project_path, ids[0], "--to", to)
    assert code == 1 and not out
    assert f"Position {to} is outside the sequence of 7 fragments (use 1 to 7)." in err
    assert len(err.strip().splitlines()) == 1
    assert project_path.read_bytes() == before


@pytest.mark.parametrize("layout", ["down", "across", "snake"])
@pytest.mark.parametrize("page, landscape, size_mm", [("a4", False, (210, 297)), ("a4", True, (297, 210)),
                                                      ("letter", False, (215.9, 279.4))])
def test_flowchart_fits_the_page(project_path: Path, tmp_path: Path, capsys, layout: str, page: str,
                                 landscape: bool, size_mm: tuple[float, float]) -> None:
    _seven(capsys, project_path)
    flags = ["--layout", layout, "--page", page] + (["--landscape"] if landscape else [])
    for suffix in ("pdf", "svg"):
        code, out, err = run(capsys, "flowchart", project_path, "Referral system", "--out", tmp_path / f"c.{suffix}",
                             *flags)
        assert code == 0, err
    width, height = _pdf_page(tmp_path / "c.pdf")
    mm = 25.4 / 72
    assert abs(width * mm - size_mm[0]) < 0.5 and abs(height * mm - size_mm[1]) < 0.5
    svg = (tmp_path / "c.svg").read_text(encoding="utf-8")
    root = re.search(r"<svg[^>]*>", svg).group(0)
    assert re.search(r'width="([\d.]+)mm"', root).group(1) == f"{size_mm[0]:g}"
    assert re.search(r'height="([\d.]+)mm"', root).group(1) == f"{size_mm[1]:g}"
    assert "<text" in svg and "COMPETENCE" in svg and "<image" not in svg
    run(capsys, "flowchart", project_path, "Referral system", "--out", tmp_path / "own.svg", "--layout", layout)
    # the text has the size the boxes were measured for, on the page (254 dpi) as in the figure (72 dpi)
    assert _text_size(svg, "Step 1") == _text_size((tmp_path / "own.svg").read_text(encoding="utf-8"), "Step 1")


def _text_size(svg: str, words: str) -> float:
    return float(re.search(r'font-size="([\d.]+)"[^>]*\n? *>' + words, svg).group(1))


def test_flowchart_without_page_is_the_figure_size(project_path: Path, tmp_path: Path, capsys) -> None:
    _seven(capsys, project_path)
    assert run(capsys, "flowchart", project_path, "Referral system", "--out", tmp_path / "c.pdf",
               "--layout", "across")[0] == 0
    width, height = _pdf_page(tmp_path / "c.pdf")
    assert width > 3 * height  # seven boxes in a row, not a sheet of paper
    code, _, err = run(capsys, "flowchart", project_path, "Referral system", "--out", tmp_path / "d.pdf",
                       "--landscape")
    assert code == 1 and "--landscape needs --page" in err and not (tmp_path / "d.pdf").exists()


@pytest.mark.parametrize("layout", ["down", "across", "snake"])
def test_flowchart_of_an_empty_or_one_box_account(project_path: Path, tmp_path: Path, capsys, layout: str) -> None:
    run(capsys, "account", "add", project_path, "Empty")
    run(capsys, "account", "add", project_path, "One")
    run(capsys, "fragment", "add", project_path, "One", "--summary", "Only this.")
    for account in ("Empty", "One"):
        for page in ([], ["--page", "a4"]):
            code, out, err = run(capsys, "flowchart", project_path, account, "--out", tmp_path / "c.pdf",
                                 "--layout", layout, *page)
            assert code == 0, err
