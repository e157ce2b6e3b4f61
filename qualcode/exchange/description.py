"""Packing a code's definition, when (not) to use and examples into one REFI-QDA Description.

A REFI code has a single free-text ``Description``. qualcode writes it as labelled sections
that read naturally in NVivo, ATLAS.ti or MAXQDA and parse back losslessly::

    <definition, any number of lines>

    Bruk når: <when to use>

    Ikke bruk når: <when not to use>

    Typiske eksempler:
    - <example>
    - <example, continued
      on an indented line>

    Grensetilfeller:
    - <example>

    Engelsk navn: <label_en>

    [qualcode id=<code id> codebook=<name>@<version>]

Rules (see docs/refi-qda.md):

* A section starts at a line that begins with its label and a colon (Norwegian labels are
  written; the English ones ``When to use:``, ``When not to use:``, ``Typical examples:``,
  ``Borderline examples:``, ``English label:`` are read too). Text before the first label is
  the definition. Parsing is line based, so a tool that turns blank lines into single line
  breaks (or LF into CRLF) does not break it.
* A content line that would look like a label, or that starts with a backslash, is written
  with one extra leading backslash; the parser removes it.
* The last line ``[qualcode key=value ...]`` carries the code id and codebook; it is optional.
* A description without any label (e.g. written by hand in NVivo) is all definition.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # (field, label written, labels accepted)
    ("when_to_use", "Bruk når", ("bruk når", "when to use")),
    ("when_not_to_use", "Ikke bruk når", ("ikke bruk når", "when not to use")),
    ("examples_typical", "Typiske eksempler", ("typiske eksempler", "eksempler", "typical examples", "examples")),
    ("examples_borderline", "Grensetilfeller", ("grensetilfeller", "borderline examples")),
    ("label_en", "Engelsk navn", ("engelsk navn", "english label")),
)
LIST_FIELDS = {"examples_typical", "examples_borderline"}
_LABELS = sorted(((alias, field) for field, _w, aliases in SECTIONS for alias in aliases),
                 key=lambda x: -len(x[0]))
_HEADER = re.compile(
    r"^(" + "|".join(re.escape(a) for a, _ in _LABELS) + r")\s*:[ \t]*(.*)$", re.IGNORECASE
)
_TRAILER = re.compile(r"^\[qualcode((?:\s+[a-z_]+=\S*)*)\s*\]$")
_BULLET = re.compile(r"^[-•*]\s+")


def _get(code: Any, name: str, default: Any = None) -> Any:
    if isinstance(code, Mapping):
        return code.get(name, default)
    return getattr(code, name, default)


def _escape(line: str) -> str:
    if line.startswith("\\") or _HEADER.match(line) or _TRAILER.match(line.strip()):
        return "\\" + line
    return line


def _unescape(line: str) -> str:
    return line[1:] if line.startswith("\\") else line


def _block(text: str) -> list[str]:
    return [_escape(line) for line in text.strip().split("\n")]


def pack_description(code: Any, *, codebook: str | None = None, version: str | None = None,
                     trailer: bool = True) -> str:
    """The REFI Description of ``code`` (a codebook ``Code``, an object or a mapping with
    ``id``, ``definition``, ``when_to_use``, ``when_not_to_use``, ``examples_typical``,
    ``examples_borderline``, ``label_en``)."""
    out: list[str] = []
    definition = (_get(code, "definition") or "").replace("\r\n", "\n").strip()
    if definition:
        out.append("\n".join(_block(definition)))
    for field, label, _aliases in SECTIONS:
        value = _get(code, field)
        if field in LIST_FIELDS:
            items = [str(v).replace("\r\n", "\n").strip() for v in (value or []) if str(v).strip()]
            if items:
                lines = [f"{label}:"]
                for item in items:
                    first, *rest = _block(item)
                    lines.append(f"- {first}")
                    lines.extend(f"  {r}" for r in rest)
                out.append("\n".join(lines))
        else:
            text = (value or "").replace("\r\n", "\n").strip()
            if text:
                first_raw = text.split("\n", 1)[0]
                first = "\\" + first_raw if first_raw.startswith("\\") else first_raw
                out.append("\n".join([f"{label}: {first}", *_block(text)[1:]]))
    if trailer:
        keys = []
        code_id = _get(code, "id")
        if code_id:
            keys.append(f"id={code_id}")
        if codebook:
            keys.append(f"codebook={codebook}@{version}" if version else f"codebook={codebook}")
        if keys:
            out.append("[qualcode " + " ".join(keys) + "]")
    return "\n\n".join(out)


def unpack_description(text: str | None) -> dict[str, Any]:
    """Parse a Description written by :func:`pack_description` (or by hand).

    Returns the fields found: ``definition``, ``when_to_use``, ``when_not_to_use``,
    ``examples_typical``, ``examples_borderline`` (lists), ``label_en``, and from the trailer
    ``id``, ``codebook``, ``version``. Text without labels is returned as the definition.
    """
    out: dict[str, Any] = {}
    if not text:
        return out
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and (m := _TRAILER.match(lines[-1].strip())):
        for pair in m.group(1).split():
            key, _, value = pair.partition("=")
            if key == "codebook" and "@" in value:
                value, out["version"] = value.split("@", 1)
            out[key] = value
        lines.pop()
    sections: dict[str, list[str]] = {"definition": []}
    current = "definition"
    for line in lines:
        m = _HEADER.match(line)
        if m:
            alias = m.group(1).lower()
            current = next(field for a, field in _LABELS if a == alias)
            sections.setdefault(current, [])
            if m.group(2).strip():
                sections[current].append(m.group(2))
            continue
        sections[current].append(line)
    for field, raw in sections.items():
        if field in LIST_FIELDS:
            items: list[list[str]] = []
            for line in raw:
                if _BULLET.match(line):
                    items.append([_unescape(_BULLET.sub("", line, count=1))])
                elif line.startswith("  ") and items:
                    items[-1].append(_unescape(line[2:]))
                elif line.strip() and items:
                    items[-1].append(_unescape(line[2:] if line.startswith("  ") else line.strip()))
                elif line.strip():
                    items.append([_unescape(line.strip())])
            values = ["\n".join(i).strip() for i in items if "\n".join(i).strip()]
            if values:
                out[field] = values
        else:
            value = "\n".join(_unescape(line) for line in raw).strip()
            if value:
                out[field] = value
    return out


__all__ = ["pack_description", "unpack_description", "SECTIONS"]
