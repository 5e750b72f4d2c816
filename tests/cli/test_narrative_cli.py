"""CLI contract for accounts, fragments, flow charts and the framework matrix."""

from __future__ import annotations

import json
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
