"""The marker-density plugin: figures per case and per act, the chart (Qt, off screen) and the CLI."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import csv
import json
from pathlib import Path

import pytest

from qdaapp.cli import main
from qdaapp.core import indexing, lexicon, markers, review, sources
from qdaapp.core.errors import InvalidInput, NotFound
from qdaapp.core.plugins import registry
from qdaapp.core.project import Project


def density_module():
    return registry().import_module("marker-density", "density")


def chart_module():
    return registry().import_module("marker-density", "chart")


@pytest.fixture
def ran(project: Project) -> tuple[Project, int]:
    indexing.index_sources(project)
    with project.read_session() as s:
        spec = lexicon.load(s, "greimas-en")
    return project, project.run(markers.run_markers, spec, coder="tester")


def test_density_per_case_and_act(ran: tuple[Project, int]) -> None:
    project, run_id = ran
    result = density_module().compute(project)
    with project.read_session() as s:
        hits = review.list_hits(s, run_id)
        words = {i.name: i.words for i in sources.list_sources(s)}
    assert result["run"] == run_id and result["lexicon"] == "greimas-en" and result["language"] == "en"
    assert result["acts"] == list(lexicon.ACTS)
    cases = {g["case"]: g for g in result["cases"]}
    assert list(cases) == ["P1 Rosa", "(no case)"]
    rosa = cases["P1 Rosa"]
    rosa_hits = [h for h in hits if h.source == "Rosa.txt"]
    assert rosa["words"] == words["Rosa.txt"] and rosa["hits"] == len(rosa_hits) > 0
    assert rosa["per_1000"] == round(1000 * len(rosa_hits) / words["Rosa.txt"], 2)
    manipulation = sum(h.act == "manipulation" for h in rosa_hits)
    assert rosa["acts"]["manipulation"] == {"hits": manipulation,
                                            "per_1000": round(1000 * manipulation / words["Rosa.txt"], 2)}
    assert result["total"]["hits"] == len(hits) and result["total"]["words"] == sum(words.values())
    assert result["columns"][:5] == ["case", "sources", "words", "hits", "per_1000"]
    assert [r[0] for r in result["rows"]] == ["P1 Rosa", "(no case)", "All cases"]
    json.dumps(result)  # JSON-ready as it is

    first = rosa_hits[0]
    project.run(review.reject_hits, run_id, [first.id], coder="tester")
    again = {g["case"]: g for g in density_module().compute(project, run=run_id)["cases"]}
    assert again["P1 Rosa"]["hits"] == rosa["hits"] - 1


def test_density_needs_a_marker_run(project: Project) -> None:
    with pytest.raises(InvalidInput, match="no marker run yet"):
        density_module().compute(project)
    with pytest.raises(NotFound, match="no marker run 42"):
        density_module().compute(project, run=42)


def test_chart_png_and_svg(ran: tuple[Project, int], tmp_path: Path, qapp) -> None:
    from PySide6.QtGui import QColor, QImage

    result = density_module().compute(ran[0])
    chart = chart_module()
    png = chart.export(result, tmp_path / "density.png")
    image = QImage(str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and (image.width(), image.height()) == (1920, 1080)
    colours = {image.pixelColor(x, y).name().upper() for x in range(0, 1920, 8) for y in range(0, 1080, 8)}
    assert {"#E69F00", "#FFFFFF"} <= colours  # manipulation bars on white
    svg = chart.export(result, tmp_path / "density.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "manipulation" in svg and "P1 Rosa" in svg and "hits per 1,000 words" in svg
    assert QColor(chart.ACT_COLOURS["sanction"]).name().upper() == "#D55E00"
    with pytest.raises(InvalidInput, match="as .png or .svg"):
        chart.export(result, tmp_path / "density.jpg")


def test_chart_of_an_empty_run(tmp_path: Path, qapp) -> None:
    empty = {"acts": list(lexicon.ACTS), "cases": [], "total": {}, "run": 1, "lexicon": "x", "lexicon_version": 1}
    assert chart_module().export(empty, tmp_path / "empty.png").stat().st_size > 0


def run(capsys: pytest.CaptureFixture, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_analysis(ran: tuple[Project, int], tmp_path: Path, capsys: pytest.CaptureFixture, qapp) -> None:
    project, run_id = ran
    path = project.path
    project.close()
    code, out, err = run(capsys, "analysis", path, "marker-density", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["run"] == run_id and {"cases", "total", "columns", "rows", "acts"} <= set(data)
    code, out, _ = run(capsys, "analysis", path, "marker-density", "--out", tmp_path / "d.csv")
    assert code == 0 and "Marker density" in out and "P1 Rosa" in out and "wrote" in out
    with open(tmp_path / "d.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == data["columns"] and rows[-1][0] == "All cases"
    for name in ("d.png", "d.svg"):
        assert run(capsys, "analysis", path, "marker-density", "--out", tmp_path / name)[0] == 0
        assert (tmp_path / name).stat().st_size > 1000
    assert run(capsys, "analysis", path, "marker-density", "--option", f"run={run_id}", "--json")[0] == 0
    for argv, message in [
        (["marker-density", "--out", tmp_path / "d.txt"], "--out must end in .png or .svg"),
        (["nope"], "no analysis 'nope'; available: marker-density"),
        (["marker-density", "--option", "run=99"], "no marker run 99"),
        (["marker-density", "--option", "colour=red"], "does not take the option(s) colour"),
        (["marker-density", "--option", "oops"], "is not KEY=VALUE"),
    ]:
        code, _, err = run(capsys, "analysis", path, *argv)
        assert code == 1 and message in err and "Traceback" not in err
