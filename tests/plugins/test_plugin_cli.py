"""CLI: 'plugins' (list, enable, disable), 'frame list/apply', 'new --frame', and plugin importers in 'import'."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qdaapp.cli import main
from qdaapp.core import plugins

from .test_odt_rtf_importer import RTF, odt


@pytest.fixture
def home(tmp_path: Path):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("QDAAPP_HOME", str(tmp_path / "home"))
        plugins.reload_registry()
        yield tmp_path / "home"
    plugins.reload_registry()


def run(capsys: pytest.CaptureFixture, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture, *argv: object):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_plugins_list_enable_disable(home: Path, capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    bad = home / "plugins" / "future"
    bad.mkdir(parents=True)
    (bad / plugins.MANIFEST).write_text('name = "future"\nversion = "2.0"\napi = 2\n', encoding="utf-8")
    plugins.reload_registry()  # each 'qdaapp' process discovers afresh; here the registry is cached
    rows = run_json(capsys, "plugins")
    assert all(set(r) == {"name", "version", "contributes", "enabled", "error"} for r in rows)
    by_name = {r["name"]: r for r in rows}
    assert by_name["qdaapp"]["contributes"]["importers"] == [".txt", ".docx", ".pdf"]
    assert by_name["greimas-fr"] == {"name": "greimas-fr", "version": "1.0.0", "enabled": True, "error": None,
                                     "contributes": {"importers": [], "exporters": [], "lexicons": ["greimas-fr"],
                                                     "frames": [], "analyses": []}}
    assert by_name["future"]["error"] == "it was written for plugin API 2; this qdaapp supports API 1."
    code, out, _ = run(capsys, "plugins")
    assert code == 0 and "odt-rtf-importer" in out and "FAILED: it was written for plugin API 2" in out

    code, out, _ = run(capsys, "plugins", "disable", "greimas-fr")
    assert code == 0 and "plugin greimas-fr is now off" in out
    assert {r["name"]: r["enabled"] for r in run_json(capsys, "plugins", "list")}["greimas-fr"] is False
    proj = tmp_path / "p.qda"
    assert run(capsys, "new", proj)[0] == 0
    code, _, err = run(capsys, "markers", proj, "--lexicon", "greimas-fr")
    assert code == 1 and "no lexicon 'greimas-fr'" in err
    assert run_json(capsys, "plugins", "enable", "greimas-fr")["enabled"] is True
    for argv, message in [
        (["disable", "qdaapp"], "cannot be turned off"),
        (["enable"], "say which plugin to enable"),
        (["enable", "nope"], "no plugin 'nope'"),
        (["list", "extra"], "unexpected 'extra'"),
        (["remove", "x"], "invalid choice"),
    ]:
        code, _, err = run(capsys, "plugins", *argv)
        assert code == 1 and message in err, err


def test_frame_list_and_apply(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    frames = run_json(capsys, "frame", "list")
    assert {f["name"] for f in frames} >= {"greimas-speech-acts", "greimas-actantial", "callon-translation",
                                          "wenger-cop"}
    assert set(frames[0]) == {"name", "title", "description", "codes", "plugin", "path", "error"}
    code, out, _ = run(capsys, "frame", "list")
    assert "greimas-actantial      Greimas actantial model (6 codes)" in out
    proj = tmp_path / "p.qda"
    assert run(capsys, "new", proj)[0] == 0
    code, out, _ = run(capsys, "frame", "apply", proj, "greimas-actantial")
    assert code == 0 and "Applied the coding frame 'Greimas actantial model': 7 node(s) added." in out
    again = run_json(capsys, "frame", "apply", proj, "Greimas actantial model")
    assert again["added"] == [] and len(again["existing"]) == 7
    nodes = {n["path"]: n for n in run_json(capsys, "nodes", proj)}
    assert nodes["Greimas actantial model/helper"]["color"] == "#0072B2"
    assert nodes["Greimas actantial model/opponent"]["description"].startswith("An actor, resource")
    code, _, err = run(capsys, "frame", "apply", proj, "nope")
    assert code == 1 and "There is no coding frame 'nope'; available: callon-translation" in err


def test_new_with_a_frame(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    proj = tmp_path / "study.qda"
    code, _, err = run(capsys, "new", proj, "--frame", "nope")
    assert code == 1 and "available: callon-translation, greimas-actantial" in err and not proj.exists()
    code, out, err = run(capsys, "new", proj, "--frame", "greimas-speech-acts")
    assert code == 0, err
    assert out.splitlines() == [f"created {proj}", "Applied the coding frame 'Speech acts': 6 node(s) added."]
    paths = [n["path"] for n in run_json(capsys, "nodes", proj)]
    assert paths[:3] == ["Speech acts", "Speech acts/manipulation", "Speech acts/commitment"]
    events = run_json(capsys, "audit", proj, "--action", "frame.")
    assert [e["action"] for e in events] == ["frame.apply"]
    assert run(capsys, "audit", "verify", proj)[0] == 0


def test_import_odt_and_rtf(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    proj = tmp_path / "p.qda"
    (tmp_path / "Héloïse.odt").write_bytes(odt())
    (tmp_path / "notes.rtf").write_bytes(RTF)
    assert run(capsys, "new", proj)[0] == 0
    rows = run_json(capsys, "import", proj, tmp_path / "Héloïse.odt", tmp_path / "notes.rtf")
    assert [(r["format"], r["language"]) for r in rows] == [("odt", "fr"), ("rtf", "fr")]
    code, text, _ = run(capsys, "text", proj, "notes.rtf")
    assert code == 0 and text.startswith("Interviewer: Café crème ?\nP1: Je été là 😀!")
    (tmp_path / "broken.odt").write_bytes(b"PK\x03\x04 not really")
    code, _, err = run(capsys, "import", proj, tmp_path / "broken.odt")
    assert code == 1 and "broken.odt could not be imported: the file is damaged" in err
