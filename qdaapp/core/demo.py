"""Build the demo project from ``resources/demo/study.toml``.

The demo is made through the same commands a user's actions run, so opening
it exercises import, cases, nodes, coding and memos, and its audit trail is
a real one.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from . import cases as case_ops
from . import coding as coding_ops
from . import memos as memo_ops
from . import nodes as node_ops
from . import sources as source_ops
from .errors import QdaError
from .progress import CancelToken, Progress, checkpoint
from .project import Project
from .resources import resources_dir


def demo_dir() -> Path:
    return resources_dir() / "demo"


def build_demo(
    path: Path,
    coder: str = "demo",
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> Project:
    """Create a new project at ``path`` filled with the demo study."""
    folder = demo_dir()
    with open(folder / "study.toml", "rb") as fh:
        study = tomllib.load(fh)
    project = Project.create(Path(path), coder=coder)
    try:
        _fill(project, folder, study, progress, cancel)
    except BaseException:
        project.close()
        for leftover in (Path(path), Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    return project


def _fill(project: Project, folder: Path, study: dict, progress: Progress | None, cancel: CancelToken | None) -> None:
    if progress:
        progress.start(len(study.get("source", [])) + 2, "Building the demo project")
    types = {a["name"]: a.get("type", "text") for a in study.get("attribute", [])}
    for case in study.get("case", []):
        case_id = project.run(case_ops.create_case, case["name"], description=case.get("description", ""))
        for key, value in case.get("attributes", {}).items():
            project.run(case_ops.set_attribute, "case", case_id, key, str(value), type_=types.get(key))
    ids: dict[str, int] = {}
    for entry in study.get("source", []):
        checkpoint(cancel)
        docs, failures = source_ops.read_files([folder / entry["file"]])
        if failures:
            raise QdaError(f"The demo material is incomplete: {failures[0]}")
        (source_id,) = project.run(source_ops.import_documents, docs, kind=entry.get("kind", "interview"),
                                   case_name=entry.get("case"), imported_by=project.coder)
        ids[entry["file"]] = source_id
        if progress:
            progress.advance(1, entry["file"])
    for node in study.get("node", []):
        project.run(node_ops.create_node, node["path"], free=node.get("free", False),
                    description=node.get("description", ""), color=node.get("color"), created_by=project.coder)
    texts: dict[int, str] = {}
    with project.read_session() as s:
        for source_id in ids.values():
            texts[source_id] = source_ops.text_and_pages(s, source_id)[0]
    for coding in study.get("coding", []):
        source_id = ids[coding["source"]]
        text = texts[source_id]
        start = text.find(coding["quote"])
        if start < 0 or text.find(coding["quote"], start + 1) >= 0:
            raise QdaError(f"Demo coding quote not found exactly once in {coding['source']}: {coding['quote'][:40]!r}")
        project.run(coding_ops.code, source_id, start, start + len(coding["quote"]), coding["node"],
                    coding.get("coder", project.coder))
    if progress:
        progress.advance(1, "codings")
    with project.read_session() as s:
        node_ids = {n.path: n.id for n in node_ops.list_nodes(s)}
    for memo in study.get("memo", []):
        target = memo.get("on", "project")
        kind, _, ref = target.partition(":")
        if kind == "node":
            target = f"node:{node_ids[ref]}"
        elif kind == "source":
            target = f"source:{ids[ref]}"
        project.run(memo_ops.add_memo, memo["text"], target=target, title=memo.get("title", ""), author=project.coder)
    diary = folder / "diary" / "diary.toml"
    if diary.exists():
        with open(diary, "rb") as fh:
            for entry in tomllib.load(fh).get("entry", []):
                project.run(memo_ops.add_diary_entry, entry["text"], day=str(entry["date"]), author=project.coder)
    if progress:
        progress.advance(1, "memos")
