"""``qdaapp review-comment`` and ``qdaapp review-comments``: comments beside a read-only project."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from .test_audit_cli import run


def _state(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_comment_on_a_read_only_project_leaves_it_unchanged(project_path: Path,
                                                              capsys: pytest.CaptureFixture) -> None:
    assert run(capsys, "code", project_path, "Rosa.txt", "62", "80", "Trust")[0] == 0
    code, out, err = run(capsys, "codings", project_path, "--json")
    assert code == 0, err
    coding_id = json.loads(out)[0]["id"]
    code, out, _ = run(capsys, "audit", "seal", project_path)
    seal = out.split()[1]
    os.chmod(project_path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    before = _state(project_path)
    try:
        code, out, err = run(capsys, "review-comment", project_path, "Why trust here?", "--on", f"coding:{coding_id}",
                             "--coder", "Dr Lee")
        assert code == 0, err
        assert out.startswith("review comment #1 on Trust: “") and "the project was not changed" in out
        code, out, err = run(capsys, "review-comment", project_path, "Say why.", "--on", "event:3",
                             "--coder", "Dr Lee", "--json")
        assert code == 0, err
        made = json.loads(out)
        assert (made["kind"], made["target_id"], made["status"], made["author"]) == ("event", 3, "open", "Dr Lee")
        assert run(capsys, "review-comment", project_path, "Good start.", "--on", "project",
               "--coder", "Dr Lee")[0] == 0
        assert run(capsys, "review-comment", project_path, "Chapter 3 explains it.", "--reply-to", "1",
                   "--coder", "Ana")[0] == 0
        assert _state(project_path) == before
        code, out, err = run(capsys, "audit", "verify", project_path, "--seal", seal)
        assert code == 0, err
    finally:
        os.chmod(project_path, stat.S_IRUSR | stat.S_IWUSR)

    code, out, err = run(capsys, "review-comments", project_path, "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["id"], r["status"]) for r in rows] == [(1, "answered"), (2, "open"), (3, "open")]
    assert rows[0]["replies"][0]["author"] == "Ana"
    assert set(rows[0]) == {"id", "author", "time", "kind", "target_id", "label", "text", "status", "replies"}
    assert run(capsys, "review-comments", project_path, "--resolve", "2")[0] == 0
    code, out, _ = run(capsys, "review-comments", project_path, "--open")
    assert code == 0
    assert "#1  answered" in out and "#3  open" in out and "#2" not in out
    assert "    ↳ Ana, " in out and "Chapter 3 explains it." in out


@pytest.mark.parametrize("argv, message", [
    (["--on", "coding:999"], "There is no coding 999 in this project"),
    (["--on", "memo:1"], "'memo:1' is not something a comment can be on"),
    (["--on", "node"], "'node' needs the node's number after a colon, as in node:12"),
    (["--reply-to", "5"], "There is no review comment 5"),
])
def test_bad_targets_one_line(project_path: Path, capsys: pytest.CaptureFixture, argv: list[str],
                              message: str) -> None:
    before = _state(project_path)
    code, out, err = run(capsys, "review-comment", project_path, "Hmm", *argv)
    assert code == 1 and out == ""
    assert err.startswith("qdaapp: ") and message in err and err.count("\n") == 1
    assert _state(project_path) == before


def test_damaged_side_file_and_missing_project(project_path: Path, capsys: pytest.CaptureFixture) -> None:
    side = project_path.with_name("project.qda.review")
    side.write_text("notes", encoding="utf-8")
    code, _out, err = run(capsys, "review-comments", project_path)
    assert code == 1 and "project.qda.review (the review comments beside the project) cannot be read" in err
    code, _out, err = run(capsys, "review-comment", project_path, "Hi", "--on", "project")
    assert code == 1 and "cannot be read" in err
    assert side.read_text(encoding="utf-8") == "notes"
    code, _out, err = run(capsys, "review-comments", project_path.with_name("nope.qda"))
    assert code == 1 and "nope.qda: no such project file" in err
