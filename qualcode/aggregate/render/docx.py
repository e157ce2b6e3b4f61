"""Word (.docx) rendering with python-docx: headings theme → unit, year paragraphs, quotes."""
from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.shared import Cm, Pt, RGBColor

from ..model import Summary
from . import CROSS_HEADERS, CROSS_KEYS, crosscase_rows, filters_line, quote_display


def render_docx(summary: Summary, path: Path) -> None:
    """Write the summary as a .docx document to ``path``."""
    doc = Document()
    doc.core_properties.title = summary.title
    doc.add_heading(summary.title, level=0)
    doc.add_paragraph(f"År: {', '.join(map(str, summary.years))}. {filters_line(summary)}"
                      + (f" Generert {summary.generated}." if summary.generated else ""))
    for w in summary.warnings:
        doc.add_paragraph(f"Advarsel: {w}").runs[0].italic = True
    for block in summary.themes:
        doc.add_heading(block.label, level=1)
        doc.add_paragraph(f"Kode: {block.path}. {block.crosscase_sentence}").runs[0].italic = True
        for cb in block.cases:
            doc.add_heading(cb.unit.heading, level=2)
            for w in cb.unit.warnings:
                run = doc.add_paragraph().add_run(w)
                run.italic = True
                run.font.color.rgb = RGBColor(0xA0, 0x60, 0x00)
            for cell in cb.cells:
                p = doc.add_paragraph()
                p.add_run(f"{cell.year}: ").bold = True
                if not cell.quotes:
                    p.add_run(cell.empty_line())
                    continue
                p.add_run(cell.intro_line())
                for q in cell.quotes:
                    qp = doc.add_paragraph(style="Quote")
                    qp.paragraph_format.left_indent = Cm(1)
                    qp.add_run(f"«{quote_display(q)}»")
                    prov = qp.add_run(f"\n— {q.provenance()}")
                    prov.font.size = Pt(8)
            if cb.change is not None:
                cp = doc.add_paragraph()
                cp.add_run("Endring: ").bold = True
                cp.add_run(cb.change.sentence()).italic = True
        rows = crosscase_rows(summary, block.key)
        if rows:
            doc.add_heading(f"Tverrgående oversikt: {block.label}", level=3)
            table = doc.add_table(rows=1, cols=len(CROSS_HEADERS))
            table.style = "Light Grid Accent 1"
            for i, h in enumerate(CROSS_HEADERS):
                table.rows[0].cells[i].text = h
            for r in rows:
                cells = table.add_row().cells
                for i, k in enumerate(CROSS_KEYS):
                    cells[i].text = str(r[k])
    if summary.figures:
        doc.add_heading("Figurer", level=1)
        for f in summary.figures.values():
            doc.add_picture(str(f["png"]), width=Cm(16))
            doc.add_paragraph(f["title"]).runs[0].italic = True
    doc.save(str(path))
