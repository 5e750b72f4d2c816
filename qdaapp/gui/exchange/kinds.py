"""What File ▸ Export can write: one :class:`ExportKind` per menu entry.

Each kind names its file types and a writer that runs on a worker thread:
``writer(project, path, options, progress, cancel)`` opens a read session
and calls the core function, which writes the file atomically. Exports only
read the project, so they work on read-only projects too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qdaapp.core.progress import CancelToken, Progress

Writer = Callable[[Any, Path, dict, Progress, CancelToken], "Path | tuple[Path, str]"]

WORD = ("Word document", ".docx")
EXCEL = ("Excel workbook", ".xlsx")
CSV = ("CSV table", ".csv")
HTML = ("Web page", ".html")
MARKDOWN = ("Markdown", ".md")
PNG = ("PNG picture", ".png")
SVG = ("SVG drawing", ".svg")


@dataclass(frozen=True)
class ExportKind:
    key: str
    text: str  # the menu entry
    tip: str
    file_stem: str  # "coded themes" -> "My study coded themes.docx"
    types: tuple[tuple[str, str], ...]  # (label, suffix); the first is the default
    writer: Writer
    label: str  # shown while it is written
    options: tuple[str, ...] = ()  # sections of the options dialog: nodes, group, unit, framework

    def suffixes(self) -> tuple[str, ...]:
        return tuple(s for _, s in self.types) + ((".htm",) if any(s == ".html" for _, s in self.types) else ())

    def filters(self) -> str:
        return ";;".join(f"{label} (*{suffix})" for label, suffix in self.types)


def _nodes(options: dict) -> list[int] | None:
    ids = options.get("node_ids")
    return list(ids) if ids else None


def write_qdpx(project: Any, path: Path, options: dict, progress: Progress, cancel: CancelToken):
    from qdaapp.core.exchange.refi_export import export_losses, export_qdpx

    with project.read_session() as s:
        written = export_qdpx(s, path, _nodes(options), progress=progress, cancel=cancel)
        lost = export_losses(s)
    return written, ("Not in the file (REFI-QDA has no place for them): " + "; ".join(lost) + ".") if lost else ""


def write_qdc(project: Any, path: Path, options: dict, progress: Progress, cancel: CancelToken) -> Path:
    from qdaapp.core.exchange.refi_export import export_qdc

    with project.read_session() as s:
        return export_qdc(s, path, _nodes(options))


def write_themes(project: Any, path: Path, options: dict, progress: Progress, cancel: CancelToken) -> Path:
    from qdaapp.core.exchange.themes import export_themes

    fmt = "html" if path.suffix.lower() in (".html", ".htm") else path.suffix.lower().lstrip(".")
    with project.read_session() as s:
        return export_themes(s, path, fmt, _nodes(options))


def write_codebook_doc(project: Any, path: Path, options: dict, progress: Progress, cancel: CancelToken) -> Path:
    from qdaapp.core.exchange.codebook_doc import export_codebook

    with project.read_session() as s:
        return export_codebook(s, path)


def write_frequencies(project: Any, path: Path, options: dict, progress: Progress, cancel: CancelToken) -> Path:
    from qdaapp.core.exchange.analysis import export_frequencies

    render = None
    if path.suffix.lower() in (".png", ".svg"):
        from qdaapp.render.charts import frequency_chart_bytes

        render = frequency_chart_bytes
    with project.read_session() as s:
        return export_frequencies(s, path, by=options.get("by", "case"), render_chart=render,
                                  node_ids=_nodes(options))


def write_cooccurrence(project: Any, path: Path, options: dict, progress: Progress, cancel: CancelToken) -> Path:
    from qdaapp.core.exchange.analysis import export_cooccurrence

    with project.read_session() as s:
        return export_cooccurrence(s, path, node_ids=_nodes(options), unit=options.get("unit", "overlap"))


def write_memos(project: Any, path: Path, options: dict, progress: Progress, cancel: CancelToken) -> Path:
    from qdaapp.core.exchange.memo_export import export_memos

    with project.read_session() as s:
        return export_memos(s, path)


def write_audit_report(project: Any, path: Path, options: dict, progress: Progress, cancel: CancelToken) -> Path:
    from qdaapp.core.exchange.audit_report import export_audit_report
    from qdaapp.render.charts import flowchart_bytes

    with project.read_session() as s:
        return export_audit_report(s, path, render_flowchart=flowchart_bytes)


def write_matrix(project: Any, path: Path, options: dict, progress: Progress, cancel: CancelToken) -> Path:
    from qdaapp.core.exchange.matrix import export_matrix

    with project.read_session() as s:
        return export_matrix(s, path, rows=options.get("rows", "cases"), cols=options.get("cols", "accounts"))


KINDS: tuple[ExportKind, ...] = (
    ExportKind("qdpx", "&Project for other QDA tools (.qdpx)…",
               "The whole project as a REFI-QDA file for NVivo, ATLAS.ti, MAXQDA, QDA Miner or Transana",
               "", (("REFI-QDA project", ".qdpx"),), write_qdpx, "Writing the REFI-QDA project…"),
    ExportKind("qdc", "Code&book (.qdc)…", "The nodes with their definitions as a REFI-QDA codebook",
               "codebook", (("REFI-QDA codebook", ".qdc"),), write_qdc, "Writing the codebook…"),
    ExportKind("themes", "Coded &themes (Word / Excel / CSV / HTML)…",
               "Every node with its definition, counts, quotes and memos — for your team",
               "coded themes", (WORD, EXCEL, CSV, HTML), write_themes, "Writing the coded themes…", ("nodes",)),
    ExportKind("codebook_doc", "Codebook &document (Word)…",
               "The node tree with definitions, colours and counts, as a Word table",
               "codebook", (WORD,), write_codebook_doc, "Writing the codebook document…"),
    ExportKind("frequencies", "Node &frequencies (CSV / Excel / PNG / SVG)…",
               "Codings per node by case, source or attribute — as a table or a bar chart",
               "node frequencies", (CSV, EXCEL, PNG, SVG), write_frequencies, "Counting codings…",
               ("group", "nodes")),
    ExportKind("cooccurrence", "&Co-occurrence matrix…", "How often the codings of two nodes overlap",
               "co-occurrence", (EXCEL, CSV), write_cooccurrence, "Counting overlapping codings…",
               ("unit", "nodes")),
    ExportKind("framework", "F&ramework matrix…",
               "Cases or sources as rows, accounts or nodes as columns, with summaries and quotes",
               "framework matrix", (EXCEL, WORD, CSV), write_matrix, "Writing the framework matrix…",
               ("framework",)),
    ExportKind("memos", "&Memos and diary…", "Every memo and the diary, as a Word or Markdown file",
               "memos", (WORD, MARKDOWN), write_memos, "Writing the memos and the diary…"),
    ExportKind("audit", "&Audit report for supervisors (Word / HTML)…",
               "How the analysis was done: decisions per coder, codebook, diary, memos, accounts",
               "audit report", (WORD, HTML), write_audit_report, "Writing the audit report…"),
)
BY_KEY = {k.key: k for k in KINDS}


def plain(text: str) -> str:
    """A menu text without its accelerator, ellipsis and file types: 'Audit report for supervisors'."""
    text = text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()
    return text.split(" (", 1)[0].strip()


def default_name(kind: ExportKind, project_stem: str) -> str:
    stem = f"{project_stem} {kind.file_stem}".strip() if kind.file_stem else project_stem
    return stem + kind.types[0][1]


def fix_suffix(path: Path, chosen_filter: str, kind: ExportKind) -> Path:
    """Keep a suffix the export can write; otherwise add the one of the chosen file type."""
    if path.suffix.lower() in kind.suffixes():
        return path
    for label, suffix in kind.types:
        if chosen_filter.startswith(label):
            return path.with_name(path.name + suffix)
    return path.with_name(path.name + kind.types[0][1])
