"""``qdaapp audit seal`` and ``qdaapp audit verify --seal``: the seal travels outside the file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from qdaapp.cli import main


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_seal_then_verify_then_tamper(project_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "audit", "seal", project_path)
    assert code == 0 and out.startswith("seal: ")
    seal = out.split()[1]
    assert run(capsys, "code", project_path, "Rosa.txt", "0", "11", "Trust")[0] == 0
    code, out, err = run(capsys, "audit", "verify", project_path, "--seal", seal)
    assert code == 0, err
    assert f"extends the seal {seal}" in out and "every row matches" in out
    con = sqlite3.connect(project_path)
    cid = con.execute("select max(id) from codings").fetchone()[0]
    con.execute(f"update codings set start = 2 where id = {cid}")
    con.commit()
    con.close()
    code, _out, err = run(capsys, "audit", "verify", project_path)
    assert code == 1 and f"coding {cid} changed outside the app: start 0 -> 2" in err


def test_a_seal_the_chain_does_not_reach_fails(project_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "audit", "seal", project_path)
    seq, prefix = out.split()[1].split("-")
    code, _out, err = run(capsys, "audit", "verify", project_path, "--seal", f"{int(seq) + 5}-{prefix}")
    assert code == 1 and "removed" in err
    code, _out, err = run(capsys, "audit", "verify", project_path, "--seal", "nonsense")
    assert code != 0 and "is not a seal" in err


def test_reports_and_exports_give_the_seal(project_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    seal = run(capsys, "audit", "seal", project_path)[1].split()[1]
    code, out, err = run(capsys, "report", "audit", project_path, "--no-charts", "--out", tmp_path / "audit.html")
    assert code == 0, err
    assert f"seal: {seal}" in out and seal in (tmp_path / "audit.html").read_text(encoding="utf-8")
    code, out, err = run(capsys, "export", project_path, "--format", "html", "--out", tmp_path / "themes.html")
    assert code == 0, err
    assert f"seal: {seal}" in out and seal in (tmp_path / "themes.html").read_text(encoding="utf-8")
    code, out, err = run(capsys, "export", project_path, "--format", "qdpx", "--out", tmp_path / "p.qdpx")
    assert code == 0 and f"seal: {seal}" in out, err
