"""Benchmark: ``audit verify`` on 100,000 events and 20,000 codings, rows included.

Run:  python tests/bench/bench_audit_verify.py [events] [codings]

Builds a project whose codings are made by real commands (bulk coding, so
each coding has its event and its row digest) and whose trail is filled up
to the number of events with memo edits, each recording the digest of the
memo it wrote and hashed as :func:`qdaapp.core.audit.append` would. Then it
prints, in the same run:

* the whole verify: chain, kept head, seal, each event's row digests, and
  every current row recomputed against its last digest;
* bulk coding (one command, 1,000 codings per node) and its undo, with the
  time spent digesting the rows they wrote, measured in the same calls;
* the baseline: hashing the same bytes with SHA-256 alone (each event's
  fields as the chain hashes them, and each row's canonical text), with no
  reading, comparing or bookkeeping.

Target: verify in at most 2 s.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qdaapp.core import audit, coding, memos, nodes, sources  # noqa: E402
from qdaapp.core.models import utcnow  # noqa: E402
from qdaapp.core.project import Project  # noqa: E402

CODERS = ("ana", "bob", "maria")


def fill_memo_edits(project: Project, n: int) -> None:
    """Append ``n`` memo edits, each with the digest of the memo it wrote, with a correct chain and head."""
    with project.write_session() as s:
        conn = s.connection()
        memo_rows = {rid: (digest, text) for rid, digest, text in audit._read_rows(conn, "memos")}
        ids = sorted(memo_rows)
        last = conn.exec_driver_sql("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").first()
        seq, prev = last
        stamp = utcnow()
        events, rows = [], []
        for i in range(n):
            seq += 1
            mid = ids[i % len(ids)]
            digest, text = memo_rows[mid]
            entry = [("memos", mid, digest, text)]
            rh = audit.rows_hash(entry)
            coder = CODERS[i % len(CODERS)]
            after = audit.to_json({"text": f"draft {i}"})
            h = audit.event_hash(seq, stamp, coder, "memo.update", "memo", mid, f"edit memo {mid}", None, after, "",
                                 prev, rh)
            events.append((seq, stamp, coder, "memo.update", "memo", mid, f"edit memo {mid}", None, after, "", prev,
                           h, rh))
            rows.append((seq, "memos", mid, digest, text))
            prev = h
        conn.exec_driver_sql(
            "INSERT INTO audit_events(seq, time, coder, action, entity, entity_id, summary, before, after, reason, "
            "prev_hash, hash, rows_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", events)
        conn.exec_driver_sql("INSERT INTO audit_rows(seq, tbl, row_id, digest, row) VALUES (?, ?, ?, ?, ?)", rows)
        audit._keep_head(conn, seq, prev)
        s.commit()


def build(folder: Path, n_events: int, n_codings: int) -> Path:
    (folder / "Interview.txt").write_text("We had to set it up, and we were able to do it. " * 2500, encoding="utf-8")
    p = Project.create(folder / "verify.qda", coder="ana")
    docs, _ = sources.read_files([folder / "Interview.txt"])
    (sid,) = p.run(sources.import_documents, docs)
    for i in range(20):
        p.run(nodes.create_node, f"Node {i}", free=True)
    for i in range(7):
        p.run(memos.add_memo, f"Memo {i}: what the codes say so far.")
    per_node = n_codings // 20
    digesting = [0.0]
    real = audit.written_rows

    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            digesting[0] += time.perf_counter() - t

    audit.written_rows = timed
    try:
        bulk = []
        for i in range(20):
            passages = [(sid, k * 5 + i % 5, k * 5 + i % 5 + 3) for k in range(per_node)]
            digesting[0] = 0.0
            t = time.perf_counter()
            p.run(coding.code_passages, passages, f"Node {i}", CODERS[i % 3])
            bulk.append((time.perf_counter() - t, digesting[0]))
        p.run(nodes.create_node, "Undone", free=True)
        p.run(coding.code_passages, [(sid, k * 5, k * 5 + 4) for k in range(per_node)], "Undone", "ana")
        digesting[0] = 0.0
        t = time.perf_counter()
        p.undo()
        undo = (time.perf_counter() - t, digesting[0])
    finally:
        audit.written_rows = real
    took, digest = min(bulk)
    print(f"bulk coding of {per_node:,} passages: {took * 1000:6.1f} ms, "
          f"of which digesting rows {digest * 1000:5.1f} ms; "
          f"its undo: {undo[0] * 1000:6.1f} ms, of which digesting {undo[1] * 1000:5.1f} ms")
    fill_memo_edits(p, n_events - p.summary()["events"])
    p.close()
    return folder / "verify.qda"


def same_bytes(path: Path) -> float:
    """SHA-256 of the bytes verify hashes (each event's fields, each row's canonical text), nothing else."""
    import sqlite3

    con = sqlite3.connect(path)
    events = con.execute("SELECT seq, time, coder, action, entity, entity_id, summary, before, after, reason, "
                         "prev_hash, rows_hash FROM audit_events ORDER BY seq").fetchall()
    payloads = [json.dumps(list(r), ensure_ascii=False, separators=(",", ":")).encode("utf-8") for r in events]
    payloads += [r[0].encode("utf-8") for r in con.execute("SELECT row FROM audit_rows WHERE row IS NOT NULL")]
    con.close()
    sha = hashlib.sha256
    t = time.perf_counter()
    for b in payloads:
        sha(b).hexdigest()
    return time.perf_counter() - t


def chain_only(path: Path) -> float:
    """The chain walk alone (read, hash, compare each event), what verify checked before row digests."""
    import sqlite3

    con = sqlite3.connect(path)
    t = time.perf_counter()
    prev = audit.GENESIS
    for row in con.execute("SELECT seq, time, coder, action, entity, entity_id, summary, before, after, reason, "
                           "prev_hash, hash, rows_hash FROM audit_events ORDER BY seq"):
        fields = list(row[:11]) + ([row[12]] if row[12] is not None else [])
        digest = hashlib.sha256(json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()
        assert row[10] == prev and digest == row[11]
        prev = digest
    con.close()
    return time.perf_counter() - t


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    n_events = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    n_codings = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        path = build(Path(d), n_events, n_codings)
        print(f"built {n_events:,} events and {n_codings:,} codings in {time.perf_counter() - t:.1f} s")
        project = Project.open(path, read_only=True)
        try:
            seal = project.seal()
            result = None

            def check() -> None:
                nonlocal result
                result = project.verify_audit(seal=seal)

            verified = best(check)
            assert result is not None and result.ok, result.message()
            counts = project.summary()
        finally:
            project.close()
        hashed = min(same_bytes(path) for _ in range(3))
        chain = min(chain_only(path) for _ in range(3))
        print(f"verify ({result.events:,} events, {counts['codings']:,} codings, rows and seal): "
              f"{verified * 1000:7.1f} ms   target <= 2000 ms")
        print(f"  baseline SHA-256 of the same bytes:                        {hashed * 1000:7.1f} ms")
        print(f"  baseline chain walk alone (the check before row digests):  {chain * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
