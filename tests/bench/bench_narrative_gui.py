"""Benchmark: the flow-chart view with 200 fragments and the framework grid of 60 x 40.

Run:  python tests/bench/bench_narrative_gui.py

Prints, beside a baseline measured in the same run:

* opening the flow-chart view of a 200-fragment account (query, layout, text
  measured with the real font, one item per box and arrow) and drawing the
  whole scene; baseline: a scene of 200 plain rectangle items drawn the same
  way (target <= 500 ms);
* saving a drag of 50 boxes (one command) and redrawing from the project;
* opening the framework matrix of 60 cases x 40 accounts (build, model, grid
  painted on screen); baseline: a QTableView over a QStandardItemModel of the
  same size holding short strings (target <= 1 s).
"""

from __future__ import annotations

import itertools
import os
import random
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402

from qdaapp.core import narrative, sources  # noqa: E402
from qdaapp.core.models import SPEECH_ACTS, AccountPassage, Case, Fragment, FragmentLink  # noqa: E402
from qdaapp.core.project import Project  # noqa: E402

WORDS = ["we", "had to", "set up", "the referral", "pathway", "and", "were able to", "agreed", "the GP",
         "asked us to", "it worked well"]


def build(tmp: Path) -> tuple[Project, list[int]]:
    rng = random.Random(3)
    (tmp / "a.txt").write_text("We had to set it up, and we were able to. " * 500, encoding="utf-8")
    p = Project.create(tmp / "n.qda", coder="bench")
    docs, _ = sources.read_files([tmp / "a.txt"])
    (sid,) = p.run(sources.import_documents, docs)
    accounts = [p.run(narrative.create_account, f"Account {i:02}") for i in range(40)]
    with p.write_session() as s:
        s.execute(insert(Case), [{"name": f"Case {i:02}", "description": ""} for i in range(60)])
        case_ids = [r[0] for r in s.execute(text("select id from cases")).all()]
        rows = [{"account_id": accounts[0], "summary": " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40))),
                 "act": rng.choice(SPEECH_ACTS), "case_id": rng.choice(case_ids), "actors": '["we", "GP"]',
                 "position": n} for n in range(200)]
        for a in accounts[1:]:
            for c in rng.sample(case_ids, 30):
                rows.append({"account_id": a, "summary": "We had to do it; we were able to.",
                             "act": rng.choice(SPEECH_ACTS), "case_id": c, "actors": "[]", "position": 0})
        s.execute(insert(Fragment), rows)
        ids = [r[0] for r in s.execute(text(f"select id from fragments where account_id={accounts[0]} "
                                            "order by position"))]
        s.execute(insert(FragmentLink), [{"from_id": a, "to_id": b, "label": "", "kind": "sequence"}
                                          for a, b in itertools.pairwise(ids)]
                  + [{"from_id": ids[i], "to_id": ids[i + 3], "label": "branch"} for i in range(0, 190, 20)])
        s.execute(insert(AccountPassage), [{"account_id": rng.choice(accounts), "source_id": sid, "start": i * 40,
                                            "end": i * 40 + 30, "added_by": "bench", "created_at": "2026"}
                                           for i in range(500)])
        s.commit()
    return p, accounts


def best(fn, runs: int = 3) -> float:
    """The best of ``runs`` timings; the first (cold) one is printed too."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    print(f"  ({fn.__name__}: first run {times[0] * 1000:.0f} ms, best of {runs} {min(times) * 1000:.0f} ms)")
    return min(times)


def main() -> None:
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter, QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QGraphicsRectItem, QGraphicsScene, QTableView

    from qdaapp.gui.narrative.flowchart_view import FlowchartView
    from qdaapp.gui.narrative.framework_view import FrameworkView

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as d:
        p, accounts = build(Path(d))
        views: list = []

        def render(scene: QGraphicsScene) -> None:
            rect = scene.itemsBoundingRect()
            image = QImage(int(rect.width()) + 1, int(rect.height()) + 1, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(QColor("white"))
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            scene.render(painter, QRectF(image.rect()), rect)
            painter.end()

        def open_chart() -> None:
            view = FlowchartView(p, accounts[0])
            render(view.scene())
            views.append(view)

        chart = best(open_chart)
        boxes = [(b.box.x, b.box.y, b.box.width, b.box.height) for b in views[-1].boxes.values()]

        def plain_scene() -> None:
            scene = QGraphicsScene()
            for x, y, w, h in boxes:
                scene.addItem(QGraphicsRectItem(x, y, w, h))
            render(scene)
            views.append(scene)

        plain = best(plain_scene)
        print(f"flow chart view, {len(boxes)} fragments: open + lay out + draw {chart * 1000:.0f} ms "
              f"(target <= 500 ms); baseline 200 plain rectangle items {plain * 1000:.0f} ms "
              f"(x{chart / plain:.1f})")

        view = views[0]
        for item in list(view.boxes.values())[:50]:
            item.moveBy(30, 5)
        t = time.perf_counter()
        assert view.commit_moves()
        app.processEvents()
        drag = time.perf_counter() - t
        print(f"drag of 50 boxes saved as one command and redrawn from the project: {drag * 1000:.0f} ms")
        for v in views:
            if hasattr(v, "deleteLater"):
                v.deleteLater()
        views.clear()
        app.processEvents()

        def open_grid() -> None:
            grid = FrameworkView(p, "cases", "accounts")
            grid.resize(1400, 900)
            grid.show()
            app.processEvents()
            grid.grab()
            views.append(grid)

        grid_time = best(open_grid)
        shape = (views[-1].model.rowCount(), views[-1].model.columnCount())

        def plain_grid() -> None:
            model = QStandardItemModel(60, 40)
            for r in range(60):
                for c in range(40):
                    model.setItem(r, c, QStandardItem("We had to do it."))
            table = QTableView()
            table.setModel(model)
            table.resize(1400, 900)
            table.show()
            app.processEvents()
            table.grab()
            views.append((table, model))

        plain_grid_time = best(plain_grid)
        print(f"framework matrix {shape[0]} x {shape[1]}: open + build + paint {grid_time * 1000:.0f} ms "
              f"(target <= 1000 ms); baseline QTableView of 60 x 40 strings {plain_grid_time * 1000:.0f} ms "
              f"(x{grid_time / plain_grid_time:.1f})")
        for v in views:
            widget = v[0] if isinstance(v, tuple) else v
            widget.close()
            widget.deleteLater()
        views.clear()
        app.processEvents()
        p.close()


if __name__ == "__main__":
    main()
