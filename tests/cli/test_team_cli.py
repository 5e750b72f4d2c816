"""CLI contract for ``qdaapp copy PROJECT OUT --for CODER`` and ``qdaapp merge PROJECT OTHER [--json]``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from qdaapp.core import audit, nodes
from qdaapp.core.project import Project

from ..core.merge_helpers import code_phrase, coding_keys, state
from .test_search_cli import run


def _node_id(p: Project, path: str) -> int:
    with p.read_session() as s:
        return nodes.resolve(s, path).id


def _copy_with_work(project_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> Path:
    out = tmp_path / "for-ben.qda"
    code, text, err = run(capsys, "copy", project_path, out, "--for", "Ben")
    assert code == 0, err
    assert text.splitlines()[0].startswith(f"saved a copy for Ben to {out}")
    with Project.open(out, coder="Ben") as b:
        code_phrase(b, "I wanted to help", "Trust")
        b.run(nodes.update_node, _node_id(b, "Trust"), name="Confidence")
    with Project.open(project_path, coder="Ana") as p:
        p.run(nodes.update_node, _node_id(p, "Trust"), name="Trust in the GP")
    return out


def test_copy_then_merge_json(project_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    other = _copy_with_work(project_path, tmp_path, capsys)
    seal = audit.seal_of_file(other)
    code, out, err = run(capsys, "merge", project_path, other, "--json", "--reason", "Ben's week of coding")
    assert code == 0, err
    data = json.loads(out)
    assert data["merged"] == {"coding": 1} and data["copy_for"] == "Ben" and data["written"] is True
    assert data["duplicates"]["node"] == 3 and data["seal"] == seal
    (conflict,) = data["conflicts"]
    assert (conflict["kind"], conflict["chosen"], conflict["choices"]) == ("renamed", "ours", ["ours", "theirs"])
    assert coding_keys(other) <= coding_keys(project_path)
    # Again: nothing new, nothing written.
    before = state(project_path)
    code, out, err = run(capsys, "merge", project_path, other)
    assert code == 0, err
    assert "nothing new; the project was not changed" in out.splitlines()[0]
    assert state(project_path) == before


def test_preview_changes_nothing_and_resolve_takes_the_copys_name(project_path: Path, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture) -> None:
    other = _copy_with_work(project_path, tmp_path, capsys)
    before = state(project_path)
    code, out, err = run(capsys, "merge", project_path, other, "--preview")
    assert code == 0, err
    assert state(project_path) == before
    lines = out.splitlines()
    assert lines[0].endswith("would bring in") and "        1  coding" in lines
    assert "  node 'Trust in the GP' is called 'Confidence' in Ben's copy" in lines
    key = out.split("[--resolve ")[1].split("=CHOICE")[0]
    code, out, err = run(capsys, "merge", project_path, other, "--resolve", f"{key}=theirs")
    assert code == 0, err
    assert "did: take the copy's" in out
    with Project.open(project_path, coder="Ana", read_only=True) as p, p.read_session() as s:
        assert nodes.resolve(s, "Confidence")


def test_a_refused_copy_exits_1_naming_the_problem(project_path: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture) -> None:
    other = _copy_with_work(project_path, tmp_path, capsys)
    conn = sqlite3.connect(other)
    conn.execute('UPDATE codings SET start = start + 1')
    conn.commit()
    conn.close()
    before = state(project_path)
    code, out, err = run(capsys, "merge", project_path, other, "--json")
    assert code == 1 and out == ""
    assert "for-ben.qda was refused: its audit trail does not hold" in err and "changed outside the app" in err
    assert state(project_path) == before
    text = tmp_path / "notes.qda"
    text.write_text("not a project", encoding="utf-8")
    code, out, err = run(capsys, "merge", project_path, text)
    assert code == 1 and "notes.qda is not a qdaapp project" in err


def test_a_bad_resolve_is_a_usage_error(project_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    other = _copy_with_work(project_path, tmp_path, capsys)
    code, _out, err = run(capsys, "merge", project_path, other, "--resolve", "nonsense")
    assert code == 1 and "--resolve takes KEY=CHOICE" in err
    code, _out, err = run(capsys, "copy", project_path, other, "--for", "Ben")
    assert code == 1 and "already exists" in err
