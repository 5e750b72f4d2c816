"""Benchmark: import of one million words (.txt and .docx) and opening a whole study.

Run:  python tests/bench/bench_import_open.py [--skip-docx]

Prints words per second, peak memory of the import (measured in a child
process so earlier work does not count), and the time to open a project with
100 sources, one million words and 20,000 codings. The baseline printed beside
each figure is measured in the same run: for import, reading and decoding the
same bytes with nothing else; for opening, a bare sqlite3 connect + count.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
FIXTURES = ROOT.parent / "shared" / "fixtures" / "transcripts"


def corpus_text(words: int = 1_000_000) -> str:
    parts = [p.read_text(encoding="utf-8") for p in sorted((FIXTURES / "txt").glob("*.txt"))]
    if not parts:
        parts = ["Interviewer: Why did you have to start?\nP1: We wanted to help, and we were able to. " * 200]
    base = "\n".join(parts)
    n = len(base.split())
    reps = words // n + 1
    return "\n".join(f"[copy {i}]\n{base}" for i in range(reps))


CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from qdaapp.core import sources
from qdaapp.core.project import Project
path, files = Path(sys.argv[1]), sys.argv[2:]
t0 = time.perf_counter()
docs, failures = sources.read_files(files)
t1 = time.perf_counter()
assert not failures, [str(f) for f in failures]
p = Project.create(path, coder="bench")
t2 = time.perf_counter()
p.run(sources.import_documents, docs)
t3 = time.perf_counter()
p.close()
words = sum(d.words for d in docs)
print(json.dumps({{"read": t1 - t0, "write": t3 - t2, "total": (t1 - t0) + (t3 - t2), "words": words,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def run_import(files: list[Path], tmp: Path, label: str) -> dict:
    project = tmp / f"import-{label}.qda"
    proc = subprocess.run(
        [sys.executable, "-c", CHILD.format(root=str(ROOT)), str(project), *map(str, files)],
        capture_output=True, text=True, check=False,
    )
    if proc.returncode:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout)


def baseline_read(files: list[Path]) -> float:
    t = time.perf_counter()
    for f in files:
        f.read_bytes().decode("utf-8")
    return time.perf_counter() - t


def make_docx(text: str, path: Path) -> None:
    import docx

    doc = docx.Document()
    for para in text.split("\n"):
        doc.add_paragraph(para)
    doc.save(path)


def build_study(tmp: Path, text: str, through_commands: bool = True) -> Path:
    """100 sources of the corpus and 20,000 codings at 20 nodes, closed cleanly. The codings are
    made by the bulk coding command (an audit event each, as the app makes them), or with
    ``through_commands`` False written in bulk without events (to measure the file alone)."""
    from sqlalchemy import insert

    from qdaapp.core import coding, nodes, sources
    from qdaapp.core.models import Coding
    from qdaapp.core.project import Project

    words = text.split(" ")
    per = len(words) // 100
    folder = tmp / "study"
    folder.mkdir()
    files = []
    for i in range(100):
        f = folder / f"interview_{i:03}.txt"
        f.write_text(f"Interview {i}\n" + " ".join(words[i * per:(i + 1) * per]), encoding="utf-8")
        files.append(f)
    path = tmp / "study.qda"
    p = Project.create(path, coder="bench")
    docs, _ = sources.read_files(files)
    ids = p.run(sources.import_documents, docs)
    node_ids = [p.run(nodes.create_node, f"Theme {i // 5}/Node {i}") for i in range(20)]
    rng = random.Random(1)
    rows = []
    for sid, doc in zip(ids, docs, strict=True):
        for _ in range(200):
            a = rng.randrange(0, len(doc.text) - 400)
            rows.append({"source_id": sid, "node_id": rng.choice(node_ids), "start": a,
                         "end": a + rng.randrange(20, 400), "coder": "bench", "created_at": "2026-01-01",
                         "origin": "manual"})
    if through_commands:
        for node_id in node_ids:
            spans = [(r["source_id"], r["start"], r["end"]) for r in rows if r["node_id"] == node_id]
            p.run(coding.code_passages, spans, node_id, "bench", origin="manual")
    else:
        with p.write_session() as s:
            s.execute(insert(Coding), rows)
            s.commit()
    p.close()
    return path


def bench_open(tmp: Path, text: str) -> tuple[float, float]:
    from qdaapp.core import nodes, sources
    from qdaapp.core.project import Project

    path = build_study(tmp, text)

    t = time.perf_counter()
    con = sqlite3.connect(path)
    con.execute("select count(*) from codings").fetchone()
    con.close()
    base = time.perf_counter() - t

    t = time.perf_counter()
    p = Project.open(path)
    p.summary()
    with p.read_session() as s:
        sources.list_sources(s)
        nodes.list_nodes(s)
    elapsed = time.perf_counter() - t
    ok = p.verify_audit().ok
    p.close()
    assert ok
    return elapsed, base


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-docx", action="store_true")
    args = ap.parse_args()
    text = corpus_text()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        txt = tmp / "million.txt"
        txt.write_text(text, encoding="utf-8")
        base = baseline_read([txt])
        r = run_import([txt], tmp, "txt")
        print(f"import .txt : {r['words']:,} words in {r['total']:.3f} s "
              f"(read {r['read']:.3f} s + write {r['write']:.3f} s) = {r['words'] / r['total']:,.0f} words/s; "
              f"peak memory {r['peak_mb']:.0f} MB; target <= 1 s, <= 300 MB; "
              f"baseline read+decode only {base:.3f} s")
        if not args.skip_docx:
            dx = tmp / "million.docx"
            make_docx(text, dx)
            r = run_import([dx], tmp, "docx")
            print(f"import .docx: {r['words']:,} words in {r['total']:.3f} s "
                  f"(read {r['read']:.3f} s + write {r['write']:.3f} s) = {r['words'] / r['total']:,.0f} words/s; "
                  f"peak memory {r['peak_mb']:.0f} MB; target <= 10 s, <= 300 MB")
        elapsed, base = bench_open(tmp, text)
        print(f"open project (100 sources, 1M words, 20,000 codings) + counts, source list, node tree: "
              f"{elapsed * 1000:.0f} ms; target <= 1000 ms; baseline bare sqlite3 connect+count {base * 1000:.1f} ms")


if __name__ == "__main__":
    main()
