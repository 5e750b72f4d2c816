"""CLI contract for search, markers, review, runs and the lexicon."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qdaapp.cli import main

TEXT = ("Interviewer: Why did it start?\nP1: We had to set it up because the GP asked us to. "
        "I wanted to help. I wasn't able to find the form. It has to do with money.\n")


def run(capsys: pytest.CaptureFixture, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def proj(tmp_path: Path, capsys: pytest.CaptureFixture) -> Path:
    (tmp_path / "P1.txt").write_text(TEXT, encoding="utf-8")
    path = tmp_path / "s.qda"
    assert run(capsys, "new", path)[0] == 0
    assert run(capsys, "import", path, tmp_path / "P1.txt", "--case", "P1")[0] == 0
    return path


def test_search_json_keys_and_forms(proj: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, err = run(capsys, "search", proj, '"have to"', "--json")
    assert code == 0, err
    assert json.loads(out) == []
    code, out, _ = run(capsys, "search", proj, '"have to"', "--forms", "--json")
    hits = json.loads(out)
    assert all(set(h) == {"source", "source_id", "start", "end", "text", "left", "right", "page"} for h in hits)
    assert [h["text"] for h in hits] == ["had to", "has to"]
    assert all(TEXT[h["start"]:h["end"]] == h["text"] for h in hits)


@pytest.mark.parametrize("query, message", [('"have to', "not closed"), ("NOT money", "between two words")])
def test_malformed_query_exit_1(proj: Path, capsys: pytest.CaptureFixture, query: str, message: str) -> None:
    code, _, err = run(capsys, "search", proj, query)
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1


def test_search_code_with_spread(proj: Path, capsys: pytest.CaptureFixture) -> None:
    assert run(capsys, "node", "add", proj, "Duty", "--free")[0] == 0
    code, _, err = run(capsys, "search", proj, "asked", "--code", "Duty", "--spread", "sentence")
    assert code == 0 and "coded 1" in err
    code, out, _ = run(capsys, "codings", proj, "--json")
    assert [c["text"] for c in json.loads(out)] == ["We had to set it up because the GP asked us to."]
    code, out, _ = run(capsys, "audit", proj, "--action", "search.", "--json")
    (event,) = json.loads(out)
    assert "code 1 passage(s) at 'Duty'" in event["summary"] and "asked" in event["summary"]
    code, _, err = run(capsys, "search", proj, "asked", "--code", "Duty", "--spread", "sentence")
    assert code == 0 and "coded 0" in err  # already coded there: nothing written


def test_markers_review_runs(proj: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, err = run(capsys, "markers", proj, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"run", "hits"}
    keys = {"id", "source", "source_id", "start", "end", "act", "marker", "polarity", "subject", "speaker",
            "sentence_start", "sentence_end"}
    assert all(set(h) == keys for h in data["hits"])
    by_marker = {h["marker"]: h for h in data["hits"]}
    assert {"have to", "asked * to", "want to", "able to"} <= set(by_marker)
    assert by_marker["able to"]["polarity"] == "negative" and by_marker["want to"]["subject"] == "I"
    assert all(h["speaker"] == "P1" for h in data["hits"])
    run_id = data["run"]
    code, out, _ = run(capsys, "review", proj, run_id, "--accept-marker", "have to", "--json")
    assert code == 0 and json.loads(out) == {"accepted": 1, "codings": 1}
    code, _, _ = run(capsys, "review", proj, run_id, "--reject", by_marker["want to"]["id"])
    assert code == 0
    code, out, _ = run(capsys, "review", proj, run_id, "--accept", "all", "--spread", "turn", "--json")
    assert code == 0 and json.loads(out)["accepted"] == 1 and json.loads(out)["negated_left"] == 1  # "wasn't able to"
    code, out, _ = run(capsys, "review", proj, run_id, "--accept", "all", "--include-negated", "--json")
    assert code == 0 and json.loads(out)["accepted"] == 1
    code, out, _ = run(capsys, "runs", proj, "--json")
    (r,) = json.loads(out)
    assert r["rejected"] == 1 and r["accepted"] >= 3
    code, out, _ = run(capsys, "nodes", proj, "--json")
    assert "Speech acts/manipulation" in {n["path"] for n in json.loads(out)}
    code, _, err = run(capsys, "review", proj, 99, "--accept", "all")
    assert code == 1 and "no marker run #99" in err
    assert run(capsys, "audit", "verify", proj)[0] == 0


def test_markers_options_and_errors(proj: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "markers", proj, "--act", "competence", "--source", "P1.txt", "--json")
    assert code == 0 and {h["act"] for h in json.loads(out)["hits"]} == {"competence"}
    code, _, err = run(capsys, "markers", proj, "--lexicon", "klingon")
    assert code == 1 and "no lexicon 'klingon'" in err
    empty = tmp_path / "e.qda"
    run(capsys, "new", empty)
    code, _, err = run(capsys, "markers", empty)
    assert code == 1 and "nothing to search" in err


def test_lexicon_show_and_edit(proj: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "lexicon", "show", proj)
    assert code == 0 and 'name = "greimas-en"' in out and "version = 3" in out
    assert '[groups.modals]' in out and '{ phrase = "can", group = "modals" }' in out
    code, out, _ = run(capsys, "lexicon", "edit", proj, "--add", "commitment", "be keen to")
    assert code == 0 and "version 4" in out
    code, out, _ = run(capsys, "lexicon", "show", proj)
    assert "be keen to" in out and "version = 4" in out
    code, _, err = run(capsys, "lexicon", "edit", proj, "--move", "nonsense", "commitment")
    assert code == 1 and "Cannot move" in err


MORE = ("Interviewer: Can you say more?\nP1: I can do it. We will see. I had to wait, and I wanted to go.\n"
        "Interviewer: Did you have to?\nP1: We had to stop.\n")


@pytest.fixture
def two(proj: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> Path:
    (tmp_path / "P2.txt").write_text(MORE, encoding="utf-8")
    assert run(capsys, "import", proj, tmp_path / "P2.txt", "--case", "P2")[0] == 0
    return proj


def markers_of(capsys: pytest.CaptureFixture, proj: Path, *extra) -> dict:
    code, out, err = run(capsys, "markers", proj, "--json", *extra)
    assert code == 0, err
    return json.loads(out)


def test_markers_low_precision_group(two: Path, capsys: pytest.CaptureFixture) -> None:
    default = {h["marker"] for h in markers_of(capsys, two)["hits"]}
    assert "have to" in default and not default & {"can", "will"}
    assert {"can", "will"} <= {h["marker"] for h in markers_of(capsys, two, "--include-low-precision")["hits"]}
    assert {"can", "will"} <= {h["marker"] for h in markers_of(capsys, two, "--group", "modals")["hits"]}
    code, _, err = run(capsys, "markers", two, "--group", "modal")
    assert code == 1 and ("'modal' is not a phrase group of lexicon greimas-en; its groups: performance, sanction, "
                          "modals") in err
    code, out, _ = run(capsys, "runs", two, "--json")
    assert len(json.loads(out)) == 3  # the refused run stored nothing


def statuses(capsys: pytest.CaptureFixture, proj: Path, run_id: int) -> dict[int, str]:
    code, out, _ = run(capsys, "review", proj, run_id, "--list", "--json")
    return {r["id"]: r["status"] for r in json.loads(out)}


def test_review_reject_marker_source_and_speaker(two: Path, capsys: pytest.CaptureFixture) -> None:
    data = markers_of(capsys, two, "--include-interviewer")  # the interviewer's hits are reviewed too
    run_id, hits = data["run"], data["hits"]
    have = [h["id"] for h in hits if h["marker"] == "have to"]
    assert len(have) == 4
    code, out, _ = run(capsys, "review", two, run_id, "--reject-marker", "have to", "--skip-speaker", "Interviewer",
                       "--json")
    assert code == 0 and json.loads(out) == {"rejected": 3, "removed": 0}
    now = statuses(capsys, two, run_id)
    assert [now[i] for i in have].count("rejected") == 3
    assert {now[h["id"]] for h in hits if h["speaker"] == "Interviewer"} == {"candidate"}
    code, _, err = run(capsys, "review", two, run_id, "--reject-marker", "have to", "--skip-speaker", "Interviewer")
    assert code == 1 and "has no candidate hits of the marker 'have to'" in err

    code, out, _ = run(capsys, "review", two, run_id, "--accept-speaker", "Interviewer", "--json")
    assert code == 0 and json.loads(out)["accepted"] == 1
    code, out, _ = run(capsys, "review", two, run_id, "--reject-source", "P2.txt", "--json")
    assert code == 0 and json.loads(out)["rejected"] == 1  # "wanted to": the rest of P2 is decided
    code, out, _ = run(capsys, "review", two, run_id, "--accept-source", "P1", "--include-negated", "--json")
    assert code == 0 and json.loads(out)["accepted"] == len([h for h in hits if h["source"] == "P1.txt"]) - 1
    assert set(statuses(capsys, two, run_id).values()) == {"accepted", "rejected"}
    code, _, err = run(capsys, "review", two, run_id, "--reject-speaker", "Nobody")
    assert code == 1 and "has no candidate hits of the speaker 'Nobody'" in err
    code, _, err = run(capsys, "review", two, run_id, "--accept-source", "Missing.txt")
    assert code == 1 and "Missing.txt" in err
    assert run(capsys, "audit", "verify", two)[0] == 0


def test_markers_lists_the_run_in_list_hits_order(two: Path, capsys: pytest.CaptureFixture) -> None:
    """Both outputs list the stored run as review.list_hits orders it (act, marker, source, offset)."""
    from qdaapp.core import review
    from qdaapp.core.project import Project

    data = markers_of(capsys, two, "--include-low-precision", "--include-interviewer")
    code, out, err = run(capsys, "markers", two, "--include-low-precision", "--include-interviewer")
    assert code == 0, err
    project = Project.open(two, read_only=True)
    try:
        with project.read_session() as s:
            first, second = (review.list_hits(s, run) for run in (data["run"], data["run"] + 1))
    finally:
        project.close()
    assert len(first) >= 8 and len({h.source for h in first}) == 2 and len({h.act for h in first}) >= 3
    assert [(h["id"], h["source"], h["act"], h["marker"], h["start"]) for h in data["hits"]] == [
        (h.id, h.source, h.act, h.marker, h.start) for h in first]
    lines = out.splitlines()
    assert lines[0] == f"run {data['run'] + 1}: {len(second)} hit(s)"
    assert [(int(line.split()[0]), line.rsplit(" ", 1)[1]) for line in lines[1:]] == [
        (h.id, f"{h.source}:{h.start}") for h in second]
