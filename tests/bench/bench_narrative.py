"""Benchmark: a 200-fragment flow chart and a 60 x 40 framework matrix.

Run:  python tests/bench/bench_narrative.py

Prints the time to lay out and draw a flow chart of 200 fragments (layout in
the core, drawing with the same painter the app and the exports use) and the
time to build a framework matrix of 60 cases by 40 accounts, beside a
baseline measured in the same run (drawing the 200 boxes as bare rectangles;
counting the matrix's rows with one SQL query).
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402

from qdaapp.core import flowgraph, framework, narrative, sources  # noqa: E402
from qdaapp.core.models import SPEECH_ACTS, AccountPassage, Case, Fragment, FragmentLink  # noqa: E402
from qdaapp.core.project import Project  # noqa: E402


def main() -> None:
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    from qdaapp.render import flowchart

    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        (tmp / "a.txt").write_text("We had to set it up, and we were able to. " * 500, encoding="utf-8")
        p = Project.create(tmp / "n.qda", coder="bench")
        docs, _ = sources.read_files([tmp / "a.txt"])
        (sid,) = p.run(sources.import_documents, docs)
        accounts = [p.run(narrative.create_account, f"Account {i:02}") for i in range(40)]
        with p.write_session() as s:
            s.execute(insert(Case), [{"name": f"Case {i:02}", "description": ""} for i in range(60)])
            case_ids = [r[0] for r in s.execute(text("select id from cases")).all()]
            frag_rows = []
            for n in range(200):
                summary = " ".join(rng.choice(["we", "had to", "set up", "the referral", "pathway", "and",
                                               "were able to", "agreed", "the GP", "asked us to", "it worked well"])
                                   for _ in range(rng.randint(8, 40)))
                frag_rows.append({"account_id": accounts[0], "summary": summary, "act": rng.choice(SPEECH_ACTS),
                                  "case_id": rng.choice(case_ids), "actors": '["we", "GP"]', "position": n})
            for a in accounts[1:]:
                for c in rng.sample(case_ids, 30):
                    frag_rows.append({"account_id": a, "summary": "We had to do it; we were able to.",
                                      "act": rng.choice(SPEECH_ACTS), "case_id": c, "actors": "[]", "position": 0})
            s.execute(insert(Fragment), frag_rows)
            ids = [r[0] for r in s.execute(text(f"select id from fragments where account_id={accounts[0]}"
                                                " order by position"))]
            s.execute(insert(FragmentLink), [{"from_id": a, "to_id": b, "label": "", "kind": "sequence"}
                                             for a, b in pairwise(ids)]
                      + [{"from_id": ids[i], "to_id": ids[i + 3], "label": "branch"} for i in range(0, 190, 20)])
            s.execute(insert(AccountPassage), [{"account_id": rng.choice(accounts), "source_id": sid,
                                                "start": i * 40, "end": i * 40 + 30, "added_by": "bench",
                                                "created_at": "2026"} for i in range(500)])
            s.commit()

        flowchart.ensure_app()
        fonts = flowchart.fonts()
        t = time.perf_counter()
        with p.read_session() as s:
            graph = flowgraph.account_graph(s, accounts[0])
        flowchart.fit_heights(graph, fonts)
        size, title = flowchart.figure_size(graph, fonts)
        image = QImage(size.toSize(), QImage.Format.Format_ARGB32)
        painter = QPainter(image)
        flowchart._paint_figure(painter, graph, fonts, size, title)
        painter.end()
        chart = time.perf_counter() - t

        t = time.perf_counter()
        image2 = QImage(size.toSize(), QImage.Format.Format_ARGB32)
        painter = QPainter(image2)
        for b in graph.boxes:
            painter.fillRect(QRectF(b.x, b.y, b.width, b.height), QColor("#eeeeee"))
        painter.end()
        bare = time.perf_counter() - t
        print(f"flow chart of {len(graph.boxes)} fragments: layout + measured text + full drawing "
              f"{chart * 1000:.0f} ms (target <= 500 ms); baseline bare rectangles {bare * 1000:.1f} ms")

        t = time.perf_counter()
        with p.read_session() as s:
            matrix = framework.build(s, "cases", "accounts")
        build = time.perf_counter() - t
        t = time.perf_counter()
        with p.read_session() as s:
            s.execute(text("select count(*) from fragments")).scalar()
        base = time.perf_counter() - t
        filled = sum(1 for c in matrix.cells.values() if c.summary)
        print(f"framework matrix {len(matrix.rows)} x {len(matrix.cols)} ({filled} filled cells): built in "
              f"{build * 1000:.0f} ms (target <= 1000 ms incl. the grid); "
              f"baseline one count query {base * 1000:.1f} ms")
        p.close()


if __name__ == "__main__":
    main()
