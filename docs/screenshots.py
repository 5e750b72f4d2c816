"""Take the user guide's screenshots from the real app, on a fresh copy of the demo study.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots.py [OUT_FOLDER]

(or under Xvfb with DISPLAY set). Each step of the guide is done the way a
user would, through the main window, and the window is saved as a PNG in
OUT_FOLDER (docs/images by default).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QDAAPP_CODER", "Ana")


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "images"
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="qdaapp-guide-"))
    os.environ["QDAAPP_HOME"] = str(tmp / "home")

    from PySide6.QtCore import QSettings, Qt, QThreadPool
    from PySide6.QtWidgets import QApplication

    from qdaapp.gui.app import configure_application

    app = QApplication.instance() or QApplication(sys.argv)
    configure_application(app)
    from qdaapp.core import lexicon, markers, narrative, nodes, sources
    from qdaapp.core.demo import build_demo
    from qdaapp.gui.main_window import MainWindow
    from qdaapp.gui.narrative.demo import FRAGMENTS, TITLE

    def pump(seconds: float = 0.4) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    def shot(name: str, widget=None, screen: bool = False) -> None:
        pump(0.5)
        if screen:  # popups are windows of their own: take the screen under the main window
            g = window.frameGeometry()
            app.primaryScreen().grabWindow(0, g.x(), g.y(), g.width(), g.height()).save(str(out / f"{name}.png"))
        else:
            (widget or window).grab().save(str(out / f"{name}.png"))
        print("saved", out / f"{name}.png")

    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.resize(1440, 900)
    window.show()
    project = build_demo(tmp / "Demo study.qda", coder="Ana")
    window.set_project(project)
    pump(1.0)
    while window.analysis.indexer.is_running():
        pump(0.2)

    def sid(name: str) -> int:
        with project.read_session() as s:
            return sources.resolve(s, name).id

    # 1. the sources and an interview open with its codings
    rosa = sid("P1_Rosa.txt")
    view = window.open_source(rosa)
    text = view.text()
    start = text.index("We decided we wanted one pathway")
    end = text.index(".", start) + 1
    view.select_span(start, end)
    shot("main-window")

    # 2. coding: the quick pick (Ctrl+K) over a selection
    picker = window.coding.code_selection_quick()
    if picker is not None:
        picker.edit.setText("own")
        pump(0.3)
        shot("code-quick-pick", screen=bool(os.environ.get("DISPLAY")))
        picker.close()
    with project.read_session() as s:
        ownership = next(n.id for n in nodes.list_nodes(s) if n.name == "Ownership")
    window.coding.code(ownership, rosa, start, end)
    window.nodes_panel.nodeSelected.emit(ownership)
    window.show_dock(window.bottom_dock)
    window.bottom_tabs.setCurrentWidget(window.passages)
    shot("coded-passages")

    # 3. keyword search with word forms
    a = window.analysis
    a.show_search()
    a.search.forms_check.setChecked(True)
    pump(2.0)
    a.search.query_edit.setText('"have to"')
    a.search.run_search()
    pump(1.0)
    a.search.table.selectRow(1)
    shot("keyword-search")

    # 4. marker search and review
    with project.read_session() as s:
        spec = lexicon.load(s)
    run = project.run(markers.run_markers, spec, coder=project.coder)
    a.review.reload_runs(select=run)
    a.show_review()
    window.resizeDocks([a.review_dock], [380], Qt.Orientation.Vertical)
    pump(0.5)
    model = a.review.model
    ids = model.hit_ids()
    if ids:
        a.review.select_hit(ids[0])
        a.review.decide(True)
        a.review.show_passage()
    shot("marker-review")

    # 5. an account with fragments, its flow chart
    account = project.run(narrative.create_account, TITLE,
                          description="Vale network, autumn 2025: from the board's request to the first referrals.")
    with project.read_session() as s:
        texts = {}
        for name in {f[0] for f in FRAGMENTS}:
            texts[name] = (sid(name), sources.text_and_pages(s, sid(name))[0])
    for name, quote, act, case, actors, summary in FRAGMENTS:
        source_id, body = texts[name]
        s0 = body.index(quote)
        e0 = body.find(".", s0 + len(quote))
        e0 = e0 + 1 if e0 != -1 and e0 - s0 < 400 else s0 + len(quote)
        project.run(narrative.add_passage, account, source_id, s0, e0)
        project.run(narrative.add_fragment, account, summary, act=act, case_ref=case, actors=actors,
                    passages=[(source_id, s0, e0)])
    window.sources_dock.raise_()
    bottom = [d for d in window.all_docks() if window.dockWidgetArea(d) == Qt.DockWidgetArea.BottomDockWidgetArea]
    for dock in bottom:  # give the chart the room, as one would on a laptop screen
        dock.hide()
    window.nodes_dock.hide()
    a.open_account(account)
    pump(1.0)
    shot("account-flowchart")

    from qdaapp.gui.narrative.fragment_dialog import FragmentDialog

    body = texts["P4_Tom.txt"][1]
    s0 = body.index("I had to go round four people")
    dialog = FragmentDialog(project, account, passages=[(texts["P4_Tom.txt"][0], s0, body.index(".", s0) + 1)])
    dialog.show()
    deadline = time.monotonic() + 8
    while not getattr(dialog, "suggestions_ready", True) and time.monotonic() < deadline:
        pump(0.1)
    if hasattr(dialog, "draft_summary"):
        dialog.draft_summary()
    shot("fragment-dialog", dialog)
    dialog.close()

    # 6. the framework matrix
    a.open_framework()
    pump(0.8)
    shot("framework-matrix")
    window.nodes_dock.show()

    # a plugin's analysis: marker density per case and speech act
    a.open_plugin_analysis("marker-density")
    pump(0.8)
    shot("marker-density")

    # 7. the audit trail
    window.sources_dock.raise_()
    window.documents.tabs.setCurrentIndex(0)
    window.show_audit_trail()
    pump(1.0)
    shot("audit-trail")

    # 8. import and export dialogs
    from qdaapp.gui.dialogs.import_dialog import ImportOptionsDialog
    from qdaapp.gui.exchange import BY_KEY
    from qdaapp.gui.exchange.options import ExportOptionsDialog

    dialog = ImportOptionsDialog(window, ["P5_Maria.docx", "P6_Sam.docx", "P7_Lena.pdf"], ["P1 Rosa", "P2 Dev"])
    dialog.show()
    shot("import-dialog", dialog)
    dialog.close()
    kind = BY_KEY["themes"]
    with project.read_session() as s:
        all_nodes = nodes.list_nodes(s)
    dialog = ExportOptionsDialog(window, kind.text.replace("&", "").rstrip("…"), kind.options, all_nodes, [],
                                 kind.tip + ".")
    dialog.show()
    shot("export-dialog", dialog)
    dialog.close()

    # 9. the flow chart as a figure and the audit report, from the command line
    import subprocess

    project_file = str(project.path)
    cli = [sys.executable, "-m", "qdaapp"]
    window.close_project()
    subprocess.run(cli + ["flowchart", project_file, str(account), "--out", str(out / "flowchart.png")], check=True)
    report = tmp / "audit-report.html"
    subprocess.run(cli + ["report", "audit", project_file, "--out", str(report)], check=True)
    from PySide6.QtWidgets import QTextBrowser

    browser = QTextBrowser()
    browser.setHtml(report.read_text(encoding="utf-8"))
    browser.resize(1000, 760)
    browser.show()
    shot("audit-report", browser)
    browser.close()


    QThreadPool.globalInstance().waitForDone(10000)
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
