"""Plain-text and Markdown transcripts.

Each line may start with an optional timestamp (``[00:12:34]``) and a speaker label followed
by a colon or tab (see :mod:`qualcode.importers.speakers`). Blank lines separate paragraphs;
an unlabelled line continues the current turn. Markdown headings lose their ``#`` marks and
bold labels (``**I:**``) are recognised.
"""
from __future__ import annotations

import re

from .encoding import decode_text
from .registry import ImporterOptions, ParseResult, register_importer
from .speakers import BREAK, LabelMatcher, Line, build_turns

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_RULE = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$")


def lines_of(text: str, *, markdown: bool = False) -> list[Line | None]:
    items: list[Line | None] = []
    for raw in text.split("\n"):
        if markdown:
            if _MD_RULE.match(raw):
                items.append(BREAK)
                continue
            raw = _MD_HEADING.sub("", raw)
        if not raw.strip():
            items.append(BREAK)
        else:
            items.append(Line(raw.rstrip()))
    return items


@register_importer(".txt", format="txt")
def read_txt(data: bytes, *, name: str, options: ImporterOptions) -> ParseResult:
    text, _codec = decode_text(data, name=name, encoding=options.encoding)
    return build_turns(lines_of(text), LabelMatcher(options))


@register_importer(".md", ".markdown", format="md")
def read_md(data: bytes, *, name: str, options: ImporterOptions) -> ParseResult:
    text, _codec = decode_text(data, name=name, encoding=options.encoding)
    return build_turns(lines_of(text, markdown=True), LabelMatcher(options))
