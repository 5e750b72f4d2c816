"""``qdaapp import --case-per-file``: each file in its own case, and the clash with ``--case``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .test_cli import run


def test_case_per_file_names_cases_after_interviewees(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    proj = tmp_path / "study.qda"
    (tmp_path / "int-01.txt").write_text("Interviewee: Ana Silva\n\nResearcher: Hello.\nAna: Hi.\n", encoding="utf-8")
    (tmp_path / "Ward visit.txt").write_text("We met on the ward.\n", encoding="utf-8")
    assert run(capsys, "new", proj)[0] == 0
    code, out, err = run(capsys, "import", proj, tmp_path / "int-01.txt", tmp_path / "Ward visit.txt",
                         "--case-per-file", "--json")
    assert code == 0, err
    assert {r["name"]: r["case"] for r in json.loads(out)} == {"int-01.txt": "Ana Silva",
                                                                "Ward visit.txt": "Ward visit"}
    code, out, _ = run(capsys, "cases", proj, "--json")
    assert {c["name"]: c["sources"] for c in json.loads(out)} == {"Ana Silva": ["int-01.txt"],
                                                                  "Ward visit": ["Ward visit.txt"]}


def test_case_and_case_per_file_together_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    proj = tmp_path / "study.qda"
    (tmp_path / "a.txt").write_text("Interviewee: Ana\n", encoding="utf-8")
    assert run(capsys, "new", proj)[0] == 0
    code, out, err = run(capsys, "import", proj, tmp_path / "a.txt", "--case", "Site A", "--case-per-file")
    assert code == 1
    assert "--case and --case-per-file" in err and len(err.strip().splitlines()) == 1
    code, out, _ = run(capsys, "sources", proj, "--json")
    assert json.loads(out) == []
