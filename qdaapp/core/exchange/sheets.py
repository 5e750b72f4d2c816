"""Cells for spreadsheets (CSV and XLSX) that a spreadsheet program never runs.

A node, case or attribute name, or a coded passage, may begin with ``=``,
``+``, ``-`` or ``@`` (or a tab or carriage return): Excel, LibreOffice and
Google Sheets read such a CSV cell as a formula, which can fetch data or run
commands when the file is opened (CSV injection, see OWASP). Every CSV and
XLSX the app writes goes through this module:

- CSV: such a text gets a leading apostrophe (``'=SUM(A1)``), as OWASP
  recommends; the spreadsheet shows it as text. Numbers stay numbers.
- XLSX: the text is stored as a string cell (never a formula) with the
  cell's "quote prefix" flag set, so the cell shows the text unchanged and
  stays text even when someone edits it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: Any) -> bool:
    """True for a text a spreadsheet would take as the start of a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise(value: Any) -> Any:
    """``value`` for a CSV cell: a formula-like text prefixed with an apostrophe; None as ''; others as they are."""
    if value is None:
        return ""
    if formula_like(value):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [neutralise(v) for v in values]


def write_csv(fh, header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> None:
    """Write ``header`` and ``rows`` to the open text file ``fh`` as CSV, every cell neutralised."""
    writer = csv.writer(fh)
    writer.writerow(csv_row(header))
    writer.writerows(csv_row(r) for r in rows)


def append_row(ws, values: Iterable[Any]) -> None:
    """Append ``values`` to the openpyxl worksheet ``ws``; text is always a string cell, never a formula."""
    values = list(values)
    ws.append(values)
    if not any(isinstance(v, str) and (formula_like(v) or v.startswith("#")) for v in values):
        return  # openpyxl stores any other text as a string cell already; finding the row (max_row) scans the sheet
    row = ws.max_row
    for col, value in enumerate(values, start=1):
        if isinstance(value, str):
            cell = ws.cell(row, col)
            cell.data_type = "s"
            if formula_like(value):
                cell.quotePrefix = True
