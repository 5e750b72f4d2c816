"""The demo project builds from resources/demo through the real commands."""

from __future__ import annotations

import tomllib
from pathlib import Path

from qdaapp.core import coding, nodes, sources
from qdaapp.core.demo import build_demo, demo_dir


def test_demo_builds_with_every_declared_item(tmp_path: Path) -> None:
    study = tomllib.loads((demo_dir() / "study.toml").read_text(encoding="utf-8"))
    project = build_demo(tmp_path / "demo.qda")
    try:
        counts = project.summary()
        assert counts["sources"] == len(study["source"])
        assert counts["codings"] == len(study["coding"])
        with project.read_session() as s:
            paths = {n.path for n in nodes.list_nodes(s)}
            kinds = {i.kind for i in sources.list_sources(s)}
            quotes = {c.text for c in coding.list_codings(s)}
        assert {n["path"] for n in study["node"]} <= paths
        assert kinds == {"interview", "document", "field-note", "diary"}
        assert {c["quote"] for c in study["coding"]} == quotes
        assert project.verify_audit().ok
    finally:
        project.close()
