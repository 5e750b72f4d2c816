"""Benchmark: the disagreements of 2 coders over 100 sources, 20,000 codings and 40 nodes, and one decision.

Run:  python tests/bench/bench_disagreements.py [--codings 20000] [--nodes 40]

Builds 100 sources of made-up prose (about 30,000 characters each, a paragraph
every few sentences), 40 nodes and the codings written in bulk: coder "ana"
makes half at random places, "ben" the other half, most near one of hers
(ends moved by up to 40 characters), the rest his own. Prints the time of
listing every disagreement (character and paragraph level), of one cell's,
of ``progress`` for a cell, and of one decision with the cell's review read
again, as the review pane does after each decision.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

WORDS = ("the ward team nurse shift rota manager trust patient asked we had to time forms audit referral "
         "colleagues night staff felt left out training learn new help template worked well").split()


def prose(rng: random.Random, size: int) -> str:
    parts: list[str] = []
    length = 0
    while length < size:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(6, 18))).capitalize() + "."
        parts.append(sentence + ("\n" if rng.random() < 0.25 else " "))
        length += len(parts[-1])
    return "".join(parts)


def build(tmp: Path, n_codings: int, n_nodes: int) -> Path:
    from sqlalchemy import insert, text

    from qdaapp.core import nodes, sources
    from qdaapp.core.models import Coding
    from qdaapp.core.project import Project

    rng = random.Random(7)
    folder = tmp / "study"
    folder.mkdir()
    files = []
    for i in range(100):
        f = folder / f"interview_{i:03}.txt"
        f.write_text(prose(rng, 30_000), encoding="utf-8")
        files.append(f)
    path = tmp / "disagreements.qda"
    p = Project.create(path, coder="cleo")
    docs, _ = sources.read_files(files)
    ids = p.run(sources.import_documents, docs)
    lengths = dict(zip(ids, (len(d.text) for d in docs), strict=True))
    node_ids = [p.run(nodes.create_node, f"Theme {i // 8}/Node {i}") for i in range(n_nodes)]
    rows: list[dict] = []
    half = n_codings // 2
    for _ in range(half):
        sid = rng.choice(ids)
        a = rng.randrange(0, lengths[sid] - 500)
        rows.append({"source_id": sid, "node_id": rng.choice(node_ids), "start": a, "end": a + rng.randrange(20, 400),
                     "coder": "ana", "created_at": "2026-01-01", "origin": "manual"})
    for i in range(n_codings - half):
        if i < half * 0.8:
            r = dict(rows[i], coder="ben")
            r["start"] = max(0, r["start"] + rng.randrange(-40, 41))
            r["end"] = min(lengths[r["source_id"]], max(r["start"] + 5, r["end"] + rng.randrange(-40, 41)))
        else:
            sid = rng.choice(ids)
            a = rng.randrange(0, lengths[sid] - 500)
            r = {"source_id": sid, "node_id": rng.choice(node_ids), "start": a, "end": a + rng.randrange(20, 400),
                 "coder": "ben", "created_at": "2026-01-01", "origin": "manual"}
        rows.append(r)
    unique = list({(r["source_id"], r["node_id"], r["start"], r["end"], r["coder"]): r for r in rows}.values())
    with p.write_session() as s:
        s.execute(insert(Coding), unique)
        # Written in bulk as scaffolding, not by a command: no later command or undo should take them as its own.
        s.execute(text("DELETE FROM undo_ops WHERE event_seq IS NULL"))
        s.commit()
    p.close()
    return path


def timed(label: str, fn):
    t0 = time.perf_counter()
    result = fn()
    print(f"{label:<58} {time.perf_counter() - t0:7.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=20_000)
    parser.add_argument("--nodes", type=int, default=40)
    args = parser.parse_args()
    from qdaapp.core import disagreement_decisions as decide
    from qdaapp.core import disagreements
    from qdaapp.core.project import Project

    with tempfile.TemporaryDirectory() as tmp:
        path = timed("build the project", lambda: build(Path(tmp), args.codings, args.nodes))
        p = Project.open(path, coder="cleo")
        pair = ("ana", "ben")
        with p.read_session() as s:
            every = timed(f"every disagreement, character ({args.codings:,} codings)",
                          lambda: disagreements.disagreements(s, pair))
            timed("every disagreement, paragraph", lambda: disagreements.disagreements(s, pair, unit="paragraph"))
            first = every[0]
            cell = timed("one cell (node x source)",
                         lambda: disagreements.disagreements(s, pair, first.node_id, first.source_id))
            timed("progress of that cell", lambda: disagreements.progress(s, pair, first.node_id, first.source_id))
        print(f"{len(every):,} disagreements in all, {len(cell):,} in the cell")

        def decide_and_read() -> None:
            p.run(decide.keep, first.source_id, first.node_id, first.start, first.end, "ana", "ben")
            with p.read_session() as s2:
                disagreements.disagreements(s2, pair, first.node_id, first.source_id)
                disagreements.decisions(s2, pair, first.node_id, first.source_id)

        timed("one decision (keep ana's) and the cell read again", decide_and_read)
        timed("undo it", p.undo)
        p.close()


if __name__ == "__main__":
    main()
