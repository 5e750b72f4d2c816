"""The Sources dock's tree: sources grouped by kind, the diary, cases, then accounts.

Built from ``sources.list_sources``, ``cases.list_cases`` and the diary
entries. It is small (tens of sources), so a committed change that touches
sources or cases rebuilds it in one pass; the dock keeps selection and
expansion across rebuilds by item key.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QModelIndex, Qt
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel

from qdaapp.core.cases import CaseInfo
from qdaapp.core.memos import MemoInfo
from qdaapp.core.sources import SourceInfo
from qdaapp.gui.narrative.common import PASSAGES_MIME, SPAN_MIME, account_progress, passages_from_mime

KIND_ROLE = Qt.ItemDataRole.UserRole + 1  # 'group' | 'source' | 'case' | 'diary-entry' | 'account'
ID_ROLE = Qt.ItemDataRole.UserRole + 2
KEY_ROLE = Qt.ItemDataRole.UserRole + 3

GROUPS = (
    ("interview", "Interviews"),
    ("field-note", "Field notes"),
    ("document", "Documents"),
    ("diary", "Diary"),
)
KIND_LABELS = dict(GROUPS)
KIND_SINGULAR = {"interview": "interview", "field-note": "field note", "document": "document", "diary": "diary"}


def _words(n: int) -> str:
    return f"{n:,} word{'s' if n != 1 else ''}"


class SourcesModel(QStandardItemModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._bold = QFont()
        self._bold.setBold(True)
        self._source_items: dict[int, QStandardItem] = {}
        self.source_names: dict[int, str] = {}
        self.case_names: dict[int, str] = {}
        self.account_titles: dict[int, str] = {}
        # Called with (account id, [(source id, start, end)]) when passages are dropped on an account.
        self.on_passages_dropped = None

    def _group(self, key: str, label: str) -> QStandardItem:
        item = QStandardItem(label)
        item.setEditable(False)
        item.setFont(self._bold)
        item.setData("group", KIND_ROLE)
        item.setData(key, ID_ROLE)
        item.setData(f"group:{key}", KEY_ROLE)
        return item

    def _source(self, info: SourceInfo, under_case: bool = False) -> QStandardItem:
        item = QStandardItem(info.name)
        item.setEditable(False)
        item.setData("source", KIND_ROLE)
        item.setData(info.id, ID_ROLE)
        item.setData(f"{'case-' if under_case else ''}source:{info.id}", KEY_ROLE)
        details = [KIND_SINGULAR.get(info.kind, info.kind), _words(info.words)]
        if info.pages:
            details.append(f"{info.pages} pages")
        details.append(f"{info.codings} coding{'s' if info.codings != 1 else ''}")
        if info.case:
            details.append(f"case: {info.case}")
        item.setToolTip(f"{info.name}\n" + " · ".join(details) + "\nDouble-click to open.")
        return item

    def rebuild(self, sources: list[SourceInfo], cases: list[CaseInfo], diary: list[MemoInfo],
                accounts: list[dict] | None = None) -> None:
        self.clear()
        self._source_items.clear()
        self.source_names = {s.id: s.name for s in sources}
        self.case_names = {c.id: c.name for c in cases}
        root = self.invisibleRootItem()
        by_kind: dict[str, list[SourceInfo]] = {}
        for info in sources:
            by_kind.setdefault(info.kind, []).append(info)
        for kind, label in GROUPS:
            members = sorted(by_kind.get(kind, []), key=lambda s: s.name.lower())
            count = len(members) + (len(diary) if kind == "diary" else 0)
            group = self._group(kind, f"{label} ({count})" if kind != "diary" else label)
            for info in members:
                child = self._source(info)
                self._source_items[info.id] = child
                group.appendRow(child)
            if kind == "diary":
                for entry in diary:
                    group.appendRow(self._diary_entry(entry))
            root.appendRow(group)
        cases_group = self._group("cases", f"Cases ({len(cases)})")
        by_case: dict[str, list[SourceInfo]] = {}
        for info in sources:
            if info.case:
                by_case.setdefault(info.case, []).append(info)
        for case in cases:
            item = QStandardItem(case.name)
            item.setEditable(False)
            item.setData("case", KIND_ROLE)
            item.setData(case.id, ID_ROLE)
            item.setData(f"case:{case.id}", KEY_ROLE)
            attrs = "\n".join(f"{k}: {v}" for k, v in sorted(case.attributes.items()))
            tip = f"Case '{case.name}'" + (f"\n{attrs}" if attrs else "")
            item.setToolTip(tip + "\nDouble-click for its properties.")
            for info in sorted(by_case.get(case.name, []), key=lambda s: s.name.lower()):
                item.appendRow(self._source(info, under_case=True))
            cases_group.appendRow(item)
        root.appendRow(cases_group)
        accounts = accounts or []
        self.account_titles = {a["id"]: a["title"] for a in accounts}
        accounts_group = self._group("accounts", f"Accounts ({len(accounts)})")
        accounts_group.setToolTip("Narrative accounts: passages about one object of activity. Right-click for "
                                  "New account…; drop passages on an account to add them.")
        for row in accounts:
            accounts_group.appendRow(self._account(row))
        root.appendRow(accounts_group)

    def _account(self, row: dict) -> QStandardItem:
        item = QStandardItem(row["title"])
        item.setEditable(False)
        item.setDropEnabled(True)
        item.setData("account", KIND_ROLE)
        item.setData(row["id"], ID_ROLE)
        item.setData(f"account:{row['id']}", KEY_ROLE)
        missing = ", ".join(row["missing"]) or "none"
        item.setToolTip(f"{row['title']}\n{account_progress(row)} · {row['sources']} sources\n"
                        f"Missing: {missing}\nDouble-click to open its flow chart; drop passages here to add them.")
        return item

    # -- passages dropped on an account ------------------------------------------------
    def mimeTypes(self) -> list[str]:
        return [PASSAGES_MIME, SPAN_MIME]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def _account_at(self, row: int, parent: QModelIndex) -> int | None:
        index = parent if row < 0 else self.index(row, 0, parent)
        if index.isValid() and index.data(KIND_ROLE) == "account":
            return int(index.data(ID_ROLE))
        return None

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: QModelIndex) -> bool:
        return self._account_at(row, parent) is not None and bool(passages_from_mime(data))

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: QModelIndex) -> bool:
        account_id = self._account_at(row, parent)
        passages = passages_from_mime(data)
        if account_id is None or not passages or self.on_passages_dropped is None:
            return False
        self.on_passages_dropped(account_id, passages)
        return False  # nothing is inserted into the tree; the project reports the change

    def _diary_entry(self, entry: MemoInfo) -> QStandardItem:
        first = entry.text.strip().splitlines()[0] if entry.text.strip() else ""
        if len(first) > 48:
            first = first[:47] + "…"
        item = QStandardItem(f"{entry.date} — {first}" if first else str(entry.date))
        item.setEditable(False)
        item.setData("diary-entry", KIND_ROLE)
        item.setData(entry.id, ID_ROLE)
        item.setData(f"diary:{entry.id}", KEY_ROLE)
        item.setToolTip(f"Diary entry of {entry.date}. Select it to read or edit it in the Memos tab.")
        return item

    def source_item(self, source_id: int) -> QStandardItem | None:
        return self._source_items.get(source_id)

    def find_key(self, key: str) -> QStandardItem | None:
        stack = [self.item(r) for r in range(self.rowCount())]
        while stack:
            item = stack.pop()
            if item.data(KEY_ROLE) == key:
                return item
            stack.extend(item.child(r) for r in range(item.rowCount()))
        return None

    def is_empty(self) -> bool:
        return not self.source_names
