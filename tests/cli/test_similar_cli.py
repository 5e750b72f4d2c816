"""CLI contract for 'qdaapp similar': results as lines or JSON, coding chosen results, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qdaapp.cli import main

CLINIC = ("P1: We set up a new diabetes clinic for the practice. The weather was cold that spring.\n"
          "P1: Our diabetes clinic saw forty patients in the first month. Parking was hard.\n")
WARD = "P2: The ward opened a diabetes clinic for new patients. I like football on Sundays.\n"


def run(capsys: pytest.CaptureFixture, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def proj(tmp_path: Path, capsys: pytest.CaptureFixture) -> Path:
    (tmp_path / "Clinic.txt").write_text(CLINIC, encoding="utf-8")
    (tmp_path / "Ward.txt").write_text(WARD, encoding="utf-8")
    path = tmp_path / "s.qda"
    assert run(capsys, "new", path)[0] == 0
    assert run(capsys, "import", path, tmp_path / "Clinic.txt", tmp_path / "Ward.txt")[0] == 0
    assert run(capsys, "node", "add", path, "Set-up", "--free")[0] == 0
    start = CLINIC.index("We set up")
    assert run(capsys, "code", path, "Clinic.txt", start, CLINIC.index(" The weather"), "Set-up")[0] == 0
    return path


def test_json_keys_and_lines(proj: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, err = run(capsys, "similar", proj, "--node", "Set-up", "--json")
    assert code == 0, err
    found = json.loads(out)
    assert all(list(r) == ["source", "source_id", "start", "end", "score", "text", "shared_terms"] for r in found)
    assert found[0]["text"] == "The ward opened a diabetes clinic for new patients."
    assert set(found[0]["shared_terms"]) == {"new", "diabetes", "clinic"}
    assert WARD[found[0]["start"]:found[0]["end"]] == found[0]["text"]
    code, out, _ = run(capsys, "similar", proj, "--like", "1", "--unit", "paragraph", "--top", "1")
    assert code == 0
    assert out.splitlines()[0].startswith("  1. Ward.txt:4-")
    assert out.splitlines()[1].startswith("     shares: ")
    assert out.splitlines()[-1] == "1 passage(s) like 1 example passage"
    code, out, _ = run(capsys, "similar", proj, "--like", "1", "--scope", "Clinic.txt", "--json")
    assert {r["source"] for r in json.loads(out)} == {"Clinic.txt"}


def test_code_chosen_results(proj: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "similar", proj, "--node", "Set-up", "--json")
    first = json.loads(out)[0]
    code, _, err = run(capsys, "similar", proj, "--node", "Set-up", "--code-at", "Set-up", "--accept", "1",
                       "--reason", "same event")
    assert code == 0 and "coded 1 passage(s) at Set-up" in err
    code, out, _ = run(capsys, "codings", proj, "--node", "Set-up", "--json")
    spans = {(c["source_id"], c["start"], c["end"]) for c in json.loads(out)}
    assert (first["source_id"], first["start"], first["end"]) in spans
    code, out, _ = run(capsys, "audit", proj, "--json")
    assert any("similar to 1 example" in (e.get("summary") or "") and e.get("reason") == "same event"
               for e in json.loads(out))
    # coded there now: like the first coding alone it is a result, unless what is coded at Set-up is left out
    code, out, _ = run(capsys, "similar", proj, "--like", "1", "--json")
    assert first["text"] in [r["text"] for r in json.loads(out)]
    code, out, _ = run(capsys, "similar", proj, "--like", "1", "--exclude-coded-at", "Set-up", "--json")
    assert first["text"] not in [r["text"] for r in json.loads(out)]


@pytest.mark.parametrize("argv, message", [
    (["--like", "99"], "no coding with id 99"),
    (["--node", "Set-up", "--code-at", "Set-up"], "--code-at NODE and --accept N... go together"),
    (["--node", "Set-up", "--code-at", "Set-up", "--accept", "7"], "give result numbers from 1 to"),
    (["--node", "Set-up", "--unit", "page"], "invalid choice"),
    (["--node", "Nowhere"], "Nowhere"),
])
def test_bad_input_exit_1_with_one_line(proj: Path, capsys: pytest.CaptureFixture, argv: list, message: str) -> None:
    code, _, err = run(capsys, "similar", proj, *argv)
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1


def test_a_short_example_and_a_node_without_codings(proj: Path, capsys: pytest.CaptureFixture) -> None:
    start = CLINIC.index("Parking")
    assert run(capsys, "code", proj, "Clinic.txt", start, start + len("Parking was hard."), "Set-up")[0] == 0
    code, _, err = run(capsys, "similar", proj, "--like", "2")
    assert code == 1 and "too little to compare in the example 'Parking was hard.'" in err
    assert run(capsys, "node", "add", proj, "Empty", "--free")[0] == 0
    code, _, err = run(capsys, "similar", proj, "--node", "Empty")
    assert code == 1 and "There are no example passages" in err
