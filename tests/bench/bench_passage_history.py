"""Benchmark: one coding's history on a project with 20,000 codings and 100,000 events.

Run:  python tests/bench/bench_passage_history.py [codings] [events]

The codings are made with the bulk coding command (one event with its rows, and one
event per coding beside it); the rest of the trail is appended as plain rows (node
renames and coding moves, each recording the coding row it wrote in ``audit_rows``),
since only reading is measured. Prints the time of :func:`coding_history` for 200
codings, without and with an index on ``audit_rows(tbl, row_id)``.

Target: well under 50 ms per coding.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qdaapp.core import coding, nodes, sources  # noqa: E402
from qdaapp.core.passage_history import coding_history  # noqa: E402
from qdaapp.core.project import Project  # noqa: E402


def build(folder: Path, n_codings: int, n_events: int) -> Path:
    body = "".join(f"Line {i}: we had to do it again, the manager asked us to.\n" for i in range(4000))
    (folder / "Interview.txt").write_text(body, encoding="utf-8")
    path = folder / "bench.qda"
    project = Project.create(path, coder="ana")
    docs, _ = sources.read_files([folder / "Interview.txt"])
    project.run(sources.import_documents, docs)
    node_ids = [project.run(nodes.create_node, f"Node {k}", free=True) for k in range(20)]
    with project.read_session() as s:
        sid = sources.resolve(s, "Interview.txt").id
    made = 0
    for k, node in enumerate(node_ids):
        share = n_codings // len(node_ids)
        spans = [(sid, (i * 13 + k) % (len(body) - 60), (i * 13 + k) % (len(body) - 60) + 40) for i in range(share)]
        made += project.run(coding.code_passages, spans, node, "ana", origin="search:had to")["coded"]
    with project.engine.begin() as conn:
        db = conn.connection.driver_connection
        seq = db.execute("SELECT max(seq) FROM audit_events").fetchone()[0]
        ids = [r[0] for r in db.execute("SELECT id FROM codings").fetchall()]
        rng = random.Random(7)
        events, rows = [], []
        stamp = "2026-05-03T10:00:00+00:00"
        while seq < n_events:
            seq += 1
            if seq % 2:
                events.append((seq, stamp, "bob", "node.update", "node", rng.choice(node_ids), "describe node",
                               None, json.dumps({"description": f"d{seq}"}), "", "0" * 64, "0" * 64, "0" * 64))
                rows.append((seq, "nodes", rng.choice(node_ids), "d" * 32,
                             json.dumps({"name": "n", "description": f"d{seq}"})))
            else:
                cid = rng.choice(ids)
                events.append((seq, stamp, "bob", "node.merge", "node", rng.choice(node_ids), "merge node",
                               json.dumps({"moved_codings": [cid], "node": {"name": "x"}}), "{}", "", "0" * 64,
                               "0" * 64, "0" * 64))
                rows.append((seq, "codings", cid, "e" * 32, None))
        db.executemany("INSERT INTO audit_events(seq, time, coder, action, entity, entity_id, summary, before, "
                       "after, reason, prev_hash, hash, rows_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", events)
        db.executemany("INSERT INTO audit_rows(seq, tbl, row_id, digest, row) VALUES (?,?,?,?,?)", rows)
        counts = db.execute("SELECT (SELECT count(*) FROM codings), (SELECT count(*) FROM audit_events), "
                            "(SELECT count(*) FROM audit_rows)").fetchone()
    project.close()
    print(f"project: {counts[0]:,} codings, {counts[1]:,} events, {counts[2]:,} audit rows")
    return path


def measure(path: Path, label: str) -> None:
    project = Project.open(path, coder="ana", read_only=True)
    try:
        with project.engine.connect() as conn:
            ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM codings").fetchall()]
            sample = random.Random(3).sample(ids, 200)
            coding_history(conn, sample[0])  # warm the cache
            times, lines = [], 0
            for cid in sample:
                t0 = time.perf_counter()
                h = coding_history(conn, cid)
                times.append((time.perf_counter() - t0) * 1000)
                lines += len(h.lines)
    finally:
        project.close()
    print(f"{label}: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms "
          f"(200 codings, {lines / 200:.1f} lines each)")


def main() -> None:
    n_codings = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    n_events = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        path = build(Path(tmp), n_codings, n_events)
        measure(path, "without an index on audit_rows(tbl, row_id)")
        import sqlite3

        con = sqlite3.connect(path)
        con.execute("CREATE INDEX IF NOT EXISTS ix_bench_audit_rows_row ON audit_rows(tbl, row_id)")
        con.commit()
        con.close()
        measure(path, "with an index on audit_rows(tbl, row_id)   ")


if __name__ == "__main__":
    main()
