"""Benchmark: merging a coder's copy with 10,000 new codings into a project with 20,000.

Run:  python tests/bench/bench_merge.py [codings] [new_codings]

Builds a project of 10 sources and 40 nodes whose codings are made by bulk
coding (each with its event and row digest), takes a plain file copy, adds
the new codings to the copy as another coder (with 10 new nodes), then
merges the copy back and prints the time of each part: reading the copy
(online backup to a temporary file, audit verify of the copy), planning
(matching sources, nodes and codings; a preview, as the app shows it), and the
merge itself: its plan, and the command that writes the rows, digests them and
records the event. Then the same merge again (nothing new).

Target: the whole merge in at most 5 s.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qdaapp.core import coding, merge, nodes, sources  # noqa: E402
from qdaapp.core.merge_read import read_copy  # noqa: E402
from qdaapp.core.project import Project  # noqa: E402

SOURCES, NODES = 10, 40


def _code(p: Project, ids: list[int], n: int, node_names: list[str], coder: str, offset: int) -> None:
    per_node = n // len(node_names)
    for i, name in enumerate(node_names):
        passages = []
        for k in range(per_node):
            sid = ids[(k + i) % len(ids)]
            start = (k * 7 + i * 3 + offset) % 40000
            passages.append((sid, start, start + 5 + k % 11))
        p.run(coding.code_passages, passages, name, coder)


def build(folder: Path, n_codings: int, n_new: int) -> tuple[Path, Path]:
    files = []
    for i in range(SOURCES):
        f = folder / f"Interview {i}.txt"
        f.write_text(f"Interview {i}. " + "We had to set it up, and we were able to do it. " * 1000,
                     encoding="utf-8")
        files.append(f)
    path = folder / "project.qda"
    p = Project.create(path, coder="ana")
    docs, _ = sources.read_files(files)
    ids = list(p.run(sources.import_documents, docs))
    names = [f"Theme {i // 8}/Code {i}" for i in range(NODES)]
    for name in names:
        p.run(nodes.create_node, name)
    _code(p, ids, n_codings, names, "ana", 0)
    p.close()
    other = folder / "ben.qda"
    shutil.copy(path, other)
    b = Project.open(other, coder="ben")
    new_names = [f"Ben's themes/Code {i}" for i in range(10)]
    for name in new_names:
        b.run(nodes.create_node, name)
    _code(b, ids, n_new // 2, names[:10], "ben", 1)
    _code(b, ids, n_new - n_new // 2, new_names, "ben", 2)
    b.close()
    return path, other


def main() -> None:
    n_codings = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    n_new = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        path, other = build(Path(tmp), n_codings, n_new)
        print(f"built the project and the copy in {time.perf_counter() - t:.1f} s")
        p = Project.open(path, coder="lead")
        before = p.summary()["codings"]
        t0 = time.perf_counter()
        copy = read_copy(other, path)
        t1 = time.perf_counter()
        plan = merge.preview(p, copy)
        t2 = time.perf_counter()
        report = merge.merge_copy(p, other, copy=copy)
        t3 = time.perf_counter()
        after = p.summary()["codings"]
        again0 = time.perf_counter()
        again = merge.merge_copy(p, other)
        again1 = time.perf_counter()
        ok = p.verify_audit().ok
        p.close()
    print(f"project: {before:,} codings; the copy brings {report.merged.get('coding', 0):,} new codings and "
          f"{report.merged.get('node', 0)} nodes ({report.duplicates.get('coding', 0):,} were there already)")
    print(f"read the copy (backup, verify its audit trail, read its rows): {t1 - t0:6.2f} s")
    print(f"plan the merge (match sources, nodes, codings):                 {t2 - t1:6.2f} s "
          f"({len(plan.conflicts)} conflicts)")
    print(f"merge (plan, insert, digest the rows, record the event):       {t3 - t2:6.2f} s")
    print(f"whole merge (read + merge):                                     {t1 - t0 + t3 - t2:6.2f} s  (target 5 s)")
    print(f"the same copy again (nothing new, nothing written):             {again1 - again0:6.2f} s "
          f"(written: {again.written})")
    print(f"codings after: {after:,}; audit verified after the merge: {ok}")


if __name__ == "__main__":
    main()
