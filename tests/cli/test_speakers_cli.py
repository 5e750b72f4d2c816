"""CLI contract for ``qdaapp speakers`` and ``--include-interviewer`` on search and markers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .test_search_cli import run

TEXT = ("Interviewer: Did you want to stop?\nP1: We had to set it up because the GP asked us to. "
        "I wanted to help.\n")
ASKING = ("Maria: How did it start?\nJoe: With a letter from the board, and nobody liked it at all.\n"
          "Maria: Who wrote it?\nJoe: The new manager, in the spring.\nMaria: And then?\nJoe: We wrote back.\n")


@pytest.fixture
def proj(tmp_path: Path, capsys: pytest.CaptureFixture) -> Path:
    (tmp_path / "P1.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "Joe.txt").write_text(ASKING, encoding="utf-8")
    path = tmp_path / "s.qda"
    assert run(capsys, "new", path)[0] == 0
    assert run(capsys, "import", path, tmp_path / "P1.txt", tmp_path / "Joe.txt")[0] == 0
    return path


def _listed(capsys: pytest.CaptureFixture, proj: Path) -> dict[str, dict]:
    code, out, err = run(capsys, "speakers", proj, "--json")
    assert code == 0, err
    return {row["name"]: row for row in json.loads(out)}


def test_speakers_json_keys_and_guesses(proj: Path, capsys: pytest.CaptureFixture) -> None:
    rows = _listed(capsys, proj)
    assert all(set(r) == {"name", "role", "sources", "turns", "guessed", "reason"} for r in rows.values())
    assert {n: (r["role"], r["sources"], r["turns"]) for n, r in rows.items()} == {
        "Interviewer": ("interviewer", 1, 1), "P1": ("participant", 1, 1),
        "Maria": ("interviewer", 1, 3), "Joe": ("participant", 1, 3)}
    assert rows["Maria"]["reason"] == "asks 100% of the questions in Joe.txt" and rows["Maria"]["guessed"]
    code, out, _ = run(capsys, "speakers", proj)
    assert code == 0 and "Maria" in out and "guess: asks 100% of the questions in Joe.txt" in out


def test_set_roles_then_back_to_the_guess(proj: Path, capsys: pytest.CaptureFixture) -> None:
    code, _out, err = run(capsys, "speakers", proj, "--set", "Joe=interviewer", "--set", "Maria = participant")
    assert code == 0, err
    rows = _listed(capsys, proj)
    assert (rows["Joe"]["role"], rows["Joe"]["guessed"], rows["Joe"]["reason"]) == ("interviewer", False, "set by you")
    assert (rows["Maria"]["role"], rows["Maria"]["guessed"]) == ("participant", False)
    assert run(capsys, "undo", proj)[0] == 0
    assert _listed(capsys, proj)["Joe"]["guessed"] is True
    assert run(capsys, "speakers", proj, "--set", "Joe=participant")[0] == 0
    assert run(capsys, "speakers", proj, "--set", "Joe=guess")[0] == 0
    assert _listed(capsys, proj)["Joe"]["guessed"] is True


@pytest.mark.parametrize("spec, message", [
    ("Nobody=interviewer", "There is no speaker 'Nobody' in this project"),
    ("Joe=boss", "'boss' is not a role; use interviewer, participant or guess"),
    ("Joe", "needs a speaker and a role"),
])
def test_bad_set_is_one_line_and_changes_nothing(proj: Path, capsys: pytest.CaptureFixture, spec: str,
                                                 message: str) -> None:
    before = _listed(capsys, proj)
    code, out, err = run(capsys, "speakers", proj, "--set", "Maria=participant", "--set", spec)
    assert code == 1 and out == "" and message in err and err.count("\n") == 1
    assert _listed(capsys, proj) == before


def test_search_and_markers_leave_out_interviewer_turns_unless_asked(proj: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, err = run(capsys, "search", proj, "want*", "--json")
    assert code == 0, err
    assert [h["text"] for h in json.loads(out)] == ["wanted"]
    code, out, _ = run(capsys, "search", proj, "want*", "--json", "--include-interviewer")
    assert [h["text"] for h in json.loads(out)] == ["want", "wanted"]
    code, out, err = run(capsys, "markers", proj, "--json")
    assert code == 0, err
    assert {h["speaker"] for h in json.loads(out)["hits"]} == {"P1", "Joe"}  # Joe: "We wrote back."
    code, out, _ = run(capsys, "markers", proj, "--json", "--include-interviewer")
    assert {h["speaker"] for h in json.loads(out)["hits"]} == {"P1", "Joe", "Interviewer"}
