"""Rough edges met on first use of the command line: node names, cut text, span and path messages, importers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qdaapp.cli import main


def run(capsys: pytest.CaptureFixture, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_tree_node_is_named_by_its_own_name_when_unique(project_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert run(capsys, "node", "add", project_path, "Tools/IT systems")[0] == 0
    code, out, err = run(capsys, "code", project_path, "Rosa.txt", 0, 12, "IT systems", "--json")
    assert code == 0, err
    coding_id = json.loads(out)["id"]
    code, out, err = run(capsys, "codings", project_path, "--node", "IT systems", "--json")
    assert code == 0, err
    assert [(c["id"], c["node"]) for c in json.loads(out)] == [(coding_id, "IT systems")]
    nodes = {n["id"]: n["path"] for n in json.loads(run(capsys, "nodes", project_path, "--json")[1])}
    assert nodes[json.loads(out)[0]["node_id"]] == "Tools/IT systems"
    assert "IT systems" not in nodes.values()  # no new top-level node was made


def test_an_ambiguous_name_lists_the_matching_paths(project_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert run(capsys, "node", "add", project_path, "Context/Workload")[0] == 0
    before = project_path.read_bytes()
    code, out, err = run(capsys, "code", project_path, "Rosa.txt", 0, 12, "Workload")
    assert code == 1 and out == ""
    assert err.strip() == ("qdaapp: 'Workload' names 2 tree nodes: 'Barriers/Workload', 'Context/Workload'; "
                           "give the path or the id.")
    assert project_path.read_bytes() == before
    assert run(capsys, "code", project_path, "Rosa.txt", 0, 12, "Context/Workload")[0] == 0


def test_codings_marks_cut_text(project_path: Path, capsys: pytest.CaptureFixture) -> None:
    text = run(capsys, "text", project_path, "Rosa.txt")[1]
    assert len(text) > 80
    assert run(capsys, "code", project_path, "Rosa.txt", 0, 80, "Trust")[0] == 0
    assert run(capsys, "code", project_path, "Rosa.txt", 0, 10, "Barriers")[0] == 0
    lines = run(capsys, "codings", project_path)[1].splitlines()
    (long,) = [line for line in lines if " 0-80 " in line]
    (short,) = [line for line in lines if " 0-10 " in line]
    assert long.endswith(repr(text[:59] + "…"))
    assert short.endswith(repr(text[:10])) and "…" not in short


def test_a_reversed_span_says_start_is_after_end(project_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, _, err = run(capsys, "code", project_path, "Rosa.txt", 30, 12, "Trust")
    assert code == 1
    assert err.strip() == "qdaapp: The span 30-12 in Rosa.txt is reversed: its start (30) is after its end (12)."


@pytest.mark.parametrize("where", ["elsewhere", "here"])
def test_a_missing_project_is_named_once(tmp_path: Path, capsys: pytest.CaptureFixture,
                                         monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    if where == "here":
        monkeypatch.chdir(tmp_path)
        path, expected = "missing.qda", "qdaapp: missing.qda does not exist."
    else:
        path, expected = str(tmp_path / "missing.qda"), f"qdaapp: missing.qda does not exist in {tmp_path}."
    code, _, err = run(capsys, "nodes", path)
    assert code == 1
    assert err.strip() == expected + " Check the path, or create it with 'qdaapp new'."
    assert err.count("missing.qda") == 1


def test_import_help_lists_every_importer_plugins_included(capsys: pytest.CaptureFixture) -> None:
    from qdaapp.core import plugins

    code, out, _ = run(capsys, "import", "--help")
    assert code == 0
    importers = plugins.registry().importers()
    assert {imp.plugin for imp in importers} >= {"qdaapp", "odt-rtf-importer"}
    listed = out[out.index("file formats it imports:"):]
    for imp in importers:
        for ext in imp.extensions:
            assert f"  {ext} " in listed, ext
    assert "(plugin odt-rtf-importer)" in listed
