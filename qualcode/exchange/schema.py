"""Validation of REFI-QDA XML: the official schemas when available, structural checks always.

The project schema (``Project-mrt2019.xsd``) and the standard's text (which prints the codebook
schema in section 5.2) are not shipped with qualcode. They are looked up in
``$QUALCODE_REFI_QDA_DIR`` or, in a development checkout, in ``../shared/data/refi-qda`` beside
the repository. Without them, exports and imports still get :func:`structural_problems`
(namespace, GUID syntax and uniqueness, references, positions).
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from lxml import etree

from ..errors import ExchangeError
from .guids import GUID_RE, normalise

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
REFI_DIR_ENV = "QUALCODE_REFI_QDA_DIR"
PROJECT_XSD = "Project-mrt2019.xsd"
SPEC_TEXT = "REFI-QDA-1-5-spec.txt"
MAX_REPORTED = 5


def refi_dir() -> Path | None:
    """Folder with the REFI-QDA schema and standard, or None."""
    env = os.environ.get(REFI_DIR_ENV)
    if env:  # an explicit setting wins, also when it points nowhere (no official schemas)
        candidates = [Path(env)]
    else:
        candidates = [Path(__file__).resolve().parents[2].parent / "shared" / "data" / "refi-qda"]
    for c in candidates:
        if (c / PROJECT_XSD).is_file() or (c / SPEC_TEXT).is_file():
            return c
    return None


def secure_parser() -> etree.XMLParser:
    """No DTDs, no entities, no network: a hostile .qde cannot read files or blow up."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_blank_text=False)


def extract_codebook_xsd(spec_text: str) -> str:
    """The codebook schema printed in section 5.2 of the standard's text, cleaned of page
    headers/footers and of line breaks the PDF extraction put inside attribute values."""
    start = spec_text.find('<xsd:schema xmlns="urn:QDA-XML:codebook:1.0"')
    if start < 0:
        raise ExchangeError("the REFI-QDA standard text does not contain the codebook schema (section 5.2)")
    end = spec_text.find("</xsd:schema>", start)
    if end < 0:
        raise ExchangeError("the codebook schema in the REFI-QDA standard text is truncated")
    lines = spec_text[start : end + len("</xsd:schema>")].splitlines()
    out: list[str] = []
    buf = ""
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.isdigit() or stripped == "REFI-QDA":
            continue  # blank lines and page furniture
        if buf and buf.count('"') % 2 == 1:  # inside an attribute value broken over two lines
            buf += stripped if buf.endswith("-") else " " + stripped
        else:
            if buf:
                out.append(buf)
            buf = line.rstrip()
    if buf:
        out.append(buf)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + "\n".join(out) + "\n"


@lru_cache(maxsize=4)
def _load_schema(kind: str, folder: str) -> etree.XMLSchema:
    base = Path(folder)
    try:
        if kind == "project":
            doc = etree.parse(str(base / PROJECT_XSD), secure_parser())
        else:
            text = (base / SPEC_TEXT).read_text(encoding="utf-8")
            doc = etree.fromstring(extract_codebook_xsd(text).encode("utf-8"), secure_parser()).getroottree()
        return etree.XMLSchema(doc)
    except (OSError, etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
        raise ExchangeError(f"cannot load the REFI-QDA {kind} schema from {base}: {exc.__class__.__name__}") from exc


def project_schema() -> etree.XMLSchema | None:
    folder = refi_dir()
    if folder is None or not (folder / PROJECT_XSD).is_file():
        return None
    return _load_schema("project", str(folder))


def codebook_schema() -> etree.XMLSchema | None:
    folder = refi_dir()
    if folder is None or not (folder / SPEC_TEXT).is_file():
        return None
    return _load_schema("codebook", str(folder))


_VALUE = re.compile(r"(The value |: )'[^']*'(?= is not (?:a valid value|accepted|an element))")
_BYTES = re.compile(r"Bytes: (0x[0-9A-Fa-f]{2} ?)+")


def redact(message: str) -> str:
    """An lxml message without the offending value (it could be text from the file)."""
    msg = re.sub(r"\s+", " ", message)
    return _BYTES.sub("Bytes: …", _VALUE.sub(r"\1<value>", msg))


def _schema_errors(schema: etree.XMLSchema, doc: etree._ElementTree | etree._Element) -> list[str]:
    if schema.validate(doc):
        return []
    errors = []
    for err in list(schema.error_log)[:MAX_REPORTED]:
        # lxml messages name elements/attributes and the offending attribute value (GUIDs,
        # numbers, names); never element text. Cut long messages anyway.
        errors.append(f"line {err.line}: {redact(err.message)[:200]}")
    return errors


def validate(doc: etree._Element, *, kind: str, where: str) -> str:
    """Validate ``doc`` against the official schema (``kind`` = project|codebook) when
    available, and always structurally. Returns ``"xsd"`` or ``"structural"``; raises
    :class:`ExchangeError` naming ``where`` and the first problems."""
    schema = project_schema() if kind == "project" else codebook_schema()
    problems = _schema_errors(schema, doc) if schema is not None else []
    if not problems:
        problems = structural_problems(doc, kind=kind)
    if problems:
        more = f" (first {MAX_REPORTED} shown)" if len(problems) >= MAX_REPORTED else ""
        raise ExchangeError(f"{where} is not valid REFI-QDA {kind} XML{more}: " + "; ".join(problems))
    return "xsd" if schema is not None else "structural"


_REF_TAGS = {"CodeRef": "code", "SourceRef": "source", "VariableRef": "variable", "NoteRef": "note",
             "MemberCode": "code", "MemberSource": "source", "MemberNote": "note"}
_DEF_KIND = {"Code": "code", "TextSource": "source", "PictureSource": "source", "PDFSource": "source",
             "AudioSource": "source", "VideoSource": "source", "Variable": "variable", "Note": "note"}


_REQUIRED = {
    "User": ("guid",), "Code": ("guid", "name", "isCodable"), "Case": ("guid",),
    "Variable": ("guid", "name", "typeOfVariable"), "TextSource": ("guid",), "Note": ("guid",),
    "PlainTextSelection": ("guid", "startPosition", "endPosition"), "Coding": ("guid",), "Set": ("guid", "name"),
    "Project": ("name",),
}
_REQUIRED_CHILD = {"Coding": "CodeRef", "VariableValue": "VariableRef"}


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def structural_problems(root: etree._Element, *, kind: str) -> list[str]:
    """Checks that hold for every REFI file, schema or not: root element and namespace, GUID
    syntax, no GUID defined twice, every reference resolves, selections have sane positions."""
    ns = PROJECT_NS if kind == "project" else CODEBOOK_NS
    root_name = "Project" if kind == "project" else "CodeBook"
    problems: list[str] = []
    if root.tag != f"{{{ns}}}{root_name}":
        return [f"the root element must be {root_name} in namespace {ns}, found {root.tag!r}"]
    seen: dict[str, int] = {}
    defined: dict[str, set[str]] = {"code": set(), "source": set(), "variable": set(), "note": set()}
    refs: list[tuple[str, str, int]] = []
    for el in root.iter():
        name = _local(el.tag)
        if not name:
            continue
        if el.tag.startswith("{") and not el.tag.startswith(f"{{{ns}}}"):
            continue  # foreign extension elements are reported by the importer, not here
        missing = [a for a in _REQUIRED.get(name, ()) if el.get(a) is None]
        if missing:
            problems.append(f"line {el.sourceline}: {name} lacks the required attribute {missing[0]}")
        child = _REQUIRED_CHILD.get(name)
        if child and el.find(f"{{{ns}}}{child}") is None:
            raw_guid = (el.get("guid") or "").strip()
            shown = f" {normalise(raw_guid)}" if GUID_RE.match(raw_guid) else ""  # never an arbitrary value
            problems.append(f"line {el.sourceline}: {name}{shown} has no {child}")
        guid = el.get("guid") if not name.startswith("Member") else None
        if guid is not None:
            if not GUID_RE.match(guid.strip()):
                problems.append(f"line {el.sourceline}: {name} has an invalid guid (not a GUID)")
                continue
            g = normalise(guid)
            if g in seen:
                problems.append(f"line {el.sourceline}: duplicate GUID {g} (first defined on line {seen[g]})")
            else:
                seen[g] = el.sourceline or 0
            if name in _DEF_KIND:
                defined[_DEF_KIND[name]].add(g)
        if name in _REF_TAGS:
            target = el.get("targetGUID") or (el.get("guid") if name.startswith("Member") else None)
            if target is None or not GUID_RE.match(target.strip()):
                problems.append(f"line {el.sourceline}: {name} without a valid target GUID")
            else:
                refs.append((name, normalise(target), el.sourceline or 0))
        if name == "PlainTextSelection":
            try:
                s, e = int(el.get("startPosition", "")), int(el.get("endPosition", ""))
                if s < 0 or e < s:
                    problems.append(f"line {el.sourceline}: selection {el.get('guid')} has positions {s}..{e}")
            except ValueError:
                problems.append(f"line {el.sourceline}: selection {el.get('guid')} has non-integer positions")
        if len(problems) >= MAX_REPORTED:
            return problems
    for name, target, line in refs:
        kind_ = _REF_TAGS[name]
        if target not in defined[kind_]:
            if kind == "codebook" and name == "MemberCode" and target in defined["code"]:
                continue
            problems.append(f"line {line}: {name} refers to a missing {kind_} {target}")
            if len(problems) >= MAX_REPORTED:
                break
    return problems


__all__ = ["PROJECT_NS", "CODEBOOK_NS", "REFI_DIR_ENV", "refi_dir", "secure_parser", "extract_codebook_xsd",
           "project_schema", "codebook_schema", "validate", "structural_problems"]
