"""Word (.docx) transcripts with python-docx.

Body paragraphs and tables (also inside content controls) are read in document order, with
tracked insertions included and tracked deletions left out; headers, footers, comments,
footnotes and text boxes are ignored. A speaker label is recognised when a paragraph starts with bold text
(``**Kari**`` / ``**I:**``), or with a label followed by a colon or a tab. Tables of two
columns are read as speaker | utterance (three columns: timestamp | speaker | utterance);
other tables contribute their cells as paragraphs. Password-protected files (an encrypted
OLE container instead of a ZIP) and damaged files are refused with a clear error.
"""
from __future__ import annotations

import io
import re
import zipfile

from ..errors import SourceImportError
from .registry import ImporterOptions, ParseResult, register_importer
from .speakers import BREAK, STRONG, TIMESTAMP, LabelMatcher, Line, build_turns, parse_timestamp

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W_T, _W_TAB, _W_BR, _W_CR, _W_R = (f"{_W}{n}" for n in ("t", "tab", "br", "cr", "r"))
_SKIP_INSIDE = {f"{_W}txbxContent", f"{_W}del",
                "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}
_TS_CELL = re.compile(rf"^\s*[\[(]?\s*({TIMESTAMP})\s*[\])]?\s*$")


def _open(data: bytes, name: str):
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTION_STREAM in data:
            raise SourceImportError(f"{name}: the document is password-protected (encrypted); "
                                    "save an unprotected copy and import that")
        raise SourceImportError(f"{name}: is an old Word .doc (OLE) file, not .docx; save it as .docx")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise SourceImportError(f"{name}: is not a valid .docx file (not a ZIP package; damaged?)")
    try:
        return docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise SourceImportError(f"{name}: is not a valid .docx file (damaged: {exc.__class__.__name__})") from None
    except Exception as exc:  # lxml errors inside a broken package
        raise SourceImportError(f"{name}: could not be read as .docx ({exc.__class__.__name__})") from None


def _bold_prefix(paragraph) -> tuple[str, str, bool] | None:
    """``(label, rest, had_colon)`` when the paragraph starts with bold text followed by more text."""
    bold: list[str] = []
    runs = paragraph.runs
    i = 0
    while i < len(runs) and (runs[i].bold or (runs[i].style is not None and runs[i].style.font.bold)):
        bold.append(runs[i].text)
        i += 1
    # whitespace-only runs in between do not count against the prefix
    label = "".join(bold).strip()
    if not label or i == 0:
        return None
    full = _paragraph_text(paragraph)
    prefix = "".join(bold)
    rest = full[len(prefix):] if full.startswith(prefix) else full[len(full.split(label, 1)[0]) + len(label):]
    colon = label.endswith(":") or rest.lstrip().startswith(":")
    label = label.rstrip(":").strip()
    rest = rest.lstrip().lstrip(":").strip()
    if not rest:
        return None
    return label, rest, colon


def _paragraph_text(paragraph) -> str:
    """Visible text of a paragraph, including tracked insertions, fields and inline content
    controls (python-docx's ``Paragraph.text`` reads direct runs and hyperlinks only).
    Deleted text (``w:delText``) and text boxes are left out."""
    parts: list[str] = []
    for el in paragraph._p.iter(_W_T, _W_TAB, _W_BR, _W_CR):
        if any(a.tag in _SKIP_INSIDE for a in el.iterancestors()):
            continue
        if el.tag == _W_T:
            parts.append(el.text or "")
        elif el.getparent() is not None and el.getparent().tag == _W_R:  # not a tab stop in w:pPr
            parts.append("\t" if el.tag == _W_TAB else "\n")
    return "".join(parts)


def _paragraph_lines(paragraph, matcher: LabelMatcher) -> list[Line | None]:
    text = _paragraph_text(paragraph)
    if not text.strip():
        return [BREAK]
    bold = _bold_prefix(paragraph)
    lines: list[Line | None] = []
    first, *more = text.split("\n")
    strength = matcher.strength(bold[0]) if bold is not None else 0
    if bold is not None and (strength == STRONG or (strength and bold[2])):
        label, rest, _colon = bold
        first, *more = rest.split("\n")
        lines.append(Line(first, label=label))
    elif bold is not None and strength:  # a bold name without colon: must recur like any name label
        label, rest, _colon = bold
        first, *more = rest.split("\n")
        lines.append(Line(text.split("\n")[0], weak_label=(label, first)))
    else:
        lines.append(Line(first))
    lines.extend(Line(m) for m in more if m.strip())
    lines.append(BREAK)
    return lines


def _table_lines(table, matcher: LabelMatcher) -> list[Line | None]:
    lines: list[Line | None] = []
    for row in table.rows:
        cells: list[str] = []
        seen = set()
        for cell in row.cells:  # merged cells repeat: keep each once
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append("\n".join(_paragraph_text(p) for p in cell.paragraphs).strip())
        ts = None
        if len(cells) == 3 and _TS_CELL.match(cells[0]):
            ts = parse_timestamp(_TS_CELL.match(cells[0]).group(1))
            cells = cells[1:]
        if len(cells) == 2:
            speaker, utterance = cells[0].rstrip(":").strip(), cells[1]
            if not utterance:
                continue
            if speaker and matcher.strength(speaker):
                lines.append(Line(utterance.replace("\n", " "), label=speaker, timestamp=ts))
            elif not speaker:  # continuation of the previous speaker
                lines.append(Line(utterance.replace("\n", " ")))
            else:  # a header row ("Taler | Tekst") or free text
                lines.append(Line(f"{cells[0]} {utterance}".replace("\n", " "), label=""))
            lines.append(BREAK)
        else:
            for text in cells:
                if text:
                    lines.extend(Line(t) for t in text.split("\n") if t.strip())
                    lines.append(BREAK)
    return lines


@register_importer(".docx", format="docx")
def read_docx(data: bytes, *, name: str, options: ImporterOptions) -> ParseResult:
    from docx.table import Table

    from docx.text.paragraph import Paragraph

    document = _open(data, name)
    matcher = LabelMatcher(options)
    items: list[Line | None] = []

    def walk(container, parent) -> None:
        for child in container.iterchildren():
            if child.tag == f"{_W}p":
                items.extend(_paragraph_lines(Paragraph(child, parent), matcher))
            elif child.tag == f"{_W}tbl":
                items.extend(_table_lines(Table(child, parent), matcher))
            elif child.tag == f"{_W}sdt":  # content control around body paragraphs
                content = child.find(f"{_W}sdtContent")
                if content is not None:
                    walk(content, parent)

    walk(document.element.body, document._body)
    return build_turns(items, matcher)
