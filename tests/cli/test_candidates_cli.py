"""CLI: qdaapp account candidates, and switching the performance and sanction groups off in a run."""

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


ASKED = "We had to do something, the GP asked us to set it up."
KEYS = {"source", "source_id", "start", "end", "text", "speaker", "distance", "reasons", "reason", "marker",
        "marked", "score", "shared_terms"}


def test_account_candidates(project_path: Path, capsys) -> None:
    p = project_path
    assert run(capsys, "account", "add", p, "Referral system")[0] == 0
    code, _, err = run(capsys, "account", "candidates", p, "Referral system", "--act", "performance")
    assert code == 1 and "'Referral system' has no passages yet" in err
    start = SAMPLE.index(ASKED)
    assert run(capsys, "account", "passage", p, "Referral system", f"Rosa.txt:{start}:{start + len(ASKED)}")[0] == 0

    code, out, err = run(capsys, "account", "candidates", p, "Referral system", "--act", "performance", "--json")
    assert code == 0, err
    (found,) = json.loads(out)  # the sources were indexed on the way
    assert set(found) == KEYS
    assert found["text"] == "We didn't know how to measure it, so we ran a small audit."
    assert found["reasons"] == ["pattern 'I/we/they… + past verb'"] and found["speaker"] == "P1"
    assert SAMPLE[found["marked"][0]:found["marked"][1]] == "we ran"

    code, out, _ = run(capsys, "account", "candidates", p, "1", "--act", "sanction")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "sanction candidates near the passages of 'Referral system':"
    assert "Rosa.txt:" in lines[1] and "P1" in lines[1] and "pattern 'worked well'" in lines[1]
    assert lines[2].strip().endswith("It worked well.")

    assert run(capsys, "fragment", "add", p, "1", "--summary", "It worked.", "--act", "sanction")[0] == 0
    code, out, _ = run(capsys, "account", "candidates", p, "1", "--act", "sanction", "--limit", "1")
    assert "(it has sanction already)" in out.splitlines()[0] and len(out.splitlines()) == 3
    code, _, err = run(capsys, "account", "candidates", p, "1", "--act", "acting")
    assert code == 1 and "invalid choice: 'acting'" in err
    code, _, err = run(capsys, "account", "candidates", p, "1", "--act", "sanction", "--limit", "0")
    assert code == 1 and "at least 1" in err


def test_markers_skip_group(project_path: Path, capsys) -> None:
    p = project_path
    code, out, err = run(capsys, "markers", p, "--json")
    assert code == 0, err
    every = {h["act"] for h in json.loads(out)["hits"]}
    assert {"performance", "sanction"} <= every
    code, out, _ = run(capsys, "markers", p, "--skip-group", "performance", "--skip-group", "sanction", "--json")
    assert code == 0
    assert {h["act"] for h in json.loads(out)["hits"]} == every - {"performance", "sanction"}
    code, _, err = run(capsys, "markers", p, "--skip-group", "nope")
    assert code == 1 and "'nope' is not a phrase group of lexicon greimas-en" in err
