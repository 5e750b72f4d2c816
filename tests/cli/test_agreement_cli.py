"""CLI contract for ``qdaapp agreement PROJECT --coders A B [--nodes] [--sources] [--unit] [--json] [--out]``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qdaapp.core import coding
from qdaapp.core.project import Project

from .test_search_cli import run


@pytest.fixture
def coded(project_path: Path) -> Path:
    """Trust in Notes.txt (52 characters): Ana 0-12, Ben 8-20; Barriers/Workload in Rosa.txt: both 10-40."""
    with Project.open(project_path, coder="tester") as p:
        for source, start, end, node, coder in (("Notes.txt", 0, 12, "Trust", "Ana"),
                                                ("Notes.txt", 8, 20, "Trust", "Ben"),
                                                ("Rosa.txt", 10, 40, "Barriers/Workload", "Ana"),
                                                ("Rosa.txt", 10, 40, "Barriers/Workload", "Ben")):
            p.run(coding.code, source, start, end, node, coder)
    return project_path


def test_json_has_every_cell_and_the_overall_figures(coded: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, err = run(capsys, "agreement", coded, "--coders", "Ana", "Ben", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["coders"] == ["Ana", "Ben"] and data["unit"] == "character"
    assert [n["path"] for n in data["nodes"]] == ["Trust", "Barriers/Workload"]
    assert [s["name"] for s in data["sources"]] == ["Notes.txt", "Rosa.txt"]
    cell = next(c for c in data["cells"] if (c["node"], c["source"]) == ("Trust", "Notes.txt"))
    assert (cell["units"], cell["both"], cell["none"], cell["only"]) == (52, 4, 32, {"Ana": 8, "Ben": 8})
    assert cell["kappa"] == pytest.approx(128 / 960)
    assert data["overall"]["units"] == 2 * (52 + 264)
    assert next(c for c in data["cells"] if (c["node"], c["source"]) == ("Trust", "Rosa.txt"))["kappa"] is None
    assert "character level" in data["method"]


def test_the_table_for_people(coded: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, err = run(capsys, "agreement", coded, "--coders", "Ana", "Ben")
    assert code == 0, err
    lines = out.splitlines()
    # overall: 632 node-character pairs, 34 coded by both, 8 only by each, 582 by neither
    # kappa = (632 * 616 - (42 * 42 + 590 * 590)) / (632^2 - (42 * 42 + 590 * 590)); alpha = 1 - 1263 * 16 / (1180 * 84)
    assert lines[0] == ("Agreement of Ana and Ben, by character: 97.5 % agreement, kappa 0.796, alpha 0.796 "
                        "(2 nodes x 316 characters)")
    header = lines[3].split()
    assert header[:4] == ["Characters", "Coded", "by", "both"] and header[-3:] == ["%", "Kappa", "Alpha"]
    trust = next(ln for ln in lines if ln.startswith("Trust "))
    # kappa = 2240 / 7296, alpha = 1 - 631 * 16 / (608 * 24)
    assert trust.split() == ["Trust", "316", "4", "8", "8", "296", "94.94", "0.307", "0.308"]
    at = lines.index(trust)
    # under Trust, its sources where a coder coded it: Notes.txt, not Rosa.txt
    assert [ln.split()[:2] for ln in lines[at + 1:at + 3]] == [["Notes.txt", "52"], ["Barriers/Workload", "316"]]
    overall = next(ln for ln in lines if ln.startswith("Overall"))
    assert overall.split()[1:4] == ["632", "34", "8"]
    assert any(ln.startswith("Method: Agreement between Ana and Ben") for ln in lines)


def test_nodes_sources_and_unit_are_chosen_by_name(coded: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, err = run(capsys, "agreement", coded, "--coders", "Ana", "Ben", "--nodes", "Workload",
                         "--sources", "Rosa", "--unit", "paragraph", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert [n["path"] for n in data["nodes"]] == ["Barriers/Workload"]
    assert [s["name"] for s in data["sources"]] == ["Rosa.txt"]
    assert data["unit"] == "paragraph"
    assert (data["overall"]["units"], data["overall"]["both"], data["overall"]["kappa"]) == (4, 1, 1.0)


@pytest.mark.parametrize("args, message", [
    (["--coders", "Ana", "Zoe"], "This project has no coder 'Zoe'. Its coders: Ana, Ben, tester."),
    (["--coders", "Ana"], "Agreement needs two coders or more"),
    (["--coders", "Ana", "Ben", "--nodes", "Hope"], "There is no node 'Hope'. List nodes with 'qdaapp nodes'."),
    (["--coders", "Ana", "Ben", "--sources", "Diary.txt"],
     "There is no source 'Diary.txt'. List sources with 'qdaapp sources'."),
    (["--coders", "Ana", "Ben", "--unit", "sentence"], "'Notes.txt', 'Rosa.txt' are not indexed yet"),
    (["--coders", "Ana", "Ben", "--out", "figures.pdf"], "figures.pdf: agreement can be written as .xlsx, .docx"),
])
def test_bad_input_is_one_clear_line(coded: Path, capsys: pytest.CaptureFixture, args: list[str],
                                     message: str) -> None:
    code, out, err = run(capsys, "agreement", coded, *args)
    assert code == 1
    assert out == ""
    assert err.startswith("qdaapp: ") and message in err and err.count("\n") == 1


def test_unknown_unit_is_a_usage_error(coded: Path, capsys: pytest.CaptureFixture) -> None:
    code, _out, err = run(capsys, "agreement", coded, "--coders", "Ana", "Ben", "--unit", "word")
    assert code == 1 and "invalid choice: 'word'" in err


@pytest.mark.parametrize("suffix", [".xlsx", ".docx", ".html"])
def test_out_writes_the_file_too(coded: Path, tmp_path: Path, capsys: pytest.CaptureFixture, suffix: str) -> None:
    target = tmp_path / f"figures{suffix}"
    code, out, err = run(capsys, "agreement", coded, "--coders", "Ana", "Ben", "--out", target, "--json")
    assert code == 0, err
    assert json.loads(out)["written"] == str(target)
    assert target.stat().st_size > 1000
    code, out, err = run(capsys, "agreement", coded, "--coders", "Ana", "Ben", "--out", target)
    assert out.splitlines()[-1] == f"wrote {target}"
