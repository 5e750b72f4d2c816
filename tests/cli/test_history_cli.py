"""CLI contract for ``qdaapp history PROJECT CODING_ID [--json]``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from qdaapp.core import coding
from qdaapp.core.project import Project

from .test_search_cli import run

PHRASE = "the GP asked us to set it up"


def _coded_then_removed(project_path: Path) -> int:
    with Project.open(project_path, coder="Ana") as p:
        start = _text(p).index(PHRASE)
        cid = p.run(coding.code, "Rosa.txt", start, start + len(PHRASE), "Trust", "Ana", reason="pressure from the GP")
        p.run(coding.uncode, cid, reason="coded twice")
    return cid


def _text(p: Project) -> str:
    from qdaapp.core import sources

    with p.read_session() as s:
        return sources.structure(s, sources.resolve(s, "Rosa.txt").id)["text"]


def test_history_prints_the_passage_and_each_event(project_path: Path, capsys: pytest.CaptureFixture) -> None:
    cid = _coded_then_removed(project_path)
    code, out, err = run(capsys, "history", project_path, cid)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"Coding {cid} (removed since; shown as it last was): 'Trust' in Rosa.txt (")
    assert lines[0].endswith("coded by Ana by hand")
    assert lines[1] == f"  “{PHRASE}”"
    events = [ln for ln in lines if " event " in ln]
    assert len(events) == 2
    assert events[0].endswith("Ana          Coded by hand at 'Trust'.")
    assert events[1].endswith("Uncoded (removed) by hand.")
    assert "Reason: pressure from the GP" in out and "Reason: coded twice" in out


def test_history_json(project_path: Path, capsys: pytest.CaptureFixture) -> None:
    cid = _coded_then_removed(project_path)
    code, out, err = run(capsys, "history", project_path, cid, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["coding_id"], data["exists"], data["quote"], data["node"], data["how"]) == (
        cid, False, PHRASE, "Trust", "by hand")
    assert [(ln["kind"], ln["action"], ln["reason"]) for ln in data["lines"]] == [
        ("created", "coding.create", "pressure from the GP"), ("removed", "coding.delete", "coded twice")]
    assert all(isinstance(ln["seq"], int) for ln in data["lines"])


def test_missing_or_bad_id_says_so(project_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, err = run(capsys, "history", project_path, 4242)
    assert (code, out) == (1, "")
    assert err.startswith("qdaapp: There is no coding 4242, and the audit trail has no record of one.")
    code, _, err = run(capsys, "history", project_path, "abc")
    assert code == 1 and "'abc' is not a coding id" in err


def test_history_works_in_a_read_only_folder(project_path: Path, capsys: pytest.CaptureFixture,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated through os.access, as tests may run as root."""
    cid = _coded_then_removed(project_path)
    real = os.access
    folder = project_path.parent.resolve()
    monkeypatch.setattr(os, "access", lambda p, m, *a, **k: False if (m & os.W_OK and Path(p).resolve() == folder)
                        else real(p, m, *a, **k))
    code, out, err = run(capsys, "history", project_path, cid)
    assert code == 0, err
    assert "Uncoded (removed) by hand." in out
