"""The command-line contract: exit codes, one-line errors, JSON keys, code-point offsets."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from qdaapp.cli import main

from ..conftest import ROOT


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture, *argv: str):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_full_flow(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    proj = tmp_path / "study.qda"
    emoji = tmp_path / "Ana.txt"
    emoji.write_text("Researcher 1: Hello 😀 there.\r\nAna: We had to do it.\n", encoding="utf-8")
    assert run(capsys, "new", proj)[0] == 0
    code, out, err = run(capsys, "import", proj, emoji, "--case", "Ana", "--kind", "interview")
    assert code == 0, err
    (src,) = run_json(capsys, "sources", proj)
    assert set(src) == {"id", "name", "kind", "words", "pages", "sha256", "case"}
    assert src["case"] == "Ana" and src["kind"] == "interview"
    code, text, _ = run(capsys, "text", proj, "Ana.txt")
    assert text == "Researcher 1: Hello 😀 there.\nAna: We had to do it.\n"
    start = text.index("had to")
    assert run(capsys, "node", "add", proj, "Speech acts/manipulation", "--description", "being made to act")[0] == 0
    assert run(capsys, "node", "add", proj, "Duty", "--free", "--color", "#E69F00")[0] == 0
    got = run_json(capsys, "code", proj, "Ana", start, start + 6, "Speech acts/manipulation")
    (coding,) = run_json(capsys, "codings", proj)
    assert set(coding) == {"id", "source", "source_id", "node", "node_id", "start", "end", "text", "coder"}
    assert coding["id"] == got["id"] and coding["text"] == "had to" and coding["start"] == start
    nodes = run_json(capsys, "nodes", proj)
    assert set(nodes[0]) == {"id", "name", "path", "kind", "parent_id", "description", "color", "codings"}
    by_path = {n["path"]: n for n in nodes}
    assert by_path["Speech acts/manipulation"]["codings"] == 1 and by_path["Duty"]["kind"] == "free"
    assert run(capsys, "node", "move", proj, "Duty", "--to", "Speech acts")[0] == 0
    assert run(capsys, "node", "merge", proj, "Speech acts/Duty", "Speech acts/manipulation")[0] == 0
    assert run(capsys, "node", "move", proj, "Speech acts/manipulation", "--free")[0] == 0
    assert {n["path"]: n["kind"] for n in run_json(capsys, "nodes", proj)}["manipulation"] == "free"
    assert run(capsys, "case", "add", proj, "Site A", "--source", "Ana.txt", "--attr", "staff=12",
               "--attr", "opened=2020-01-05")[0] == 0
    cases = {c["name"]: c for c in run_json(capsys, "cases", proj)}
    assert set(cases["Site A"]) == {"id", "name", "sources", "attributes"}
    assert cases["Site A"]["attributes"] == {"staff": "12", "opened": "2020-01-05"}
    assert run(capsys, "uncode", proj, coding["id"])[0] == 0
    assert run_json(capsys, "codings", proj) == []
    code, out, _ = run(capsys, "audit", "verify", proj)
    assert code == 0 and "verified" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["nodes", "{dir}/missing.qda"], "missing.qda does not exist"),
        (["new", "{proj}"], "already exists"),
        (["code", "{proj}", "Rosa.txt", "0", "99999", "Trust"], "outside Rosa.txt"),
        (["code", "{proj}", "Nobody", "0", "5", "Trust"], "no source 'Nobody'"),
        (["code", "{proj}", "Rosa.txt", "0", "5", "Nothing"], "no node 'Nothing'"),
        (["uncode", "{proj}", "4242"], "no coding with id 4242"),
        (["node", "add", "{proj}", "Trust", "--free"], "already exists"),
        (["import", "{proj}", "{dir}/empty.txt"], "empty.txt"),
        (["case", "add", "{proj}", "X", "--attr", "novalue"], "KEY=VALUE"),
        (["code", "{proj}", "Rosa.txt", "zero", "5", "Trust"], "invalid int value"),
    ],
)
def test_user_errors_exit_1_with_one_line(
    project_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture, argv: list[str], message: str
) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    before = project_path.read_bytes()
    args = [a.format(proj=project_path, dir=tmp_path) for a in argv]
    code, out, err = run(capsys, *args)
    assert code == 1
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert project_path.read_bytes() == before


def test_entry_point_runs_as_module(project_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "qdaapp", "nodes", str(project_path), "--json"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert {n["path"] for n in json.loads(proc.stdout)} >= {"Trust", "Barriers/Workload"}
    proc = subprocess.run([sys.executable, "-m", "qdaapp", "code", str(project_path), "Rosa.txt", "0", "5", "Nope"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1


def test_help_is_fast_and_light() -> None:
    """`qdaapp --help` must not pull in Qt, spaCy or the document parsers."""
    code = (
        "import sys; from qdaapp.cli import build_parser; build_parser();"
        "heavy = [m for m in ('PySide6', 'spacy', 'pdfminer', 'docx', 'alembic') if m in sys.modules];"
        "print(heavy)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.stdout.strip() == "[]", proc.stderr


def test_command_table_names_what_each_module_registers() -> None:
    """Only the named command's module is loaded; the table saying which module that is must be exact."""
    import importlib

    from qdaapp.cli import COMMAND_MODULES, Parser

    for module, names in COMMAND_MODULES.items():
        sub = Parser(prog="qdaapp").add_subparsers(dest="command", parser_class=Parser)
        importlib.import_module(f"qdaapp.cli.{module}").register(sub)
        assert tuple(sub.choices) == names, module


def test_a_command_loads_only_its_own_module() -> None:
    code = ("import sys; from qdaapp.cli import build_parser; build_parser('sources');"
            "print(sorted(m for m in sys.modules if m.startswith('qdaapp.cli.')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.stdout.strip() == "['qdaapp.cli.project_cmds']", proc.stderr


def test_listing_sources_does_not_import_sqlalchemy(project_path: Path) -> None:
    """`qdaapp sources` reads with sqlite3 alone: importing SQLAlchemy would cost more than the list."""
    code = ("import sys; from qdaapp.cli import main; code = main(['sources', sys.argv[1], '--json']);"
            "print('SQLALCHEMY' if 'sqlalchemy' in sys.modules else 'LIGHT', code)")
    proc = subprocess.run([sys.executable, "-c", code, str(project_path)], capture_output=True, text=True, cwd=ROOT,
                          timeout=60)
    out, last = proc.stdout.rsplit("\n", 2)[0], proc.stdout.strip().splitlines()[-1]
    assert last == "LIGHT 0", proc.stderr
    assert "Rosa.txt" in {s["name"] for s in json.loads(out)}


def test_listing_sources_upgrades_an_older_schema_first(project_path: Path, capsys: pytest.CaptureFixture) -> None:
    from qdaapp.core import db
    from qdaapp.core.project import SCHEMA_HEAD, _migrate

    expected = run_json(capsys, "sources", project_path)
    engine = db.make_engine(project_path)
    _migrate(engine, "0007", down=True)
    engine.dispose()
    assert run_json(capsys, "sources", project_path) == expected
    con = sqlite3.connect(project_path)
    try:
        assert con.execute("select version_num from alembic_version").fetchone() == (SCHEMA_HEAD,)
    finally:
        con.close()


def test_undo_redo_commands(project_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert run(capsys, "code", project_path, "Rosa.txt", "0", "10", "Trust")[0] == 0
    code, out, _ = run(capsys, "undo", project_path)
    assert code == 0 and "undone: code 'Trust' in Rosa.txt (0-10)" in out
    assert run_json(capsys, "codings", project_path) == []
    code, out, _ = run(capsys, "redo", project_path)
    assert code == 0 and "redone: code 'Trust'" in out
    assert len(run_json(capsys, "codings", project_path)) == 1
    code, _, err = run(capsys, "redo", project_path)
    assert code == 1 and "nothing to redo" in err


def test_a_command_reads_the_file_without_mapping_it(project_path: Path) -> None:
    """A one-off command reads each page about once: mapping would only add them to its memory."""
    import argparse

    from qdaapp.cli.project_cmds import opened
    from qdaapp.core.project import Project

    with opened(argparse.Namespace(project=str(project_path))) as project, project.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA mmap_size").scalar() == 0
    app = Project.open(project_path)  # the app keeps its indexes mapped
    try:
        with app.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA mmap_size").scalar() > 0
    finally:
        app.close()
