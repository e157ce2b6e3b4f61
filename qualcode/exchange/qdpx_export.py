"""Export a project as a REFI-QDA ``.qdpx`` (zip with ``project.qde`` and ``sources/*.txt``).

Only anonymised sources are exported (their ``Source.text``); pending sources are skipped and
counted, the vault is never read. GUIDs are the stored uids (or derived from them with uuid5),
so exporting the same project twice gives the same GUIDs. The XML is validated (official
schema when available, structural checks always) before anything is written, and the zip is
written to a temporary file and renamed into place.
"""
from __future__ import annotations

import os
import tempfile
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from lxml import etree
from sqlalchemy import false, select
from sqlalchemy.orm import Session

from .. import __version__
from ..errors import ExchangeError, QualcodeError
from ..store.models import Case, Code, Coder, Coding, Memo, Segment, Source
from .common import VARIABLES, memo_trailer, variable_guid, xml_datetime, xml_safe
from .description import pack_description, unpack_description
from .guids import as_guid, derive
from .qdc import code_element
from .schema import PROJECT_NS, validate

NS = PROJECT_NS
Q = lambda tag: f"{{{NS}}}{tag}"  # noqa: E731
MAX_INTERNAL_FILE = 2**31 - 1  # section 8.5 of the standard


@dataclass
class ExportReport:
    """What went into the file (counts only, no content)."""

    path: Path
    sources: int = 0
    skipped_pending: int = 0
    codes: int = 0
    users: int = 0
    selections: int = 0
    codings: int = 0
    cases: int = 0
    notes: int = 0
    validated_with: str = "structural"
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["path"] = str(self.path)
        return d


def _sub(parent: etree._Element, tag: str, text: Any = None, **attrs: Any) -> etree._Element:
    el = etree.SubElement(parent, Q(tag), {k: xml_safe(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = xml_safe(text)
    return el


def _variable_value(parent: etree._Element, fld: str, value: Any) -> None:
    typ = next(t for f, _n, t, _w in VARIABLES if f == fld)
    vv = _sub(parent, "VariableValue")
    _sub(vv, "VariableRef", targetGUID=variable_guid(fld))
    _sub(vv, "IntegerValue" if typ == "Integer" else "TextValue", value)


def _code_description(row: Code, lookup: Callable[[str], Any]) -> str:
    full = lookup(row.codebook)
    code = None
    if full is not None:
        code = next((c for c in full.codes if c.id == row.key), None)
    if code is None:
        info = unpack_description(row.description)
        info.update(id=row.key, label_en=row.label_en or info.get("label_en"))
        code = info
    version = row.codebook_version or (full.version if full is not None else None)
    return pack_description(code, codebook=row.codebook, version=version)


def _codebook_lookup() -> Callable[[str], Any]:
    """Full codebook models by name (for examples the store does not keep); None if not loadable."""
    cache: dict[str, Any] = {}

    def lookup(name: str) -> Any:
        if name not in cache:
            try:
                from ..codebook.schema import load_codebook

                cache[name] = load_codebook(name)
            except (QualcodeError, ImportError, OSError, ValueError):
                cache[name] = None
        return cache[name]

    return lookup


def build_project_xml(session: Session, *, project_name: str, report: ExportReport) -> tuple[etree._Element, dict[str, str]]:
    """The ``<Project>`` element and the source files (``guid.txt`` → text) of a store."""
    root = etree.Element(Q("Project"), nsmap={None: NS})
    root.set("name", xml_safe(project_name))
    root.set("origin", f"qualcode {__version__}")

    coders = session.scalars(select(Coder).order_by(Coder.name)).all()
    codes = session.scalars(select(Code).order_by(Code.codebook, Code.path, Code.id)).all()
    cases = session.scalars(select(Case).order_by(Case.letter)).all()
    sources = session.scalars(select(Source).order_by(Source.label)).all()
    memos = session.scalars(select(Memo).order_by(Memo.created_at, Memo.id)).all()

    # -- Users: coders and memo authors ---------------------------------------------------
    user_guid: dict[str, str] = {c.name: as_guid(c.uid, kind="coder") for c in coders}
    for m in memos:
        user_guid.setdefault(m.author, derive("user", m.author))
    if user_guid:
        users = _sub(root, "Users")
        for name in sorted(user_guid):
            _sub(users, "User", guid=user_guid[name], name=name)
    report.users = len(user_guid)
    coder_guid = {c.id: user_guid[c.name] for c in coders}

    # -- CodeBook ----------------------------------------------------------------------------
    code_guid = {c.id: as_guid(c.uid, kind="code") for c in codes}
    code_el: dict[int, etree._Element] = {}
    if codes:
        book = _sub(root, "CodeBook")
        codes_el = _sub(book, "Codes")
        children: dict[int | None, list[Code]] = defaultdict(list)
        ids = {c.id for c in codes}
        for c in codes:
            children[c.parent_id if c.parent_id in ids else None].append(c)
        lookup = _codebook_lookup()

        def add(parent_el: etree._Element, parent_id: int | None) -> None:
            for c in children.get(parent_id, []):
                el = code_element(parent_el, NS, guid=code_guid[c.id], name=xml_safe(c.label), colour=c.colour,
                                  description=xml_safe(_code_description(c, lookup)))
                if c.colour and el.get("color") is None:
                    report.warnings.append(f"code {c.key}: colour {c.colour!r} is not #rgb/#rrggbb, left out")
                code_el[c.id] = el
                add(el, c.id)

        add(codes_el, None)
    report.codes = len(codes)

    # -- Variables ---------------------------------------------------------------------------
    variables = _sub(root, "Variables")
    for fld, name, typ, _where in VARIABLES:
        _sub(variables, "Variable", guid=variable_guid(fld), name=name, typeOfVariable=typ)

    # -- Cases -------------------------------------------------------------------------------
    exported = [s for s in sources if s.status == "anonymised" and s.text is not None]
    report.skipped_pending = len(sources) - len(exported)
    case_guid = {c.id: as_guid(c.uid, kind="case") for c in cases}
    if cases:
        cases_el = _sub(root, "Cases")
        for c in cases:
            ce = _sub(cases_el, "Case", guid=case_guid[c.id], name=c.letter)
            for fld in ("service_area", "unit_label", "setting", "region"):
                if getattr(c, fld):
                    _variable_value(ce, fld, getattr(c, fld))
            for s in exported:
                if s.case_id == c.id:
                    _sub(ce, "SourceRef", targetGUID=as_guid(s.uid, kind="source"))
    report.cases = len(cases)

    # -- Sources with selections and codings ------------------------------------------------
    source_ids = [s.id for s in exported]
    rows = session.execute(
        select(Coding, Segment.source_id, Segment.start, Segment.end)
        .join(Segment, Coding.segment_id == Segment.id)
        .where(Coding.status == "active", Segment.source_id.in_(source_ids) if source_ids else false())
    ).all()
    segments = session.execute(
        select(Segment.id, Segment.source_id, Segment.start, Segment.end)
        .where(Segment.source_id.in_(source_ids) if source_ids else false())
    ).all()
    seg_span = {sid: (src, s, e) for sid, src, s, e in segments}
    coder_name = {c.id: c.name for c in coders}
    code_path = {c.id: c.path for c in codes}
    by_source: dict[int, dict[tuple[int, int], list[Coding]]] = defaultdict(lambda: defaultdict(list))
    for coding, src_id, seg_start, seg_end in rows:
        s = coding.start if coding.start is not None else seg_start
        e = coding.end if coding.end is not None else seg_end
        by_source[src_id][(s, e)].append(coding)

    notes_for: dict[tuple[str, int | None], list[Memo]] = defaultdict(list)
    for m in memos:
        notes_for[(m.target_type, m.target_id)].append(m)
    memo_guid = {m.id: as_guid(m.uid, kind="memo") for m in memos}
    # segment memos need a selection to hang their NoteRef on
    for (ttype, tid), ms in notes_for.items():
        if ttype == "segment" and tid in seg_span:
            src, s, e = seg_span[tid]
            by_source[src].setdefault((s, e), [])

    files: dict[str, str] = {}
    comments: list[Coding] = []
    if exported:
        sources_el = _sub(root, "Sources")
        for src in exported:
            guid = as_guid(src.uid, kind="source")
            fname = f"{guid}.txt"
            text = src.text or ""
            if len(text.encode("utf-8")) > MAX_INTERNAL_FILE:
                raise ExchangeError(f"source {src.label}: larger than the 2 GB REFI-QDA limit for an internal file")
            files[fname] = text
            ts = _sub(sources_el, "TextSource", guid=guid, name=src.label,
                      plainTextPath=f"internal://{fname}",
                      creationDateTime=xml_datetime(src.imported_at))
            seg_memo_spans: dict[tuple[int, int], list[Memo]] = defaultdict(list)
            for (ttype, tid), ms in notes_for.items():
                if ttype == "segment" and tid in seg_span and seg_span[tid][0] == src.id:
                    seg_memo_spans[seg_span[tid][1:]].extend(ms)
            for (s, e) in sorted(by_source.get(src.id, {})):
                if not (0 <= s <= e <= len(text)):
                    raise ExchangeError(f"source {src.label}: a coding spans {s}..{e}, outside its text "
                                        f"(0..{len(text)}); the store is inconsistent")
                group = sorted(by_source[src.id][(s, e)],
                               key=lambda c: (coder_name.get(c.coder_id, ""), code_path.get(c.code_id, ""), c.uid))
                first = min(group, key=lambda c: (xml_datetime(c.created_at) or "", c.uid)) if group else None
                sel = _sub(ts, "PlainTextSelection", guid=derive("selection", src.uid, s, e),
                           startPosition=s, endPosition=e,
                           creatingUser=coder_guid.get(first.coder_id) if first else None,
                           creationDateTime=xml_datetime(first.created_at) if first else None)
                for c in group:
                    ce = _sub(sel, "Coding", guid=as_guid(c.uid, kind="coding"),
                              creatingUser=coder_guid.get(c.coder_id), creationDateTime=xml_datetime(c.created_at))
                    _sub(ce, "CodeRef", targetGUID=code_guid[c.code_id])
                    if c.comment:
                        comments.append(c)
                        _sub(ce, "NoteRef", targetGUID=derive("coding-comment", c.uid))
                    report.codings += 1
                for m in sorted(seg_memo_spans.get((s, e), []), key=lambda m: memo_guid[m.id]):
                    _sub(sel, "NoteRef", targetGUID=memo_guid[m.id])
                report.selections += 1
            for m in notes_for.get(("source", src.id), []):
                _sub(ts, "NoteRef", targetGUID=memo_guid[m.id])
            for fld, _n, _t, where in VARIABLES:
                value = getattr(src, fld, None)
                if where in ("source", "both") and value not in (None, ""):
                    _variable_value(ts, fld, value)
            report.sources += 1

    # -- Notes (memos) --------------------------------------------------------------------------
    target_guid: dict[str, dict[int, str]] = {
        "code": code_guid, "case": case_guid,
        "source": {s.id: as_guid(s.uid, kind="source") for s in exported},
        "segment": {sid: derive("selection", next(s.uid for s in exported if s.id == src), st, en)
                    for sid, (src, st, en) in seg_span.items()} if any(m.target_type == "segment" for m in memos) else {},
    }
    project_refs: list[str] = []
    notes_el = _sub(root, "Notes") if memos or comments else None
    for c in comments:  # a coding's comment: a note referenced from the Coding (NoteRef)
        note = _sub(notes_el, "Note", guid=derive("coding-comment", c.uid), name="Kommentar til koding",
                    creatingUser=coder_guid.get(c.coder_id), creationDateTime=xml_datetime(c.created_at))
        _sub(note, "Description", memo_trailer("kodingskommentar", None, "coding", as_guid(c.uid, kind="coding")))
        _sub(note, "PlainTextContent", c.comment)
        report.notes += 1
    if memos:
        for m in memos:
            tguid = target_guid.get(m.target_type, {}).get(m.target_id) if m.target_id is not None else None
            if m.target_type != "project" and tguid is None:
                report.warnings.append(f"memo {m.uid}: its {m.target_type} is not exported; kept as a project note")
            note = _sub(notes_el, "Note", guid=memo_guid[m.id], name=m.title or m.kind,
                        creatingUser=user_guid[m.author], creationDateTime=xml_datetime(m.created_at),
                        modifiedDateTime=xml_datetime(m.updated_at))
            _sub(note, "Description", memo_trailer(m.kind, m.year, m.target_type, tguid))
            _sub(note, "PlainTextContent", m.text)
            if m.target_type == "code" and m.target_id in code_el:
                parent = code_el[m.target_id]
                ref = etree.Element(Q("NoteRef"), targetGUID=memo_guid[m.id])
                first_child = parent.find(Q("Code"))
                if first_child is not None:
                    first_child.addprevious(ref)
                else:
                    parent.append(ref)
            elif m.target_type == "project" or tguid is None:
                project_refs.append(memo_guid[m.id])
            report.notes += 1
    for g in project_refs:
        _sub(root, "NoteRef", targetGUID=g)
    return root, files


def _write_zip(path: Path, qde: bytes, files: dict[str, str]) -> None:
    if path.is_dir():
        raise ExchangeError(f"{path} is a folder; give a file name such as {path / 'project.qdpx'}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".qdpx")
    except OSError as exc:
        raise ExchangeError(f"cannot write {path}: {exc.__class__.__name__}") from exc
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            zf.writestr(_zipinfo("project.qde"), qde)
            for name in sorted(files):
                zf.writestr(_zipinfo(f"sources/{name}"), files[name].encode("utf-8"))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _zipinfo(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2019, 1, 1, 0, 0, 0))  # fixed: same project, same bytes
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def export_qdpx(project: Any, path: Path | str) -> ExportReport:
    """Write ``project`` (anonymised sources, codebook, codings per coder, cases, variables,
    memos) to ``path`` as a REFI-QDA project exchange file."""
    path = Path(path)
    report = ExportReport(path=path)
    with project.store.session() as s:
        root, files = build_project_xml(s, project_name=project.config.name, report=report)
    report.validated_with = validate(root, kind="project", where=f"project export {path.name}")
    qde = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    _write_zip(path, qde, files)
    return report


__all__ = ["export_qdpx", "ExportReport", "build_project_xml"]
