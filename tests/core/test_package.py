"""The built wheel carries everything the app reads at run time, and an installed copy finds it there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Built from a clean copy: a build/ folder left in the checkout would be packed again as it is.
    src = tmp_path_factory.mktemp("src") / "qdaapp-src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", ".pytest_cache", ".hypothesis",
        ".ruff_cache", "tests", "installer", "docs"))
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", "--no-deps",
                    "-w", str(out), str(src)], check=True, capture_output=True, cwd=out)
    (built,) = out.glob("qdaapp-*.whl")
    return built


def _shipped() -> set[str]:
    """Every file under resources/ and plugins/ in the repository, as its path inside the wheel."""
    files = set()
    for top in ("resources", "plugins"):
        for path in (ROOT / top).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                files.add("qdaapp/_data/" + path.relative_to(ROOT).as_posix())
    return files


@pytest.mark.slow
def test_the_wheel_carries_resources_and_plugins(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = _shipped()
    for must in ("qdaapp/_data/resources/lexicons/greimas-en.toml", "qdaapp/_data/resources/demo/study.toml",
                 "qdaapp/_data/resources/frames/greimas-actantial.qdc",
                 "qdaapp/_data/plugins/greimas_fr/qdaapp-plugin.toml"):
        assert must in expected
    assert sorted(expected - names) == []
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


@pytest.mark.slow
def test_an_installed_copy_finds_its_data_outside_the_source_tree(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "import qdaapp, pathlib\n"
        "from qdaapp.core import plugins, resources\n"
        "from qdaapp.core.demo import demo_dir\n"
        "print(pathlib.Path(qdaapp.__file__).parent)\n"
        "print(resources.resources_dir())\n"
        "print(plugins.plugin_folders()[0][1])\n"
        "print(demo_dir())\n"
        "print(' '.join(sorted(plugins.builtin_plugin().lexicons)))\n"
        "print(' '.join(sorted(p.name for p in plugins.discover(entry_points=[], disabled=set()).plugins())))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("QDAAPP_RESOURCES", "PYTHONPATH")}
    env["PYTHONPATH"] = str(site)
    env["QDAAPP_HOME"] = str(tmp_path / "data")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env,
                          check=True)
    package, res, plugin_folder, demo, lexicons, found = proc.stdout.splitlines()
    data = site / "qdaapp" / "_data"
    assert Path(package) == site / "qdaapp"
    assert Path(res) == data / "resources"
    assert Path(plugin_folder) == data / "plugins"
    assert Path(demo) == data / "resources" / "demo" and (Path(demo) / "study.toml").is_file()
    assert "greimas-en" in lexicons.split()
    assert {"qdaapp", "greimas-fr", "marker-density", "odt-rtf-importer"} <= set(found.split())
