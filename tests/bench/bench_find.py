"""Benchmark: Find in a long interview (the document view's find bar).

Run:  QT_QPA_PLATFORM=offscreen python tests/bench/bench_find.py

For each transcript repeated four times (a long interview), prints the time
to search and mark every match of a common word, a single letter (the worst
case: every match is marked, up to the cap) and a marker phrase, and the time
of one Next (select, mark the current match, scroll) after one pass of the
event loop.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtWidgets import QApplication

from qdaapp.core.importers import read_file
from qdaapp.gui.views.document_view import DocumentView

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "transcripts" / "txt"
if not FIXTURES.is_dir():
    FIXTURES = Path("/work/shared/fixtures/transcripts/txt")
QUERIES = ("the", "e", "have to")


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    for name in ("Ana.txt", "David.txt"):
        text = read_file(FIXTURES / name).text * 4
        view = DocumentView()
        view.resize(1200, 800)
        view.show()
        view.set_document(text, [])
        app.processEvents()
        view.show_find()
        for query in QUERIES:
            view.find_bar.field.setText(query)
            started = time.perf_counter()
            view.find_bar.search()
            app.processEvents()
            search_ms = (time.perf_counter() - started) * 1000
            steps = []
            for _ in range(5):
                started = time.perf_counter()
                view.find_bar.find_next()
                app.processEvents()
                steps.append((time.perf_counter() - started) * 1000)
            print(f"{name} x4 ({len(text):,} chars) {query!r}: {len(view.find_bar.matches):,} matches, "
                  f"search and mark {search_ms:.0f} ms, Next median {statistics.median(steps):.0f} ms")
        view.close()


if __name__ == "__main__":
    main()
