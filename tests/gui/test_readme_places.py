"""Where the README says a panel is, the window has it."""

from __future__ import annotations

import re
from pathlib import Path

from qdaapp.core import narrative
from tests.gui.test_main_window import make_window, messages, settings  # noqa: F401

README = Path(__file__).resolve().parents[2] / "README.md"


def _bullet(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^- \*\*{title}\*\*:(.*?)(?=^- |\n\n)", text, re.S | re.M)
    assert match, f"the README has no '{title}' bullet"
    return " ".join(match.group(1).split())


def test_the_accounts_are_where_the_readme_says(make_window, project_path: Path, qtbot) -> None:
    said = _bullet("Accounts")
    # The Accounts panel is not shown at first: the README sends people to the Sources panel, and says how to
    # open the Accounts panel when it names it.
    assert "*Accounts* in the Sources panel" in said
    assert "Accounts panel" not in said or "View ▸ Accounts" in said

    window = make_window(project_path)
    account_id = window.project.run(narrative.create_account, "Referrals")
    model = window.sources_panel.model
    qtbot.waitUntil(lambda: model.find_key(f"account:{account_id}") is not None, timeout=3000)
    assert model.find_key(f"account:{account_id}").parent() is model.find_key("group:accounts")
    assert model.find_key("group:accounts").text().startswith("Accounts")

    dock = window.analysis.accounts_dock
    assert not dock.isVisible()
    (view,) = [a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "View"]
    (toggle,) = [a for a in view.actions() if a.text().replace("&", "") == "Accounts"]
    toggle.trigger()
    qtbot.waitUntil(dock.isVisible, timeout=3000)
    assert window.dockWidgetArea(dock) == window.dockWidgetArea(window.sources_panel.parentWidget())
