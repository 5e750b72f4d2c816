"""CLI: --reason on bulk and destructive commands, kept in the audit trail; negated hits in a bulk accept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qdaapp.cli import main

TEXT = ("P1: We had to set it up because the GP asked us to. I wanted to help. I wasn't able to find the form. "
        "You don't have to worry. We have to report it.\n")


def run(capsys: pytest.CaptureFixture, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def events(capsys: pytest.CaptureFixture, proj: Path, action: str) -> list[dict]:
    code, out, err = run(capsys, "audit", proj, "--action", action, "--json")
    assert code == 0, err
    return [e for e in json.loads(out) if e["action"] == action]


@pytest.fixture
def proj(tmp_path: Path, capsys: pytest.CaptureFixture) -> Path:
    (tmp_path / "P1.txt").write_text(TEXT, encoding="utf-8")
    path = tmp_path / "s.qda"
    assert run(capsys, "new", path)[0] == 0
    assert run(capsys, "import", path, tmp_path / "P1.txt", "--case", "P1")[0] == 0
    return path


def test_accept_all_leaves_negated_hits_unless_included(proj: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, err = run(capsys, "markers", proj, "--json")
    assert code == 0, err
    data = json.loads(out)
    run_id, hits = data["run"], data["hits"]
    negated = {h["id"] for h in hits if h["polarity"] == "negative"}
    assert len(negated) == 2 and len(hits) == 6  # "wasn't able to", "don't have to"

    code, out, err = run(capsys, "review", proj, run_id, "--accept", "all", "--reason", "agreed in supervision")
    assert code == 0, err
    assert "accepted: 4" in out and "2 negated hit(s) left to review one by one" in out
    code, out, _ = run(capsys, "review", proj, run_id, "--list", "--json")
    assert {r["id"] for r in json.loads(out) if r["status"] == "candidate"} == negated
    (event,) = events(capsys, proj, "hits.accept")
    assert event["reason"] == "agreed in supervision"

    code, _, err = run(capsys, "review", proj, run_id, "--accept", "all")
    assert code == 1 and "are negated" in err and "--include-negated" in err
    code, out, err = run(capsys, "review", proj, run_id, "--accept-hit", min(negated), "--json")
    assert code == 0 and json.loads(out)["accepted"] == 1  # one by one still works
    code, out, err = run(capsys, "review", proj, run_id, "--accept", "all", "--include-negated", "--json")
    assert code == 0 and json.loads(out) == {"accepted": 1, "codings": 1}
    assert [e["reason"] for e in events(capsys, proj, "hits.accept")] == ["agreed in supervision", "", ""]


def test_reject_and_destructive_commands_keep_their_reason(proj: Path, capsys: pytest.CaptureFixture) -> None:
    run_id = json.loads(run(capsys, "markers", proj, "--json")[1])["run"]
    assert run(capsys, "review", proj, run_id, "--reject-marker", "have to", "--reason", "not obligations")[0] == 0
    assert [e["reason"] for e in events(capsys, proj, "hits.reject")] == ["not obligations"]

    for path in ("Trust", "Trust/GP", "Barriers", "Old"):
        assert run(capsys, "node", "add", proj, path)[0] == 0
    assert run(capsys, "node", "move", proj, "Trust", "--to", "Barriers", "--reason", "trust is a barrier")[0] == 0
    assert run(capsys, "node", "merge", proj, "Old", "Barriers", "--reason", "same idea")[0] == 0
    assert run(capsys, "node", "delete", proj, "Barriers", "--reason", "codebook cleanup")[0] == 0
    assert [e["reason"] for e in events(capsys, proj, "node.move")] == ["trust is a barrier"]
    assert [e["reason"] for e in events(capsys, proj, "node.merge")] == ["same idea"]
    assert [e["reason"] for e in events(capsys, proj, "node.delete")] == ["codebook cleanup"]

    assert run(capsys, "account", "add", proj, "Referral")[0] == 0
    code, out, err = run(capsys, "fragment", "add", proj, "Referral", "--summary", "GP asks", "--json")
    assert code == 0, err
    fragment = json.loads(out)["id"]
    assert run(capsys, "fragment", "delete", proj, fragment, "--reason", "duplicate")[0] == 0
    assert run(capsys, "account", "delete", proj, "Referral", "--reason", "merged into another")[0] == 0
    assert run(capsys, "source", "delete", proj, "P1.txt", "--reason", "withdrew consent")[0] == 0
    assert [e["reason"] for e in events(capsys, proj, "fragment.delete")] == ["duplicate"]
    assert [e["reason"] for e in events(capsys, proj, "account.delete")] == ["merged into another"]
    assert [e["reason"] for e in events(capsys, proj, "source.delete")] == ["withdrew consent"]
    code, _, err = run(capsys, "source", "delete", proj, "Missing.txt")
    assert code == 1 and "Missing.txt" in err


def test_search_code_keeps_its_reason(proj: Path, capsys: pytest.CaptureFixture) -> None:
    assert run(capsys, "node", "add", proj, "Duty", "--free")[0] == 0
    code, _, err = run(capsys, "search", proj, "have", "--code", "Duty", "--reason", "first pass")
    assert code == 0 and "coded 2" in err
    assert [e["reason"] for e in events(capsys, proj, "search.code")] == ["first pass"]
