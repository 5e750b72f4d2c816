"""Benchmark: rank every sentence of a one-million-word project against 5 example passages.

Run:  python tests/bench/bench_similar.py [--words 1000000] [--out /tmp/similar-bench]

Builds (or reuses, under --out) a project of the benchmark transcripts
(tests/bench/corpus.py), indexed; then prints the time of the first ranking
(reading the sentence index into the lemma-count matrix), of the first
ranking after the project is opened again (the matrix read from its cache
file), of a ranking once that matrix is in memory (what every later ranking of the open project costs),
for sentences, paragraphs and turns, and the same ranking through the CLI
(a new process: imports, opens the project, reads the cached matrix). The baseline printed beside it,
measured in the same run, is a bare read of every sentence's lemmas.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.corpus import build_transcripts  # noqa: E402


def build(out: Path, words: int) -> Path:
    from qdaapp.core import coding, indexing, nodes, sources
    from qdaapp.core.project import Project

    path = out / f"similar-{words}.qda"
    if path.is_file():
        return path
    files = build_transcripts(out, words)
    partial = path.with_suffix(".building")
    partial.unlink(missing_ok=True)
    p = Project.create(partial, coder="bench")
    docs, failures = sources.read_files(files)
    assert not failures
    p.run(sources.import_documents, docs)
    t = time.perf_counter()
    indexing.index_sources(p)
    print(f"indexed {len(files)} sources in {time.perf_counter() - t:.1f} s")
    node = p.run(nodes.create_node, "Examples", free=True)
    p.run(coding.code_passages, examples(partial), node, "bench", origin="manual")
    p.close()
    partial.rename(path)
    return path


def examples(path: Path, n: int = 5) -> list[tuple[int, int, int]]:
    """``n`` sentences of at least 12 words, at random (seeded)."""
    con = sqlite3.connect(path)
    rows = con.execute("SELECT source_id, start, \"end\", lemmas FROM sentences").fetchall()
    con.close()
    long = [(sid, a, b) for sid, a, b, lemmas in rows if lemmas.count(" ") >= 12]
    return random.Random(5).sample(long, n)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--words", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, default=Path("/tmp/similar-bench"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    path = build(args.out, args.words)

    from qdaapp.core import nodes, similar, similar_index
    from qdaapp.core.project import Project

    t = time.perf_counter()
    con = sqlite3.connect(path)
    n_sentences = sum(1 for _ in con.execute("SELECT lemmas FROM sentences"))
    words = con.execute("SELECT sum(words) FROM sources").fetchone()[0]
    con.close()
    base = time.perf_counter() - t
    p = Project.open(path, coder="bench")
    with p.read_session() as s:
        similar_index._cache_file(similar_index._driver(s), str(path.resolve())).unlink(missing_ok=True)
        picked = similar.examples_of(s, node_id=nodes.resolve(s, "Examples").id)
    print(f"project: {words:,} words, {n_sentences:,} sentences; 5 examples")
    print(f"baseline: read every sentence's lemmas with sqlite3: {base * 1000:.0f} ms")
    with p.read_session() as s:
        similar_index.forget(s)
        t = time.perf_counter()
        found = similar.rank(s, picked, top=50)
        first = time.perf_counter() - t
        print(f"first ranking (builds the lemma matrix): {first * 1000:.0f} ms")
        similar_index.forget(s)
        t = time.perf_counter()
        similar.rank(s, picked, top=50)
        print(f"first ranking once the project is opened again (the matrix read from its cache file): "
              f"{(time.perf_counter() - t) * 1000:.0f} ms")
        for unit in similar.UNITS:
            similar.rank(s, picked, unit=unit, top=50)  # the unit's matrix, once
            times = []
            for _ in range(5):
                t = time.perf_counter()
                found = similar.rank(s, picked, unit=unit, top=50)
                times.append(time.perf_counter() - t)
            print(f"ranking every {unit} against 5 examples, matrix built: median {sorted(times)[2] * 1000:.1f} ms "
                  f"(best {min(times) * 1000:.1f} ms), {len(found)} results, first shares "
                  f"{', '.join(found[0].shared_terms[:5]) if found else '-'}")
    p.close()
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "qdaapp", "similar", str(path), "--node", "Examples", "--json"],
                   check=True, capture_output=True, cwd=ROOT)
    print(f"qdaapp similar --node Examples (the 5 examples; a new process: start, open, read the cached "
          f"matrix, rank): {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "qdaapp", "sources", str(path), "--json"], check=True, capture_output=True,
                   cwd=ROOT)
    print(f"baseline: qdaapp sources (a new process: imports, opens the project, lists): "
          f"{time.perf_counter() - t:.2f} s")

if __name__ == "__main__":
    main()
