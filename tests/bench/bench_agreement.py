"""Benchmark: intercoder agreement of 2 coders over 100 sources, 20,000 codings and 40 nodes.

Run:  python tests/bench/bench_agreement.py [--codings 20000] [--nodes 40] [--words 300000] [--index]

Builds 100 sources of the shared corpus (or a stand-in text), 40 tree nodes, and
20,000 codings written in bulk (no audit events: only the figures are timed): coder
"ana" makes half of them at random places, coder "ben" the other half, most of his
near one of hers (same node, ends moved by up to 40 characters), the rest his own.
Sentences are cut at ". " and written straight into the sentence index unless
``--index`` runs the real indexer (spaCy; slow). Prints the time of
``agreement.compute`` per unit, of writing each export, and of the whole
``qdaapp agreement`` command (a fresh process).

Target: character level in at most 2 s.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_import_open import corpus_text  # noqa: E402


def build(tmp: Path, n_codings: int, n_nodes: int, words: int, real_index: bool) -> Path:
    from sqlalchemy import insert

    from qdaapp.core import indexing, nodes, sources
    from qdaapp.core.models import Coding, Sentence
    from qdaapp.core.project import Project

    all_words = corpus_text(words).split(" ")
    per = len(all_words) // 100
    folder = tmp / "study"
    folder.mkdir()
    files = []
    for i in range(100):
        f = folder / f"interview_{i:03}.txt"
        f.write_text(f"Interview {i}\n" + " ".join(all_words[i * per:(i + 1) * per]), encoding="utf-8")
        files.append(f)
    path = tmp / "agreement.qda"
    p = Project.create(path, coder="ana")
    docs, _ = sources.read_files(files)
    ids = p.run(sources.import_documents, docs)
    node_ids = [p.run(nodes.create_node, f"Theme {i // 8}/Node {i}") for i in range(n_nodes)]
    rng = random.Random(7)
    rows = []
    texts = dict(zip(ids, (d.text for d in docs), strict=True))
    half = n_codings // 2
    for _ in range(half):
        sid = rng.choice(ids)
        a = rng.randrange(0, len(texts[sid]) - 500)
        rows.append({"source_id": sid, "node_id": rng.choice(node_ids), "start": a, "end": a + rng.randrange(20, 400),
                     "coder": "ana", "created_at": "2026-01-01", "origin": "manual"})
    for i in range(n_codings - half):
        if i < half * 0.8:  # near one of ana's
            r = dict(rows[i], coder="ben")
            length = len(texts[r["source_id"]])
            r["start"] = max(0, r["start"] + rng.randrange(-40, 41))
            r["end"] = min(length, max(r["start"] + 5, r["end"] + rng.randrange(-40, 41)))
        else:
            sid = rng.choice(ids)
            a = rng.randrange(0, len(texts[sid]) - 500)
            r = {"source_id": sid, "node_id": rng.choice(node_ids), "start": a, "end": a + rng.randrange(20, 400),
                 "coder": "ben", "created_at": "2026-01-01", "origin": "manual"}
        rows.append(r)
    with p.write_session() as s:
        s.execute(insert(Coding), rows)
        s.commit()
    if real_index:
        indexing.index_sources(p)
    else:
        sentences = []
        for sid, text in texts.items():
            start = 0
            for m in re.finditer(r"[.?!](\s+|$)", text):
                sentences.append({"source_id": sid, "start": start, "end": m.start() + 1, "lemmas": "",
                                  "offsets": b""})
                start = m.end()
        with p.write_session() as s:
            s.execute(insert(Sentence), sentences)
            s.commit()
    p.close()
    return path


def timed(fn):
    t = time.perf_counter()
    value = fn()
    return time.perf_counter() - t, value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--codings", type=int, default=20_000)
    parser.add_argument("--nodes", type=int, default=40)
    parser.add_argument("--words", type=int, default=300_000)
    parser.add_argument("--index", action="store_true", help="build the real sentence index (spaCy)")
    args = parser.parse_args()

    from qdaapp.core import agreement
    from qdaapp.core.exchange.agreement_export import write_agreement
    from qdaapp.core.project import Project

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        t_build, path = timed(lambda: build(tmp, args.codings, args.nodes, args.words, args.index))
        with Project.open(path, read_only=True) as p, p.read_session() as s:
            chars = sum(n for (n,) in s.connection().exec_driver_sql("SELECT length FROM sources"))
            print(f"study: 100 sources ({chars:,} characters), {args.nodes} nodes, {args.codings:,} codings by "
                  f"2 coders (built in {t_build:.1f} s)", flush=True)
            result = None
            for unit in agreement.UNITS:
                best = None
                for _ in range(3):
                    t, value = timed(lambda u=unit: agreement.compute(s, ["ana", "ben"], unit=u))
                    best = t if best is None else min(best, t)
                    if unit == "character":
                        result = value
                o = value.overall
                target = f"  (target <= 2 s: {'met' if best <= 2 else 'NOT met'})" if unit == "character" else ""
                print(f"  compute, {unit:<9}  {best:6.3f} s  {len(value.cells):,} cells; overall {o.percent:.2f} %, "
                      f"kappa {o.kappa:.3f}, alpha {o.alpha:.3f}{target}", flush=True)
        assert result is not None
        for suffix in (".xlsx", ".docx", ".html"):
            out = tmp / f"agreement{suffix}"
            t, _ = timed(lambda o=out: write_agreement(result, o))
            print(f"  write {suffix:<5}            {t:6.3f} s  {out.stat().st_size / 1024:,.0f} KiB", flush=True)
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        t, done = timed(lambda: subprocess.run(
            [sys.executable, "-m", "qdaapp", "agreement", str(path), "--coders", "ana", "ben", "--json"],
            capture_output=True, env=env, check=False))
        print(f"  qdaapp agreement --json (a new process)  {t:6.3f} s  exit {done.returncode}", flush=True)


if __name__ == "__main__":
    main()
