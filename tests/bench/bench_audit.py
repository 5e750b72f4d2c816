"""Benchmark: the audit trail viewer and the chain check on 100,000 events.

Run:  python tests/bench/bench_audit.py [events]

Builds a project whose audit trail holds 100,000 events (real commands for
the first few, then events appended in one transaction with a correct hash
chain, as :func:`qdaapp.core.audit.append` would write them) and prints:

* opening the audit viewer: model (count + first page of 500) and the table
  shown and painted, beside a bare ``SELECT count(*)`` on the same file;
* one filtered page (events about one node, found through the audit_refs index);
* the sentences of 100 events (what the viewer makes as rows come into view) and of a page;
* verifying the whole chain, beside a bare read of every row's columns.

Targets: the viewer opens in at most 1 s; the chain is verified in at most 2 s.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text  # noqa: E402

from qdaapp.core import audit, audit_refs, audit_text, nodes, sources  # noqa: E402
from qdaapp.core.models import AuditEvent, utcnow  # noqa: E402
from qdaapp.core.project import Project  # noqa: E402

CODERS = ("ana", "bob", "maria")


def fill_events(project: Project, n: int, source_id: int, node_ids: list[int]) -> None:
    """Append ``n`` plausible events (codings, memos, node edits) with a correct hash chain."""
    with project.write_session() as s:
        last = s.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
        seq, prev = (last[0], last[1]) if last else (0, audit.GENESIS)
        rows = []
        stamp = utcnow()
        for i in range(n):
            seq += 1
            coder = CODERS[i % len(CODERS)]
            node = node_ids[i % len(node_ids)]
            if i % 10 == 9:
                action, entity, eid = "memo.update", "memo", 1 + i % 7
                summary, before, after = f"edit memo {eid}", {"text": "draft"}, {"text": f"draft {i}"}
            elif i % 10 == 8:
                action, entity, eid = "node.update", "node", node
                summary, before, after = f"rename node {node}", {"name": "old"}, {"name": f"new {i}"}
            else:
                action, entity, eid = "coding.create", "coding", 1000 + i
                start = (i * 7) % 4000
                summary = f"code 'Node {node}' in Interview.txt ({start}-{start + 40})"
                before, after = None, {"id": eid, "source_id": source_id, "node_id": node, "start": start,
                                       "end": start + 40, "coder": coder, "created_at": stamp, "origin": "manual"}
            b, a = audit.to_json(before), audit.to_json(after)
            reason = "second pass" if i % 50 == 0 else ""
            digest = audit.event_hash(seq, stamp, coder, action, entity, eid, summary, b, a, reason, prev)
            rows.append({"seq": seq, "time": stamp, "coder": coder, "action": action, "entity": entity,
                         "entity_id": eid, "summary": summary, "before": b, "after": a, "reason": reason,
                         "prev_hash": prev, "hash": digest})
            prev = digest
        s.execute(insert(AuditEvent), rows)
        audit._keep_head(s.connection(), seq, prev)  # as append_many keeps it
        audit_refs.write(s.connection(), rows[0]["seq"], seq)  # what they touched, as commands.record indexes it
        s.commit()


def build(folder: Path, n: int) -> tuple[Path, int]:
    (folder / "Interview.txt").write_text("We had to set it up, and we were able to. " * 200, encoding="utf-8")
    p = Project.create(folder / "audit.qda", coder="ana")
    docs, _ = sources.read_files([folder / "Interview.txt"])
    (sid,) = p.run(sources.import_documents, docs)
    node_ids = [p.run(nodes.create_node, f"Node {i}", free=True) for i in range(20)]
    start = p.summary()["events"]
    fill_events(p, n - start, sid, node_ids)
    p.close()
    return folder / "audit.qda", node_ids[3]


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    from PySide6.QtWidgets import QApplication

    from qdaapp.gui.app import configure_application
    from qdaapp.gui.audit import query
    from qdaapp.gui.audit.viewer import AuditViewer

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    app = QApplication.instance() or QApplication([])
    configure_application(app)
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        path, node = build(Path(d), n)
        print(f"built {n:,} events in {time.perf_counter() - t:.2f} s")
        project = Project.open(path, read_only=True)
        try:
            with project.engine.connect() as conn:
                baseline = best(lambda: conn.execute(text("SELECT count(*) FROM audit_events")).scalar())

            def open_viewer() -> None:
                viewer = AuditViewer()
                viewer.resize(1300, 500)
                viewer.show()
                viewer.set_project(project)
                app.processEvents()
                viewer.table.viewport().grab()
                assert viewer.model.rowCount() == query.PAGE and viewer.model.total >= n
                viewer.close()
                viewer.deleteLater()
                app.processEvents()

            opened = best(open_viewer)
            print(f"open the viewer (count + first page shown): {opened * 1000:7.1f} ms   "
                  f"baseline SELECT count(*): {baseline * 1000:6.2f} ms   target <= 1000 ms")

            f = query.ViewFilter(node_id=node)
            with project.engine.connect() as conn:
                filtered = best(lambda: (query.count(conn, f), query.fetch_page(conn, f, 0)))
            print(f"filter by node (count + first page):        {filtered * 1000:7.1f} ms")
            with project.engine.connect() as conn:
                page = query.fetch_page(conn, query.ViewFilter(), 0)
                said = best(lambda: audit_text.describe_rows(conn, page[:100]))
                whole = best(lambda: audit_text.describe_rows(conn, page))
            print(f"sentences of 100 rows (what the view makes at once): {said * 1000:7.1f} ms   "
                  f"of a page of {len(page)}: {whole * 1000:7.1f} ms")

            with project.engine.connect() as conn:
                scan = best(lambda: conn.execute(text(
                    "SELECT seq, time, coder, action, entity, entity_id, summary, before, after, reason, "
                    "prev_hash, hash FROM audit_events ORDER BY seq")).all(), repeat=2)
            result = None

            def check() -> None:
                nonlocal result
                result = project.verify_audit()

            verified = best(check, repeat=2)
            assert result is not None and result.ok and result.events >= n, result
            print(f"verify the chain ({result.events:,} events):      {verified * 1000:7.1f} ms   "
                  f"baseline read of every row: {scan * 1000:6.1f} ms   target <= 2000 ms")
        finally:
            project.close()


if __name__ == "__main__":
    main()
