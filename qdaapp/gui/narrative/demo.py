"""A demo account for quick looks at the narrative views (``python -m qdaapp.gui.narrative.<module>``).

Builds the demo study in a temporary folder, then gathers passages about
"Setting up the smoking referral pathway" into an account with eight
fragments covering the five speech acts and several interviewees.

Set ``QDAAPP_SHOT=/path/shot.png`` to save a picture of the widget and quit.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qdaapp.core import narrative, sources

TITLE = "Setting up the smoking referral pathway"
FRAGMENTS = [
    ("P3_Helene.txt", "we were told to bring a plan to the September board", "manipulation", "P3 Hélène",
     ["commissioners", "I"], ("The commissioners told us to bring a plan to the September board; I had to do "
     "something and had no time to do it myself.")),
    ("P1_Rosa.txt", "she asked the three lead nurses to meet and come up with a pathway", "manipulation", "P1 Rosa",
     ["Hélène", "lead nurses"], "Hélène asked the three lead nurses to meet and come up with a pathway."),
    ("P1_Rosa.txt", "We decided we wanted one pathway for all three practices", "commitment", "P1 Rosa",
     ["we", "nurses"], "We decided we wanted one pathway for all three practices, and to do it properly."),
    ("P2_Dev.txt", "I wanted to, actually", "commitment", "P2 Dev", ["I", "Hélène"],
     "Hélène rang me; I said yes. I wanted to, actually: managers are rarely asked to do something about patients."),
    ("P1_Rosa.txt", "He knew how to build the pop-up", "competence", "P1 Rosa", ["Dev"],
     "Dev knew how to build the pop-up and managed to get it onto all three practices' systems."),
    ("P4_Tom.txt", "I had to go round four people before I found the right one in information governance",
     "competence", "P4 Tom", ["I", "information governance"],
     ("I had to go round four people before I found the right one in information governance; we weren't able "
     "to start till November.")),
    ("P1_Rosa.txt", "We set up the template at Millbrook on the third of November", "performance", "P1 Rosa",
     ["we"], "We set up the template on the third of November: all three practices went live at once."),
    ("P4_Tom.txt", "The referral system worked well, the numbers are up", "sanction", "P4 Tom", ["I", "practices"],
     ("The referral system worked well, the numbers are up: our service and the practices are connected "
     "like a proper pipe.")),
]
EXTRA_PASSAGES = [("P2_Dev.txt", "So fourteen referrals went to an address that existed but nobody was reading.")]


def build_demo_account(folder: Path, fragments: bool = True) -> tuple[Any, int]:
    """A demo project in ``folder`` and the id of its demo account."""
    from qdaapp.core.demo import build_demo

    project = build_demo(folder / "demo.qda", coder="demo")
    with project.read_session() as s:
        texts = {}
        for name in {f[0] for f in FRAGMENTS} | {p[0] for p in EXTRA_PASSAGES}:
            source = sources.resolve(s, name)
            texts[name] = (source.id, sources.text_and_pages(s, source.id)[0])
    account = project.run(narrative.create_account, TITLE, description="Vale network, autumn 2025: "
                          "from the board's request to the first referrals.")

    def span(name: str, quote: str) -> tuple[int, int, int]:
        sid, text = texts[name]
        start = text.index(quote)
        end = text.find(".", start + len(quote))
        return sid, start, (end + 1 if end != -1 and end - start < 400 else start + len(quote))

    for name, quote, *_ in FRAGMENTS:
        project.run(narrative.add_passage, account, *span(name, quote))
    for name, quote in EXTRA_PASSAGES:
        project.run(narrative.add_passage, account, *span(name, quote))
    if fragments:
        for name, quote, act, case, actors, summary in FRAGMENTS:
            project.run(narrative.add_fragment, account, summary, act=act, case_ref=case, actors=actors,
                        passages=[span(name, quote)])
    return project, account


def quick_look(make: Callable[[Any, int], Any], name: str, size: tuple[int, int] = (1400, 860),
               fragments: bool = True) -> None:
    """Show ``make(project, account_id)`` on a demo project; save a shot if QDAAPP_SHOT is set."""
    shot = os.environ.get("QDAAPP_SHOT")
    if shot and not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from qdaapp.gui.app import configure_application

    app = QApplication.instance() or QApplication(sys.argv)
    configure_application(app)
    with tempfile.TemporaryDirectory() as tmp:
        project, account = build_demo_account(Path(tmp), fragments=fragments)
        widget = make(project, account)
        widget.resize(*size)
        widget.setWindowTitle(f"qdaapp · {name}")
        widget.show()
        if shot:
            from PySide6.QtCore import QDeadlineTimer, QThreadPool

            deadline = QDeadlineTimer(8000)
            while not getattr(widget, "suggestions_ready", True) and not deadline.hasExpired():
                app.processEvents()
            for _ in range(5):
                app.processEvents()
            app.processEvents()
            widget.grab().save(shot)
            widget.close()
        else:
            app.exec()
        from PySide6.QtCore import QThreadPool

        QThreadPool.globalInstance().waitForDone(10_000)
        app.processEvents()
        widget.deleteLater()
        app.processEvents()
        project.close()
