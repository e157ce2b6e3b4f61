"""REFI-QDA codebook exchange (``.qdc``, namespace ``urn:QDA-XML:codebook:1.0``).

``export_qdc(codebook, path)`` writes a qualcode :class:`~qualcode.codebook.schema.Codebook` so
that NVivo, ATLAS.ti, MAXQDA and QualCoder can load it; ``import_qdc(path)`` reads one back
(from qualcode or any of those tools). Definitions, when (not) to use, examples, the English
label and the code id travel in each code's Description (see :mod:`.description`).
Auto-coding rules and thresholds are qualcode-only and are not exported.
"""
from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml
from lxml import etree

from .. import __version__
from ..errors import ExchangeError
from .common import xml_safe
from .description import pack_description, unpack_description
from .guids import derive
from .schema import CODEBOOK_NS, redact, secure_parser, validate

MAX_QDC_BYTES = 50 * 1024 * 1024
_ID_OK = re.compile(r"[^a-z0-9_\-]+")
_TRANSLIT = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a", "ß": "ss"})


def code_guid(codebook_name: str, code_id: str) -> str:
    """The stable GUID of a codebook code (same codebook and id → same GUID)."""
    return derive("code", codebook_name, code_id)


def slug_id(name: str, taken: set[str]) -> str:
    """A qualcode code id (lowercase ``a-z0-9_-``) for a foreign code name, unique in ``taken``."""
    text = unicodedata.normalize("NFKD", name.translate(_TRANSLIT)).encode("ascii", "ignore").decode()
    base = _ID_OK.sub("-", text.lower()).strip("-_")[:60] or "kode"
    if not base[0].isalnum():
        base = "k" + base
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def expand_colour(value: str | None) -> str | None:
    """``#abc`` → ``#aabbcc``; anything that is not an RGB colour → None."""
    if not value:
        return None
    v = value.strip()
    if re.fullmatch(r"#[0-9a-fA-F]{3}", v):
        return "#" + "".join(ch * 2 for ch in v[1:]).lower()
    if re.fullmatch(r"#[0-9a-fA-F]{6}", v):
        return v.lower()
    return None


def code_element(parent: etree._Element, ns: str, *, guid: str, name: str, colour: str | None,
                 description: str | None) -> etree._Element:
    """One ``<Code>`` (codable, with colour and Description when given) under ``parent``."""
    el = etree.SubElement(parent, f"{{{ns}}}Code", guid=guid, name=xml_safe(name), isCodable="true")
    if expand_colour(colour):
        el.set("color", expand_colour(colour))
    if description:
        etree.SubElement(el, f"{{{ns}}}Description").text = xml_safe(description)
    return el


def codebook_element(codebook: Any, ns: str = CODEBOOK_NS) -> etree._Element:
    """``<CodeBook>`` for ``codebook`` (root of a .qdc when ``ns`` is the codebook namespace)."""
    q = lambda t: f"{{{ns}}}{t}"  # noqa: E731
    root = etree.Element(q("CodeBook"), nsmap={None: ns})
    if ns == CODEBOOK_NS:
        root.set("origin", f"qualcode {__version__}")
    codes_el = etree.SubElement(root, q("Codes"))
    children: dict[str | None, list[Any]] = {}
    for c in codebook.codes:
        children.setdefault(c.parent, []).append(c)

    def add(parent_el: etree._Element, parent_id: str | None) -> None:
        for c in children.get(parent_id, []):
            el = code_element(parent_el, ns, guid=code_guid(codebook.name, c.id), name=c.label_nb,
                               colour=c.colour,
                               description=pack_description(c, codebook=codebook.name, version=codebook.version))
            add(el, c.id)

    add(codes_el, None)
    return root


def write_xml_atomic(root: etree._Element, path: Path) -> None:
    """Write ``root`` as UTF-8 XML to ``path`` through a temporary file (never half a file)."""
    path = Path(path)
    if path.is_dir():
        raise ExchangeError(f"{path} is a folder; give a file name")
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    except OSError as exc:
        raise ExchangeError(f"cannot write {path}: {exc.__class__.__name__}") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class QdcExport:
    path: Path
    codes: int
    validated_with: str


def export_qdc(codebook: Any, path: Path | str) -> QdcExport:
    """Write ``codebook`` as a REFI-QDA ``.qdc`` file, validated before it is written."""
    path = Path(path)
    root = codebook_element(codebook)
    how = validate(root, kind="codebook", where=f"codebook export {path.name}")
    write_xml_atomic(root, path)
    return QdcExport(path=path, codes=len(codebook.codes), validated_with=how)


@dataclass
class QdcReport:
    """What an import kept and dropped (counts and reasons, never content)."""

    codes: int = 0
    validated_with: str = "structural"
    kept: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _parse_file(path: Path, limit: int) -> etree._Element:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ExchangeError(f"cannot read {path}: {exc.__class__.__name__}") from exc
    if size > limit:
        raise ExchangeError(f"{path}: {size} bytes is more than the {limit}-byte limit for a codebook file")
    try:
        return etree.parse(str(path), secure_parser()).getroot()
    except etree.XMLSyntaxError as exc:
        raise ExchangeError(f"{path}: not well-formed XML (line {exc.lineno}: {redact(exc.msg)[:120]})") from exc
    except OSError as exc:
        raise ExchangeError(f"cannot read {path}: {exc.__class__.__name__}") from exc


def codes_from_elements(code_elements: Iterable[etree._Element], ns: str, report: QdcReport,
                        taken: set[str] | None = None) -> list[dict[str, Any]]:
    """Flatten nested ``<Code>`` elements into code dicts (``guid``, ``parent``, fields…)."""
    taken = set() if taken is None else taken
    out: list[dict[str, Any]] = []

    def walk(el: etree._Element, parent: str | None) -> None:
        desc_el = el.find(f"{{{ns}}}Description")
        info = unpack_description(desc_el.text if desc_el is not None else None)
        name = (el.get("name") or "").strip() or "kode"
        wanted = info.get("id")
        if wanted and re.fullmatch(r"[a-z0-9][a-z0-9_\-]*", wanted) and wanted not in taken:
            code_id = wanted
            taken.add(code_id)
        else:
            code_id = slug_id(name, taken)
        if el.get("isCodable", "true").strip().lower() in {"false", "0"}:
            report.kept["non-codable codes imported as ordinary codes"] = (
                report.kept.get("non-codable codes imported as ordinary codes", 0) + 1)
        colour = expand_colour(el.get("color"))
        if el.get("color") and colour is None:
            report.dropped["invalid colours"] = report.dropped.get("invalid colours", 0) + 1
        out.append({
            "guid": el.get("guid"), "id": code_id, "parent": parent, "label_nb": name,
            "label_en": info.get("label_en") or name,
            "definition": info.get("definition", ""), "when_to_use": info.get("when_to_use", ""),
            "when_not_to_use": info.get("when_not_to_use", ""),
            "examples_typical": info.get("examples_typical", []),
            "examples_borderline": info.get("examples_borderline", []),
            "colour": colour, "codebook": info.get("codebook"), "version": info.get("version"),
        })
        for child in el.iterchildren(f"{{{ns}}}Code"):
            walk(child, code_id)

    for el in code_elements:
        walk(el, None)
    return out


def read_qdc(path: Path | str, *, name: str | None = None, version: str | None = None,
             max_bytes: int = MAX_QDC_BYTES) -> tuple[Any, QdcReport]:
    """Read a ``.qdc`` file into a :class:`~qualcode.codebook.schema.Codebook` plus a report.

    ``name``/``version`` default to those recorded by qualcode in the descriptions, else to
    the file name and ``1.0.0``.
    """
    from ..codebook.schema import parse_codebook

    path = Path(path)
    root = _parse_file(path, max_bytes)
    report = QdcReport()
    report.validated_with = validate(root, kind="codebook", where=str(path))
    ns = CODEBOOK_NS
    codes_el = root.find(f"{{{ns}}}Codes")
    codes = codes_from_elements(codes_el.iterchildren(f"{{{ns}}}Code") if codes_el is not None else [], ns, report)
    if not codes:
        raise ExchangeError(f"{path}: the codebook has no codes")
    sets = root.find(f"{{{ns}}}Sets")
    if sets is not None:
        report.dropped["code sets (qualcode has no sets)"] = len(sets)
    recorded = next((c for c in codes if c.get("codebook")), None)
    cb_name = name or (recorded or {}).get("codebook") or slug_id(path.stem, set()).replace("-", "_")
    cb_version = version or (recorded or {}).get("version") or "1.0.0"
    data = {
        "name": cb_name, "version": cb_version,
        "description": f"Imported from {path.name} ({(root.get('origin') or 'unknown origin')[:80]})",
        "codes": [{k: v for k, v in c.items() if k not in {"guid", "codebook", "version"} and v not in (None, "", [])}
                  for c in codes],
    }
    codebook = parse_codebook(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), source=path)
    report.codes = len(codebook.codes)
    return codebook, report


def import_qdc(path: Path | str, *, name: str | None = None, version: str | None = None) -> Any:
    """Read a REFI-QDA ``.qdc`` codebook; see :func:`read_qdc` for the report."""
    return read_qdc(path, name=name, version=version)[0]


def codebook_yaml(codebook: Any) -> str:
    """The codebook as qualcode YAML (for saving an imported .qdc)."""
    data = codebook.model_dump(mode="json", exclude_defaults=True)
    data.setdefault("name", codebook.name)
    data.setdefault("version", codebook.version)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


__all__ = ["export_qdc", "import_qdc", "read_qdc", "QdcExport", "QdcReport", "codebook_element",
           "codebook_yaml", "code_element", "code_guid", "slug_id", "expand_colour", "write_xml_atomic"]
