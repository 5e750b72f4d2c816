"""Run one widget of this package on its own, on a fresh copy of the demo study.

``python -m qdaapp.gui.search.review_panel`` (or search_panel, lexicon_editor,
indexing) builds the demo project in a temporary folder, indexes it, makes a
marker run and opens the widget. ``--shot FILE.png`` saves a picture of it
and quits (works with QT_QPA_PLATFORM=offscreen).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget


def demo_project(folder: Path, markers: bool = True, index: bool = True) -> Any:
    from qdaapp.core import indexing, lexicon
    from qdaapp.core import markers as marker_ops
    from qdaapp.core.demo import build_demo

    folder.mkdir(parents=True, exist_ok=True)
    project = build_demo(folder / "Demo study.qda", coder="demo")
    if index:
        indexing.index_sources(project)
    if index and markers:
        with project.read_session() as s:
            spec = lexicon.load(s)
        project.run(marker_ops.run_markers, spec, coder=project.coder)
    return project


def run_standalone(make: Callable[[Any], QWidget], title: str, markers: bool = True, index: bool = True,
                   size: tuple[int, int] = (1100, 520)) -> None:
    parser = argparse.ArgumentParser(description=f"Show the {title} widget on the demo study.")
    parser.add_argument("--shot", help="save a PNG of the widget to this file and quit")
    args = parser.parse_args()
    from qdaapp.gui.app import make_application

    app = make_application()
    with tempfile.TemporaryDirectory() as tmp:
        project = demo_project(Path(tmp), markers=markers, index=index)
        widget = make(project)
        widget.setWindowTitle(f"{title} — demo study")
        widget.resize(*size)
        widget.show()
        if args.shot:
            def shoot() -> None:
                widget.grab().save(args.shot)
                widget.close()
                app.quit()

            QTimer.singleShot(600, shoot)
        code = app.exec()
        widget.deleteLater()
        from PySide6.QtCore import QThreadPool

        QThreadPool.globalInstance().waitForDone(10_000)
        project.close()
    sys.exit(code)
