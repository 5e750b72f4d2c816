"""CLI contract for ``qdaapp coders`` and ``qdaapp blind``, and blind coding in the listings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from qdaapp.core import coding, memos
from qdaapp.core.project import Project

from .test_search_cli import run


@pytest.fixture
def team(project_path: Path) -> Path:
    """The template (owner: tester) with a coding by tester and two by bo, and a memo by bo."""
    with Project.open(project_path, coder="tester") as p:
        p.run(coding.code, "Rosa.txt", 0, 12, "Trust", "tester")
    with Project.open(project_path, coder="bo") as p:
        p.run(coding.code, "Rosa.txt", 20, 40, "Trust", "bo")
        p.run(coding.code, "Rosa.txt", 50, 60, "Barriers/Workload", "bo")
        p.run(memos.add_memo, "Unsure about this one", author="bo")
    return project_path


def _events(path: Path) -> list[tuple]:
    with Project.open(path, read_only=True) as p, p.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT coder, action, reason FROM audit_events ORDER BY seq"))]


def test_coders_lists_each_coder_with_their_work(team: Path, capsys) -> None:
    code, out, err = run(capsys, "coders", team, "--json")
    assert code == 0, err
    rows = {r["name"]: r for r in json.loads(out)}
    assert set(rows) == {"tester", "bo"}
    assert (rows["bo"]["codings"], rows["bo"]["memos"], rows["bo"]["fragments"], rows["bo"]["changes"]) == (2, 1, 0, 3)
    assert rows["tester"]["codings"] == 1 and rows["tester"]["first"] <= rows["bo"]["first"]
    code, out, _ = run(capsys, "coders", team)
    lines = out.splitlines()
    assert lines[0].split()[:5] == ["Coder", "Codings", "Memos", "Fragments", "Changes"]
    assert lines[1].split()[:5] == ["tester", "1", "0", "0", str(rows["tester"]["changes"])]
    assert lines[2].split()[:5] == ["bo", "2", "1", "0", "3"]


def test_blind_on_status_end_by_the_owner_only(team: Path, capsys) -> None:
    before = _events(team)
    code, _out, err = run(capsys, "blind", team, "on", "--coder", "bo")
    assert code == 1 and "Only the project owner, tester, may switch blind coding on or off" in err
    assert _events(team) == before  # refused: nothing written
    code, out, err = run(capsys, "blind", team, "on", "--coder", "tester", "--reason", "first round")
    assert code == 0, err
    assert out.splitlines()[0] == "Blind coding is on: each coder sees only their own codings (the owner sees all)."
    assert _events(team)[-1] == ("tester", "project.set_blind", "first round")
    code, out, _ = run(capsys, "blind", team, "status", "--coder", "bo", "--json")
    assert json.loads(out) == {"state": "on", "owner": "tester", "coder": "bo", "comparison_open": False,
                               "sees": "own codings only"}
    code, _out, err = run(capsys, "blind", team, "end", "--coder", "bo")
    assert code == 1 and "Only the project owner" in err
    code, out, err = run(capsys, "blind", team, "end", "--coder", "tester")
    assert code == 0 and "ended" in out
    assert _events(team)[-1][:2] == ("tester", "project.end_blind")
    code, out, _ = run(capsys, "blind", team, "status", "--coder", "bo", "--json")
    assert json.loads(out)["comparison_open"] is True
    code, _out, err = run(capsys, "blind", team, "end", "--coder", "tester")
    assert code == 1 and "not in a blind phase" in err


def test_listings_show_only_ones_own_codings_in_blind_coding(team: Path, capsys) -> None:
    assert run(capsys, "blind", team, "on", "--coder", "tester")[0] == 0
    code, out, err = run(capsys, "codings", team, "--coder", "bo", "--json")
    assert code == 0 and {c["coder"] for c in json.loads(out)} == {"bo"}
    assert "blind coding is on: showing only the codings of bo" in err
    code, out, _ = run(capsys, "codings", team, "--coder", "bo", "--by", "tester", "--json")
    assert json.loads(out) == []  # asking for another coder's codings shows none of them
    code, out, _ = run(capsys, "nodes", team, "--coder", "bo", "--json")
    assert {n["path"]: n["codings"] for n in json.loads(out)}["Trust"] == 1
    code, out, _ = run(capsys, "coders", team, "--coder", "bo", "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert rows["tester"]["codings"] is None and rows["bo"]["codings"] == 2
    code, out, err = run(capsys, "codings", team, "--coder", "tester", "--json")  # the owner sees all
    assert {c["coder"] for c in json.loads(out)} == {"bo", "tester"} and err == ""
    code, out, _ = run(capsys, "nodes", team, "--coder", "tester", "--json")
    assert {n["path"]: n["codings"] for n in json.loads(out)}["Trust"] == 2


def test_by_narrows_listings_to_some_coders(team: Path, capsys) -> None:
    code, out, _ = run(capsys, "codings", team, "--by", "tester", "--json")
    assert [c["coder"] for c in json.loads(out)] == ["tester"]
    code, out, _ = run(capsys, "nodes", team, "--by", "bo", "--json")
    counts = {n["path"]: n["codings"] for n in json.loads(out)}
    assert counts["Trust"] == 1 and counts["Barriers/Workload"] == 1


def test_agreement_waits_for_the_blind_phase_to_end_except_for_the_owner(team: Path, capsys) -> None:
    assert run(capsys, "blind", team, "on", "--coder", "tester")[0] == 0
    code, out, err = run(capsys, "agreement", team, "--coders", "tester", "bo", "--coder", "bo")
    assert code == 1 and out == ""
    assert "still coding blind" in err and "owner (tester)" in err
    code, out, err = run(capsys, "agreement", team, "--coders", "tester", "bo", "--coder", "tester", "--json")
    assert code == 0 and json.loads(out)["coders"] == ["tester", "bo"]
    assert run(capsys, "blind", team, "end", "--coder", "tester")[0] == 0
    assert run(capsys, "agreement", team, "--coders", "tester", "bo", "--coder", "bo", "--json")[0] == 0
