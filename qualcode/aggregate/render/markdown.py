"""Markdown rendering of a summary (figures linked from ``figurer/``)."""
from __future__ import annotations

import os
from pathlib import Path

from ..model import Summary
from . import CROSS_HEADERS, CROSS_KEYS, crosscase_rows, filters_line, quote_display


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(summary: Summary, *, figure_dir: Path | None = None) -> str:
    """The whole summary as Markdown text."""
    lines = [f"# {summary.title}", ""]
    meta = f"År: {', '.join(map(str, summary.years)) or '–'}. {filters_line(summary)}"
    if summary.generated:
        meta += f" Generert {summary.generated}."
    lines += [f"_{meta}_", ""]
    for w in summary.warnings:
        lines.append(f"> Advarsel: {w}")
    if summary.warnings:
        lines.append("")
    for block in summary.themes:
        lines += [f"## {block.label}", "", f"_Kode: `{block.path}`. {block.crosscase_sentence}_", ""]
        for cb in block.cases:
            lines += [f"### {cb.unit.heading}", ""]
            for w in cb.unit.warnings:
                lines += [f"> {w}", ""]
            for cell in cb.cells:
                if not cell.quotes:
                    lines += [f"**{cell.year}:** {cell.empty_line()}", ""]
                    continue
                lines += [f"**{cell.year}:** {cell.intro_line()}", ""]
                for q in cell.quotes:
                    lines += [f"> «{quote_display(q)}»  ", f"> — {q.provenance()}", ""]
            if cb.change is not None:
                lines += [f"*Endring:* {cb.change.sentence()}", ""]
        rows = crosscase_rows(summary, block.key)
        if rows:
            lines += [f"#### Tverrgående oversikt: {block.label}", "",
                      "| " + " | ".join(CROSS_HEADERS) + " |", "|" + "---|" * len(CROSS_HEADERS)]
            lines += ["| " + " | ".join(_cell(r[k]) for k in CROSS_KEYS) + " |" for r in rows]
            lines.append("")
    if summary.figures:
        lines += ["## Figurer", ""]
        for name, fig in summary.figures.items():
            target = fig["png"]
            if figure_dir is not None:
                target = Path(os.path.relpath(fig["png"], figure_dir))
            lines += [f"![{fig['title']}]({target.as_posix()})", ""]
    return "\n".join(lines).rstrip() + "\n"
